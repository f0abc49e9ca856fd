/*
 * Integration: workers killed mid-batch, and the notices of their
 * escalations delivered end to end.
 *
 * 10,000 clocks whose warning, deadline and supervision have all passed
 * (30,000 escalations) are worked by three real suqiu-worker processes that
 * POST the escalations' notices to a webhook receiver (webhook_receiver.c)
 * on 127.0.0.1; one worker is SIGKILLed while it works. Afterwards every
 * stage of every clock has exactly one event and one set of notices (a
 * batch dies with its transaction, and another worker takes its clocks
 * again), and every notice was delivered: received at least once with a
 * valid signature, a repeat with the same key, no key for two messages.
 * Smaller runs show the rest of delivery with escalations' notices: a
 * receiver that fails the first two tries of each message, one that always
 * fails (dead letters, none lost, brought back by the admin API), and a
 * worker killed with its POSTs in flight (sent again, same key, once the
 * lease has run out). Last, a worker facing a due clock that another
 * transaction holds waits for it instead of spinning.
 *
 * Every worker here escalates whatever timer is due in the database and
 * delivers every escalation notice (the escalation webhook), so the tests
 * of this suite run one at a time (meson passes --jobs 1), and each one
 * asserts about its own tickets only (numbered MH-CRASH<tag>-n). Other
 * suites' workers have no escalation webhook and leave those notices be.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "delivery_util.h"
#include "tickets_util.h"

TestSuite(crash, .timeout = 400);

#define CLOCKS 10000

/* An assertion for loops over thousands of items: quiet while it holds. */
#define must(cond, ...) do { if (!(cond)) cr_assert_fail(__VA_ARGS__); } while (0)

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long scalar(PGconn *db, const char *sql, const char *arg)
{
	const char *p[] = { arg };
	return db_scalar(db, sql, arg ? 1 : 0, p);
}

/* n tickets in progress numbered MH-CRASH<tag>-1..n, each with a resolve
 * clock whose every stage is due; tag is unique to the test. Their ids go
 * to the temporary table my_tickets of db's session, through which every
 * query of the test finds its rows: with statistics of its own, it keeps
 * the planner from a nested loop over thousands of rows that it takes for
 * a few (the tables grow faster than autovacuum analyses them). */
