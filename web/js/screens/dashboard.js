/*
 * dashboard: the leadership SLA dashboard (#/dashboard; leader and
 * supervisor, their home). Every number on it is a figure of the metrics
 * API (/api/v1/stats/overview|orgs|categories|trend, README "Metrics") for
 * the chosen period, shown as it is: rates as percentages with numerator /
 * denominator in their title, null rates as "—". The KPIs stand against the
 * targets of GET /api/v1/stats/targets (data admins set on 驾驶舱目标),
 * fetched beside the figures: the figures never wait for them, and the
 * cards are judged when both are there. Each table links the same view as
 * CSV (?format=csv). The figures and the targets reload on the live
 * stream's ticket events (at most every RELOAD_MS) and after a
 * reconnection.
 *
 * For the tests: the screen's container carries data-from / data-to (the
 * period sent to the API) and data-generation (counts the renders); each
 * KPI carries data-kpi (its JSON key); data-targets is set once the targets
 * are on the cards. The performance mark
 * "suqiu:dashboard-rendered" is set when every figure is on the page,
 * "suqiu:dashboard-chart" when the trend chart has been drawn too (and
 * data-chart names the generation it shows).
 */
import { get, query } from '../api.js';
import * as live from '../live.js';
import { errorBox, fill, h, pageTitle } from '../ui.js';
import { loadECharts, trendChart } from './dashboard-chart.js';
import { KPIS, meets, targetMap, targetText } from './dashboard-kpis.js';
import {
	PERIOD_PRESETS, categoriesTable, formatFigure, numCell, pick, presetPeriod, rateCell, statesTable, statsTable as table,
} from '../stats.js';

export const name = 'dashboard';

const RELOAD_MS = 1500;

const TEXT = {
	title: '领导驾驶舱',
	lead: '按诉求受理时间统计所选时段的办理情况;"当前超期"为此刻的数字。',
	period: '统计时段',
	presets: [...PERIOD_PRESETS, ['custom', '自定义']],
	from: '开始日期',
	to: '结束日期',
	apply: '查询',
	badRange: '开始日期不能晚于结束日期。',
	kpis: '核心指标',
	states: '工单状态',
	statesLead: '所选时段受理的诉求目前所处的状态,以及差评后责令整改的次数。',
	ranking: '委办局、街镇排名',
	rankingLead: '按按时办结率从高到低排列(无数据的排在最后)。',
	trend: '每周趋势',
	trendTable: '趋势数据表',
	categories: '诉求分类',
	returns: '各单位退回情况',
	returnsLead: '退回次数、多次退回(踢皮球)工单与延期。',
	clusters: '一类事(多家企业反映的同类诉求)',
	clustersLead: (n, t, shown) => `共 ${n} 类,涉及 ${t} 件诉求${shown < n ? `;列出涉及诉求最多的 ${shown} 类` : ''}。点开一类查看其工单。`,
	clusterTickets: '查看工单',
	csv: '导出 CSV',
	csvOf: (what) => `(${what})`,
	noRows: '所选时段暂无数据。',
	met: '达标',
	missed: '未达标',
	loading: '正在加载…',
	numberMissing: '(未找到)',
	kinds: { bureau: '委办局', town: '街镇' },
};

/* ---- building blocks ---------------------------------------------------- */

function csvLink(view, period, what) {
	return h('a', { class: 'button button-secondary button-small csv-link', href: `/api/v1/stats/${view}${query({ ...period, format: 'csv' })}`,
		download: '', dataset: { csv: view } }, TEXT.csv, h('span', { class: 'visually-hidden' }, TEXT.csvOf(what)));
}

function section(id, title, lead, csv, ...body) {
	return h('section', { class: 'dash-section', 'aria-labelledby': id },
		h('div', { class: 'dash-section-head' }, h('h2', { class: 'section-title', id }, title), csv),
		lead ? h('p', { class: 'screen-lead' }, lead) : null, body);
}

/* Marks a KPI card against its target (targets: null until they are
 * loaded): 达标 / 未达标, or the target alone when there is nothing to judge. */
