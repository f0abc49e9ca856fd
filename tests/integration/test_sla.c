/*
 * Integration: SLA clocks and the escalation ladder against a real server,
 * a real suqiu-worker and the test database.
 *
 * Time is not waited for: to let a stage fall due the test moves the
 * clock's instants back (as the owner role), which is what the passing of
 * that much time looks like to the worker.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/timefmt.h"
#include "core/workcal.h"
#include "tickets_util.h"

WORLD_SUITE(sla, 240);

/* A category of this test's own with a 24×7 policy in minutes: accept
 * 10, contact 10, resolve 60, feedback 10; warning at 50%; supervision
 * 5 minutes after a deadline. */
static long long short_category(void)
{
	char code[32];
	snprintf(code, sizeof code, "SLA%d", (int)getpid() % 100000);
	return calendar_category(code, "时限测试", 10, 10, 60, 10, 5);
}

static long long ticket_in(long long category, const char *title)
{
	return ticket_in_category(&w, QIYE1, category, title);
}

static void dispatch_to(long long ticket, const char *org)
{
	char extra[64];
	snprintf(extra, sizeof extra, "\"lead_org_id\": %lld", org_named(org));
	act_ok(&w, ZHUANYUAN, ticket, "dispatch", extra);
}

/* The running clock of leg on ticket. */
static long long clock_of(long long ticket, const char *leg)
{
	return db_scalar_of("SELECT id FROM sla_clocks WHERE ticket_id = $1 AND leg = $2 AND outcome IS NULL", ticket, leg);
}

/* Seconds from the clock's start to each instant. */
static long long offset(long long clock, const char *column)
{
	char q[160];
	snprintf(q, sizeof q, "SELECT extract(epoch FROM %s - started_at)::bigint FROM sla_clocks WHERE id = $1", column);
	return db_scalar_of(q, clock, NULL);
}

static long long notices(long long ticket, const char *kind, const char *recipient_kind, long long recipient)
{
	char q[256];
	snprintf(q, sizeof q, "SELECT count(*) FROM outbox WHERE ticket_id = $1 AND kind = $2"
		 " AND recipient_kind = '%s' AND recipient_id = %lld", recipient_kind, recipient);
	return db_scalar_of(q, ticket, kind);
}