static void prepare(PGconn *db, const char *tag, int n)
{
	char count[16];
	snprintf(count, sizeof count, "%d", n);
	const char *p[] = { tag, count };
	PGresult *res = PQexecParams(db,
		"WITH t AS (INSERT INTO tickets (number, enterprise_id, channel, category_id, urgency, title, description,"
		"     state, version, created_by)"
		"   SELECT 'MH-CRASH' || $1 || '-' || g, (SELECT min(id) FROM enterprises), 'visit',"
		"     (SELECT id FROM categories WHERE code = 'RS01'), 'normal', '崩溃测试', '崩溃测试准备的办理中工单',"
		"     'in_progress', 3, (SELECT id FROM users WHERE username = 'zhuanyuan')"
		"   FROM generate_series(1, $2::int) g RETURNING id),"
		" a AS (INSERT INTO assignments (ticket_id, org_id, org_path, lead, state, dispatched_by)"
		"   SELECT t.id, o.id, o.path, true, 'accepted', (SELECT id FROM users WHERE username = 'zhuanyuan')"
		"   FROM t, orgs o WHERE o.name = '区市场监管局' RETURNING id, ticket_id, org_id)"
		" INSERT INTO sla_clocks (ticket_id, assignment_id, org_id, leg, clock, started_at, allowed_minutes, warn_at,"
		"     deadline, supervise_at, due_at)"
		" SELECT a.ticket_id, a.id, a.org_id, 'resolve', 'working', now() - interval '10 days', 2100,"
		"   now() - interval '3 days', now() - interval '2 days', now() - interval '1 day', now() - interval '3 days'"
		" FROM a", 2, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	res = PQexecParams(db, "CREATE TEMPORARY TABLE my_tickets AS SELECT id FROM tickets"
			   " WHERE number LIKE 'MH-CRASH' || $1 || '-%'", 1, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	res = PQexec(db, "ALTER TABLE my_tickets ADD PRIMARY KEY (id); ANALYZE my_tickets");
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
}

/* The test's tag: its process id (Criterion forks each test). */
static const char *tag(void)
{
	static char t[16];
	if (!t[0])
		snprintf(t, sizeof t, "%d", (int)getpid());
	return t;
}

/* The test's clocks, and its notices, as subqueries (see prepare). */
#define SQL_MINE "SELECT k.id FROM sla_clocks k WHERE k.ticket_id IN (SELECT id FROM my_tickets)"
#define SQL_MY_OUTBOX "SELECT o.id FROM outbox o WHERE o.ticket_id IN (SELECT id FROM my_tickets)"

static const char SQL_EVENTS[] = "SELECT count(*) FROM ticket_events e WHERE (e.payload->>'clock_id')::bigint IN ("
				 SQL_MINE ")";
static const char SQL_SUPERVISED[] = "SELECT count(*) FROM sla_clocks WHERE id IN (" SQL_MINE ")"
				     " AND stage = 'supervised' AND due_at IS NULL";
static const char SQL_NOTICES[] = "SELECT count(*) FROM outbox WHERE id IN (" SQL_MY_OUTBOX ")";
static const char SQL_DELIVERED[] = "SELECT count(*) FROM outbox WHERE id IN (" SQL_MY_OUTBOX ")"
				    " AND state = 'delivered' AND delivered_at IS NOT NULL AND leased_by IS NULL";
static const char SQL_DEAD[] = "SELECT count(*) FROM outbox WHERE id IN (" SQL_MY_OUTBOX ")"
			       " AND state = 'dead' AND dead_at IS NOT NULL AND leased_by IS NULL";

/* What the tests poll (cheap: what they wait for shrinks): the test's
 * clocks with a timer, its pending notices. */
static const char SQL_TIMED[] = "SELECT count(*) FROM sla_clocks WHERE due_at IS NOT NULL"
				" AND ticket_id IN (SELECT id FROM my_tickets)";
static const char SQL_PENDING[] = "SELECT count(*) FROM outbox WHERE state = 'pending'"
				  " AND ticket_id IN (SELECT id FROM my_tickets)";

static long mine(PGconn *db, const char *sql)
{
	return (long)scalar(db, sql, NULL);
}

static long wait_mine(PGconn *db, const char *sql, long want, int timeout_ms)
{
	return wait_scalar(db, sql, 0, NULL, want, timeout_ms);
}

/* Starts n workers that escalate and POST escalation notices to rx, with
 * the settings of extra ("NAME=value", NULL-terminated, may be NULL). */
static void start_workers(struct server_proc *w, int n, const struct receiver *rx, const char *const *extra)
{
	static char url[160];
	snprintf(url, sizeof url, "SUQIU_WEBHOOK_ESCALATION_URL=%s", receiver_url(rx, "/escalation"));
	const char *env[16] = { url, "SUQIU_WEBHOOK_SECRET=" TEST_WEBHOOK_SECRET, "SUQIU_WORKER_INTERVAL=1" };
	for (int i = 0, k = 3; extra && extra[i] && k < 15; i++)
		env[k++] = extra[i];
	for (int i = 0; i < n; i++)
		worker_start(&w[i], env);
}

/* Waits until every one of the test's n clocks is past its last stage. */
static void await_supervised(PGconn *db, int n, const struct server_proc *w)
{
	long timed = wait_mine(db, SQL_TIMED, 0, 120000);
	cr_assert_eq(timed, 0, "%ld of %d clocks still have a timer; worker log %s", timed, n, w->log_path);
	cr_assert_eq(mine(db, SQL_SUPERVISED), n, "not every clock reached supervision");
}

/* Every stage of every one of the test's n clocks happened once, and
 * queued its notices once. */
static void check_escalated_once(PGconn *db, int n)
{
	cr_assert_eq(mine(db, SQL_EVENTS), 3 * n);
	cr_assert_eq(mine(db, "SELECT count(*) FROM (SELECT e.payload->>'clock_id', e.action FROM ticket_events e"
			      " WHERE (e.payload->>'clock_id')::bigint IN (" SQL_MINE ") GROUP BY 1, 2"
			      " HAVING count(*) <> 1) x"), 0, "a stage happened more than once");
	cr_assert_eq(mine(db, "SELECT count(DISTINCT e.payload->>'clock_id') FROM ticket_events e"
			      " WHERE e.action = 'sla_supervision' AND (e.payload->>'clock_id')::bigint IN (" SQL_MINE ")"), n);
	cr_assert_eq(mine(db, "SELECT count(*) FROM ticket_events e WHERE (e.payload->>'clock_id')::bigint IN ("
			      SQL_MINE ") AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id)"), 0,
		     "an escalation lost its notices");
	/* the warnings went to the org (no handler yet), once each */
	cr_assert_eq(mine(db, "SELECT count(*) FROM outbox o JOIN ticket_events e ON e.id = o.event_id"
			      " WHERE e.action = 'sla_warning' AND o.recipient_kind = 'org'"
			      " AND (e.payload->>'clock_id')::bigint IN (" SQL_MINE ")"), n);
}

/* Waits until every one of the test's notices is counted by sql (one of
 * SQL_DELIVERED, SQL_DEAD), then stops the n workers at w, which must exit
 * cleanly, and rx. Returns how many notices the test has. */
static long settle(PGconn *db, const char *sql, struct server_proc *w, int n, struct receiver *rx)
{
	long notices = mine(db, SQL_NOTICES);
	long pending = wait_mine(db, SQL_PENDING, 0, 90000);
	cr_assert_eq(pending, 0, "%ld of %ld notices still pending; worker log %s", pending, notices, w[0].log_path);
	cr_assert_eq(mine(db, sql), notices, "not every notice settled as %s", sql);
	for (int i = 0; i < n; i++)
		server_stop_clean(&w[i]);
	cr_assert_eq(receiver_stop(rx), 0, "the receiver did not exit cleanly: see %s", rx->out_path);
	return notices;
}

/* One of the test's notices as the database has it now. */
struct notice {
	long long id;
	char key[128];
	int attempts;
	bool delivered;
	/* from the receiver's log */
	int posts;        /* POSTs of it */
	int last_attempt; /* X-Suqiu-Attempt of the last one */
	int last_status;  /* the receiver's answer to the last one */
	long long first_ms, last_ms; /* when the first and the last came */
};

static size_t load_notices(PGconn *db, struct notice **out)
{
	PGresult *res = PQexec(db, "SELECT id, idempotency_key, attempts, state = 'delivered' FROM outbox"
			       " WHERE id IN (" SQL_MY_OUTBOX ") ORDER BY id");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	size_t n = (size_t)PQntuples(res);
	struct notice *ns = calloc(n ? n : 1, sizeof *ns);
	for (size_t i = 0; i < n; i++) {
		ns[i].id = atoll(PQgetvalue(res, (int)i, 0));
		snprintf(ns[i].key, sizeof ns[i].key, "%s", PQgetvalue(res, (int)i, 1));
		ns[i].attempts = atoi(PQgetvalue(res, (int)i, 2));
		ns[i].delivered = PQgetvalue(res, (int)i, 3)[0] == 't';
	}
	PQclear(res);
	*out = ns;
	return n;
}

static int by_id(const void *a, const void *b)
{
	long long x = ((const struct notice *)a)->id, y = ((const struct notice *)b)->id;
	return (x > y) - (x < y);
}

static int post_by_key(const void *a, const void *b)
{
	const struct rx_post *x = *(const struct rx_post *const *)a, *y = *(const struct rx_post *const *)b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* No key names two messages anywhere in the receiver's log, whoever's
 * they are. */
static void check_one_message_per_key(const struct rx_post *posts, size_t n)
{
	const struct rx_post **sorted = calloc(n ? n : 1, sizeof *sorted);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &posts[i];
	qsort(sorted, n, sizeof *sorted, post_by_key);
	for (size_t i = 1; i < n; i++)
		must(strcmp(sorted[i]->key, sorted[i - 1]->key) != 0 || sorted[i]->id == sorted[i - 1]->id,
		     "key %s came with messages %lld and %lld", sorted[i]->key, sorted[i - 1]->id, sorted[i]->id);
	free(sorted);
}

/*
 * Reads the receiver's log against the test's notices (*out, as
 * load_notices; the caller frees it). Every POST of one of them verified,
 * carried its key, and came with a higher attempt number than the one
 * before; each was POSTed min_posts to max_posts times, the first
 * fail_first answered 500; the last POST of a delivered one was answered
 * 200 and is the attempt the database counts, and a dead one was never
 * answered 200. No key names two messages. Returns how many notices.
 */
static size_t check_received(PGconn *db, const struct receiver *rx, int fail_first, int min_posts, int max_posts,
			     struct notice **out)
{
	struct notice *ns;
	size_t n = load_notices(db, &ns);
	cr_assert(n > 0, "the test made no notices");
	struct rx_post *posts;
	size_t np = receiver_posts(rx, &posts);
	check_one_message_per_key(posts, np);
	for (size_t i = 0; i < np; i++) {
		const struct rx_post *p = &posts[i];
		struct notice *x = bsearch(&(struct notice){ .id = p->id }, ns, n, sizeof *ns, by_id);
		if (!x)
			continue; /* another test's, or another suite's */
		must(p->sig_ok, "message %lld, attempt %d: the signature did not verify", p->id, p->attempt);
		must(strcmp(p->key, x->key) == 0, "message %lld came with key %s, not %s", p->id, p->key, x->key);
		must(p->attempt > x->last_attempt, "message %lld: attempt %d after attempt %d", p->id, p->attempt,
		     x->last_attempt);
		must(x->posts >= fail_first || p->status == 500, "message %lld: try %d answered %d", p->id, x->posts + 1,
		     p->status);
		if (x->posts == 0)
			x->first_ms = p->ms;
		x->last_ms = p->ms;
		x->posts++;
		x->last_attempt = p->attempt;
		x->last_status = p->status;
	}
	rx_posts_free(posts, np);
	size_t mine_posts = 0, repeated = 0;
	for (size_t i = 0; i < n; i++) {
		mine_posts += (size_t)ns[i].posts;
		repeated += ns[i].posts > 1;
	}
	fprintf(stderr, "crash: %zu notices, %zu POSTs of them, %zu POSTed more than once\n", n, mine_posts, repeated);
	for (size_t i = 0; i < n; i++) {
		const struct notice *x = &ns[i];
		must(x->posts >= min_posts && x->posts <= max_posts, "message %lld (%s) was POSTed %d times", x->id, x->key,
		     x->posts);
		if (!x->posts)
			continue;
		if (x->delivered) {
			must(x->last_status == 200, "message %lld is delivered, but its last POST got %d", x->id,
			     x->last_status);
			must(x->last_attempt == x->attempts, "message %lld: attempt %d delivered it, %d counted", x->id,
			     x->last_attempt, x->attempts);
		} else {
			must(x->last_status != 200, "message %lld got 200 and is not delivered", x->id);
		}
	}
	if (out)
		*out = ns;
	else
		free(ns);
	return n;
}

Test(crash, a_worker_killed_mid_batch_loses_and_repeats_nothing_and_every_notice_is_delivered)
{
	PGconn *db = test_db();
	prepare(db, tag(), CLOCKS);
	double t0 = seconds();
	struct receiver rx;
	receiver_start(&rx, NULL);
	/* big batches, for speed; a worker killed while delivering leaves a lease of 5 rounds x 1.5 s + 2 s */
	struct server_proc workers[3];
	start_workers(workers, 3, &rx, (const char *const[]){ "SUQIU_WORKER_BATCH=200", "SUQIU_OUTBOX_BATCH=200",
		"SUQIU_WEBHOOK_PARALLEL=40", "SUQIU_WEBHOOK_TIMEOUT_MS=1500", NULL });
	/* kill one while the work is in full swing: its current batch dies with it. The oldest
	 * timers go first, so the due ones start to go when all warnings and deadlines have
	 * passed: at a quarter of the supervisions, three quarters of the work is done */
	for (int i = 0; i < 600 && scalar(db, "SELECT count(*) FROM sla_clocks WHERE due_at <= now()", NULL) >
				   3 * CLOCKS / 4; i++)
		usleep(20000);
	long before = mine(db, SQL_EVENTS);
	cr_assert(before > 0 && before < 3 * CLOCKS, "the workers did not get going, or went too fast (%ld events)",
		  before);
	cr_assert_eq(server_stop(&workers[0], SIGKILL, 5), 128 + SIGKILL);

	await_supervised(db, CLOCKS, &workers[1]);
	double escalated = seconds() - t0;
	check_escalated_once(db, CLOCKS);
	pid_t pids[2] = { workers[1].pid, workers[2].pid };
	long notices = settle(db, SQL_DELIVERED, &workers[1], 2, &rx);
	fprintf(stderr, "crash: %d escalations in %.1f s, their %ld notices delivered in %.1f s\n", 3 * CLOCKS,
		escalated, notices, seconds() - t0);

	/* each at least once, signed, with its key; a repeat (of a batch the
	 * killed worker had in flight) with the same key */
	check_received(db, &rx, 0, 1, 100, NULL);
	/* the survivors' heartbeats count their deliveries */
	for (int i = 0; i < 2; i++) {
		long hb_delivered, hb_failed;
		cr_assert(worker_delivery_totals(db, pids[i], &hb_delivered, &hb_failed), "worker %d: no heartbeat", i + 1);
		cr_expect_gt(hb_delivered, 0, "worker %d delivered nothing, says its heartbeat", i + 1);
	}
	PQfinish(db);
}

#define SMALL 100

/* A smaller run: SMALL clocks, rx started with the arguments rx_args, two
 * workers at w with the settings env; returns once every clock has been
 * escalated (their notices may still be on their way). */
static PGconn *small_run(struct receiver *rx, const char *const *rx_args, struct server_proc w[2],
			 const char *const *env)
{
	PGconn *db = test_db();
	prepare(db, tag(), SMALL);
	receiver_start(rx, rx_args);
	start_workers(w, 2, rx, env);
	await_supervised(db, SMALL, &w[0]);
	check_escalated_once(db, SMALL);
	return db;
}

Test(crash, a_receiver_failing_the_first_two_tries_still_gets_every_notice)
{
	struct receiver rx;
	struct server_proc workers[2];
	PGconn *db = small_run(&rx, (const char *const[]){ "--mode", "fail-first=2", NULL }, workers,
			       (const char *const[]){ "SUQIU_OUTBOX_BACKOFF_MS=50", NULL });
	long notices = settle(db, SQL_DELIVERED, workers, 2, &rx);
	/* two 500s, then 200, for each: the third attempt or a later one delivered it */
	cr_assert_eq(check_received(db, &rx, 2, 3, 100, NULL), (size_t)notices);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE id IN (" SQL_MY_OUTBOX ") AND attempts >= 3"
			      " AND last_error = 'HTTP 500'"), notices);
	PQfinish(db);
}

/* The admin's bulk retry of dead messages with filter body; returns how many it retried. */
static long admin_retry(int port, const struct session *admin, const char *body)
{
	json_t *r = NULL;
	cr_assert_eq(api_call(port, admin, "POST", "/api/v1/admin/outbox/retry", body, &r), 200, "retry %s", body);
	long n = (long)json_integer_value(json_object_get(r, "retried"));
	json_decref(r);
	return n;
}

Test(crash, an_always_failing_receiver_leaves_every_notice_dead_and_none_lost)
{
	struct receiver rx;
	struct server_proc workers[2];
	PGconn *db = small_run(&rx, (const char *const[]){ "--mode", "fail", NULL }, workers,
			       (const char *const[]){ "SUQIU_OUTBOX_BACKOFF_MS=20", "SUQIU_OUTBOX_MAX_ATTEMPTS=3", NULL });
	long notices = settle(db, SQL_DEAD, workers, 2, &rx);
	/* three tries each, every one refused, then nothing more */
	cr_assert_eq(check_received(db, &rx, 3, 3, 3, NULL), (size_t)notices);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE id IN (" SQL_MY_OUTBOX ") AND attempts = 3"
			      " AND last_error = 'HTTP 500' AND delivered_at IS NULL"), notices);

	/* an admin retries the escalations' dead letters (every kind of them): pending again, due now */
	struct server_proc srv;
	server_start(&srv, NULL);
	struct session admin;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &admin), 200);
	long retried = admin_retry(srv.port, &admin, "{\"kind\":\"sla_warning\"}") +
		       admin_retry(srv.port, &admin, "{\"kind\":\"sla_overdue\"}") +
		       admin_retry(srv.port, &admin, "{\"kind\":\"sla_supervision\"}");
	cr_assert_geq(retried, notices);
	cr_assert_eq(mine(db, "SELECT count(*) FROM outbox WHERE id IN (" SQL_MY_OUTBOX ") AND state = 'pending'"
			      " AND attempts = 0 AND dead_at IS NULL AND leased_by IS NULL"), notices);

	/* the gateway works again: every one is delivered, on its first attempt since the retry */
	struct receiver healthy;
	receiver_start(&healthy, NULL);
	start_workers(workers, 1, &healthy, NULL);
	cr_assert_eq(settle(db, SQL_DELIVERED, workers, 1, &healthy), notices, "none lost, none added");
	cr_assert_eq(check_received(db, &healthy, 0, 1, 1, NULL), (size_t)notices);
	server_stop_clean(&srv);
	PQfinish(db);
}

