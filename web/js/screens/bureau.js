/*
 * bureau: the bureau desk (#/bureau) for handlers and leaders: the org's
 * assignments awaiting acceptance and in hand, with a live countdown to
 * each deadline in working time (yellow when warned, red when overdue);
 * the ticket view carries accept, return, contact, progress, suspend,
 * extension and resolve.
 */
import { currentUser } from '../app.js';
import { ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'bureau';

const STATES = [
	['', '全部待办'], ['dispatched', '待签收'], ['in_progress', '处置中'], ['suspended', '挂起'], ['rectifying', '整改中'],
];

export async function render(root) {
	const user = currentUser();
	const list = h('div', { class: 'list' });
	root.append(pageTitle(`承办台 · ${user.org.name}`),
		h('p', { class: 'screen-lead' }, '本单位待签收和办理中的工单;办理时限按工作时间倒计时,黄色为预警,红色为超期。',
			user.role === 'bureau_leader' ? '“时限状态”可筛选本单位预警和超期(含督办)的工单;工单页面可改派承办人。' : ''), list);
	const leader = user.role === 'bureau_leader';
	const q = ticketList(list, { id: 'bureau', label: '承办台待办工单', base: { queue: 'mine' }, states: STATES,
		columns: leader ? ['enterprise', 'lead', 'deadline'] : ['enterprise', 'deadline'], levels: true,
		empty: '暂无待办工单。' });
	await q.ready;
	return q.cleanup;
}