static const char *stage(long long clock)
{
	static char buf[32];
	char id[24];
	snprintf(id, sizeof id, "%lld", clock);
	const char *p[] = { id };
	PGresult *res = db_sql("SELECT stage FROM sla_clocks WHERE id = $1", 1, p);
	snprintf(buf, sizeof buf, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return buf;
}

Test(sla, a_short_deadline_escalates_warning_overdue_supervision_once_each)
{
	long long cat = short_category();
	long long t = ticket_in(cat, "时限测试:设备进口许可");
	dispatch_to(t, "区市场监管局");

	/* dispatch started accept (10 min) and resolve (60 min) for the lead org */
	long long accept = clock_of(t, "accept"), resolve = clock_of(t, "resolve");
	cr_assert(accept > 0 && resolve > 0, "dispatch started no clocks");
	cr_assert_eq(offset(accept, "deadline"), 600);
	cr_assert_eq(offset(accept, "warn_at"), 300, "warning at 50%% of 10 minutes");
	cr_assert_eq(offset(accept, "supervise_at"), 900, "supervision 5 minutes after the deadline");
	cr_assert_eq(offset(accept, "due_at"), 300, "the first timer is the warning");
	cr_assert_eq(offset(resolve, "deadline"), 3600);
	cr_assert_eq(db_scalar_of("SELECT allowed_minutes FROM sla_clocks WHERE id = $1", accept, NULL), 10);

	struct server_proc worker;
	const char *env[] = { "SUQIU_WORKER_INTERVAL=1", NULL };
	worker_start(&worker, env);
	long long bureau = org_named("区市场监管局");
	long long leader = user_named("shichang_lead"), supervisor = user_named("duban");

	clock_elapse(accept, 301); /* past the warning */
	await_event(t, "sla_warning");
	cr_assert_str_eq(stage(accept), "warned");
	/* nobody has accepted yet: the warning goes to the org */
	cr_assert_eq(notices(t, "sla_warning", "org", bureau), 1);
	json_t *j = NULL;
	char path[64];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld", t);
	cr_assert_eq(api_call(w.port, &w.s[SHICHANG], "GET", path, NULL, &j), 200);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "sla"), "level")), "warned");
	json_decref(j);

	clock_elapse(accept, 300); /* past the deadline */
	await_event(t, "sla_overdue");
	cr_assert_str_eq(stage(accept), "overdue");
	cr_assert_eq(notices(t, "sla_overdue", "user", leader), 1, "催办 goes to the org's leader");
	cr_assert_eq(api_call(w.port, &w.s[SHICHANG], "GET", path, NULL, &j), 200);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "sla"), "level")), "overdue",
			 "an overdue ticket is flagged red");
	json_decref(j);

	clock_elapse(accept, 300); /* past the supervision delay */
	await_event(t, "sla_supervision");
	cr_assert_str_eq(stage(accept), "supervised");
	cr_assert_eq(notices(t, "sla_supervision", "user", supervisor), 1, "督办 goes to the supervisor");
	cr_assert_eq(notices(t, "sla_supervision", "user", leader), 1, "and to the org's leader");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND due_at IS NULL", accept, NULL), 1,
		     "the last stage leaves no timer");

	/* more sweeps change nothing: each stage happened exactly once, in order */
	for (int i = 0; i < 5; i++) {
		PQclear(db_sql("NOTIFY suqiu_worker", 0, NULL));
		usleep(200000);
	}
	char id[24];
	snprintf(id, sizeof id, "%lld", t);
	PGresult *res = db_sql("SELECT string_agg(action, ',' ORDER BY id) FROM ticket_events WHERE ticket_id = $1"
		  " AND actor_role = 'system'", 1, (const char *[]){ id });
	cr_assert_str_eq(PQgetvalue(res, 0, 0), "sla_warning,sla_overdue,sla_supervision");
	PQclear(res);
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM outbox WHERE ticket_id = $1 AND kind LIKE 'sla_%'", t, NULL), 4);

	/* the resolve clock ran on its own timer and is still quiet */
	cr_assert_str_eq(stage(resolve), "running");
	/* accepting late stops the leg as missed and starts first contact */
	act_ok(&w, SHICHANG, t, "accept", "");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND outcome = 'missed' AND due_at IS NULL"
			    " AND duration_minutes >= 15", accept, NULL), 1);
	long long contact = clock_of(t, "contact");
	cr_assert(contact > 0, "accept started no first-contact clock");
	cr_assert_eq(offset(contact, "deadline"), 600);
	act_ok(&w, SHICHANG, t, "contact", "\"method\": \"电话\"");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND outcome = 'met' AND duration_minutes = 0",
			    contact, NULL), 1, "contacted at once: met in no time");

	/* the worker's heartbeat carries its escalations to /metrics */
	struct http_resp r;
	cr_assert(http_do(w.port, "GET", "/metrics", NULL, NULL, &r));
	const char *needles[] = { "suqiu_sla_timers_due ", "suqiu_sla_timers_oldest_due_seconds ", "suqiu_outbox_pending ",
				  "suqiu_outbox_dead ", "suqiu_escalations_total{kind=\"supervision\"} ",
				  "suqiu_escalations_total{kind=\"overdue\"} ", "suqiu_workers_alive " };
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
		cr_assert_not_null(strstr(r.body, needles[i]), "metrics lack %s:\n%s", needles[i], r.body);
	cr_assert(atoi(strstr(r.body, "\nsuqiu_workers_alive ") + strlen("\nsuqiu_workers_alive ")) >= 1);
	http_resp_free(&r);
	server_stop_clean(&worker);
}

