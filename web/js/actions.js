/*
 * actions: the lifecycle actions a ticket's allowed_actions may list, as
 * buttons and dialogs. Each action names its zh-CN label and the fields of
 * its body (POST /api/v1/tickets/{id}/actions/{action}); the ticket view
 * shows a button only for what the server allows, so the UI never offers
 * what would be refused.
 */
import { ApiError, get, post } from './api.js';
import { currentUser } from './app.js';
import { field, formDialog, h } from './ui.js';

export const RETURN_CODES = [
	['not_our_function', '职能不符'], ['not_our_area', '属地不符'], ['ownership_unclear', '权属不清'],
	['information_missing', '信息不全'], ['other', '其他'],
];
export const SCORES = [['5', '非常满意'], ['4', '满意'], ['3', '基本满意'], ['2', '不满意'], ['1', '非常不满意']];

let orgsCache = null;
/* The orgs a ticket can go to (bureaus, towns, offices), cached per page. */
export async function dispatchOrgs() {
	if (!orgsCache) {
		const answer = await get('/api/v1/orgs');
		orgsCache = answer.items.filter((o) => !o.disabled && ['bureau', 'town', 'office'].includes(o.kind));
	}
	return orgsCache;
}

const text = (name, label, opts = {}) => ({ name, label, type: 'textarea', maxlength: 1000, ...opts });
const note = (label = '备注') => text('note', label);

/* action -> { label, intro?, danger?, fields(ticket) -> specs | Promise, body(values, ticket) } */
export const ACTIONS = {
	answer: { label: '直接答复', fields: () => [text('answer', '答复内容', { required: true, maxlength: 5000, rows: 6 })] },
	dispatch: { label: '分派', fields: dispatchFields, body: (v) => ({ lead_org_id: Number(v.lead_org_id),
		assist_org_ids: v.assist_org_ids.map(Number), note: v.note || undefined }) },
	reject: { label: '不予受理', danger: true, fields: () => [text('reason', '不予受理理由', { required: true })] },
	merge: { label: '合并', fields: mergeFields, body: (v) => ({ into_ticket_id: Number(v.into_ticket_id), note: v.note || undefined }) },
	summon: { label: '吹哨报到', fields: async (t) => [await orgChoice('org_ids', '报到单位', t, []), note()],
		body: (v) => ({ org_ids: v.org_ids.map(Number), note: v.note || undefined }) },
	dispute_return: { label: '提请审定退回', fields: () => [text('reason', '提请理由', { required: true })] },
	accept: { label: '签收', fields: () => [note('签收备注')] },
	return: { label: '退回', danger: true, fields: () => [
		{ name: 'code', label: '退回原因', type: 'radio', required: true, options: RETURN_CODES },
		text('basis', '退回依据', { required: true, hint: '请写明理由和依据,例如职能文件、属地划分。' })] },
	contact: { label: '联系企业', fields: () => [
		{ name: 'method', label: '联系方式', type: 'select', required: true, placeholder: '请选择',
			options: [['电话', '电话'], ['上门', '上门'], ['微信', '微信'], ['短信', '短信'], ['其他', '其他']] }, note('联系情况')] },
	note: { label: '办理进展', fields: () => [text('text', '进展情况', { required: true, maxlength: 2000 })] },
	suspend: { label: '挂起', fields: () => [text('question', '需企业补充的材料或信息', { required: true,
		hint: '挂起期间办理时限暂停计算,企业补充后自动恢复。' })] },
	request_extension: { label: '申请延期', fields: () => [
		{ name: 'days', label: '延期工作日数', type: 'number', required: true, min: 1, max: 60, inputmode: 'numeric' },
		text('reason', '延期理由', { required: true })], body: (v) => ({ days: Number(v.days), reason: v.reason }) },
	contribute: { label: '协办意见', fields: () => [text('text', '协办意见', { required: true, maxlength: 2000 })] },
	release: { label: '解除协办', fields: (t) => [{ name: 'assignment_id', label: '协办单位', type: 'select', required: true,
		placeholder: '请选择', options: t.assignments.filter((a) => !a.lead && ['pending', 'accepted'].includes(a.state))
			.map((a) => [String(a.id), a.org_name]) }, text('reason', '理由')],
	body: (v) => ({ assignment_id: Number(v.assignment_id), reason: v.reason || undefined }) },
	resolve: { label: '办结', fields: () => [text('resolution', '办理结果', { required: true, maxlength: 5000, rows: 6 })] },
	reassign: { label: '改派承办人', fields: reassignFields, body: (v) => ({ handler_id: Number(v.handler_id) }) },
	appeal: { label: '申诉复核', fields: () => [text('reason', '申诉理由', { required: true })] },
	supply: { label: '补充材料', fields: (t) => [text('answer', '补充的信息', { required: true, maxlength: 5000, rows: 5,
		hint: suspendQuestion(t) })] },
	withdraw: { label: '撤回', danger: true, fields: () => [text('reason', '撤回原因', { required: true })] },
	rate: { label: '评价', fields: () => [
		{ name: 'score', label: '满意度', type: 'radio', required: true, options: SCORES },
		text('comment', '评价意见')], body: (v) => ({ score: Number(v.score), comment: v.comment || undefined }) },
	feedback: { label: '反馈结果', fields: (t) => [text('text', '反馈给企业的内容', { maxlength: 5000, rows: 6, value: t.resolution || '',
		hint: '不填写则将办理结果原文反馈给企业。' })] },
	send_back: { label: '退回重办', danger: true, fields: () => [text('reason', '退回重办理由', { required: true })] },
	withdrawal_check: { label: '撤单质检', fields: () => [
		{ name: 'outcome', label: '质检结论', type: 'radio', required: true, options: [['voluntary', '企业自愿撤回'], ['pressed', '被要求撤回(重新受理)']] },
		note()] },
	approve_extension: { label: '批准延期', fields: () => [note()] },
	deny_extension: { label: '驳回延期', danger: true, fields: () => [text('note', '驳回理由', { required: true })] },
	adjudicate_return: { label: '审定退回', fields: () => [
		{ name: 'decision', label: '审定结论', type: 'radio', required: true, options: [['uphold', '退回成立'], ['force', '退回不成立,由原单位办理']] },
		text('note', '审定意见', { required: true })] },
	rule_rating: { label: '差评处理', fields: () => [
		{ name: 'decision', label: '处理结论', type: 'radio', required: true, options: [['rectify', '责令整改'], ['close', '解释说明后关闭']] },
		text('note', '处理意见', { required: true })] },
	rule_appeal: { label: '申诉裁定', fields: () => [
		{ name: 'decision', label: '裁定结论', type: 'radio', required: true, options: [['exclude', '申诉成立,评价不计入统计'], ['dismiss', '申诉不成立']] },
		note()] },
	supervise: { label: '督办', fields: () => [text('note', '督办意见', { required: true })] },
	reopen: { label: '重新打开', fields: () => [text('reason', '理由', { required: true })] },
};

