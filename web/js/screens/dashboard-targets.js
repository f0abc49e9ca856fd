/*
 * dashboard-targets: the leadership dashboard's targets (README "The web
 * UI", 领导驾驶舱). A documented constant, not a server setting: a target is
 * a management choice that changes once a year, with a release.
 *
 * kind 'rate': the rate (0..1) meets the target when >= min (a percentage);
 * 'max': a count or hours figure meets it when <= max.
 */
export const TARGETS = {
	response_rate: { kind: 'rate', min: 95 },
	resolution_rate: { kind: 'rate', min: 90 },
	satisfaction_rate: { kind: 'rate', min: 90 },
	'on_time.accept': { kind: 'rate', min: 95 },
	'on_time.resolve': { kind: 'rate', min: 90 },
	overdue_now: { kind: 'max', max: 0 },
	'supervisions.total': { kind: 'max', max: 10 },
	'resolve_hours.mean': { kind: 'max', max: 35 },
};
