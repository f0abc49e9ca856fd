/*
 * submit: a new demand. Enterprises submit their own (#/portal/new,
 * channel portal); specialists record one from a visit or a phone call
 * for an enterprise (#/triage/new). Fields are checked before sending;
 * the ticket is created with an Idempotency-Key (a retried click creates
 * nothing twice), then the chosen files are uploaded as its attachments.
 */
import { get, post, query, upload } from '../api.js';
import { currentUser } from '../app.js';
import { go } from '../router.js';
import { URGENCY_LABELS, collect, errorBox, field, fill, h, notify, pageTitle } from '../ui.js';

export const name = 'submit';

const MAX_FILE = 10 * 1024 * 1024;
const FILE_TYPES = /\.(pdf|png|jpe?g|gif|webp|docx?|xlsx?|pptx?|odt|ods|odp)$/i;

const TEXT = {
	titleEnterprise: '提交诉求',
	titleSpecialist: '登记诉求',
	leadEnterprise: '请如实填写您遇到的问题,企业服务专员将在 1 个工作日内分派至职能部门办理,办理进度可在“我的诉求”中查看。',
	leadSpecialist: '登记走访或电话中收集的企业诉求。',
	submit: '提交',
	busy: '正在提交…',
	created: (n) => `诉求已提交,编号 ${n}。`,
	uploadFailed: '诉求已提交,但以下附件上传失败,可在工单页面重新上传:',
};

export async function render(root) {
	const user = currentUser();
	const specialist = user.role === 'specialist';
	const [cats, enterprises] = await Promise.all([
		get('/api/v1/categories'),
		specialist ? get(`/api/v1/enterprises${query({ limit: 200 })}`) : Promise.resolve(null),
	]);
	const active = cats.items.filter((c) => !c.disabled);
	const options = [];
	for (const parent of active.filter((c) => c.parent_id === null)) {
		options.push([String(parent.id), parent.name]);
		for (const child of active.filter((c) => c.parent_id === parent.id)) options.push([String(child.id), `${parent.name} / ${child.name}`]);
	}
	const fields = [];
	if (specialist) {
		fields.push(field({ name: 'enterprise_id', label: '企业', type: 'select', required: true, placeholder: '请选择企业',
			options: enterprises.items.map((e) => [String(e.id), e.name]) }));
		fields.push(field({ name: 'channel', label: '来源渠道', type: 'radio', required: true, value: 'visit',
			options: [['visit', '走访'], ['phone', '电话']] }));
	}
	fields.push(
		field({ name: 'category_id', label: '诉求类别', type: 'select', required: true, placeholder: '请选择诉求类别', options }),
		field({ name: 'title', label: '诉求标题', required: true, maxlength: 100, hint: '一句话概括问题,不超过 100 字。' }),
		field({ name: 'description', label: '诉求内容', type: 'textarea', required: true, maxlength: 5000, rows: 7,
			hint: '请写明事情经过、已办理的手续和希望解决的问题,不少于 10 个字。',
			check: (v) => (v.length < 10 ? '诉求内容不少于 10 个字。' : '') }),
		field({ name: 'urgency', label: '紧急程度', type: 'select', placeholder: '按诉求类别默认',
			options: Object.entries(URGENCY_LABELS) }),
		field({ name: 'contact_name', label: '联系人', maxlength: 50, autocomplete: 'name' }),
		field({ name: 'contact_phone', label: '联系电话', type: 'tel', maxlength: 20, autocomplete: 'tel',
			pattern: /^(1\d{10}|0\d{2,3}-?\d{7,8}|\+?[0-9-]{5,20})$/, patternMessage: '请填写正确的手机号或座机号码。' }),
		field({ name: 'files', label: '附件', type: 'file', multiple: true, accept: '.pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.odt,.ods',
			hint: 'PDF、图片或 Office 文档,每个不超过 10 MB。',
			check: (files) => {
				const big = files.find((f) => f.size > MAX_FILE);
				if (big) return `“${big.name}”超过 10 MB。`;
				const odd = files.find((f) => !FILE_TYPES.test(f.name));
				return odd ? `“${odd.name}”的类型不支持。` : '';
			} }),
	);
	const errorSlot = h('div');
	const submit = h('button', { type: 'submit', class: 'button button-primary' }, TEXT.submit);
	const form = h('form', { class: 'form form-wide', novalidate: true, id: 'submit-form' }, fields.map((f) => f.el), errorSlot,
		h('div', { class: 'form-buttons' }, submit,
			h('a', { class: 'button button-secondary', href: specialist ? '#/triage' : '#/portal' }, '取消')));
	root.append(h('section', { class: 'card card-wide' },
		pageTitle(specialist ? TEXT.titleSpecialist : TEXT.titleEnterprise),
		h('p', { class: 'card-lead' }, specialist ? TEXT.leadSpecialist : TEXT.leadEnterprise), form));

	/* getRandomValues works on plain-HTTP intranet hosts too (randomUUID needs a secure context) */
	const idempotencyKey = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		fill(errorSlot);
		const v = collect(fields);
		if (!v) return;
		const body = { category_id: Number(v.category_id), title: v.title, description: v.description };
		if (v.urgency) body.urgency = v.urgency;
		if (v.contact_name) body.contact_name = v.contact_name;
		if (v.contact_phone) body.contact_phone = v.contact_phone;
		if (specialist) {
			body.enterprise_id = Number(v.enterprise_id);
			body.channel = v.channel;
		}
		submit.disabled = true;
		submit.textContent = TEXT.busy;
		let ticket;
		try {
			ticket = await post('/api/v1/tickets', body, { headers: { 'Idempotency-Key': idempotencyKey } });
		} catch (err) {
			submit.disabled = false;
			submit.textContent = TEXT.submit;
			fill(errorSlot, errorBox(err));
			return;
		}
		const failed = [];
		for (const file of v.files) {
			try {
				await upload(`/api/v1/tickets/${ticket.id}/attachments${query({ filename: file.name })}`, file);
			} catch (err) {
				failed.push(`${file.name}:${err.title || ''}`);
			}
		}
		notify(TEXT.created(ticket.number));
		if (failed.length) notify(`${TEXT.uploadFailed}${failed.join(';')}`);
		go(`/ticket/${ticket.id}`);
	});
}