#define FEW 40

Test(crash, a_worker_killed_with_its_posts_in_flight_has_them_sent_again_with_the_same_keys)
{
	PGconn *db = test_db();
	prepare(db, tag(), FEW);
	/* the receiver takes 1.5 s to answer: the worker dies with a batch in flight */
	struct receiver rx;
	receiver_start(&rx, (const char *const[]){ "--delay-ms", "1500", NULL });
	/* a batch of 50 in one round: the lease is 4 s + 2 s (a timeout of 4 s: ample for the
	 * receiver's 1.5 s, even on a busy machine) */
	const char *const env[] = { "SUQIU_OUTBOX_BATCH=50", "SUQIU_WEBHOOK_PARALLEL=50", "SUQIU_WEBHOOK_TIMEOUT_MS=4000",
				    NULL };
	struct server_proc a, b;
	start_workers(&a, 1, &rx, env);
	struct rx_post *posts = NULL;
	size_t n = 0;
	for (int i = 0; i < 400 && n == 0; i++) {
		usleep(25000);
		n = receiver_posts(&rx, &posts);
	}
	rx_posts_free(posts, n);
	cr_assert(n > 0, "the receiver got nothing; worker log %s", a.log_path);
	cr_assert_eq(server_stop(&a, SIGKILL, 5), 128 + SIGKILL);
	/* what it had leased (its attempt counted), and until when */
	PGresult *res = PQexec(db, "SELECT id, (extract(epoch FROM next_attempt_at) * 1000)::bigint FROM outbox"
			       " WHERE id IN (" SQL_MY_OUTBOX ") AND state = 'pending' AND leased_by IS NOT NULL"
			       " AND attempts = 1 ORDER BY id");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	int leased = PQntuples(res);
	cr_assert_gt(leased, 0, "the killed worker held no lease");

	start_workers(&b, 1, &rx, env);
	await_supervised(db, FEW, &b);
	settle(db, SQL_DELIVERED, &b, 1, &rx);
	check_escalated_once(db, FEW);
	struct notice *ns;
	size_t nn = check_received(db, &rx, 0, 1, 2, &ns);
	/* each message the dead worker held went again once its lease had run out: with the same key (checked
	 * above), as attempt 2; most had reached the receiver as attempt 1 */
	int reached = 0;
	for (int i = 0; i < leased; i++) {
		long long id = atoll(PQgetvalue(res, i, 0)), until = atoll(PQgetvalue(res, i, 1));
		struct notice *x = bsearch(&(struct notice){ .id = id }, ns, nn, sizeof *ns, by_id);
		cr_assert_not_null(x);
		cr_assert_eq(x->attempts, 2, "message %lld: %d attempts", id, x->attempts);
		cr_assert_eq(x->last_attempt, 2);
		cr_assert_geq(x->last_ms, until, "message %lld sent again %lld ms before its lease ran out", id,
			      until - x->last_ms);
		if (x->posts == 2) {
			reached++;
			cr_assert_geq(x->last_ms - x->first_ms, 5500, "message %lld sent again after %lld ms", id,
				      x->last_ms - x->first_ms);
		}
	}
	PQclear(res);
	cr_assert_gt(reached, 0, "none of the %d leased messages had reached the receiver", leased);
	/* and the others went once */
	long once = 0;
	for (size_t i = 0; i < nn; i++)
		once += ns[i].posts == 1 && ns[i].attempts == 1;
	cr_assert_eq(once + leased, (long)nn, "%zu notices: %ld sent once, %d interrupted", nn, once, leased);
	free(ns);
	PQfinish(db);
}

