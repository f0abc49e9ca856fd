/*
 * overview: every ticket the user may read, with filters (supervisor,
 * leader, town viewer, the last with contacts masked).
 */
import { currentUser } from '../app.js';
import { STATE_LABELS, ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'overview';

export async function render(root) {
	const user = currentUser();
	const list = h('div', { class: 'list' });
	root.append(pageTitle('工单查询'),
		h('p', { class: 'screen-lead' }, user.role === 'town_viewer' ? '本街镇企业的诉求(已脱敏)。' : '全区企业诉求。'), list);
	const states = [['', '全部'], ...Object.entries(STATE_LABELS)];
	const q = ticketList(list, { id: 'overview', label: '工单列表', base: {}, states,
		columns: ['enterprise', 'lead', 'deadline'], levels: true, empty: '没有符合条件的工单。' });
	await q.ready;
	return q.cleanup;
}
