/* sla: see sla.h for the rules. */
#include "core/sla.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"

static const struct {
	const char *name, *label;
} legs[SLA__LEGS] = {
	[SLA_ACCEPT] = { "accept", "签收" },
	[SLA_CONTACT] = { "contact", "首次联系" },
	[SLA_RESOLVE] = { "resolve", "办结" },
	[SLA_FEEDBACK] = { "feedback", "反馈" },
	[SLA_RATING] = { "rating", "评价" },
};
static const char *const stages[SLA__STAGES] = { "running", "warned", "overdue", "supervised" };

const char *sla_leg_name(enum sla_leg leg)
{
	return (unsigned)leg < SLA__LEGS ? legs[leg].name : "?";
}

const char *sla_leg_label(enum sla_leg leg)
{
	return (unsigned)leg < SLA__LEGS ? legs[leg].label : "?";
}

bool sla_leg_parse(const char *name, enum sla_leg *leg)
{
	for (int i = 0; name && i < SLA__LEGS; i++)
		if (strcmp(legs[i].name, name) == 0) {
			*leg = (enum sla_leg)i;
			return true;
		}
	return false;
}

const char *sla_stage_name(enum sla_stage stage)
{
	return (unsigned)stage < SLA__STAGES ? stages[stage] : "?";
}

bool sla_stage_parse(const char *name, enum sla_stage *stage)
{
	for (int i = 0; name && i < SLA__STAGES; i++)
		if (strcmp(stages[i], name) == 0) {
			*stage = (enum sla_stage)i;
			return true;
		}
	return false;
}

const char *sla_clock_name(enum sla_clock clock)
{
	return clock == SLA_CALENDAR ? "calendar" : "working";
}

bool sla_clock_parse(const char *name, enum sla_clock *clock)
{
	if (name && strcmp(name, "working") == 0)
		*clock = SLA_WORKING;
	else if (name && strcmp(name, "calendar") == 0)
		*clock = SLA_CALENDAR;
	else
		return false;
	return true;
}

/* ---- the clock's arithmetic ------------------------------------------- */

int64_t sla_add_minutes(const struct workcal *cal, enum sla_clock clock, int64_t t, long n, bool *flagged)
{
	if (n <= 0)
		return t;
	if (clock == SLA_CALENDAR)
		return t + (int64_t)n * 60;
	return workcal_add_minutes(cal, t, n, flagged);
}

long sla_minutes_between(const struct workcal *cal, enum sla_clock clock, int64_t from, int64_t to, bool *flagged)
{
	if (clock == SLA_CALENDAR) {
		int64_t d = to - from; /* rounded toward zero, like workcal */
		return (long)(d / 60);
	}
	return workcal_minutes_between(cal, from, to, flagged);
}

static int64_t add_amount(const struct workcal *cal, enum sla_clock clock, int64_t t, struct sla_amount a,
			  bool *flagged)
{
	if (!a.days)
		return sla_add_minutes(cal, clock, t, a.amount, flagged);
	if (a.amount <= 0)
		return t;
	if (clock == SLA_CALENDAR)
		return t + (int64_t)a.amount * 86400;
	return workcal_add_days(cal, t, a.amount, flagged);
}

struct sla_instants sla_start(const struct workcal *cal, const struct sla_policy *p, enum sla_leg leg, bool rectify,
			      int64_t now, bool *flagged)
{
	struct sla_instants k = { .clock = p->clock, .started = now };
	struct sla_amount a = { 0, false };
	switch (leg) {
	case SLA_ACCEPT: a = p->accept; break;
	case SLA_CONTACT: a = p->contact; break;
	case SLA_RESOLVE: a = rectify ? p->rectify : p->resolve; break;
	case SLA_FEEDBACK: a = p->feedback; break;
	case SLA_RATING:
		k.clock = SLA_CALENDAR;
		a = (struct sla_amount){ p->rating_window_days, true };
		break;
	case SLA__LEGS: break;
	}
	k.deadline = add_amount(cal, k.clock, now, a, flagged);
	k.allowed_minutes = sla_minutes_between(cal, k.clock, now, k.deadline, flagged);
	long warn = (long)((int64_t)k.allowed_minutes * p->warning_percent / 100);
	k.warn_at = sla_add_minutes(cal, k.clock, now, warn, flagged);
	k.supervise_at = leg == SLA_RATING ? 0
		: sla_add_minutes(cal, k.clock, k.deadline, p->supervision_delay_minutes, flagged);
	return k;
}