Test(sla, the_rating_window_invites_then_closes_unrated)
{
	long long cat = short_category();
	long long t = ticket_in(cat, "时限测试:评价期限");
	dispatch_to(t, "区市场监管局");
	act_ok(&w, SHICHANG, t, "accept", "");
	act_ok(&w, SHICHANG, t, "resolve", "\"resolution\": \"已办结\"");
	long long feedback = clock_of(t, "feedback");
	cr_assert(feedback > 0, "resolve started no feedback clock");
	cr_assert_eq(offset(feedback, "deadline"), 600);
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE ticket_id = $1 AND leg = 'resolve' AND outcome = 'met'",
			    t, NULL), 1);
	act_ok(&w, ZHUANYUAN, t, "feedback", "");
	long long rating = clock_of(t, "rating");
	cr_assert(rating > 0, "feedback started no rating window");
	cr_assert_eq(offset(rating, "deadline"), 7 * 86400, "7 calendar days");
	cr_assert_eq(offset(rating, "warn_at"), 7 * 86400 / 2);
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND supervise_at IS NULL", rating, NULL), 1);

	struct server_proc worker;
	worker_start(&worker, NULL);
	clock_elapse(rating, 7 * 86400 / 2 + 1);
	await_event(t, "rating_invite");
	cr_assert_eq(notices(t, "rating_invite", "enterprise", enterprise_of(QIYE1)), 1, "邀评 goes to the enterprise");
	cr_assert_str_eq(ticket_state(t), "feedback");
	clock_elapse(rating, 7 * 86400 / 2);
	await_event(t, "close_unrated");
	cr_assert_str_eq(ticket_state(t), "closed");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM tickets WHERE id = $1 AND close_reason = 'unrated'", t, NULL), 1);
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM ratings WHERE ticket_id = $1", t, NULL), 0,
		     "closing unrated is not a rating");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND outcome = 'missed'", rating, NULL), 1);
	/* the enterprise can no longer rate */
	cr_assert_eq(act(&w, QIYE1, t, "rate", "\"score\": 5", NULL), 409);
	server_stop_clean(&worker);
}

static long long epoch_of(long long clock, const char *column)
{
	char q[128];
	snprintf(q, sizeof q, "SELECT extract(epoch FROM %s)::bigint FROM sla_clocks WHERE id = $1", column);
	return db_scalar_of(q, clock, NULL);
}

