/*
 * town: the town viewer's screen (#/town): the town's statistics from the
 * metrics API (README "Metrics": a town viewer's reach is the tickets of
 * its town's enterprises; the figures are aggregates, never a name or a
 * phone number) for a period of its choice, and the demands of the town's
 * enterprises, de-identified by the server (contact names and phones
 * masked: 张*, 138****5678), read-only, with filters.
 *
 * The statistics are shown as the dashboard shows them (../stats.js): rates
 * as percentages with numerator/denominator in their title, null rates as
 * "—". They reload on the live stream's ticket events (at most every
 * RELOAD_MS). For the tests: the panel carries data-from / data-to (the
 * period sent to the API) and data-generation (counts the renders); each
 * figure carries data-figure (its JSON key; "open" for 办理中).
 */
import { get, query } from '../api.js';
import { currentUser } from '../app.js';
import * as live from '../live.js';
import {
	PERIOD_PRESETS, RATE_LABELS, categoriesTable, formatFigure, openTickets, pick, presetPeriod, ratio, statesTable,
} from '../stats.js';
import { STATE_LABELS, ticketList } from '../ticketlist.js';
import { errorBox, fill, h, pageTitle } from '../ui.js';

export const name = 'town';

const RELOAD_MS = 1500;

const TEXT = {
	title: (org) => `${org}企业诉求`,
	lead: '本街镇企业提出的诉求及办理情况(只读)。为保护个人信息,联系人姓名和电话已脱敏显示。',
	stats: '街镇统计',
	statsLead: '按诉求受理时间统计本街镇企业的诉求;"当前超期"为此刻的数字。统计只含汇总数字,不含企业和个人信息。',
	period: '统计时段',
	periodText: (p) => `${p.from} 至 ${p.to}`,
	counts: '办理情况',
	rates: '三率与按时率',
	states: '工单状态',
	categories: '诉求分类',
	loading: '正在加载…',
	list: '诉求列表',
};

/* The figures of the panel: JSON key, label, kind (rate | count). */
const COUNTS = [
	['tickets', '受理量', 'count'],
	['open', '办理中', 'count'],
	['states.closed', '已关闭', 'count'],
	['overdue_now', '当前超期', 'count'],
];
const RATES = Object.entries(RATE_LABELS).map(([key, label]) => [key, label, 'rate']);

function figureCard([key, label, kind], figures) {
	const value = key === 'open' ? openTickets(figures.states) : pick(figures, key);
	const title = kind === 'rate' ? ratio(value) : null;
	return h('li', { class: 'kpi', dataset: { figure: key } },
		h('p', { class: 'kpi-label' }, label),
		h('p', { class: 'kpi-value', title }, formatFigure(value, kind)),
		title ? h('p', { class: 'kpi-ratio' }, title) : null);
}

function block(id, title, ...body) {
	return h('section', { class: 'dash-section', 'aria-labelledby': id }, h('h3', { class: 'panel-subtitle', id }, title), body);
}

/* The statistics panel; resolves to its cleanup once the first figures show. */
async function statsPanel(panel) {
	const state = presetPeriod('month');
	const presetSel = h('select', { id: 'town-preset', name: 'preset' }, PERIOD_PRESETS.map(([v, l]) => h('option', { value: v }, l)));
	const periodText = h('span', { class: 'muted', role: 'status' });
	const errorSlot = h('div', {});
	const body = h('div', { class: 'dash-body', 'aria-busy': 'true' }, h('p', { class: 'status' }, TEXT.loading));
	panel.dataset.generation = '0';
	panel.querySelector('.dash-section-head').append(h('div', { class: 'town-period' },
		h('label', { for: 'town-preset' }, TEXT.period), presetSel, periodText));
	panel.append(errorSlot, body);

	let seq = 0;
	let gone = false;
	let timer = null;

	async function load() {
		const mine = ++seq;
		const period = { from: state.from, to: state.to };
		body.setAttribute('aria-busy', 'true');
		try {
			const [overview, categories] = await Promise.all([
				get(`/api/v1/stats/overview${query(period)}`),
				get(`/api/v1/stats/categories${query(period)}`),
			]);
			if (gone || mine !== seq) return;
			fill(errorSlot);
			show(period, overview.figures, categories.items);
		} catch (err) {
			if (gone || mine !== seq) return;
			fill(errorSlot, errorBox(err));
			body.removeAttribute('aria-busy');
		}
	}

	function show(period, figures, categories) {
		periodText.textContent = TEXT.periodText(period);
		fill(body,
			block('town-counts', TEXT.counts, h('ul', { class: 'kpis kpis-compact' }, COUNTS.map((f) => figureCard(f, figures)))),
			block('town-rates', TEXT.rates, h('ul', { class: 'kpis kpis-compact' }, RATES.map((f) => figureCard(f, figures)))),
			block('town-states', TEXT.states, statesTable(figures)),
			block('town-categories', TEXT.categories, categoriesTable(categories)));
		panel.dataset.from = period.from;
		panel.dataset.to = period.to;
		panel.dataset.generation = String(Number(panel.dataset.generation) + 1);
		body.removeAttribute('aria-busy');
	}

	presetSel.addEventListener('change', () => {
		Object.assign(state, presetPeriod(presetSel.value));
		load();
	});
	/* at most one reload per RELOAD_MS, the first event's */
	const unsubscribe = live.subscribe(() => {
		if (timer !== null) return;
		timer = setTimeout(() => {
			timer = null;
			load();
		}, RELOAD_MS);
	});
	await load();
	return () => {
		gone = true;
		clearTimeout(timer);
		unsubscribe();
	};
}

export async function render(root) {
	const user = currentUser();
	const list = h('div', { class: 'list' });
	const panel = h('section', { class: 'panel town-stats', id: 'town-stats', 'aria-labelledby': 'town-stats-title', dataset: { slot: 'town-stats' } },
		h('div', { class: 'dash-section-head' }, h('h2', { class: 'panel-title', id: 'town-stats-title' }, TEXT.stats)),
		h('p', { class: 'screen-lead' }, TEXT.statsLead));
	root.append(pageTitle(TEXT.title(user.org.name)),
		h('p', { class: 'screen-lead' }, TEXT.lead),
		panel,
		h('section', { class: 'stack', 'aria-labelledby': 'town-list-title' },
			h('h2', { class: 'section-title', id: 'town-list-title' }, TEXT.list), list));
	const states = [['', '全部'], ...Object.entries(STATE_LABELS)];
	const q = ticketList(list, { id: 'town', label: TEXT.list, base: {}, states,
		columns: ['enterprise', 'lead', 'deadline'], levels: true, empty: '本街镇暂无符合条件的诉求。' });
	const [stopStats] = await Promise.all([statsPanel(panel), q.ready]);
	return () => {
		stopStats();
		q.cleanup();
	};
}
