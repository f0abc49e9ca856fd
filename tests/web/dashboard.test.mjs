// Unit tests of the leadership dashboard's pure functions (node --test):
// how a KPI is judged by its target (the periods and the figures' formats
// are stats.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meets, targetMap, targetText } from '../../web/js/screens/dashboard-kpis.js';

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
