// Unit tests of the administration screens' pure functions (node --test):
// the lines of a year's holiday notice as the calendar dialog reads them,
// and what the targets screen sends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDays } from '../../web/js/screens/admin_calendar.js';
import { changedTargets, targetLabel } from '../../web/js/screens/admin_targets.js';

test('a notice is one "date name" line per day; blank lines are skipped', () => {
	assert.deepEqual(parseDays('2027-01-01 元旦\n\n  2027-10-01   国庆节  \n', '节假日'),
		[{ date: '2027-01-01', name: '元旦' }, { date: '2027-10-01', name: '国庆节' }]);
	assert.deepEqual(parseDays('', '调休上班日'), []);
});

test('a wrong line is named by its number', () => {
	assert.equal(parseDays('2027-01-01 元旦\n元旦', '节假日'), '节假日第 2 行应为“日期 名称”,如“2027-01-01 元旦”。');
	assert.equal(typeof parseDays('2027-13-45 假日', '节假日'), 'string');
	assert.equal(typeof parseDays('2027-01-01', '节假日'), 'string');
});

test('the targets screen sends only the targets whose value changed, as numbers', () => {
	const list = [{ metric: 'resolution_rate', kind: 'min', value: 90 }, { metric: 'overdue_now', kind: 'max', value: 0 },
		{ metric: 'resolve_hours.mean', kind: 'max', value: 35 }];
	assert.deepEqual(changedTargets(list, { resolution_rate: '92.5', overdue_now: '0', 'resolve_hours.mean': '35.00' }), { resolution_rate: 92.5 });
	assert.deepEqual(changedTargets(list, { resolution_rate: '90', overdue_now: '2', 'resolve_hours.mean': '30' }), { overdue_now: 2, 'resolve_hours.mean': 30 });
	assert.deepEqual(changedTargets(list, { resolution_rate: '90', overdue_now: '0', 'resolve_hours.mean': '35' }), {});
	assert.equal(targetLabel(list[0]), '解决率目标(%)');
	assert.equal(targetLabel(list[1]), '当前超期工单目标');
	assert.equal(targetLabel(list[2]), '平均办结工时目标(小时)');
});