long sla_shift(const struct workcal *cal, struct sla_instants *k, int64_t suspended_at, int64_t now, bool *flagged)
{
	long p = sla_minutes_between(cal, k->clock, suspended_at, now, flagged);
	if (p <= 0)
		return 0;
	k->warn_at = sla_add_minutes(cal, k->clock, k->warn_at, p, flagged);
	k->deadline = sla_add_minutes(cal, k->clock, k->deadline, p, flagged);
	if (k->supervise_at)
		k->supervise_at = sla_add_minutes(cal, k->clock, k->supervise_at, p, flagged);
	return p;
}

long sla_extend(const struct workcal *cal, struct sla_instants *k, int days, bool *flagged)
{
	if (days <= 0)
		return 0;
	int64_t moved = add_amount(cal, k->clock, k->deadline, (struct sla_amount){ days, true }, flagged);
	long m = sla_minutes_between(cal, k->clock, k->deadline, moved, flagged);
	k->deadline = moved;
	k->allowed_minutes += m;
	k->warn_at = sla_add_minutes(cal, k->clock, k->warn_at, m, flagged);
	if (k->supervise_at)
		k->supervise_at = sla_add_minutes(cal, k->clock, k->supervise_at, m, flagged);
	return m;
}

bool sla_met(int64_t deadline, int64_t stopped)
{
	return stopped <= deadline;
}

long sla_duration(const struct workcal *cal, enum sla_clock clock, int64_t started, int64_t stopped,
		  long suspended_minutes, bool *flagged)
{
	long d = sla_minutes_between(cal, clock, started, stopped, flagged) - suspended_minutes;
	return d > 0 ? d : 0;
}

/* ---- the ladder -------------------------------------------------------- */

enum sla_stage sla_next_stage(enum sla_leg leg, enum sla_stage from)
{
	enum sla_stage last = leg == SLA_RATING ? SLA_OVERDUE : SLA_SUPERVISED;
	/* past the last (the rating window at supervised): no stage after it,
	 * never back down to the last */
	return from < last ? (enum sla_stage)(from + 1) : from;
}

int64_t sla_due(enum sla_leg leg, enum sla_stage from, const struct sla_instants *k)
{
	enum sla_stage next = sla_next_stage(leg, from);
	if (next == from)
		return 0;
	switch (next) {
	case SLA_WARNED: return k->warn_at;
	case SLA_OVERDUE: return k->deadline;
	case SLA_SUPERVISED: return k->supervise_at;
	default: return 0;
	}
}

/* Handling legs notify the handler, then the org's leaders (催办), then the
 * supervisors and the leaders (督办); the feedback leg the specialist; the
 * rating window invites the enterprise (邀评), then closes unrated. */
