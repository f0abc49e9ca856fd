/* sla_clocks: the clock operations of ticket actions; see sla_clocks.h. */
#include "server/sla_clocks.h"

#include <string.h>

#include "core/sla.h"
#include "core/timefmt.h"

/* One clock of the ticket as loaded. */
struct clock_view {
	long long id, assignment_id;
	enum sla_leg leg;
	struct sla_instants k;
	int64_t suspended_at; /* 0 = running */
	long suspended_minutes;
	bool running;         /* not stopped */
	json_t *json;
};

static int64_t time_of(const json_t *o, const char *key)
{
	int64_t t = 0;
	const char *s = json_string_value(json_object_get(o, key));
	return s && timefmt_parse_rfc3339(s, &t) ? t : 0;
}

static bool clock_view(const json_t *o, struct clock_view *v)
{
	memset(v, 0, sizeof *v);
	if (!sla_leg_parse(json_string_value(json_object_get(o, "leg")), &v->leg) ||
	    !sla_clock_parse(json_string_value(json_object_get(o, "clock")), &v->k.clock))
		return false;
	v->id = (long long)json_integer_value(json_object_get(o, "id"));
	v->assignment_id = (long long)json_integer_value(json_object_get(o, "assignment_id"));
	v->k.started = time_of(o, "started_at");
	v->k.warn_at = time_of(o, "warn_at");
	v->k.deadline = time_of(o, "deadline");
	v->k.supervise_at = time_of(o, "supervise_at");
	v->k.allowed_minutes = (long)json_integer_value(json_object_get(o, "allowed_minutes"));
	v->suspended_at = time_of(o, "suspended_at");
	v->suspended_minutes = (long)json_integer_value(json_object_get(o, "suspended_minutes"));
	v->running = json_is_null(json_object_get(o, "outcome"));
	v->json = (json_t *)o;
	return true;
}

static struct sla_amount amount_of(const json_t *p, const char *leg, struct sla_amount fallback)
{
	char key[32];
	snprintf(key, sizeof key, "%s_amount", leg);
	json_t *a = json_object_get(p, key);
	snprintf(key, sizeof key, "%s_unit", leg);
	const char *unit = json_string_value(json_object_get(p, key));
	if (!json_is_integer(a) || !unit)
		return fallback;
	return (struct sla_amount){ (int)json_integer_value(a), strcmp(unit, "days") == 0 };
}

/* The policy row as core/sla.h wants it; DESIGN.md §4's defaults for
 * anything missing (there is always a district default row). */
static struct sla_policy policy_of(const json_t *p)
{
	struct sla_policy out = {
		.clock = SLA_WORKING,
		.accept = amount_of(p, "accept", (struct sla_amount){ 1, true }),
		.contact = amount_of(p, "contact", (struct sla_amount){ 1, true }),
		.resolve = amount_of(p, "resolve", (struct sla_amount){ 5, true }),
		.feedback = amount_of(p, "feedback", (struct sla_amount){ 1, true }),
		.rectify = amount_of(p, "rectify", (struct sla_amount){ 15, true }),
		.rating_window_days = 7, .warning_percent = 80, .supervision_delay_minutes = 480,
	};
	enum sla_clock clock;
	if (sla_clock_parse(json_string_value(json_object_get(p, "clock")), &clock))
		out.clock = clock;
	if (json_is_integer(json_object_get(p, "rating_window_days")))
		out.rating_window_days = (int)json_integer_value(json_object_get(p, "rating_window_days"));
	if (json_is_number(json_object_get(p, "warning_share")))
		out.warning_percent = (int)(json_number_value(json_object_get(p, "warning_share")) * 100 + 0.5);
	if (json_is_integer(json_object_get(p, "supervision_delay_minutes")))
		out.supervision_delay_minutes = (int)json_integer_value(json_object_get(p, "supervision_delay_minutes"));
	return out;
}

struct ops {
	const struct ticket *t;
	const struct workcal *cal;
	struct sla_policy policy;
	int64_t now;
	json_t *start, *update;
};

/* assignment_id > 0: an existing assignment; else new_org names the one
 * inserted by the same statement; neither: the feedback or rating leg. */
static void start(struct ops *o, enum sla_leg leg, bool rectify, long long assignment_id, long long new_org,
		  long long org_id, long long org_of_user)
{
	bool flagged = false;
	struct sla_instants k = sla_start(o->cal, &o->policy, leg, rectify, o->now, &flagged);
	json_t *item = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b}", "leg", sla_leg_name(leg), "clock",
				 sla_clock_name(k.clock), "started", (json_int_t)k.started, "allowed",
				 (json_int_t)k.allowed_minutes, "warn_at", (json_int_t)k.warn_at, "deadline",
				 (json_int_t)k.deadline, "new_org", (json_int_t)new_org, "flagged", flagged);
	if (k.supervise_at)
		json_object_set_new(item, "supervise_at", json_integer(k.supervise_at));
	if (assignment_id > 0)
		json_object_set_new(item, "assignment_id", json_integer(assignment_id));
	if (org_id > 0)
		json_object_set_new(item, "org_id", json_integer(org_id));
	else
		json_object_set_new(item, "org_of_user", json_integer(org_of_user));
	json_array_append_new(o->start, item);
}