function suspendQuestion(t) {
	return t.suspension_question ? `需补充:${t.suspension_question}` : undefined;
}

async function orgChoice(name, label, ticket, preselect) {
	const orgs = await dispatchOrgs();
	return { name, label, type: 'checkboxes', options: orgs.map((o) => [String(o.id), o.name]), value: preselect.map(String) };
}

/* A duplicate is merged into one of its similar tickets that is still open. */
async function mergeFields(ticket) {
	const similar = await get(`/api/v1/tickets/${ticket.id}/similar`);
	const open = similar.items.filter((x) => x.id !== ticket.id && !['merged', 'rejected', 'closed', 'answered'].includes(x.state));
	return [{ name: 'into_ticket_id', label: '合并到', type: 'select', required: true, placeholder: open.length ? '请选择相似诉求' : '没有可合并的相似诉求',
		options: open.map((x) => [String(x.id), `${x.number} ${x.title}(${x.enterprise},${x.state_label},相似度 ${Math.round(x.similarity * 100)}%)`]) }, note()];
}

/* A leader picks another handler of the org (or an org above or below it). */
async function reassignFields() {
	const user = currentUser();
	const answer = await get(`/api/v1/orgs/${user.org.id}/users`);
	const people = answer.items.filter((u) => !u.disabled && ['bureau_handler', 'bureau_leader'].includes(u.role));
	return [{ name: 'handler_id', label: '承办人', type: 'select', required: true, placeholder: '请选择',
		options: people.map((u) => [String(u.id), `${u.display_name}(${u.role_label})`]) }];
}

/* The dispatch dialog: the lead org pre-filled from the category's
 * suggestions, assisting orgs from the other suggestions. */
async function dispatchFields(ticket) {
	const orgs = await dispatchOrgs();
	const suggested = ticket.category.suggested_org_ids.filter((id) => orgs.some((o) => o.id === id));
	const options = orgs.map((o) => [String(o.id), suggested.includes(o.id) ? `${o.name}(推荐)` : o.name]);
	return [
		{ name: 'lead_org_id', label: '主办单位', type: 'select', required: true, placeholder: '请选择', options,
			value: suggested.length ? String(suggested[0]) : '', hint: `按诉求类别“${ticket.category.name}”推荐` },
		{ name: 'assist_org_ids', label: '协办单位(可多选)', type: 'checkboxes', options,
			value: suggested.slice(1).map(String) },
		note('分派说明'),
	];
}

/* Opens the dialog of action on ticket; on success calls done(updated
 * ticket). When the ticket changed meanwhile (409: another user acted
 * first) the dialog closes and done(null, error) lets the page reload and
 * say why: the dialog's version is stale, so it cannot simply retry. */
export async function openAction(action, ticket, done) {
	const spec = ACTIONS[action];
	const fields = (await spec.fields(ticket)).map(field);
	if (action === 'dispatch') {
		/* the lead org cannot assist itself */
		const [lead, assist] = fields;
		assist.spec.check = (values) => (values.includes(lead.get()) ? '主办单位不能同时作为协办单位。' : '');
	}
	formDialog({
		title: `${spec.label} · ${ticket.number}`,
		fields,
		danger: spec.danger,
		submitLabel: spec.label,
		onSubmit: async (values) => {
			const body = spec.body ? spec.body(values, ticket) : dropEmpty(values);
			let updated;
			try {
				updated = await post(`/api/v1/tickets/${ticket.id}/actions/${action}`, { version: ticket.version, ...body });
			} catch (err) {
				if (err instanceof ApiError && err.status === 409) {
					done(null, err);
					return;
				}
				throw err;
			}
			done(updated);
		},
	});
}

function dropEmpty(values) {
	return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

/* Buttons for the actions of ticket.allowed_actions that are in only (or
 * every known one), in the order of only. */
export function actionButtons(ticket, done, only = Object.keys(ACTIONS)) {
	const allowed = new Set(ticket.allowed_actions);
	return only.filter((a) => allowed.has(a) && ACTIONS[a]).map((a) => h('button', {
		type: 'button', class: `button ${ACTIONS[a].danger ? 'button-danger-outline' : 'button-secondary'}`, dataset: { action: a },
		onclick: () => openAction(a, ticket, done),
	}, ACTIONS[a].label));
}
