/*
 * town: the town viewer's screen (#/town): the demands of the town's
 * enterprises, de-identified by the server (contact names and phones
 * masked: 张*, 138****5678), read-only, with filters; and the place where
 * the town's statistics from the metrics API will show.
 */
import { currentUser } from '../app.js';
import { STATE_LABELS, ticketList } from '../ticketlist.js';
import { h, pageTitle } from '../ui.js';

export const name = 'town';

const TEXT = {
	title: (org) => `${org}企业诉求`,
	lead: '本街镇企业提出的诉求及办理情况(只读)。为保护个人信息,联系人姓名和电话已脱敏显示。',
	stats: '街镇统计',
	statsSlot: '本街镇的诉求统计(受理量、按时办结率、满意率等)将在统计功能上线后显示在这里。',
	list: '诉求列表',
};

export async function render(root) {
	const user = currentUser();
	const list = h('div', { class: 'list' });
	root.append(pageTitle(TEXT.title(user.org.name)),
		h('p', { class: 'screen-lead' }, TEXT.lead),
		h('section', { class: 'panel town-stats', id: 'town-stats', 'aria-labelledby': 'town-stats-title', dataset: { slot: 'town-stats' } },
			h('h2', { class: 'panel-title', id: 'town-stats-title' }, TEXT.stats),
			h('p', { class: 'muted' }, TEXT.statsSlot)),
		h('section', { class: 'stack', 'aria-labelledby': 'town-list-title' },
			h('h2', { class: 'section-title', id: 'town-list-title' }, TEXT.list), list));
	const states = [['', '全部'], ...Object.entries(STATE_LABELS)];
	const q = ticketList(list, { id: 'town', label: TEXT.list, base: {}, states,
		columns: ['enterprise', 'lead', 'deadline'], levels: true, empty: '本街镇暂无符合条件的诉求。' });
	await q.ready;
	return q.cleanup;
}