/* CPU seconds pid has used so far (user and system), from /proc. */
static double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	read_file(path, buf, sizeof buf);
	const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	cr_assert_not_null(p, "cannot read %s", path);
	unsigned long utime = 0, stime = 0;
	/* after the name: state, then fields 4 to 13, then utime and stime */
	cr_assert_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime), 2);
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

Test(crash, a_due_timer_held_by_another_transaction_does_not_make_a_worker_spin)
{
	PGconn *db = test_db();
	/* the clock is made not due, so that no worker (other suites run theirs) takes it before it is held */
	PQclear(PQexec(db, "BEGIN"));
	prepare(db, tag(), 1);
	PQclear(PQexec(db, "UPDATE sla_clocks SET due_at = 'infinity' WHERE ticket_id IN (SELECT id FROM my_tickets)"));
	PGresult *res = PQexec(db, "COMMIT");
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	/* an action on the ticket (or a stuck session) holds its row: the worker skips the clock */
	PGconn *holder = test_db();
	const char *p[] = { tag() };
	res = PQexec(holder, "BEGIN");
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	res = PQexecParams(holder, "SELECT id FROM tickets WHERE number LIKE 'MH-CRASH' || $1 || '-%' FOR UPDATE", 1, NULL,
			   p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	/* held now: due as prepare made it */
	res = PQexec(db, "UPDATE sla_clocks SET due_at = now() - interval '3 days'"
			 " WHERE ticket_id IN (SELECT id FROM my_tickets)");
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	struct receiver rx;
	receiver_start(&rx, NULL);
	struct server_proc w;
	start_workers(&w, 1, &rx, NULL);
	usleep(500000);
	/* what else wakes it meanwhile: other suites' actions and escalations */
	PQclear(PQexec(db, "LISTEN suqiu_events; LISTEN suqiu_worker"));
	double cpu0 = cpu_seconds(w.pid);
	sleep(3);
	double used = cpu_seconds(w.pid) - cpu0;
	int wakeups = 0;
	PQconsumeInput(db);
	for (PGnotify *note; (note = PQnotifies(db)); PQfreemem(note))
		wakeups++;
	PQclear(PQexec(db, "UNLISTEN *"));
	cr_assert_eq(mine(db, SQL_EVENTS), 0, "the worker escalated a clock whose ticket was held");
	/* it waits for the holder (every action's commit wakes it) rather than claiming nothing again and again:
	 * spinning, it used 0.3 s of CPU in those 3 s; waiting, next to nothing but what its wake-ups cost */
	cr_assert_lt(used, 0.1 + 0.01 * wakeups, "the worker used %.2f s of CPU in 3 s waiting for a held clock"
		     " (woken %d times)", used, wakeups);
	res = PQexec(holder, "COMMIT");
	PQclear(res);
	PQfinish(holder);
	/* once it is free, the clock goes its way */
	long done = wait_mine(db, SQL_SUPERVISED, 1, 10000);
	cr_assert_eq(done, 1, "the clock was not escalated once free; worker log %s", w.log_path);
	settle(db, SQL_DELIVERED, &w, 1, &rx);
	check_escalated_once(db, 1);
	PQfinish(db);
}