Test(sla, suspension_and_extension_move_deadlines_by_the_right_working_time)
{
	/* the district default: working days */
	long long t = ticket_new(&w, QIYE1, "时限测试:挂起与延期");
	dispatch_to(t, "区市场监管局");
	act_ok(&w, SHICHANG, t, "accept", "");
	long long resolve = clock_of(t, "resolve"), contact = clock_of(t, "contact");
	struct workcal *cal = db_calendar();
	bool flagged = false;
	/* 5 working days from the dispatch, ending at 17:00 */
	cr_assert_eq(epoch_of(resolve, "deadline"), workcal_add_days(cal, epoch_of(resolve, "started_at"), 5, &flagged));
	long long deadline = epoch_of(resolve, "deadline"), warn = epoch_of(resolve, "warn_at");
	long long contact_deadline = epoch_of(contact, "deadline");

	act_ok(&w, SHICHANG, t, "suspend", "\"question\": \"请补充营业执照副本\"");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE ticket_id = $1 AND outcome IS NULL"
			    " AND (suspended_at IS NULL OR due_at IS NOT NULL)", t, NULL), 0,
		     "suspension stops every running clock");
	/* as if suspended since Monday 2026-11-16 10:00 */
	char id[24];
	snprintf(id, sizeof id, "%lld", t);
	PQclear(db_sql("UPDATE sla_clocks SET suspended_at = '2026-11-16T10:00:00+08:00' WHERE ticket_id = $1::bigint"
		    " AND suspended_at IS NOT NULL", 1, (const char *[]){ id }));
	int64_t before = (int64_t)time(NULL);
	act_ok(&w, QIYE1, t, "supply", "\"answer\": \"已上传营业执照副本\"");
	int64_t after = (int64_t)time(NULL);
	int64_t since;
	cr_assert(timefmt_parse_rfc3339("2026-11-16T10:00:00+08:00", &since));
	long pushed = db_scalar_of("SELECT suspended_minutes FROM sla_clocks WHERE id = $1", resolve, NULL);
	long lo = workcal_minutes_between(cal, since, before, &flagged), hi = workcal_minutes_between(cal, since, after,
												  &flagged);
	cr_assert(pushed >= lo && pushed <= hi, "pushed %ld working minutes, expected %ld..%ld", pushed, lo, hi);
	cr_assert_eq(epoch_of(resolve, "deadline"), workcal_add_minutes(cal, deadline, pushed, &flagged),
		     "the resolve deadline moves by the working time suspended");
	cr_assert_eq(epoch_of(resolve, "warn_at"), workcal_add_minutes(cal, warn, pushed, &flagged));
	cr_assert_eq(epoch_of(contact, "deadline"), workcal_add_minutes(cal, contact_deadline, pushed, &flagged));
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE ticket_id = $1 AND outcome IS NULL"
			    " AND suspended_at IS NULL AND due_at IS NOT NULL", t, NULL), 2, "both clocks run again");

	/* an approved extension of 3 working days moves the resolve deadline to 17:00 three working days later */
	deadline = epoch_of(resolve, "deadline");
	act_ok(&w, SHICHANG, t, "request_extension", "\"days\": 3, \"reason\": \"需现场核查\"");
	act_ok(&w, DUBAN, t, "approve_extension", "");
	long long moved = workcal_add_days(cal, deadline, 3, &flagged);
	cr_assert_eq(epoch_of(resolve, "deadline"), moved);
	cr_assert_eq(db_scalar_of("SELECT extended_minutes FROM sla_clocks WHERE id = $1", resolve, NULL),
		     workcal_minutes_between(cal, deadline, moved, &flagged));
	workcal_free(cal);
}

Test(sla, a_return_stops_the_orgs_clocks_and_redispatch_starts_new_ones)
{
	long long cat = short_category();
	long long t = ticket_in(cat, "时限测试:退回与重新分派");
	dispatch_to(t, "区市场监管局");
	long long first_accept = clock_of(t, "accept"), first_resolve = clock_of(t, "resolve");
	act_ok(&w, SHICHANG, t, "return", "\"code\": \"not_our_function\", \"basis\": \"属人社职能\"");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND outcome = 'met'", first_accept, NULL), 1,
		     "returning answers the accept leg in time");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE id = $1 AND outcome = 'cancelled' AND due_at IS NULL",
			    first_resolve, NULL), 1, "the returning org's resolve clock stops");
	dispatch_to(t, "区人社局");
	long long accept = clock_of(t, "accept");
	cr_assert(accept > 0 && accept != first_accept);
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks k JOIN orgs o ON o.id = k.org_id WHERE k.ticket_id = $1"
			    " AND k.outcome IS NULL AND o.name = '区人社局'", t, NULL), 2, "accept and resolve for the new org");
	act_ok(&w, QIYE1, t, "withdraw", "\"reason\": \"已自行解决\"");
	cr_assert_eq(db_scalar_of("SELECT count(*) FROM sla_clocks WHERE ticket_id = $1 AND outcome IS NULL", t, NULL), 0,
		     "a withdrawal cancels every running clock");
}

/* The sla summary of a ticket (GET /api/v1/tickets/{id}) or of its row in
 * a list (found by its title); new reference. */