static void set_instants(json_t *item, const struct sla_instants *k)
{
	json_object_set_new(item, "warn_at", json_integer(k->warn_at));
	json_object_set_new(item, "deadline", json_integer(k->deadline));
	json_object_set_new(item, "allowed", json_integer(k->allowed_minutes));
	if (k->supervise_at)
		json_object_set_new(item, "supervise_at", json_integer(k->supervise_at));
}

/* Resumes v at now (pushing its instants) when it is suspended; item gets the change. */
static void resume_into(struct ops *o, struct clock_view *v, json_t *item)
{
	if (!v->suspended_at)
		return;
	bool flagged = false;
	long pushed = sla_shift(o->cal, &v->k, v->suspended_at, o->now, &flagged);
	v->suspended_minutes += pushed;
	set_instants(item, &v->k);
	json_object_set_new(item, "resume", json_true());
	json_object_set_new(item, "pushed", json_integer(pushed));
	if (flagged)
		json_object_set_new(item, "flagged", json_true());
}

/* Stops v: measured (met or missed) or cancelled. */
static void stop(struct ops *o, struct clock_view *v, bool cancel)
{
	json_t *item = json_pack("{s:I, s:I}", "id", (json_int_t)v->id, "stopped", (json_int_t)o->now);
	resume_into(o, v, item); /* a suspension still running ends here too */
	if (cancel) {
		json_object_set_new(item, "outcome", json_string("cancelled"));
	} else {
		bool flagged = false;
		long d = sla_duration(o->cal, v->k.clock, v->k.started, o->now, v->suspended_minutes, &flagged);
		json_object_set_new(item, "outcome", json_string(sla_met(v->k.deadline, o->now) ? "met" : "missed"));
		json_object_set_new(item, "duration", json_integer(d));
	}
	json_array_append_new(o->update, item);
}

typedef bool (*clock_filter)(const struct clock_view *v, const void *arg);

/* Applies fn to every running clock that filter admits. */
static void each_running(struct ops *o, clock_filter filter, const void *arg,
			 void (*fn)(struct ops *, struct clock_view *, const void *), const void *fn_arg)
{
	size_t i;
	json_t *k;
	json_array_foreach(o->t->clocks, i, k) {
		struct clock_view v;
		if (clock_view(k, &v) && v.running && (!filter || filter(&v, arg)))
			fn(o, &v, fn_arg);
	}
}

struct leg_of {
	long long assignment_id; /* 0 = any */
	int leg;                 /* -1 = any */
	int except;              /* a leg left alone, -1 = none */
};

static bool is_leg_of(const struct clock_view *v, const void *arg)
{
	const struct leg_of *w = arg;
	return (!w->assignment_id || v->assignment_id == w->assignment_id) && (w->leg < 0 || (int)v->leg == w->leg) &&
	       (int)v->leg != w->except;
}

static void do_measure(struct ops *o, struct clock_view *v, const void *arg)
{
	(void)arg;
	stop(o, v, false);
}

static void do_cancel(struct ops *o, struct clock_view *v, const void *arg)
{
	(void)arg;
	stop(o, v, true);
}

static void do_suspend(struct ops *o, struct clock_view *v, const void *arg)
{
	(void)arg;
	if (v->suspended_at)
		return;
	json_array_append_new(o->update, json_pack("{s:I, s:b, s:I}", "id", (json_int_t)v->id, "suspend", 1,
						   "at", (json_int_t)o->now));
}

static void do_resume(struct ops *o, struct clock_view *v, const void *arg)
{
	(void)arg;
	if (!v->suspended_at)
		return;
	json_t *item = json_pack("{s:I}", "id", (json_int_t)v->id);
	resume_into(o, v, item);
	json_array_append_new(o->update, item);
}

static void do_extend(struct ops *o, struct clock_view *v, const void *arg)
{
	int days = *(const int *)arg;
	bool flagged = false;
	long m = sla_extend(o->cal, &v->k, days, &flagged);
	json_t *item = json_pack("{s:I, s:I}", "id", (json_int_t)v->id, "extended", (json_int_t)m);
	set_instants(item, &v->k);
	if (flagged)
		json_object_set_new(item, "flagged", json_true());
	json_array_append_new(o->update, item);
}

