/*
 * ticket: one ticket (#/ticket/:id) for every role: its facts, its SLA
 * countdown, the buttons of its allowed actions, its progress timeline and
 * attachments; for specialists also the enterprise's history, similar
 * tickets and knowledge-base suggestions beside it. It reloads when the
 * live stream announces an event of this ticket, and every minute for the
 * countdown.
 */
import { ApiError, get, query, upload } from '../api.js';
import { actionButtons } from '../actions.js';
import { STATE_LABELS } from '../ticketlist.js';
import { currentUser } from '../app.js';
import * as live from '../live.js';
import { CHANNEL_LABELS, URGENCY_LABELS, countdown, errorBox, fill, formatTime, h, notify, pageTitle, stateBadge } from '../ui.js';

export const name = 'ticket';

const TEXT = {
	back: '返回列表',
	loading: '正在加载工单…',
	facts: '基本信息',
	description: '诉求内容',
	actions: '办理操作',
	noActions: '当前没有需要您办理的操作。',
	timeline: '办理进度',
	attachments: '附件',
	noAttachments: '暂无附件。',
	addFile: '上传附件',
	uploaded: (n) => `已上传 ${n}`,
	assignments: '承办单位',
	ratings: '评价',
	extensions: '延期申请',
	similar: '相似诉求',
	kb: '知识库建议',
	history: '企业历史诉求',
	none: '无',
	updated: '工单已更新。',
	answer: '答复内容',
	resolution: '办理结果',
	feedback: '反馈内容',
	askEnterprise: '办理单位需要您补充以下信息(请点击“补充材料”答复):',
	askStaff: '已挂起,等待企业补充:',
	lead: '主办',
	assist: '协办',
};

const ASSIGNMENT_STATES = { pending: '待签收', accepted: '办理中', returned: '已退回', done: '已完成' };
const EXTENSION_STATES = { pending: '待审批', approved: '已批准', denied: '已驳回' };
const SCORE_LABELS = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };
const HOME = { enterprise: '/portal', specialist: '/triage', bureau_handler: '/bureau', bureau_leader: '/bureau', supervisor: '/supervision' };

export async function render(root, params) {
	const id = params.id;
	const user = currentUser();
	const body = h('div', { class: 'ticket-page' }, h('p', { class: 'status', role: 'status' }, TEXT.loading));
	root.append(h('p', { class: 'back' }, h('a', { href: `#${HOME[user.role] || '/tickets'}` }, `← ${TEXT.back}`)), body);
	let shown = null;
	let loading = false;

	let again = false; /* asked to load while loading: once more afterwards, for what came meanwhile */
	let problem = null; /* an action refused because the ticket had changed: shown after the reload */
	async function load() {
		if (loading) {
			again = true;
			return;
		}
		loading = true;
		try {
			const [ticket, events, attachments] = await Promise.all([
				get(`/api/v1/tickets/${encodeURIComponent(id)}`),
				get(`/api/v1/tickets/${encodeURIComponent(id)}/events`),
				get(`/api/v1/tickets/${encodeURIComponent(id)}/attachments`),
			]);
			const suspend = [...events.items].reverse().find((e) => e.action === 'suspend');
			ticket.suspension_question = suspend && suspend.payload ? suspend.payload.question : null;
			const refocus = document.activeElement && body.contains(document.activeElement) ? document.activeElement.dataset.action : null;
			shown = ticket;
			const conflict = problem;
			problem = null;
			fill(body, view(ticket, events.items, attachments.items, user, (err) => {
				problem = err || null;
				load();
			}, conflict));
			if (user.role === 'specialist') sidePanel(body.querySelector('.ticket-aside'), ticket);
			if (refocus) {
				const button = body.querySelector(`[data-action="${refocus}"]`);
				if (button) button.focus();
			}
		} catch (err) {
			if (!(err instanceof ApiError && err.status === 401)) fill(body, pageTitle('工单'), errorBox(err));
		} finally {
			loading = false;
		}
		if (again) {
			again = false;
			load();
		}
	}

	await load();
	const unsubscribe = live.subscribe((kind, data) => {
		/* an attachment leaves the version as it is; everything else moves it on */
		if (kind === 'reconnected' || (data && String(data.ticket_id) === String(id)
			&& (!shown || data.version > shown.version || data.action === 'attach'))) load();
	});
	const timer = setInterval(load, 60000);
	return () => {
		unsubscribe();
		clearInterval(timer);
	};
}

