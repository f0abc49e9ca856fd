/*
 * supervision: the supervisor's desk (#/supervision): what waits for a
 * ruling (extension requests, disputed returns, bad ratings, appeals) and
 * the overdue tickets across the district, each opening the ticket view
 * whose buttons carry the rulings and the supervision notice (督办).
 */
import { ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'supervision';

export async function render(root) {
	const rulings = h('div', { class: 'list' });
	const overdue = h('div', { class: 'list' });
	root.append(pageTitle('督办台'),
		h('section', { class: 'stack', 'aria-labelledby': 'sup-rulings' },
			h('h2', { class: 'section-title', id: 'sup-rulings' }, '待裁定事项'),
			h('p', { class: 'screen-lead' }, '待审批的延期申请、提请审定的退回、待处理的差评和申诉复核。'), rulings),
		h('section', { class: 'stack', 'aria-labelledby': 'sup-overdue' },
			h('h2', { class: 'section-title', id: 'sup-overdue' }, '全区超期工单'),
			h('p', { class: 'screen-lead' }, '办理时限已超期(含已督办)的工单,可在工单页面发出督办单。'), overdue));
	const a = ticketList(rulings, { id: 'rulings', label: '待裁定事项', base: { queue: 'mine' }, filters: false,
		columns: ['enterprise', 'lead', 'deadline'], empty: '暂无待裁定事项。' });
	const b = ticketList(overdue, { id: 'overdue', label: '全区超期工单', base: { sla_level: 'overdue' }, filters: false,
		columns: ['enterprise', 'lead', 'deadline'], empty: '暂无超期工单。' });
	await Promise.all([a.ready, b.ready]);
	return () => {
		a.cleanup();
		b.cleanup();
	};
}
