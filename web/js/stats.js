/*
 * stats: how the screens show the metrics API's figures (README "Metrics";
 * the leadership dashboard and the town view share it): the periods of the
 * presets (Asia/Shanghai calendar months, quarters and years), rates as
 * percentages with one decimal and numerator/denominator in their title (a
 * null rate, whose denominator is 0, as "—"), counts and hours as the API
 * gives them, and the tables both screens show (categories, states).
 */
import { STATE_LABELS } from './ticketlist.js';
import { h } from './ui.js';

export const NONE = '—';

/* The names of the metrics' rates (README "Metrics"), one place for every screen. */
export const RATE_LABELS = {
	response_rate: '响应率',
	resolution_rate: '解决率',
	satisfaction_rate: '满意率',
	'on_time.accept': '按时签收率',
	'on_time.contact': '按时首次联系率',
	'on_time.resolve': '按时办结率',
	'on_time.feedback': '按时反馈率',
};

/* The period presets every statistics screen offers: [value, label]. */
export const PERIOD_PRESETS = [['month', '本月'], ['last_month', '上月'], ['quarter', '本季度'], ['year', '本年']];

const TEXT = {
	noRows: '所选时段暂无数据。',
	categories: '诉求分类',
	states: '工单状态',
	rectifications: '整改次数',
};

/* ---- figures ------------------------------------------------------------ */

/* The value at "a.b" of a row. */
export function pick(row, key) {
	return key.split('.').reduce((o, k) => (o === null || o === undefined ? o : o[k]), row);
}

/* "66.7%" for a rate object, "—" when its rate is null. */
export function formatRate(r) {
	return r && r.rate !== null && r.rate !== undefined ? `${(r.rate * 100).toFixed(1)}%` : NONE;
}

/* "2/3" for a rate object (its title and ratio line), null without one. */
export function ratio(r) {
	return r ? `${r.numerator}/${r.denominator}` : null;
}

/* A figure as the page shows it (kind: rate | count | hours). */
export function formatFigure(value, kind) {
	if (kind === 'rate') return formatRate(value);
	if (value === null || value === undefined) return NONE;
	if (kind === 'hours') return `${value}小时`;
	return String(value);
}

/* The states in which a ticket is still being handled (办理中): neither
 * closed nor answered, rejected or merged. */
export const OPEN_STATES = ['new', 'dispatched', 'returned', 'in_progress', 'suspended', 'resolved', 'feedback', 'rectifying'];

/* The tickets of a figures row's `states` still being handled. */
export function openTickets(states) {
	return OPEN_STATES.reduce((n, s) => n + ((states && states[s]) || 0), 0);
}

/* ---- the period --------------------------------------------------------- */

function today() {
	const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
		.formatToParts(new Date()).map((p) => [p.type, p.value]));
	return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}

const pad = (n) => String(n).padStart(2, '0');
const ymd = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/* { from, to } (dates, to inclusive, Asia/Shanghai) of a preset. */
export function presetPeriod(preset, now = today()) {
	const { y, m } = now;
	if (preset === 'last_month') {
		const py = m === 1 ? y - 1 : y;
		const pm = m === 1 ? 12 : m - 1;
		return { from: ymd(py, pm, 1), to: ymd(py, pm, lastDay(py, pm)) };
	}
	if (preset === 'quarter') {
		const q0 = Math.floor((m - 1) / 3) * 3 + 1;
		return { from: ymd(y, q0, 1), to: ymd(y, q0 + 2, lastDay(y, q0 + 2)) };
	}
	if (preset === 'year') return { from: ymd(y, 1, 1), to: ymd(y, 12, 31) };
	return { from: ymd(y, m, 1), to: ymd(y, m, lastDay(y, m)) };
}

/* ---- tables ------------------------------------------------------------- */

export function numCell(value) {
	return h('td', { class: 'num' }, String(value));
}

export function rateCell(r) {
	return h('td', { class: 'num', title: ratio(r) }, formatRate(r));
}

/* A table of figures, or a "no data" line without rows. */
export function statsTable(caption, head, rows) {
	if (!rows.length) return h('p', { class: 'empty' }, TEXT.noRows);
	return h('div', { class: 'table-wrap' }, h('table', { class: 'table dash-table' },
		h('caption', { class: 'visually-hidden' }, caption),
		h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
		h('tbody', {}, rows)));
}

/* The categories view's rows, the most tickets first. */
export function categoriesTable(items) {
	const rows = [...items].sort((a, b) => b.tickets - a.tickets || a.category.code.localeCompare(b.category.code));
	return statsTable(TEXT.categories, ['分类', '上级分类', '诉求数', '解决率', '满意率', '按时办结率', '一类事数'],
		rows.map((x) => h('tr', { dataset: { category: x.category.id } }, h('th', { scope: 'row' }, x.category.name),
			h('td', {}, x.category.parent || NONE), numCell(x.tickets), rateCell(x.resolution_rate), rateCell(x.satisfaction_rate),
			rateCell(x.on_time.resolve), numCell(x.repeated_demands.clusters))));
}

/* One row: the period's tickets by their current state, then the
 * rectifications ordered after bad ratings. */
export function statesTable(figures) {
	const keys = Object.keys(STATE_LABELS);
	return statsTable(TEXT.states, [...keys.map((s) => STATE_LABELS[s]), TEXT.rectifications],
		[h('tr', {}, keys.map((s) => numCell(figures.states[s] || 0)), numCell(figures.rectifications))]);
}