/* The closed loop 收集 → 分派 → 处置 → 反馈 → 评价 and where the ticket is on it. */
const STEPS = ['提交受理', '分派', '办理', '办结', '反馈', '评价'];
const STEP_OF = { new: 0, returned: 1, dispatched: 1, in_progress: 2, suspended: 2, rectifying: 2, resolved: 3, feedback: 4, closed: 6 };
const ENDED = { answered: '已直接答复', rejected: '不予受理', merged: '已合并' };

function progress(t) {
	if (ENDED[t.state]) return h('p', { class: 'steps-ended' }, `办理流程:${ENDED[t.state]}`);
	const at = t.state === 'closed' && t.close_reason === 'withdrawn' ? -1 : STEP_OF[t.state];
	if (at === -1) return h('p', { class: 'steps-ended' }, '办理流程:企业已撤回');
	return h('ol', { class: 'steps', 'aria-label': '办理流程' }, STEPS.map((label, i) => h('li', {
		class: i < at ? 'step step-done' : i === at ? 'step step-current' : 'step',
		'aria-current': i === at ? 'step' : false,
	}, label)));
}

function section(title, ...children) {
	return h('section', { class: 'panel', 'aria-label': title }, h('h2', { class: 'panel-title' }, title), ...children);
}

function facts(pairs) {
	return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
		.map(([k, v]) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v))));
}

function view(t, events, attachments, user, reload, conflict) {
	const done = (updated, err) => {
		if (!err) notify(TEXT.updated);
		reload(err);
	};
	const buttons = actionButtons(t, done);
	const lead = t.assignments.filter((a) => a.lead && a.state !== 'returned').map((a) => a.org_name).pop();
	const main = h('div', { class: 'ticket-main' },
		h('div', { class: 'ticket-head' },
			h('p', { class: 'ticket-number' }, t.number, ' ', stateBadge(t), ' ', t.sla.next_deadline ? countdown(t.sla) : null),
			pageTitle(t.title), progress(t)),
		t.state === 'suspended' && t.suspension_question ? h('div', { class: 'alert alert-info callout', role: 'note' },
			h('p', { class: 'alert-title' }, user.role === 'enterprise' ? TEXT.askEnterprise : TEXT.askStaff),
			h('p', { class: 'alert-detail' }, t.suspension_question)) : null,
		conflict ? errorBox(conflict) : null,
		section(TEXT.actions, buttons.length ? h('div', { class: 'action-bar' }, buttons) : h('p', { class: 'muted' }, TEXT.noActions)),
		section(TEXT.facts, facts([
			['企业', t.enterprise.name], ['所属街镇', t.enterprise.town.name], ['诉求类别', t.category.name],
			['紧急程度', URGENCY_LABELS[t.urgency]], ['来源渠道', CHANNEL_LABELS[t.channel]],
			['联系人', t.contact.name], ['联系电话', t.contact.phone], ['登记时间', formatTime(t.created_at)],
			['主办单位', lead || ''], ['截止时间', t.sla.next_deadline ? formatTime(t.sla.next_deadline) : ''],
		])),
		section(TEXT.description, h('p', { class: 'prose' }, t.description)),
		t.answer ? section(TEXT.answer, h('p', { class: 'prose' }, t.answer)) : null,
		t.resolution ? section(TEXT.resolution, h('p', { class: 'prose' }, t.resolution)) : null,
		t.feedback ? section(TEXT.feedback, h('p', { class: 'prose' }, t.feedback)) : null,
		t.assignments.length ? section(TEXT.assignments, assignmentsTable(t)) : null,
		t.extensions.length ? section(TEXT.extensions, h('ul', { class: 'plain-list' }, t.extensions.map((x) =>
			h('li', {}, `${x.days} 个工作日 · ${EXTENSION_STATES[x.state] || x.state} · ${x.reason}`)))) : null,
		t.ratings.length ? section(TEXT.ratings, h('ul', { class: 'plain-list' }, t.ratings.map((r) =>
			h('li', {}, `第 ${r.round} 轮:${SCORE_LABELS[r.score]}${r.comment ? `,“${r.comment}”` : ''}`)))) : null,
		section(TEXT.attachments, attachmentList(t, attachments, user, reload)),
		section(TEXT.timeline, timeline(events)));
	return h('div', { class: user.role === 'specialist' ? 'ticket-layout with-aside' : 'ticket-layout' },
		main, user.role === 'specialist' ? h('aside', { class: 'ticket-aside', 'aria-label': '参考信息' }) : null);
}

