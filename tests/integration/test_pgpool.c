/* Integration: the non-blocking pipelined pool itself, driven on its own
 * event loop against the test database. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "server/pgpool.h"

static struct event_base *base;
static struct pgpool *pool;
static int pending;

static void setup(void)
{
	base = event_base_new();
	struct pgpool_options opt = {
		.conninfo = getenv("SUQIU_TEST_DATABASE_URL"),
		.application_name = "suqiu-test",
		.size = 2,
		.queue_max = 1000,
		.queue_timeout_ms = 5000,
		.statement_timeout_ms = 5000,
	};
	cr_assert_not_null(opt.conninfo, "run through ./tests/run");
	pool = pgpool_create(base, &opt);
}

static void teardown(void)
{
	pgpool_destroy(pool);
	event_base_free(base);
}

TestSuite(pgpool, .init = setup, .fini = teardown, .timeout = 60);

static void on_time_up(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

/* Runs the loop until every expected callback has come (20 s at most). */
static void run_until_done(void)
{
	bool time_up = false;
	struct event *timer = evtimer_new(base, on_time_up, &time_up);
	struct timeval limit = { 20, 0 };
	evtimer_add(timer, &limit);
	while (pending > 0 && !time_up)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(timer);
	cr_assert_eq(pending, 0, "%d callbacks missing", pending);
}

struct answer {
	enum pgpool_status st;
	char value[64];
	char sqlstate[8];
	bool called;
};

