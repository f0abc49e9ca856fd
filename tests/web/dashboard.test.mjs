// Unit tests of the leadership dashboard's pure functions (node --test):
// the periods of the picker's presets, how figures are shown and how a KPI
// is judged by its target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meets, targetMap, targetText } from '../../web/js/screens/dashboard-kpis.js';
import { formatFigure, formatRate, pick, presetPeriod } from '../../web/js/screens/dashboard.js';

test('the presets are calendar months, quarters and years, to inclusive', () => {
	const now = { y: 2026, m: 12, d: 5 };
	assert.deepEqual(presetPeriod('month', now), { from: '2026-12-01', to: '2026-12-31' });
	assert.deepEqual(presetPeriod('last_month', now), { from: '2026-11-01', to: '2026-11-30' });
	assert.deepEqual(presetPeriod('quarter', now), { from: '2026-10-01', to: '2026-12-31' });
	assert.deepEqual(presetPeriod('year', now), { from: '2026-01-01', to: '2026-12-31' });
});

test('last month of January is the previous December; February knows leap years', () => {
	assert.deepEqual(presetPeriod('last_month', { y: 2027, m: 1, d: 3 }), { from: '2026-12-01', to: '2026-12-31' });
	assert.deepEqual(presetPeriod('month', { y: 2028, m: 2, d: 10 }), { from: '2028-02-01', to: '2028-02-29' });
	assert.deepEqual(presetPeriod('last_month', { y: 2027, m: 3, d: 1 }), { from: '2027-02-01', to: '2027-02-28' });
	assert.deepEqual(presetPeriod('quarter', { y: 2027, m: 5, d: 1 }), { from: '2027-04-01', to: '2027-06-30' });
});

test('a rate shows as a percentage with one decimal; a null rate as a dash', () => {
	assert.equal(formatRate({ numerator: 2, denominator: 3, rate: 0.6667 }), '66.7%');
	assert.equal(formatRate({ numerator: 1, denominator: 1, rate: 1 }), '100.0%');
	assert.equal(formatRate({ numerator: 0, denominator: 0, rate: null }), '—');
	assert.equal(formatFigure({ numerator: 0, denominator: 4, rate: 0 }, 'rate'), '0.0%');
});

test('counts and hours show as the API gives them; null hours as a dash', () => {
	assert.equal(formatFigure(0, 'count'), '0');
	assert.equal(formatFigure(12.35, 'hours'), '12.35小时');
	assert.equal(formatFigure(null, 'hours'), '—');
	assert.equal(pick({ on_time: { resolve: 7 } }, 'on_time.resolve'), 7);
	assert.equal(pick({ resolve_hours: null }, 'resolve_hours.mean'), null);
});

test('a KPI is judged by its target: rates in percent at least, counts and hours at most', () => {
	const targets = targetMap([{ metric: 'resolution_rate', kind: 'min', value: 90, updated_at: 'x' },
		{ metric: 'overdue_now', kind: 'max', value: 0, updated_at: 'x' }, { metric: 'resolve_hours.mean', kind: 'max', value: 35.5, updated_at: 'x' }]);
	assert.deepEqual(targets.get('resolution_rate'), { kind: 'min', value: 90 });
	assert.equal(meets(targets.get('resolution_rate'), { numerator: 9, denominator: 10, rate: 0.9 }), true);
	assert.equal(meets(targets.get('resolution_rate'), { numerator: 8, denominator: 9, rate: 0.8889 }), false);
	assert.equal(meets(targets.get('resolution_rate'), { numerator: 0, denominator: 0, rate: null }), null, 'no denominator: not judged');
	// 0.57 * 100 is 56.99999999999999 in floating point; the percentage is taken to two decimals
	assert.equal(meets({ kind: 'min', value: 57 }, { numerator: 57, denominator: 100, rate: 0.57 }), true);
	assert.equal(meets(targets.get('overdue_now'), 0), true);
	assert.equal(meets(targets.get('overdue_now'), 1), false);
	assert.equal(meets(targets.get('resolve_hours.mean'), null), null);
	assert.equal(meets(targets.get('tickets'), 12), null, 'no target');
	assert.equal(targetText('resolution_rate', targets.get('resolution_rate')), '目标 ≥ 90%');
	assert.equal(targetText('overdue_now', targets.get('overdue_now')), '目标 ≤ 0');
	assert.equal(targetText('resolve_hours.mean', targets.get('resolve_hours.mean')), '目标 ≤ 35.5小时');
	assert.deepEqual(targetMap(undefined), new Map());
});