function assignmentsTable(t) {
	return h('table', { class: 'table' },
		h('thead', {}, h('tr', {}, ['单位', '类型', '状态', '承办人', '分派时间'].map((c) => h('th', { scope: 'col' }, c)))),
		h('tbody', {}, t.assignments.map((a) => h('tr', {},
			h('td', {}, a.org_name), h('td', {}, a.lead ? TEXT.lead : TEXT.assist),
			h('td', {}, ASSIGNMENT_STATES[a.state] || a.state,
				a.return_code ? `(${a.return_basis || ''})` : ''),
			h('td', {}, a.handler_name || '—'), h('td', {}, formatTime(a.dispatched_at))))));
}

/* The progress timeline: every event with its zh-CN summary, newest last. */
export function timeline(events) {
	return h('ol', { class: 'timeline' }, events.map((e) => h('li', { class: `timeline-item timeline-${e.action}` },
		h('time', { datetime: e.created_at }, formatTime(e.created_at)),
		h('p', {}, e.summary))));
}

function attachmentList(t, items, user, reload) {
	const list = items.length
		? h('ul', { class: 'plain-list' }, items.map((a) => h('li', {},
			h('a', { href: `/api/v1/tickets/${t.id}/attachments/${a.id}`, download: a.filename }, a.filename),
			` (${Math.max(1, Math.round(a.size / 1024))} KB)`)))
		: h('p', { class: 'muted' }, TEXT.noAttachments);
	const works = ['enterprise', 'specialist', 'bureau_handler', 'bureau_leader', 'supervisor'].includes(user.role)
		&& t.allowed_actions.length > 0;
	if (!works) return list;
	const input = h('input', { type: 'file', id: `upload-${t.id}`, accept: '.pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.odt,.ods' });
	const slot = h('div');
	input.addEventListener('change', async () => {
		fill(slot);
		for (const file of input.files) {
			try {
				await upload(`/api/v1/tickets/${t.id}/attachments${query({ filename: file.name })}`, file);
				notify(TEXT.uploaded(file.name));
			} catch (err) {
				fill(slot, errorBox(err));
				return;
			}
		}
		reload();
	});
	return h('div', {}, list, h('div', { class: 'field' }, h('label', { for: input.id }, TEXT.addFile), input), slot);
}

/* Specialists see the enterprise's history, similar tickets and knowledge-base suggestions. */
async function sidePanel(aside, t) {
	if (!aside) return;
	const [similar, kb, enterprise] = await Promise.all([
		get(`/api/v1/tickets/${t.id}/similar`).catch(() => ({ items: [] })),
		get(`/api/v1/kb${query({ q: t.category.name })}`).catch(() => ({ items: [] })),
		get(`/api/v1/enterprises/${t.enterprise.id}`).catch(() => ({ tickets: [] })),
	]);
	const link = (x) => h('a', { href: `#/ticket/${x.id}` }, `${x.number} ${x.title}`);
	fill(aside,
		section(TEXT.history, list(enterprise.tickets.filter((x) => x.id !== t.id).slice(0, 8), (x) => [link(x), ` · ${STATE_LABELS[x.state] || ''}`])),
		section(TEXT.similar, list(similar.items.slice(0, 8), (x) => [link(x), ` · ${x.state_label}`])),
		section(TEXT.kb, list(kb.items.slice(0, 5), (x) => [h('details', {}, h('summary', {}, x.question), h('p', {}, x.answer))])));
}

function list(items, row) {
	return items.length ? h('ul', { class: 'plain-list' }, items.map((x) => h('li', {}, row(x)))) : h('p', { class: 'muted' }, TEXT.none);
}
