/*
 * Integration: workers killed mid-batch. 10,000 clocks whose warning,
 * deadline and supervision have all passed (30,000 escalations) are worked
 * by three real suqiu-worker processes; one is SIGKILLed while it works.
 * Afterwards every stage of every clock has exactly one event and one set
 * of notices: a batch dies with its transaction, and another worker takes
 * its clocks again.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tickets_util.h"

TestSuite(crash, .timeout = 400);

#define CLOCKS 10000

static long long scalar(PGconn *db, const char *sql, const char *arg)
{
	const char *p[] = { arg };
	return db_scalar(db, sql, arg ? 1 : 0, p);
}

/* CLOCKS tickets in progress numbered MH-CRASH<tag>-n, each with a resolve
 * clock whose every stage is due. */
static void prepare(PGconn *db, const char *tag)
{
	const char *p[] = { tag };
	PGresult *res = PQexecParams(db,
		"WITH t AS (INSERT INTO tickets (number, enterprise_id, channel, category_id, urgency, title, description,"
		"     state, version, created_by)"
		"   SELECT 'MH-CRASH' || $1 || '-' || g, (SELECT min(id) FROM enterprises), 'visit',"
		"     (SELECT id FROM categories WHERE code = 'RS01'), 'normal', '崩溃测试', '崩溃测试准备的办理中工单',"
		"     'in_progress', 3, (SELECT id FROM users WHERE username = 'zhuanyuan')"
		"   FROM generate_series(1, 10000) g RETURNING id),"
		" a AS (INSERT INTO assignments (ticket_id, org_id, org_path, lead, state, dispatched_by)"
		"   SELECT t.id, o.id, o.path, true, 'accepted', (SELECT id FROM users WHERE username = 'zhuanyuan')"
		"   FROM t, orgs o WHERE o.name = '区市场监管局' RETURNING id, ticket_id, org_id)"
		" INSERT INTO sla_clocks (ticket_id, assignment_id, org_id, leg, clock, started_at, allowed_minutes, warn_at,"
		"     deadline, supervise_at, due_at)"
		" SELECT a.ticket_id, a.id, a.org_id, 'resolve', 'working', now() - interval '10 days', 2100,"
		"   now() - interval '3 days', now() - interval '2 days', now() - interval '1 day', now() - interval '3 days'"
		" FROM a", 1, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
}

static const char SQL_MINE[] = "SELECT k.id FROM sla_clocks k JOIN tickets t ON t.id = k.ticket_id"
			       " WHERE t.number LIKE 'MH-CRASH' || $1 || '-%'";

Test(crash, a_worker_killed_mid_batch_loses_and_repeats_nothing)
{
	PGconn *db = test_db();
	char tag[16];
	snprintf(tag, sizeof tag, "%d", (int)getpid());
	prepare(db, tag);
	char events_sql[512], done_sql[512];
	snprintf(events_sql, sizeof events_sql, "SELECT count(*) FROM ticket_events e WHERE (e.payload->>'clock_id')::bigint"
		 " IN (%s)", SQL_MINE);
	snprintf(done_sql, sizeof done_sql, "SELECT count(*) FROM sla_clocks WHERE id IN (%s) AND stage = 'supervised'"
		 " AND due_at IS NULL", SQL_MINE);

	struct server_proc workers[3];
	const char *env[] = { "SUQIU_WORKER_BATCH=200", "SUQIU_WORKER_INTERVAL=1", NULL };
	for (int i = 0; i < 3; i++)
		worker_start(&workers[i], env);
	/* kill one while the work is in full swing: its current batch dies with it */
	for (int i = 0; i < 600 && scalar(db, events_sql, tag) < 3 * CLOCKS / 4; i++)
		usleep(20000);
	long long before = scalar(db, events_sql, tag);
	cr_assert(before > 0 && before < 3 * CLOCKS, "the workers did not get going (%lld events)", before);
	cr_assert_eq(server_stop(&workers[0], SIGKILL, 5), 128 + SIGKILL);

	for (int i = 0; i < 1200 && scalar(db, done_sql, tag) < CLOCKS; i++)
		usleep(100000);
	cr_assert_eq(scalar(db, done_sql, tag), CLOCKS, "not every clock reached supervision");
	server_stop_clean(&workers[1]);
	server_stop_clean(&workers[2]);

	/* every stage of every clock: one event, and its notices once */
	cr_assert_eq(scalar(db, events_sql, tag), 3 * CLOCKS);
	char q[1024];
	snprintf(q, sizeof q, "SELECT count(*) FROM (SELECT e.payload->>'clock_id', e.action FROM ticket_events e"
		 " WHERE (e.payload->>'clock_id')::bigint IN (%s) GROUP BY 1, 2 HAVING count(*) <> 1) x", SQL_MINE);
	cr_assert_eq(scalar(db, q, tag), 0, "a stage happened more than once");
	snprintf(q, sizeof q, "SELECT count(DISTINCT e.payload->>'clock_id') FROM ticket_events e"
		 " WHERE e.action = 'sla_supervision' AND (e.payload->>'clock_id')::bigint IN (%s)", SQL_MINE);
	cr_assert_eq(scalar(db, q, tag), CLOCKS);
	/* each event queued its notices: the warnings went to the org (no handler yet), once each */
	snprintf(q, sizeof q, "SELECT count(*) FROM ticket_events e WHERE (e.payload->>'clock_id')::bigint IN (%s)"
		 " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id)", SQL_MINE);
	cr_assert_eq(scalar(db, q, tag), 0, "an escalation lost its notices");
	snprintf(q, sizeof q, "SELECT count(*) FROM outbox o JOIN ticket_events e ON e.id = o.event_id"
		 " WHERE e.action = 'sla_warning' AND o.recipient_kind = 'org' AND (e.payload->>'clock_id')::bigint IN (%s)",
		 SQL_MINE);
	cr_assert_eq(scalar(db, q, tag), CLOCKS);
	PQfinish(db);
}
