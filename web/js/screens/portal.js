/*
 * portal: the enterprise's own tickets (#/portal): status and lead org of
 * each, a link to submit a new demand; the ticket view shows the progress
 * timeline and the buttons to answer a question, withdraw or rate.
 */
import { currentUser } from '../app.js';
import { ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'portal';

const STATES = [['', '全部'], ['new,dispatched,returned,in_progress,suspended,rectifying', '办理中'],
	['suspended', '待补充材料'], ['feedback', '待评价'], ['closed,answered,rejected,merged', '已结束']];

export async function render(root) {
	const user = currentUser();
	const list = h('div', { class: 'list' });
	root.append(h('div', { class: 'screen-head' }, pageTitle('我的诉求'),
		h('a', { class: 'button button-primary', href: '#/portal/new' }, '提交诉求')),
	h('p', { class: 'screen-lead' }, `${user.display_name},您好:点击诉求标题查看办理进度、补充材料或评价。`), list);
	const q = ticketList(list, { id: 'portal', label: '我的诉求', base: {}, states: STATES, columns: ['lead'],
		sort: false, empty: '您还没有提交过诉求。' });
	await q.ready;
	return q.cleanup;
}
