/*
 * ticketlist: the ticket table the queues share (triage desk, bureau desk,
 * portal, overview): filters (state, urgency, category, Chinese text
 * search), rows sorted by urgency and then by the nearest deadline, a live
 * countdown per row, and reloads when the live stream announces an event
 * (debounced) and every minute (the countdowns).
 */
import { ApiError, get, query } from './api.js';
import * as live from './live.js';
import { URGENCY_LABELS, countdown, errorBox, fill, formatTime, h, stateBadge } from './ui.js';

const URGENCY_RANK = { critical: 0, urgent: 1, normal: 2 };
const STATE_LABELS = {
	new: '待分派', answered: '直接答复', dispatched: '待签收', returned: '已退回', in_progress: '处置中', suspended: '挂起',
	resolved: '已办结', feedback: '待评价', closed: '已关闭', rectifying: '整改中', rejected: '不予受理', merged: '已合并',
};

let categoriesCache = null;
async function categories() {
	if (!categoriesCache) categoriesCache = (await get('/api/v1/categories')).items.filter((c) => !c.disabled);
	return categoriesCache;
}

/* Urgency first, then the nearest deadline (none last), then the newest. */
export function byUrgencyAndDeadline(a, b) {
	const u = URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency];
	if (u) return u;
	const da = a.sla && a.sla.remaining_minutes !== null ? a.sla.remaining_minutes : Infinity;
	const db = b.sla && b.sla.remaining_minutes !== null ? b.sla.remaining_minutes : Infinity;
	if (da !== db) return da < db ? -1 : 1;
	return b.id - a.id;
}

/* Builds a list into container. opts: { label (the table's caption),
 * base: query parameters always sent (e.g. { queue: 'mine' }), states:
 * [[value, label]] offered in the state filter (first = default),
 * columns: which optional columns (enterprise, deadline, lead), empty:
 * text when nothing matches, filters: show the filter bar, levels: offer
 * the deadline filter (sla_level: warned, overdue) }.
 * Returns { cleanup(), reload() }. */
export function ticketList(container, opts) {
	const filters = opts.filters !== false;
	const stateSelect = h('select', { id: `${opts.id}-state`, name: 'state' },
		(opts.states || []).map(([value, label]) => h('option', { value }, label)));
	const urgencySelect = h('select', { id: `${opts.id}-urgency`, name: 'urgency' },
		h('option', { value: '' }, '全部'), Object.entries(URGENCY_LABELS).map(([v, l]) => h('option', { value: v }, l)));
	const categorySelect = h('select', { id: `${opts.id}-category`, name: 'category_id' }, h('option', { value: '' }, '全部'));
	const levelSelect = h('select', { id: `${opts.id}-level`, name: 'level' },
		[['', '全部'], ['warned', '预警'], ['overdue', '超期']].map(([v, l]) => h('option', { value: v }, l)));
	const search = h('input', { id: `${opts.id}-q`, name: 'q', type: 'search', maxlength: 60, placeholder: '标题、内容或企业名称' });
	const bar = h('form', { class: 'filters', role: 'search', 'aria-label': `${opts.label}筛选` },
		opts.states ? h('div', { class: 'filter' }, h('label', { for: stateSelect.id }, '状态'), stateSelect) : null,
		h('div', { class: 'filter' }, h('label', { for: urgencySelect.id }, '紧急程度'), urgencySelect),
		h('div', { class: 'filter' }, h('label', { for: categorySelect.id }, '诉求类别'), categorySelect),
		opts.levels ? h('div', { class: 'filter' }, h('label', { for: levelSelect.id }, '时限状态'), levelSelect) : null,
		h('div', { class: 'filter filter-grow' }, h('label', { for: search.id }, '搜索'), search),
		h('button', { type: 'submit', class: 'button button-secondary' }, '查询'));
	const count = h('p', { class: 'list-count', role: 'status' });
	const table = h('div', { class: 'table-wrap' });
	fill(container, filters ? bar : null, count, table);

	if (filters) {
		categories().then((items) => {
			for (const c of items.filter((x) => x.parent_id === null)) {
				categorySelect.append(h('option', { value: String(c.id) }, c.name));
			}
		}).catch(() => {});
	}

	let timer = null;
	let seq = 0;
	async function reload() {
		const mine = ++seq;
		const params = { ...opts.base, limit: 200 };
		if (filters) {
			if (stateSelect.value) params.state = stateSelect.value;
			params.urgency = urgencySelect.value;
			params.category_id = categorySelect.value;
			params.q = search.value.trim();
			if (opts.levels) params.sla_level = levelSelect.value;
		}
		try {
			const answer = await get(`/api/v1/tickets${query(params)}`);
			if (mine !== seq) return;
			const items = opts.sort === false ? answer.items : [...answer.items].sort(byUrgencyAndDeadline);
			count.textContent = items.length ? `共 ${items.length} 件${answer.next_cursor ? '(仅显示前 200 件)' : ''}` : '';
			fill(table, items.length ? render(items, opts) : h('p', { class: 'empty' }, opts.empty || '没有符合条件的工单。'));
		} catch (err) {
			if (mine === seq && !(err instanceof ApiError && err.status === 401)) fill(table, errorBox(err));
		}
	}
	bar.addEventListener('submit', (event) => {
		event.preventDefault();
		reload();
	});
	for (const select of [stateSelect, urgencySelect, categorySelect, levelSelect]) select.addEventListener('change', reload);

	/* at most one reload per 200 ms however busy the stream is (a debounce
	 * would never fire under a steady stream of events) */
	const unsubscribe = live.subscribe(() => {
		if (timer === null) timer = setTimeout(() => {
			timer = null;
			reload();
		}, 200);
	});
	const tick = setInterval(reload, 60000);
	const ready = reload();
	return {
		ready,
		reload,
		cleanup() {
			unsubscribe();
			clearTimeout(timer);
			clearInterval(tick);
		},
	};
}

function render(items, opts) {
	const cols = opts.columns || ['enterprise', 'deadline'];
	/* [text, optional]: optional columns give way on narrow screens (tablets) */
	const head = [['编号'], ['诉求标题'], cols.includes('enterprise') ? ['企业'] : null, ['类别', true], ['紧急程度'], ['状态'],
		cols.includes('lead') ? ['主办单位'] : null, cols.includes('deadline') ? ['办理时限'] : null, ['登记时间', true]].filter(Boolean);
	return h('table', { class: 'table table-tickets' },
		h('caption', { class: 'visually-hidden' }, opts.label),
		h('thead', {}, h('tr', {}, head.map(([c, optional]) => h('th', { scope: 'col', class: optional ? 'col-optional' : null }, c)))),
		h('tbody', {}, items.map((t) => h('tr', { class: `row-${t.sla ? t.sla.level : 'normal'}`, dataset: { ticketId: t.id } },
			h('td', {}, h('a', { href: `#/ticket/${t.id}` }, t.number)),
			h('td', {}, h('a', { href: `#/ticket/${t.id}`, class: 'ticket-title-link' }, t.title)),
			cols.includes('enterprise') ? h('td', {}, t.enterprise.name) : null,
			h('td', { class: 'col-optional' }, t.category.name),
			h('td', {}, h('span', { class: `urgency urgency-${t.urgency}` }, URGENCY_LABELS[t.urgency])),
			h('td', {}, stateBadge(t)),
			cols.includes('lead') ? h('td', {}, t.lead_org || '—') : null,
			cols.includes('deadline') ? h('td', {}, countdown(t.sla)) : null,
			h('td', { class: 'col-optional' }, formatTime(t.created_at))))));
}

export { STATE_LABELS };
