/*
 * triage: the specialist's desk (#/triage): the working queue (new and
 * returned tickets to dispatch, resolutions to feed back, bad ratings),
 * most urgent and nearest deadline first, with filters and text search;
 * new tickets appear without reload (live stream).
 */
import { ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'triage';

const STATES = [
	['', '全部待办'], ['new', '待分派'], ['returned', '已退回'], ['resolved', '待反馈'], ['feedback,rectifying', '差评跟进'],
];

export async function render(root) {
	const list = h('div', { class: 'list' });
	root.append(h('div', { class: 'screen-head' }, pageTitle('分派台'),
		h('a', { class: 'button button-primary', href: '#/triage/new' }, '登记诉求')),
	h('p', { class: 'screen-lead' }, '待分派、被退回、待反馈和差评跟进的工单,按紧急程度和办理时限排序。'), list);
	const q = ticketList(list, { id: 'triage', label: '分派台待办工单', base: { queue: 'mine' }, states: STATES,
		columns: ['enterprise', 'deadline'], empty: '暂无待办工单。' });
	await q.ready;
	return q.cleanup;
}
