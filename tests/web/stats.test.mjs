// Unit tests of the statistics screens' pure functions (web/js/stats.js,
// node --test): the periods of the presets, how figures are shown and the
// town view's tickets still being handled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPEN_STATES, formatFigure, formatRate, openTickets, pick, presetPeriod, ratio } from '../../web/js/stats.js';

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

test('a rate\'s ratio is numerator/denominator, also when its rate is null', () => {
	assert.equal(ratio({ numerator: 2, denominator: 3, rate: 0.6667 }), '2/3');
	assert.equal(ratio({ numerator: 0, denominator: 0, rate: null }), '0/0');
	assert.equal(ratio(undefined), null);
});

test('tickets still being handled are those neither closed, answered, rejected nor merged', () => {
	const states = { new: 1, answered: 2, dispatched: 3, returned: 4, in_progress: 5, suspended: 6, resolved: 7, feedback: 8,
		closed: 100, rectifying: 9, rejected: 200, merged: 300 };
	assert.equal(openTickets(states), 1 + 3 + 4 + 5 + 6 + 7 + 8 + 9);
	assert.equal(openTickets({ closed: 4 }), 0);
	assert.equal(openTickets(undefined), 0);
	assert.equal(OPEN_STATES.length, 8);
});
