/*
 * admin_calendar: the working calendar (#/admin/calendar): a year's
 * holidays and 调休 working days as the State Council's notice sets them,
 * the warning when the current or next year has no notice loaded yet
 * (its deadlines then count every weekday as a working day), and loading
 * or replacing a year's notice (PUT /api/v1/calendar/{year}).
 */
import { ApiError, get, request } from '../api.js';
import { field, fill, formDialog, h, notify } from '../ui.js';
import { adminHead, button, loadInto, table } from './admin_common.js';

export const name = 'admin-calendar';

const TEXT = {
	title: '工作日历',
	lead: '节假日和调休上班日按国务院办公厅每年发布的放假安排录入。期限按工作日计算,缺少某年的安排时该年的期限按普通工作日(周一至周五)计算。',
	missing: (y) => `${y}年的放假安排尚未录入。`,
	put: (y) => `录入 ${y} 年安排`,
	replace: (y) => `替换 ${y} 年安排`,
	linesHint: '每行一天:日期 名称,如“2027-01-01 元旦”。',
};

/* The current year in Asia/Shanghai. */
const thisYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const weekday = (date) => `星期${WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]}`;

/* Parses "2027-01-01 元旦" lines into [{ date, name }], or returns the
 * first wrong line's message. */
export function parseDays(text, label) {
	const days = [];
	for (const [i, raw] of text.split('\n').entries()) {
		const line = raw.trim();
		if (!line) continue;
		const m = /^(\d{4}-\d{2}-\d{2})\s+(\S.{0,19})$/.exec(line);
		if (!m || Number.isNaN(Date.parse(m[1]))) return `${label}第 ${i + 1} 行应为“日期 名称”,如“2027-01-01 元旦”。`;
		days.push({ date: m[1], name: m[2].trim() });
	}
	return days;
}

const lines = (days) => days.map((d) => `${d.date} ${d.name}`).join('\n');

export async function render(root, params, search) {
	const current = thisYear();
	const years = [current - 1, current, current + 1, current + 2];
	let year = Number(search.get('year')) || current;
	if (!years.includes(year)) years.push(year);
	const yearSelect = h('select', { id: 'calendar-year', name: 'year' }, years.map((y) => h('option', { value: String(y) }, `${y}年`)));
	yearSelect.value = String(year);
	const warnings = h('div', { class: 'calendar-warnings' });
	const body = h('div', { class: 'stack' });
	let loaded = null;
	let missing = new Set();

	function showWarnings(list) {
		missing = new Set(list.map((w) => w.year));
		fill(warnings, list.length ? h('div', { class: 'alert alert-warning', role: 'status' },
			h('p', { class: 'alert-title' }, '放假安排缺失'),
			list.map((w) => h('p', { class: 'alert-detail' }, w.message))) : null);
	}

	/* The warnings come with every year's answer; the current year is
	 * asked first so that a year known to be missing is not asked for. */
	async function fetchYear(y) {
		if (missing.has(y)) return null;
		try {
			const answer = await get(`/api/v1/calendar/${y}`);
			/* another server's PUT reaches this one within a minute: till then its warnings may name a stored year */
			showWarnings(answer.warnings.filter((w) => w.year !== answer.year));
			return answer;
		} catch (err) {
			if (err instanceof ApiError && err.status === 404) return null;
			throw err;
		}
	}

	const reload = () => loadInto(body, async () => {
		loaded = await fetchYear(year);
		const head = h('div', { class: 'screen-head' },
			h('h2', { class: 'section-title', id: 'calendar-year-title' }, `${year}年放假安排`),
			button(loaded ? TEXT.replace(year) : TEXT.put(year), edit, loaded ? 'secondary' : 'primary'));
		if (!loaded) return [head, h('p', { class: 'empty' }, TEXT.missing(year))];
		return [head,
			h('p', { class: 'muted' }, `${loaded.notice ? `依据:${loaded.notice}。` : ''}共 ${loaded.holidays.length} 天假日、${loaded.workdays.length} 天调休上班日。`),
			h('div', { class: 'calendar-columns' },
				h('section', { 'aria-labelledby': 'cal-holidays' }, h('h3', { class: 'panel-title', id: 'cal-holidays' }, '节假日'),
					table(`${year}年节假日`, ['日期', '星期', '名称'], loaded.holidays.map((d) => [d.date, weekday(d.date), d.name]), '无')),
				h('section', { 'aria-labelledby': 'cal-workdays' }, h('h3', { class: 'panel-title', id: 'cal-workdays' }, '调休上班日'),
					table(`${year}年调休上班日`, ['日期', '星期', '名称'], loaded.workdays.map((d) => [d.date, weekday(d.date), d.name]), '无')))];
	});

	function edit() {
		const holidays = field({ name: 'holidays', label: '节假日', type: 'textarea', rows: 8, required: true, hint: TEXT.linesHint,
			value: loaded ? lines(loaded.holidays) : '', check: (v) => (typeof parseDays(v, '节假日') === 'string' ? parseDays(v, '节假日') : '') });
		const workdays = field({ name: 'workdays', label: '调休上班日', type: 'textarea', rows: 5, hint: `${TEXT.linesHint}周末上班的日子。`,
			value: loaded ? lines(loaded.workdays) : '', check: (v) => (typeof parseDays(v, '调休上班日') === 'string' ? parseDays(v, '调休上班日') : '') });
		const notice = field({ name: 'notice', label: '依据文件', maxlength: 500, value: loaded && loaded.notice ? loaded.notice : '',
			hint: '如“国办发明电〔2026〕X号”。' });
		formDialog({ title: loaded ? TEXT.replace(year) : TEXT.put(year), intro: loaded ? `保存后将整体替换 ${year} 年已录入的安排。` : null,
			fields: [notice, holidays, workdays], submitLabel: '保存', onSubmit: async (v) => {
				const answer = await request('PUT', `/api/v1/calendar/${year}`, { body: {
					notice: v.notice || null, holidays: parseDays(v.holidays, ''), workdays: parseDays(v.workdays, '') } });
				/* the server answers once its calendar holds the notice, so the warnings are current */
				showWarnings(answer.warnings);
				notify(`已保存 ${year} 年放假安排。`);
				await reload();
			} });
	}

	yearSelect.addEventListener('change', () => {
		year = Number(yearSelect.value);
		reload();
	});
	root.append(...adminHead(TEXT.title, TEXT.lead),
		warnings,
		h('div', { class: 'filters' }, h('div', { class: 'filter' }, h('label', { for: yearSelect.id }, '年份'), yearSelect)),
		body);
	if (year !== current) await loadInto(h('div'), () => fetchYear(current));
	await reload();
}
