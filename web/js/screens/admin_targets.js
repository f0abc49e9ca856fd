/*
 * admin_targets: the leadership dashboard's targets (#/admin/targets,
 * 驾驶舱目标): each KPI's target as a labelled number, and 保存, which sends
 * the changed ones (PUT /api/v1/stats/targets): the server takes all of
 * them or none. The dashboard judges its KPIs by them from its next load.
 */
import { ApiError, get, request } from '../api.js';
import { collect, errorBox, field, fill, formatTime, h, notify } from '../ui.js';
import { adminHead, loadInto } from './admin_common.js';
import { kpiOf } from './dashboard-kpis.js';

export const name = 'admin-targets';

const TEXT = {
	title: '驾驶舱目标',
	lead: '领导驾驶舱按这些目标把核心指标标为“达标”或“未达标”:比率(百分比)不低于目标、数量和工时不超过目标为达标。保存后,驾驶舱下次加载即按新目标显示。',
	save: '保存',
	busy: '正在保存…',
	saved: (n) => `已保存 ${n} 项驾驶舱目标。`,
	unchanged: '目标没有改动。',
	units: { rate: '(%)', hours: '(小时)', count: '' },
	hint: (t) => `${t.kind === 'min' ? '不低于' : '不超过'}此值为达标。上次修改:${formatTime(t.updated_at)}`,
};

/* The limits of a target's value (the server's). */
const LIMITS = { min: 100, max: 1000000 };

/* The input's label of a target: "解决率目标(%)". */
export function targetLabel(t) {
	const kpi = kpiOf(t.metric);
	return `${kpi.label}目标${TEXT.units[kpi.kind]}`;
}

/* The targets whose value the form changed, as the PUT's body wants them
 * ({ metric: number }); values are collect()'s texts by metric. */
export function changedTargets(list, values) {
	const changed = {};
	for (const t of list) {
		const v = Number(values[t.metric]);
		if (values[t.metric] !== '' && v !== t.value) changed[t.metric] = v;
	}
	return changed;
}

/* The form of the targets in list (the API's). */
function targetsForm(list, slot) {
	const fields = list.map((t) => field({ name: t.metric, label: targetLabel(t), type: 'number', required: true,
		min: 0, max: LIMITS[t.kind], decimals: 2, inputmode: 'decimal', value: t.value, hint: TEXT.hint(t) }));
	const errorSlot = h('div');
	const submit = h('button', { type: 'submit', class: 'button button-primary' }, TEXT.save);
	const form = h('form', { class: 'form', novalidate: true, id: 'targets-form', 'aria-label': TEXT.title },
		fields.map((f) => f.el), errorSlot, h('div', { class: 'form-buttons' }, submit));
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		fill(errorSlot);
		const values = collect(fields);
		if (!values) return;
		const changed = changedTargets(list, values);
		const n = Object.keys(changed).length;
		if (!n) {
			notify(TEXT.unchanged);
			return;
		}
		submit.disabled = true;
		submit.textContent = TEXT.busy;
		try {
			const answer = await request('PUT', '/api/v1/stats/targets', { body: { targets: changed } });
			fill(slot, targetsForm(answer.targets, slot));
			notify(TEXT.saved(n));
		} catch (err) {
			submit.disabled = false;
			submit.textContent = TEXT.save;
			if (!(err instanceof ApiError && err.status === 401)) fill(errorSlot, errorBox(err));
		}
	});
	return form;
}

export async function render(root) {
	const slot = h('div', { class: 'card card-wide' });
	root.append(...adminHead(TEXT.title, TEXT.lead), slot);
	await loadInto(slot, async () => targetsForm((await get('/api/v1/stats/targets')).targets, slot));
}