static void on_answer(enum pgpool_status st, PGresult *res, void *arg)
{
	struct answer *a = arg;
	cr_assert(!a->called, "a callback came twice");
	a->called = true;
	a->st = st;
	if (st == PGPOOL_OK && PQntuples(res) > 0)
		snprintf(a->value, sizeof a->value, "%s", PQgetvalue(res, 0, 0));
	if (st == PGPOOL_QUERY_ERROR)
		snprintf(a->sqlstate, sizeof a->sqlstate, "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
	pending--;
}

static struct pgstmt STMT_ECHO = PGSTMT_READ("echo", "SELECT $1::int * 2");
static struct pgstmt STMT_DIV = PGSTMT_READ("div", "SELECT 100 / $1::int");
static struct pgstmt STMT_BROKEN = PGSTMT_READ("broken", "SELECT * FROM no_such_table_here");

Test(pgpool, many_pipelined_queries_each_get_their_own_answer)
{
	enum { N = 300 };
	static struct answer a[N];
	for (int i = 0; i < N; i++) {
		char v[16];
		snprintf(v, sizeof v, "%d", i);
		const char *p[] = { v };
		cr_assert(pgpool_query(pool, &STMT_ECHO, 1, p, on_answer, &a[i]));
		pending++;
	}
	run_until_done();
	for (int i = 0; i < N; i++) {
		cr_assert_eq(a[i].st, PGPOOL_OK, "query %d", i);
		cr_assert_eq(atoi(a[i].value), 2 * i, "query %d answered %s", i, a[i].value);
	}
}

Test(pgpool, an_error_inside_a_batch_fails_only_its_own_statement)
{
	/* one turn of the loop: these share batches; the division by zero must
	 * not take its neighbours down with it */
	enum { N = 40 };
	static struct answer a[N];
	for (int i = 0; i < N; i++) {
		char v[16];
		snprintf(v, sizeof v, "%d", i % 10); /* 0 every tenth */
		const char *p[] = { v };
		cr_assert(pgpool_query(pool, &STMT_DIV, 1, p, on_answer, &a[i]));
		pending++;
	}
	run_until_done();
	for (int i = 0; i < N; i++) {
		if (i % 10 == 0) {
			cr_assert_eq(a[i].st, PGPOOL_QUERY_ERROR, "query %d", i);
			cr_assert_str_eq(a[i].sqlstate, "22012");
		} else {
			cr_assert_eq(a[i].st, PGPOOL_OK, "query %d: status %d", i, a[i].st);
			cr_assert_eq(atoi(a[i].value), 100 / (i % 10));
		}
	}
}

Test(pgpool, a_statement_that_cannot_be_prepared_fails_every_time_without_harming_others)
{
	static struct answer a[6];
	for (int i = 0; i < 6; i++) {
		const char *p[] = { "21" };
		cr_assert(pgpool_query(pool, i % 2 ? &STMT_ECHO : &STMT_BROKEN, i % 2, p, on_answer, &a[i]));
		pending++;
	}
	run_until_done();
	for (int i = 0; i < 6; i++) {
		if (i % 2) {
			cr_assert_eq(a[i].st, PGPOOL_OK);
			cr_assert_str_eq(a[i].value, "42");
		} else {
			cr_assert_eq(a[i].st, PGPOOL_QUERY_ERROR);
			cr_assert_str_eq(a[i].sqlstate, "42P01");
		}
	}
}

/* A lease: BEGIN, an insert, then release without COMMIT must roll back. */
struct lease_run {
	struct pglease *lease;
	int step;
	char name[64];
};

static struct pgstmt STMT_BEGIN = PGSTMT("begin", "BEGIN");
static struct pgstmt STMT_INSERT = PGSTMT("insert_attempt",
	"INSERT INTO login_attempts (username, client_addr, succeeded) VALUES ($1, '10.1.1.1', false)");
static struct pgstmt STMT_COUNT = PGSTMT_READ("count_attempts", "SELECT count(*) FROM login_attempts WHERE username = $1");

static void on_lease_step(enum pgpool_status st, PGresult *res, void *arg);

static void on_lease(enum pgpool_status st, struct pglease *lease, void *arg)
{
	struct lease_run *run = arg;
	cr_assert_eq(st, PGPOOL_OK);
	run->lease = lease;
	pgpool_lease_query(lease, &STMT_BEGIN, 0, NULL, on_lease_step, run);
}

static void on_lease_step(enum pgpool_status st, PGresult *res, void *arg)
{
	struct lease_run *run = arg;
	cr_assert_eq(st, PGPOOL_OK, "lease step %d failed", run->step);
	const char *p[] = { run->name };
	switch (run->step++) {
	case 0:
		pgpool_lease_query(run->lease, &STMT_INSERT, 1, p, on_lease_step, run);
		break;
	case 1:
		pgpool_lease_query(run->lease, &STMT_COUNT, 1, p, on_lease_step, run);
		break;
	case 2:
		cr_assert_str_eq(PQgetvalue(res, 0, 0), "1", "the transaction sees its own row");
		pgpool_lease_release(run->lease); /* no COMMIT: must roll back */
		pending--;
		break;
	}
}

Test(pgpool, a_released_lease_rolls_back_its_open_transaction)
{
	static struct lease_run run;
	snprintf(run.name, sizeof run.name, "lease%s", unique_suffix());
	cr_assert(pgpool_acquire(pool, on_lease, &run));
	pending++;
	/* other work keeps flowing beside the lease */
	static struct answer a;
	const char *p[] = { "5" };
	cr_assert(pgpool_query(pool, &STMT_ECHO, 1, p, on_answer, &a));
	pending++;
	run_until_done();
	cr_assert_str_eq(a.value, "10");
	/* after the release the connection is idle again and the row is gone */
	static struct answer count;
	const char *q[] = { run.name };
	cr_assert(pgpool_query(pool, &STMT_COUNT, 1, q, on_answer, &count));
	pending++;
	run_until_done();
	cr_assert_str_eq(count.value, "0", "the released lease's insert was not rolled back");
}

Test(pgpool, a_full_queue_refuses_at_once)
{
	pgpool_destroy(pool);
	struct pgpool_options opt = {
		.conninfo = getenv("SUQIU_TEST_DATABASE_URL"), .size = 1, .queue_max = 3,
		.queue_timeout_ms = 5000, .statement_timeout_ms = 5000,
	};
	pool = pgpool_create(base, &opt);
	static struct answer a[3];
	const char *p[] = { "1" };
	for (int i = 0; i < 3; i++) {
		cr_assert(pgpool_query(pool, &STMT_ECHO, 1, p, on_answer, &a[i]));
		pending++;
	}
	/* the connection is still connecting, so all three wait: a fourth is refused */
	cr_assert_not(pgpool_query(pool, &STMT_ECHO, 1, p, on_answer, NULL));
	run_until_done();
	struct pgpool_stats stats;
	pgpool_stats(pool, &stats);
	cr_assert_eq(stats.queue_rejected, 1);
	cr_assert_eq(stats.waiting, 0);
}

static struct pgstmt STMT_SESSION_INSERT = PGSTMT("insert_session",
	"INSERT INTO sessions (token_hash, user_id, idle_timeout, expires_at)"
	" VALUES (encode(sha256(convert_to($1, 'UTF8')), 'hex'), 1, interval '1 minute', now()) RETURNING 1");
static struct pgstmt STMT_SESSION_COUNT = PGSTMT("count_sessions",
	"SELECT count(*) FROM sessions WHERE token_hash IN"
	" (SELECT encode(sha256(convert_to($1 || '-' || g, 'UTF8')), 'hex') FROM generate_series(0, 39) g)");

Test(pgpool, a_failing_statement_never_undoes_another_requests_committed_work)
{
	/* 60 inserts sent together over 40 keys: 20 are duplicates, interleaved
	 * with the others; every success must stay committed */
	enum { N = 60 };
	static struct answer a[N];
	static char keys[N][64];
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "pool%s-%d", unique_suffix(), i % 40);
		const char *p[] = { keys[i] };
		cr_assert(pgpool_query(pool, &STMT_SESSION_INSERT, 1, p, on_answer, &a[i]));
		pending++;
	}
	run_until_done();
	int ok = 0, dup = 0;
	for (int i = 0; i < N; i++) {
		ok += a[i].st == PGPOOL_OK;
		dup += a[i].st == PGPOOL_QUERY_ERROR && strcmp(a[i].sqlstate, "23505") == 0;
	}
	cr_assert_eq(ok + dup, N, "every statement is either committed or a duplicate");
	cr_assert_eq(dup, 20);
	static struct answer count;
	char prefix[64];
	snprintf(prefix, sizeof prefix, "pool%s", unique_suffix());
	const char *p[] = { prefix };
	cr_assert(pgpool_query(pool, &STMT_SESSION_COUNT, 1, p, on_answer, &count));
	pending++;
	run_until_done();
	cr_assert_eq(atoi(count.value), ok, "%d inserts answered OK but %s rows exist", ok, count.value);
}