static const struct sla_step handling[SLA__STAGES] = {
	[SLA_WARNED] = { "sla_warning", "预警", false, { SLA_TO_HANDLER }, 1 },
	[SLA_OVERDUE] = { "sla_overdue", "超期催办", false, { SLA_TO_ORG_LEADERS }, 1 },
	[SLA_SUPERVISED] = { "sla_supervision", "督办", false, { SLA_TO_SUPERVISORS, SLA_TO_ORG_LEADERS }, 2 },
};
static const struct sla_step feedback[SLA__STAGES] = {
	[SLA_WARNED] = { "sla_warning", "预警", false, { SLA_TO_SPECIALIST }, 1 },
	[SLA_OVERDUE] = { "sla_overdue", "超期催办", false, { SLA_TO_SPECIALIST, SLA_TO_ORG_LEADERS }, 2 },
	[SLA_SUPERVISED] = { "sla_supervision", "督办", false, { SLA_TO_SUPERVISORS, SLA_TO_ORG_LEADERS }, 2 },
};
static const struct sla_step rating[SLA__STAGES] = {
	[SLA_WARNED] = { "rating_invite", "邀请评价", false, { SLA_TO_ENTERPRISE }, 1 },
	[SLA_OVERDUE] = { "close_unrated", "逾期未评价关闭", true, { SLA_TO_ENTERPRISE }, 1 },
};

const char *sla_to_name(enum sla_to to)
{
	static const char *const names[] = { "handler", "specialist", "org_leaders", "supervisors", "enterprise" };
	return (unsigned)to < sizeof names / sizeof names[0] ? names[to] : "?";
}

const struct sla_step *sla_step(enum sla_leg leg, enum sla_stage stage)
{
	if (stage <= SLA_RUNNING || stage >= SLA__STAGES || (unsigned)leg >= SLA__LEGS)
		return NULL;
	const struct sla_step *s = leg == SLA_RATING ? &rating[stage] : leg == SLA_FEEDBACK ? &feedback[stage]
											   : &handling[stage];
	return s->action ? s : NULL;
}

char *sla_step_summary(const struct sla_step *s, enum sla_leg leg, const char *deadline_local)
{
	if (s->closes)
		return xasprintf("系统:评价期限(%s)已过,企业未评价,工单按未评价关闭(不计入满意)", deadline_local);
	if (leg == SLA_RATING)
		return xasprintf("系统:邀请企业评价,评价期限至%s", deadline_local);
	if (strcmp(s->action, "sla_warning") == 0)
		return xasprintf("系统预警:%s时限将于%s到期", sla_leg_label(leg), deadline_local);
	if (strcmp(s->action, "sla_overdue") == 0)
		return xasprintf("系统:%s已超期(时限%s),已催办", sla_leg_label(leg), deadline_local);
	return xasprintf("系统督办:%s超期未办(时限%s),计入单位考核", sla_leg_label(leg), deadline_local);
}

char *sla_step_notice(const struct sla_step *s, enum sla_leg leg, enum sla_to to, const char *number,
		      const char *title, const char *deadline_local)
{
	if (s->closes)
		return xasprintf("您的诉求《%s》评价期已过,工单已关闭。如有问题可再次提出诉求。", title);
	if (leg == SLA_RATING)
		return xasprintf("您的诉求《%s》已办结,请于%s前对办理结果进行评价。", title, deadline_local);
	const char *leg_label = sla_leg_label(leg);
	if (strcmp(s->action, "sla_warning") == 0)
		return xasprintf("【预警】工单%s《%s》的%s时限将于%s到期,请抓紧办理。", number, title, leg_label,
				 deadline_local);
	if (strcmp(s->action, "sla_overdue") == 0)
		return xasprintf("【催办】工单%s《%s》的%s已超过时限(%s),请督促%s。", number, title, leg_label,
				 deadline_local, to == SLA_TO_ORG_LEADERS ? "承办人员尽快办理" : "尽快办理");
	return xasprintf("【督办】工单%s《%s》的%s超期未办(时限%s),请%s。", number, title, leg_label, deadline_local,
			 to == SLA_TO_SUPERVISORS ? "督促承办单位办理" : "立即组织办理并说明原因");
}

void sla_format_local(int64_t t, char out[32])
{
	int64_t local = t + TIMEFMT_OFFSET_SECONDS;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t sec = local - days * 86400;
	int64_t y;
	int m, d;
	timefmt_civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%d月%d日 %02d:%02d", m, d, (int)(sec / 3600), (int)(sec / 60 % 60));
}