static json_t *sla_of(long long ticket, const char *title)
{
	char path[256];
	json_t *j = NULL, *sla;
	if (!title) {
		snprintf(path, sizeof path, "/api/v1/tickets/%lld", ticket);
		cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", path, NULL, &j), 200);
		sla = json_incref(json_object_get(j, "sla"));
	} else {
		snprintf(path, sizeof path, "/api/v1/tickets?q=%s", title);
		cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", path, NULL, &j), 200);
		json_t *items = json_object_get(j, "items");
		cr_assert_eq(json_array_size(items), 1, "one ticket titled %s", title);
		sla = json_incref(json_object_get(json_array_get(items, 0), "sla"));
	}
	json_decref(j);
	cr_assert_not_null(sla);
	return sla;
}

Test(sla, tickets_and_lists_show_the_remaining_working_time_of_the_nearest_deadline)
{
	long long cat = category_coded("RS"); /* the district's default policy: working time */
	char title[48];
	snprintf(title, sizeof title, "slaremaining%d", (int)getpid()); /* unique in the shared test database */
	long long t = ticket_in(cat, title);
	json_t *none = sla_of(t, NULL);
	cr_assert(json_is_null(json_object_get(none, "remaining_minutes")), "no clock runs before the dispatch");
	json_decref(none);
	dispatch_to(t, "区市场监管局");
	struct workcal *cal = db_calendar();
	for (int list = 0; list < 2; list++) {
		json_t *sla = sla_of(t, list ? title : NULL);
		cr_assert_str_eq(json_string_value(json_object_get(sla, "next_leg")), "accept");
		cr_assert_str_eq(json_string_value(json_object_get(sla, "clock")), "working");
		cr_assert_eq(json_integer_value(json_object_get(sla, "day_minutes")), 420, "09:00-12:00 and 13:00-17:00");
		int64_t deadline;
		cr_assert(timefmt_parse_rfc3339(json_string_value(json_object_get(sla, "next_deadline")), &deadline));
		bool flagged = false;
		long expect = workcal_minutes_between(cal, (int64_t)time(NULL), deadline, &flagged);
		long got = (long)json_integer_value(json_object_get(sla, "remaining_minutes"));
		cr_assert(labs(got - expect) <= 1, "remaining %ld working minutes, expected %ld", got, expect);
		json_decref(sla);
	}
	/* past the deadline: negative */
	clock_elapse(clock_of(t, "accept"), 30 * 86400);
	json_t *late = sla_of(t, title);
	cr_assert_lt(json_integer_value(json_object_get(late, "remaining_minutes")), 0);
	json_decref(late);
	workcal_free(cal);

	/* lists filter by the level the worker set (sla_level) */
	char id[24], path[160];
	snprintf(id, sizeof id, "%lld", t);
	const char *p[] = { id };
	PQclear(db_sql("UPDATE sla_clocks SET stage = 'overdue' WHERE ticket_id = $1 AND leg = 'accept' AND outcome IS NULL", 1, p));
	static const struct { const char *level; size_t n; } levels[] = { { "overdue", 1 }, { "warned", 0 }, { "normal", 0 } };
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		json_t *j = NULL;
		snprintf(path, sizeof path, "/api/v1/tickets?q=%s&sla_level=%s", title, levels[i].level);
		cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", path, NULL, &j), 200);
		cr_assert_eq(json_array_size(json_object_get(j, "items")), levels[i].n, "sla_level=%s", levels[i].level);
		json_decref(j);
	}
	json_t *bad = NULL;
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", "/api/v1/tickets?sla_level=red", NULL, &bad), 400);
	json_decref(bad);

	/* a calendar clock counts plain minutes */
	long long fast = ticket_in(short_category(), "时限测试:日历时钟");
	dispatch_to(fast, "区市场监管局");
	json_t *sla = sla_of(fast, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(sla, "clock")), "calendar");
	int64_t deadline;
	cr_assert(timefmt_parse_rfc3339(json_string_value(json_object_get(sla, "next_deadline")), &deadline));
	long got = (long)json_integer_value(json_object_get(sla, "remaining_minutes"));
	long expect = (long)((deadline - (int64_t)time(NULL)) / 60);
	cr_assert(labs(got - expect) <= 1, "remaining %ld minutes, expected %ld", got, expect);
	json_decref(sla);
}