function judge(card, key, value, targets) {
	const target = targets ? targets.get(key) : null;
	const ok = meets(target, value);
	card.classList.toggle('kpi-met', ok === true);
	card.classList.toggle('kpi-missed', ok === false);
	const old = card.querySelector('.kpi-target');
	if (old) old.remove();
	if (target) {
		card.append(h('p', { class: 'kpi-target' }, targetText(key, target),
			ok === null ? null : h('span', { class: 'kpi-verdict' }, ` · ${ok ? TEXT.met : TEXT.missed}`)));
	}
}

function kpiCard([key, label, kind], figures, targets) {
	const value = pick(figures, key);
	const title = kind === 'rate' && value ? `${value.numerator}/${value.denominator}` : null;
	const card = h('li', { class: 'kpi', dataset: { kpi: key } },
		h('p', { class: 'kpi-label' }, label),
		h('p', { class: 'kpi-value', title }, formatFigure(value, kind)),
		kind === 'rate' && value ? h('p', { class: 'kpi-ratio' }, `${value.numerator}/${value.denominator}`) : null);
	judge(card, key, value, targets);
	return card;
}

function rankOrgs(items) {
	const r = (x) => (x.on_time.resolve.rate === null ? -1 : x.on_time.resolve.rate);
	return [...items].sort((a, b) => r(b) - r(a) || b.tickets - a.tickets || a.org.name.localeCompare(b.org.name, 'zh-CN'));
}

function rankingTable(items) {
	return table(TEXT.ranking, ['排名', '单位', '类型', '诉求数', '响应率', '解决率', '满意率', '按时签收率', '按时办结率', '当前超期', '督办次数'],
		rankOrgs(items).map((x, i) => h('tr', { dataset: { org: x.org.id } },
			numCell(i + 1), h('th', { scope: 'row' }, x.org.name), h('td', {}, TEXT.kinds[x.org.kind] || x.org.kind),
			numCell(x.tickets), rateCell(x.response_rate), rateCell(x.resolution_rate),
			rateCell(x.satisfaction_rate), rateCell(x.on_time.accept), rateCell(x.on_time.resolve),
			numCell(x.overdue_now), numCell(x.supervisions.total))));
}

function returnsTable(items) {
	const rows = [...items].sort((a, b) => b.returns - a.returns || b.bounced - a.bounced || a.org.name.localeCompare(b.org.name, 'zh-CN'));
	return table(TEXT.returns, ['单位', '派发次数', '退回次数', '多次退回工单数', '延期申请', '延期批准'],
		rows.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.org.name), numCell(x.dispatches), numCell(x.returns),
			numCell(x.bounced), numCell(x.extensions.requested), numCell(x.extensions.approved))));
}

function trendTable(items) {
	return table(TEXT.trendTable, ['周起始日', '诉求数', '响应率', '解决率', '满意率', '按时办结率', '当前超期'],
		items.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.bucket), numCell(x.tickets),
			rateCell(x.response_rate), rateCell(x.resolution_rate), rateCell(x.satisfaction_rate), rateCell(x.on_time.resolve),
			numCell(x.overdue_now))));
}

/* A cluster's tickets are listed by number; the ticket view wants ids, so
 * they are looked up (by the cluster's title and category) when the list is
 * opened. */
async function clusterLinks(cluster, slot) {
	const found = new Map();
	try {
		const answer = await get(`/api/v1/tickets${query({ q: cluster.title, category_id: cluster.category_id, limit: 100 })}`);
		for (const t of answer.items) found.set(t.number, t.id);
	} catch {
		/* the numbers stay as text */
	}
	fill(slot, h('ul', { class: 'cluster-tickets' }, cluster.numbers.map((n) => h('li', {},
		found.has(n) ? h('a', { href: `#/ticket/${found.get(n)}` }, n) : h('span', {}, n, TEXT.numberMissing)))));
}

