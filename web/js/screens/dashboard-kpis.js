/*
 * dashboard-kpis: the leadership dashboard's headline KPIs and how they are
 * judged against their targets. The targets themselves are data (the table
 * stats_targets, changed by admins on 驾驶舱目标, #/admin/targets, and read
 * from GET /api/v1/stats/targets); what is here is shared by the dashboard
 * and that screen: the KPIs' labels and the rules of reading a target.
 *
 * A target's kind 'min': a rate (0..1 in the figures) meets it when its
 * percentage is at least the value; 'max': a count or hours figure meets it
 * when it is at most the value.
 */
import { RATE_LABELS } from '../stats.js';

/* The headline KPIs: JSON key, label, kind (rate | count | hours). */
export const KPIS = [
	...['response_rate', 'resolution_rate', 'satisfaction_rate', 'on_time.accept', 'on_time.resolve']
		.map((key) => [key, RATE_LABELS[key], 'rate']),
	['overdue_now', '当前超期工单', 'count'],
	['supervisions.total', '督办次数', 'count'],
	['resolve_hours.mean', '平均办结工时', 'hours'],
	['tickets', '诉求总数', 'count'],
];

const UNITS = { rate: '%', count: '', hours: '小时' };

/* The label and kind of a KPI by its key (a key without one is shown as itself). */
export function kpiOf(key) {
	const k = KPIS.find(([k0]) => k0 === key);
	return k ? { label: k[1], kind: k[2] } : { label: key, kind: 'count' };
}

/* Map metric -> { kind, value } of the API's target list. */
export function targetMap(list) {
	return new Map((list || []).map((t) => [t.metric, { kind: t.kind, value: t.value }]));
}

/* true / false against target, null when there is no target or nothing
 * to judge (a rate without a denominator, null hours). A rate's
 * percentage is taken to two decimals, as the API rounds it (0.57 is 57%,
 * not 56.99999999999999%). */
export function meets(target, value) {
	if (!target) return null;
	if (target.kind === 'min') {
		return value && value.rate !== null && value.rate !== undefined ? Math.round(value.rate * 10000) / 100 >= target.value : null;
	}
	return value === null || value === undefined ? null : value <= target.value;
}

/* "目标 ≥ 90%", "目标 ≤ 35小时", "目标 ≤ 10". */
export function targetText(key, target) {
	return `目标 ${target.kind === 'min' ? '≥' : '≤'} ${target.value}${UNITS[kpiOf(key).kind]}`;
}
