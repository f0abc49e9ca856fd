// Unit tests of the web UI's pure functions (node --test): remaining
// working time as the countdowns show it, times in Asia/Shanghai, and the
// queues' order. The modules are the browser's own, imported as they are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTime, remaining } from '../../web/js/ui.js';
import { byUrgencyAndDeadline } from '../../web/js/ticketlist.js';

const sla = (minutes, extra = {}) => ({ next_deadline: '2026-12-07T17:00:00.000+08:00', next_leg: 'accept', clock: 'working',
	level: 'normal', suspended: false, remaining_minutes: minutes, day_minutes: 420, ...extra });

test('remaining working time counts working days of the office hours, then hours', () => {
	assert.equal(remaining(sla(600)).text, '剩余 1个工作日3小时');
	assert.equal(remaining(sla(420)).text, '剩余 1个工作日');
	assert.equal(remaining(sla(2100)).text, '剩余 5个工作日');
	assert.equal(remaining(sla(200)).text, '剩余 3小时20分钟');
	assert.equal(remaining(sla(45)).text, '剩余 45分钟');
	assert.equal(remaining(sla(0)).text, '剩余 0分钟');
	assert.equal(remaining(sla(600)).leg, '签收');
});

test('a passed deadline reads as overdue, whatever the level the worker has set yet', () => {
	const r = remaining(sla(-130, { level: 'warned' }));
	assert.equal(r.text, '已超期 2小时10分钟');
	assert.equal(r.level, 'overdue');
	assert.equal(remaining(sla(-2100)).text, '已超期 5个工作日');
});

test('a calendar clock counts 24-hour days', () => {
	assert.equal(remaining(sla(1440 * 7, { clock: 'calendar', next_leg: 'rating' })).text, '剩余 7天');
	assert.equal(remaining(sla(1500, { clock: 'calendar' })).text, '剩余 1天1小时');
});

test('no clock, no countdown', () => {
	assert.equal(remaining(sla(null)), null);
	assert.equal(remaining(null), null);
});

test('times show in Asia/Shanghai whatever the offset they carry', () => {
	assert.equal(formatTime('2026-12-05T15:16:35.772+08:00'), '2026-12-05 15:16');
	assert.equal(formatTime('2026-12-31T16:30:00Z'), '2027-01-01 00:30');
	assert.equal(formatTime(null), '');
});

test('queues put the most urgent first, then the nearest deadline, tickets without one last', () => {
	const t = (id, urgency, minutes) => ({ id, urgency, sla: sla(minutes) });
	const rows = [t(1, 'normal', 100), t(2, 'critical', null), t(3, 'normal', -50), t(4, 'urgent', 900), t(5, 'normal', null),
		t(6, 'critical', 30), t(7, 'normal', null)];
	assert.deepEqual(rows.sort(byUrgencyAndDeadline).map((r) => r.id), [6, 2, 4, 3, 1, 7, 5]);
});