/* The clusters, those whose keys are in open (category:title) opened. */
function clustersBlock(rd, open) {
	const items = rd.items; /* the API's 100 largest at most */
	if (!items.length) return h('p', { class: 'empty' }, TEXT.noRows);
	return h('ol', { class: 'clusters' }, items.map((c) => {
		const slot = h('div', {}, h('p', { class: 'status' }, TEXT.loading));
		const key = `${c.category_id}:${c.title}`;
		const details = h('details', { class: 'cluster', dataset: { key } },
			h('summary', {}, h('span', { class: 'cluster-title' }, c.title), ' ',
				h('span', { class: 'muted' }, `${c.category} · ${c.enterprises} 家企业 · ${c.tickets} 件`)), slot);
		let loaded = false;
		details.addEventListener('toggle', () => {
			if (details.open && !loaded) {
				loaded = true;
				clusterLinks(c, slot);
			}
		});
		if (open.has(key)) {
			details.open = true;
			loaded = true;
			clusterLinks(c, slot);
		}
		return h('li', {}, details);
	}));
}

/* ---- the screen --------------------------------------------------------- */

export async function render(root) {
	const state = { preset: 'month', ...presetPeriod('month') };
	const presetSel = h('select', { id: 'dash-preset', name: 'preset' }, TEXT.presets.map(([v, l]) => h('option', { value: v }, l)));
	const fromIn = h('input', { id: 'dash-from', name: 'from', type: 'date', value: state.from });
	const toIn = h('input', { id: 'dash-to', name: 'to', type: 'date', value: state.to });
	const custom = h('div', { class: 'dash-custom', hidden: true },
		h('div', { class: 'filter' }, h('label', { for: 'dash-from' }, TEXT.from), fromIn),
		h('div', { class: 'filter' }, h('label', { for: 'dash-to' }, TEXT.to), toIn),
		h('button', { type: 'submit', class: 'button button-primary' }, TEXT.apply));
	const periodText = h('p', { class: 'muted dash-period-text', role: 'status' });
	const form = h('form', { class: 'filters dash-period', 'aria-label': TEXT.period },
		h('div', { class: 'filter' }, h('label', { for: 'dash-preset' }, TEXT.period), presetSel), custom, periodText);
	const errorSlot = h('div', {});
	const targetsError = h('div', {});
	const body = h('div', { class: 'dash-body', 'aria-busy': 'true' }, h('p', { class: 'status' }, TEXT.loading));
	const container = h('div', { class: 'dashboard', dataset: { generation: '0' } }, form, errorSlot, targetsError, body);
	root.append(pageTitle(TEXT.title), h('p', { class: 'screen-lead' }, TEXT.lead), container);

	let chart = null;
	let seq = 0;
	let targets = null; /* Map metric -> target, once loaded */
	let figures = null; /* the overview's figures on the cards */
	let gone = false;
	let timer = null;
	const chartBox = h('div', { class: 'dash-chart', role: 'img' });

	async function load() {
		const mine = ++seq;
		const period = { from: state.from, to: state.to };
		body.setAttribute('aria-busy', 'true');
		loadTargets(mine);
		try {
			const [overview, orgs, categories, trend] = await Promise.all([
				get(`/api/v1/stats/overview${query(period)}`),
				get(`/api/v1/stats/orgs${query(period)}`),
				get(`/api/v1/stats/categories${query(period)}`),
				get(`/api/v1/stats/trend${query({ ...period, granularity: 'week' })}`),
			]);
			if (gone || mine !== seq) return;
			fill(errorSlot);
			show(period, overview, orgs, categories, trend);
		} catch (err) {
			if (gone || mine !== seq) return;
			fill(errorSlot, errorBox(err));
			body.removeAttribute('aria-busy');
		}
	}

	/* The targets, beside the figures: whichever comes last judges the cards. */
	async function loadTargets(mine) {
		try {
			const answer = await get('/api/v1/stats/targets');
			if (gone || mine !== seq) return;
			targets = targetMap(answer.targets);
			fill(targetsError);
			if (figures) for (const card of body.querySelectorAll('.kpi[data-kpi]')) judge(card, card.dataset.kpi, pick(figures, card.dataset.kpi), targets);
			container.dataset.targets = 'loaded';
		} catch (err) {
			if (gone || mine !== seq) return;
			fill(targetsError, errorBox(err));
		}
	}

	/* The numbers first; the chart (ECharts: a megabyte of script to run
	 * and a canvas to draw) after them, so that it never holds them back. */
	function show(period, overview, orgs, categories, trend) {
		const f = overview.figures;
		const rd = f.repeated_demands;
		figures = f;
		periodText.textContent = `${TEXT.period}:${period.from} 至 ${period.to}`;
		chartBox.setAttribute('aria-label', `${TEXT.trend}图:${trend.items.length} 周的诉求数与三率,数据见下方${TEXT.trendTable}。`);
		/* a reload keeps what the reader opened */
		const open = new Set([...body.querySelectorAll('details.cluster[open]')].map((d) => d.dataset.key));
		const trendOpen = !!body.querySelector('details.dash-alt[open]');
		const trendDetails = h('details', { class: 'dash-alt', open: trendOpen }, h('summary', {}, TEXT.trendTable), trendTable(trend.items));
		fill(body,
			h('section', { class: 'dash-section', 'aria-labelledby': 'dash-kpis' },
				h('div', { class: 'dash-section-head' }, h('h2', { class: 'section-title', id: 'dash-kpis' }, TEXT.kpis),
					csvLink('overview', period, TEXT.kpis)),
				h('ul', { class: 'kpis' }, KPIS.map((k) => kpiCard(k, f, targets)))),
			section('dash-states', TEXT.states, TEXT.statesLead, csvLink('overview', period, TEXT.states), statesTable(f)),
			section('dash-ranking', TEXT.ranking, TEXT.rankingLead, csvLink('orgs', period, TEXT.ranking), rankingTable(orgs.items)),
			section('dash-trend', TEXT.trend, null, csvLink('trend', { ...period, granularity: 'week' }, TEXT.trend),
				chartBox, trendDetails),
			section('dash-categories', TEXT.categories, null, csvLink('categories', period, TEXT.categories), categoriesTable(categories.items)),
			section('dash-returns', TEXT.returns, TEXT.returnsLead, csvLink('orgs', period, TEXT.returns), returnsTable(orgs.items)),
			section('dash-clusters', TEXT.clusters, TEXT.clustersLead(rd.clusters, rd.tickets, rd.items.length), csvLink('overview', period, TEXT.clusters),
				clustersBlock(rd, open)));
		container.dataset.from = period.from;
		container.dataset.to = period.to;
		const generation = String(Number(container.dataset.generation) + 1);
		container.dataset.generation = generation;
		body.removeAttribute('aria-busy');
		performance.mark('suqiu:dashboard-rendered', { detail: { generation } });
		drawChart(trend.items, generation);
	}

	async function drawChart(items, generation) {
		let echarts = null;
		try {
			echarts = await loadECharts();
		} catch {
			echarts = null;
		}
		if (gone || container.dataset.generation !== generation) return;
		if (!echarts) {
			chartBox.hidden = true; /* the table stays */
			return;
		}
		chart = trendChart(echarts, chartBox, items, chart && chart.getDom() === chartBox ? chart : null);
		chart.resize();
		container.dataset.chart = generation;
		performance.mark('suqiu:dashboard-chart', { detail: { generation } });
	}

	/* At most one reload per RELOAD_MS, the first event's: a busy stream
	 * never postpones it for ever. */
	function reloadSoon() {
		if (timer !== null) return;
		timer = setTimeout(() => {
			timer = null;
			load();
		}, RELOAD_MS);
	}

	presetSel.addEventListener('change', () => {
		state.preset = presetSel.value;
		custom.hidden = state.preset !== 'custom';
		if (state.preset !== 'custom') {
			Object.assign(state, presetPeriod(state.preset));
			fromIn.value = state.from;
			toIn.value = state.to;
			load();
		}
	});
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		if (!fromIn.value || !toIn.value || fromIn.value > toIn.value) {
			fill(errorSlot, h('div', { class: 'alert alert-error', role: 'alert' }, h('p', { class: 'alert-title' }, TEXT.badRange)));
			return;
		}
		state.from = fromIn.value;
		state.to = toIn.value;
		load();
	});
	const unsubscribe = live.subscribe(() => reloadSoon());
	const onResize = () => chart && chart.resize();
	window.addEventListener('resize', onResize);

	await load();
	return () => {
		gone = true;
		clearTimeout(timer);
		timer = null;
		unsubscribe();
		window.removeEventListener('resize', onResize);
		if (chart) chart.dispose();
	};
}
