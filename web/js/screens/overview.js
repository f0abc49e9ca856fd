/*
 * overview: the ticket list of the roles whose own screens come later
 * (supervisor, leader, town viewer): the supervisor's queue of things to
 * rule on first, then every ticket they may read, with filters.
 */
import { currentUser } from '../app.js';
import { STATE_LABELS, ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'overview';

export async function render(root) {
	const user = currentUser();
	const supervisor = user.role === 'supervisor';
	const list = h('div', { class: 'list' });
	root.append(pageTitle(supervisor ? '督办事项' : '工单查询'),
		h('p', { class: 'screen-lead' }, supervisor ? '待审批的延期、提请审定的退回、待处理的差评和申诉。'
			: user.role === 'town_viewer' ? '本街镇企业的诉求(已脱敏)。' : '全区企业诉求。'), list);
	const states = [['', '全部'], ...Object.entries(STATE_LABELS)];
	const q = ticketList(list, { id: 'overview', label: '工单列表', base: supervisor ? { queue: 'mine' } : {}, states,
		columns: ['enterprise', 'lead', 'deadline'], empty: '没有符合条件的工单。' });
	await q.ready;
	return q.cleanup;
}