static struct pgstmt STMT_DEFERRED_DUP = PGSTMT("deferred_dup", "INSERT INTO pool_deferred (k) VALUES ($1::int), ($1::int)");
static struct pgstmt STMT_SELECT_A = PGSTMT_READ("select_a", "SELECT 'A'");
static struct pgstmt STMT_SELECT_B = PGSTMT_READ("select_b", "SELECT 'B'");

Test(pgpool, an_error_at_commit_time_belongs_to_the_write_not_to_the_next_statement)
{
	/* a deferred unique constraint fails at the implicit COMMIT, after the
	 * INSERT's own results: a test-only table owned by the schema owner */
	PGconn *db = test_db();
	PQclear(PQexec(db, "CREATE TABLE IF NOT EXISTS pool_deferred (k int UNIQUE DEFERRABLE INITIALLY DEFERRED)"));
	PQclear(PQexec(db, "GRANT SELECT, INSERT ON pool_deferred TO suqiu_app"));
	PQfinish(db);
	static struct answer ins, a, b, again;
	char k[16];
	snprintf(k, sizeof k, "%d", (int)(getpid() % 1000000));
	const char *p[] = { k };
	cr_assert(pgpool_query(pool, &STMT_DEFERRED_DUP, 1, p, on_answer, &ins));
	cr_assert(pgpool_query(pool, &STMT_SELECT_A, 0, NULL, on_answer, &a));
	cr_assert(pgpool_query(pool, &STMT_SELECT_B, 0, NULL, on_answer, &b));
	pending += 3;
	run_until_done();
	cr_assert_eq(ins.st, PGPOOL_QUERY_ERROR, "the insert was rolled back at commit but answered OK");
	cr_assert_str_eq(ins.sqlstate, "23505");
	cr_assert_eq(a.st, PGPOOL_OK);
	cr_assert_str_eq(a.value, "A");
	cr_assert_eq(b.st, PGPOOL_OK);
	cr_assert_str_eq(b.value, "B");
	/* and the connection's bookkeeping is still right afterwards */
	cr_assert(pgpool_query(pool, &STMT_SELECT_A, 0, NULL, on_answer, &again));
	pending++;
	run_until_done();
	cr_assert_str_eq(again.value, "A");
}