/* Measures leg of assignment_id (0 = any assignment) and, when
 * cancel_rest, cancels the assignment's other running legs. */
static void finish(struct ops *o, long long assignment_id, enum sla_leg leg, bool cancel_rest)
{
	struct leg_of w = { assignment_id, (int)leg, -1 };
	each_running(o, is_leg_of, &w, do_measure, NULL);
	struct leg_of rest = { assignment_id, -1, (int)leg };
	if (cancel_rest)
		each_running(o, is_leg_of, &rest, do_cancel, NULL);
}

static void cancel_all(struct ops *o, long long assignment_id)
{
	struct leg_of w = { assignment_id, -1, -1 };
	each_running(o, is_leg_of, &w, do_cancel, NULL);
}

/* The days of the pending extension request. */
static int pending_extension_days(const struct ticket *t)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(t->json, "extensions"), i, x) {
		const char *st = json_string_value(json_object_get(x, "state"));
		if (st && strcmp(st, "pending") == 0)
			return (int)json_integer_value(json_object_get(x, "days"));
	}
	return 0;
}

static void start_dispatch(struct ops *o, const struct sla_change *c)
{
	if (c->new_lead_org > 0) {
		start(o, SLA_ACCEPT, false, 0, c->new_lead_org, c->new_lead_org, 0);
		start(o, SLA_RESOLVE, false, 0, c->new_lead_org, c->new_lead_org, 0);
	}
	size_t i;
	json_t *id;
	json_array_foreach(c->new_assist_orgs, i, id) {
		long long org = (long long)json_integer_value(id);
		start(o, SLA_ACCEPT, false, 0, org, org, 0);
	}
}

json_t *sla_clock_ops(const struct ticket *t, const struct sla_change *c, const struct workcal *cal, int64_t now)
{
	struct ops o = { .t = t, .cal = cal, .policy = policy_of(t->policy), .now = now,
			 .start = json_array(), .update = json_array() };
	const struct lc_assignment *lead = ticket_lead(t);
	const struct lc_assignment *mine = c->mine;
	switch (c->action) {
	case TA_DISPATCH:
	case TA_SUMMON:
	case TA_ADJUDICATE_RETURN:
		start_dispatch(&o, c);
		break;
	case TA_ACCEPT:
		if (!mine)
			break;
		finish(&o, mine->id, SLA_ACCEPT, false);
		if (mine->lead)
			start(&o, SLA_CONTACT, false, mine->id, 0, mine->org_id, 0);
		break;
	case TA_RETURN:
		if (!mine)
			break;
		finish(&o, mine->id, SLA_ACCEPT, true);
		break;
	case TA_CONTACT:
		if (lead)
			finish(&o, lead->id, SLA_CONTACT, false);
		break;
	case TA_SUSPEND:
		each_running(&o, NULL, NULL, do_suspend, NULL);
		break;
	case TA_SUPPLY:
		each_running(&o, NULL, NULL, do_resume, NULL);
		break;
	case TA_APPROVE_EXTENSION: {
		int days = pending_extension_days(t);
		struct leg_of w = { lead ? lead->id : -1, SLA_RESOLVE, -1 };
		if (lead && days > 0)
			each_running(&o, is_leg_of, &w, do_extend, &days);
		break;
	}
	case TA_RESOLVE:
		if (lead) {
			finish(&o, lead->id, SLA_RESOLVE, true);
		}
		start(&o, SLA_FEEDBACK, false, 0, 0, 0, c->dispatcher);
		break;
	case TA_FEEDBACK:
		finish(&o, 0, SLA_FEEDBACK, false);
		start(&o, SLA_RATING, false, 0, 0, t->district_id, 0);
		break;
	case TA_SEND_BACK:
		finish(&o, 0, SLA_FEEDBACK, false);
		if (lead)
			start(&o, SLA_RESOLVE, true, lead->id, 0, lead->org_id, 0);
		break;
	case TA_RATE:
		finish(&o, 0, SLA_RATING, false);
		break;
	case TA_RULE_RATING:
		if (lead && c->outcome && strcmp(c->outcome, "rectify") == 0)
			start(&o, SLA_RESOLVE, true, lead->id, 0, lead->org_id, 0);
		break;
	case TA_RELEASE:
		if (mine)
			cancel_all(&o, mine->id);
		break;
	case TA_ANSWER:
	case TA_REJECT:
	case TA_MERGE:
	case TA_WITHDRAW:
		cancel_all(&o, 0);
		break;
	default:
		break;
	}
	if (!json_array_size(o.start) && !json_array_size(o.update)) {
		json_decref(o.start);
		json_decref(o.update);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "start", o.start, "update", o.update);
}
