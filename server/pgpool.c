/*
 * pgpool: non-blocking, pipelined libpq connections on libevent; see pgpool.h.
 *
 * A connection's life: DOWN -> CONNECTING (PQconnectPoll on the events it
 * asks for) -> UP, in libpq pipeline mode, where it carries up to
 * PIPELINE_DEPTH statements at once, or LEASED (held by one caller for a
 * transaction, one statement at a time). Any I/O failure takes it back to
 * DOWN and a timer reconnects it with backoff.
 *
 * Pipelining: a connection carries several statements at once, each sent
 * as [PREPARE,] EXECUTE without waiting for the previous ones, so
 * PostgreSQL finds several in its socket per wakeup. What runs between two
 * Syncs is one implicit transaction, and one request's failure must never
 * roll back another's work: so a statement that writes gets a Sync of its
 * own, while reads sent in one loop turn share one (on_flush), which costs
 * nothing if it fails and saves work when it does not. A read skipped
 * because an earlier one in its batch failed never ran and is queued again. A
 * caller is answered when its statement's Sync comes back, so the
 * transaction status is exact inside the callback. Callbacks never run
 * inside the caller's own pgpool_* call: new work is dispatched from an
 * event (ev_kick) on the next turn of the loop.
 */
#include "server/pgpool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "core/log.h"
#include "core/timefmt.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define CONNECT_TIMEOUT_S 10
#define PIPELINE_DEPTH 16 /* statements in flight per connection */

/* One statement to run: what, with what, and whom to tell. */
struct query {
	struct pgstmt *stmt; /* NULL = the internal ROLLBACK of a released lease */
	int nparams;
	char **params;
	pgpool_result_cb cb;
	void *arg;
};

/* Work waiting for a connection: a query, or a request for a lease. */
struct job {
	TAILQ_ENTRY(job) link;
	bool wants_lease;
	struct query q;
	pgpool_lease_cb lease_cb;
	void *arg;
	uint64_t enqueued_ns;
};
TAILQ_HEAD(jobq, job);

/* A statement sent on a connection whose results are not all in yet. */
struct inflight {
	STAILQ_ENTRY(inflight) link;
	struct query q;
	bool with_prepare;  /* its PREPARE went in the same batch, just before it */
	bool prepare_done;  /* the PREPARE's results are in */
	bool results_done;  /* the statement's results are in; its Sync is next */
	bool write;         /* not a read: it commits (and waits for the WAL flush) */
	unsigned sync_seq;  /* which Sync of its connection closes it */
	PGresult *error;    /* the PREPARE's error, answered instead of the query's */
	PGresult *result;   /* the statement's result so far */
	uint64_t enqueued_ns;
};
STAILQ_HEAD(inflightq, inflight);

enum conn_state {
	CONN_DOWN,       /* not connected; ev_retry will reconnect */
	CONN_CONNECTING, /* PQconnectPoll in progress */
	CONN_UP,         /* connected; carries 0..PIPELINE_DEPTH statements */
	CONN_LEASED,     /* held by a caller */
};

struct pglease {
	struct pgconn *conn;
};

struct pgconn {
	struct pgpool *pool;
	int index;
	PGconn *pg;
	enum conn_state state;
	unsigned generation;    /* bumped on failure: callbacks may fail the connection */
	struct event *ev_io;    /* connecting: one-shot; connected: persistent EV_READ */
	struct event *ev_write; /* one-shot EV_WRITE while PQflush has more to send */
	struct event *ev_retry; /* reconnect timer */
	int backoff_ms;
	bool *prepared;         /* prepared[stmt id] on this connection (or sent in this batch) */
	int prepared_cap;
	struct inflightq inflight;
	int ninflight;
	int nwrites;            /* writes among them */
	int syncs_pending;      /* Syncs sent whose PGRES_PIPELINE_SYNC has not come back */
	unsigned syncs_sent;    /* Syncs sent since connecting */
	unsigned syncs_seen;    /* PGRES_PIPELINE_SYNC results received since connecting */
	int open_batch;         /* reads sent since the last Sync, waiting for on_flush */
	bool broken;            /* failed while leased; reconnect on release */
	bool releasing;         /* released by its holder, rolling back first */
	struct pglease lease;
};

struct pgpool {
	struct event_base *base;
	char *conninfo;
	char *application_name;
	char *options;
	int queue_max;
	int queue_timeout_ms;
	bool closing;
	struct pgconn *conns;
	int size;
	struct jobq queue;
	int waiting;
	struct event *ev_queue_timer;
	struct event *ev_kick;  /* dispatches queued work on the next loop turn */
	struct event *ev_flush; /* closes the read batches at the end of a loop turn */
	struct jobq requeued;   /* statements that never ran, to go back at the queue's head in order */
	unsigned long long queue_rejected, queue_timeouts, reconnects;
};

static int next_stmt_id = 1;
static bool log_statements; /* pgpool_options.log_statements of the (one) pool */

static void conn_connect(struct pgconn *c);
static void conn_fail(struct pgconn *c, const char *why);
static void dispatch(struct pgpool *pool);
static void arm_queue_timer(struct pgpool *pool);
static void on_readable(evutil_socket_t fd, short what, void *arg);

static void query_free(struct query *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	memset(q, 0, sizeof *q);
}

static void query_init(struct query *q, struct pgstmt *stmt, int nparams, const char *const *params,
		       pgpool_result_cb cb, void *arg)
{
	if (stmt && stmt->id == 0) {
		stmt->id = next_stmt_id++;
		if (log_statements) /* once per statement and process: what the benchmarks replay in pgbench */
			logj("info", "sql_statement", "{s:s, s:s}", "name", stmt->name, "sql", stmt->sql);
	}
	q->stmt = stmt;
	q->nparams = nparams;
	q->params = nparams ? xcalloc((size_t)nparams, sizeof(char *)) : NULL;
	for (int i = 0; i < nparams; i++)
		q->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	q->cb = cb;
	q->arg = arg;
}

/* ---- connecting ---------------------------------------------------- */

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	conn_connect(arg);
}

static void schedule_retry(struct pgconn *c)
{
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (c->backoff_ms > BACKOFF_MAX_MS)
		c->backoff_ms = BACKOFF_MAX_MS;
	struct timeval tv = { c->backoff_ms / 1000, (c->backoff_ms % 1000) * 1000 };
	evtimer_add(c->ev_retry, &tv);
}

static void drop_events(struct pgconn *c)
{
	if (c->ev_io) {
		event_del(c->ev_io);
		event_free(c->ev_io);
		c->ev_io = NULL;
	}
	if (c->ev_write) {
		event_del(c->ev_write);
		event_free(c->ev_write);
		c->ev_write = NULL;
	}
}

static void flush_out(struct pgconn *c)
{
	int r = PQflush(c->pg);
	if (r < 0)
		conn_fail(c, PQerrorMessage(c->pg));
	else if (r > 0)
		event_add(c->ev_write, NULL);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	flush_out(arg);
}

static void conn_ready(struct pgconn *c)
{
	if (!PQenterPipelineMode(c->pg)) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	drop_events(c);
	evutil_socket_t fd = PQsocket(c->pg);
	c->ev_io = event_new(c->pool->base, fd, EV_READ | EV_PERSIST, on_readable, c);
	c->ev_write = event_new(c->pool->base, fd, EV_WRITE, on_writable, c);
	event_add(c->ev_io, NULL);
	if (c->prepared) /* a new server session has no prepared statements */
		memset(c->prepared, 0, (size_t)c->prepared_cap * sizeof(bool));
	if (c->backoff_ms)
		logj("info", "db_reconnected", "{s:i}", "conn", c->index);
	c->backoff_ms = 0;
	c->syncs_pending = c->open_batch = 0;
	c->syncs_sent = c->syncs_seen = 0;
	c->state = CONN_UP;
	dispatch(c->pool);
}

static void on_connect_io(evutil_socket_t fd, short what, void *arg);

static void watch_connect(struct pgconn *c, PostgresPollingStatusType want)
{
	drop_events(c);
	short ev = want == PGRES_POLLING_READING ? EV_READ : EV_WRITE;
	c->ev_io = event_new(c->pool->base, PQsocket(c->pg), ev, on_connect_io, c);
	struct timeval tv = { CONNECT_TIMEOUT_S, 0 };
	event_add(c->ev_io, &tv);
}

static void on_connect_io(evutil_socket_t fd, short what, void *arg)
{
	struct pgconn *c = arg;
	if (what & EV_TIMEOUT) {
		conn_fail(c, "connection attempt timed out");
		return;
	}
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		watch_connect(c, PGRES_POLLING_READING);
		break;
	case PGRES_POLLING_WRITING:
		watch_connect(c, PGRES_POLLING_WRITING);
		break;
	case PGRES_POLLING_OK:
		conn_ready(c);
		break;
	default:
		conn_fail(c, PQerrorMessage(c->pg));
		break;
	}
}

static void conn_connect(struct pgconn *c)
{
	struct pgpool *pool = c->pool;
	const char *keys[] = { "dbname", "application_name", "options", NULL };
	const char *values[] = { pool->conninfo, pool->application_name, pool->options, NULL };
	c->pg = PQconnectStartParams(keys, values, 1);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD || PQsetnonblocking(c->pg, 1) != 0) {
		conn_fail(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		return;
	}
	c->state = CONN_CONNECTING;
	watch_connect(c, PGRES_POLLING_WRITING);
}

/* ---- failing ------------------------------------------------------- */

static void inflight_free(struct inflight *f)
{
	PQclear(f->error);
	PQclear(f->result);
	query_free(&f->q);
	free(f);
}

/* Tells everyone waiting on this connection's statements that they are lost. */
static void abandon_inflight(struct pgconn *c, enum pgpool_status st)
{
	struct inflightq lost = STAILQ_HEAD_INITIALIZER(lost);
	STAILQ_CONCAT(&lost, &c->inflight);
	c->ninflight = c->nwrites = 0;
	c->syncs_pending = c->open_batch = 0;
	struct inflight *f;
	while ((f = STAILQ_FIRST(&lost))) {
		STAILQ_REMOVE_HEAD(&lost, link);
		if (f->q.cb)
			f->q.cb(st, NULL, f->q.arg);
		inflight_free(f);
	}
}

static void conn_fail(struct pgconn *c, const char *why)
{
	bool was_up = c->state == CONN_UP || c->state == CONN_LEASED;
	bool leased = c->state == CONN_LEASED && !c->releasing;
	c->releasing = false;
	char msg[256];
	snprintf(msg, sizeof msg, "%s", why ? why : "");
	msg[strcspn(msg, "\n")] = '\0';
	/* log the first failure of a connection, not every retry */
	if (was_up || c->backoff_ms == 0)
		logj("warn", "db_connection_lost", "{s:i, s:s}", "conn", c->index, "error", msg);
	drop_events(c);
	PQfinish(c->pg);
	c->pg = NULL;
	c->generation++;
	c->state = leased ? CONN_LEASED : CONN_DOWN;
	c->broken = leased;
	if (was_up)
		c->pool->reconnects++;
	abandon_inflight(c, PGPOOL_UNAVAILABLE);
	if (!leased && !c->pool->closing)
		schedule_retry(c);
}

/* ---- sending ------------------------------------------------------- */

static void ensure_prepared_cap(struct pgconn *c, int id)
{
	if (id < c->prepared_cap)
		return;
	int cap = c->prepared_cap ? c->prepared_cap : 32;
	while (cap <= id)
		cap *= 2;
	c->prepared = xrealloc(c->prepared, (size_t)cap * sizeof(bool));
	memset(c->prepared + c->prepared_cap, 0, (size_t)(cap - c->prepared_cap) * sizeof(bool));
	c->prepared_cap = cap;
}

/* Ends the open batch of reads with its Sync. False when the connection failed. */
static bool close_batch(struct pgconn *c)
{
	if (!c->open_batch)
		return true;
	c->open_batch = 0;
	c->syncs_pending++;
	c->syncs_sent++;
	if (!PQpipelineSync(c->pg)) {
		conn_fail(c, PQerrorMessage(c->pg));
		return false;
	}
	return true;
}

/* Sends q (taking it over) on c's pipeline: [PREPARE,] EXECUTE, then a
 * Sync of its own, or for a read outside a transaction, the batch's Sync
 * at the end of the loop turn. */
static void conn_append(struct pgconn *c, struct query *q, uint64_t enqueued_ns)
{
	bool batched = q->stmt && q->stmt->readonly && c->state == CONN_UP;
	/* a write must not share the implicit transaction of the reads before it */
	if (!batched && !close_batch(c)) {
		if (q->cb)
			q->cb(PGPOOL_UNAVAILABLE, NULL, q->arg);
		query_free(q);
		return;
	}
	struct inflight *f = xcalloc(1, sizeof *f);
	f->q = *q;
	memset(q, 0, sizeof *q);
	f->enqueued_ns = enqueued_ns;
	f->sync_seq = c->syncs_sent + 1; /* the next Sync sent closes it */
	int ok;
	if (!f->q.stmt) {
		ok = PQsendQueryParams(c->pg, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0);
	} else if (f->q.stmt->replan) { /* the unnamed statement: parsed and planned with these values */
		ok = PQsendQueryParams(c->pg, f->q.stmt->sql, f->q.nparams, NULL, (const char *const *)f->q.params,
				       NULL, NULL, 0);
	} else {
		char name[16];
		snprintf(name, sizeof name, "s%d", f->q.stmt->id);
		ensure_prepared_cap(c, f->q.stmt->id);
		ok = 1;
		if (!c->prepared[f->q.stmt->id]) {
			/* counted as prepared from now on, so later statements do not prepare it twice */
			f->with_prepare = true;
			c->prepared[f->q.stmt->id] = true;
			ok = PQsendPrepare(c->pg, name, f->q.stmt->sql, 0, NULL);
		}
		ok = ok && PQsendQueryPrepared(c->pg, name, f->q.nparams, (const char *const *)f->q.params, NULL,
					       NULL, 0);
	}
	f->write = !batched;
	STAILQ_INSERT_TAIL(&c->inflight, f, link);
	c->ninflight++;
	c->nwrites += f->write;
	if (!ok) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	if (batched) {
		c->open_batch++;
		event_active(c->pool->ev_flush, EV_TIMEOUT, 0);
		return;
	}
	c->syncs_pending++;
	c->syncs_sent++;
	if (!PQpipelineSync(c->pg)) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	flush_out(c);
}

/* End of a loop turn: every open batch of reads gets its Sync and goes out. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct pgpool *pool = arg;
	for (int i = 0; i < pool->size; i++) {
		struct pgconn *c = &pool->conns[i];
		if (c->state == CONN_UP && c->open_batch && close_batch(c))
			flush_out(c);
	}
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	dispatch(arg);
}

static void kick(struct pgpool *pool)
{
	event_active(pool->ev_kick, EV_TIMEOUT, 0);
}

/* ---- receiving ----------------------------------------------------- */

/* Puts a statement that PostgreSQL skipped (it never ran) back at the head
 * of the queue. */
static void requeue(struct pgpool *pool, struct inflight *f)
{
	struct job *job = xcalloc(1, sizeof *job);
	job->q = f->q;
	memset(&f->q, 0, sizeof f->q);
	job->enqueued_ns = f->enqueued_ns;
	TAILQ_INSERT_TAIL(&pool->requeued, job, link);
	pool->waiting++;
}

/* Puts the statements collected by requeue() back at the queue's head, in order. */
static void splice_requeued(struct pgpool *pool)
{
	if (TAILQ_EMPTY(&pool->requeued))
		return;
	TAILQ_CONCAT(&pool->requeued, &pool->queue, link);
	TAILQ_CONCAT(&pool->queue, &pool->requeued, link);
	evtimer_del(pool->ev_queue_timer); /* the head changed: its deadline may be sooner */
	arm_queue_timer(pool);
}

/* True when a statement did not run and may simply be sent again: the
 * pipeline skipped it after an earlier error, or its prepared statement
 * was lost with a failed PREPARE of the same batch. */
static bool never_ran(struct pgconn *c, const struct inflight *f, ExecStatusType st, const PGresult *res)
{
	/* a transaction's statement must not run again outside its transaction */
	if (f->error || !f->q.cb || !f->q.stmt || c->state == CONN_LEASED)
		return false;
	if (st == PGRES_PIPELINE_ABORTED)
		return true;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (st == PGRES_FATAL_ERROR && state && strcmp(state, "26000") == 0) {
		/* its PREPARE failed or was skipped; unless a new one is already on its way */
		bool preparing = false;
		struct inflight *g;
		STAILQ_FOREACH(g, &c->inflight, link)
			preparing |= g->with_prepare && !g->prepare_done && g->q.stmt == f->q.stmt;
		if (!preparing)
			c->prepared[f->q.stmt->id] = false;
		return true;
	}
	return false;
}

/* The head statement's results are complete: answer its caller. */
static void complete_head(struct pgconn *c)
{
	struct inflight *f = STAILQ_FIRST(&c->inflight);
	STAILQ_REMOVE_HEAD(&c->inflight, link);
	c->ninflight--;
	c->nwrites -= f->write;
	PGresult *res = f->error ? f->error : f->result;
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (never_ran(c, f, st, res)) {
		requeue(c->pool, f);
		inflight_free(f);
		return;
	}
	if (!f->q.stmt) { /* the ROLLBACK of a released lease */
		c->releasing = false;
		c->state = CONN_UP;
	}
	if (f->q.cb)
		f->q.cb(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? PGPOOL_OK : PGPOOL_QUERY_ERROR, res, f->q.arg);
	inflight_free(f);
}

/* The statement whose results are arriving: the first one of the Sync
 * group being received whose results are not done yet (the ones before it
 * wait for the group's Sync). NULL when the whole group is done: then a
 * result is the group's commit failing (e.g. a deferred constraint), and
 * *last receives the group's last statement, which it belongs to. */
static struct inflight *receiving(struct pgconn *c, struct inflight **last)
{
	struct inflight *f;
	if (last)
		*last = NULL;
	STAILQ_FOREACH(f, &c->inflight, link) {
		if (f->sync_seq != c->syncs_seen + 1)
			break;
		if (!f->results_done)
			return f;
		if (last)
			*last = f;
	}
	return NULL;
}

/* One command's results ended (PQgetResult gave NULL). */
static void command_ended(struct pgconn *c)
{
	struct inflight *f = receiving(c, NULL);
	if (!f)
		return;
	if (f->with_prepare && !f->prepare_done) {
		f->prepare_done = true;
		ExecStatusType st = f->result ? PQresultStatus(f->result) : PGRES_FATAL_ERROR;
		const char *state = f->result ? PQresultErrorField(f->result, PG_DIAG_SQLSTATE) : NULL;
		if (st == PGRES_FATAL_ERROR && state && strcmp(state, "42P05") == 0)
			st = PGRES_COMMAND_OK; /* already prepared on this connection: fine */
		if (st != PGRES_COMMAND_OK)
			c->prepared[f->q.stmt->id] = false; /* prepare it again next time */
		if (st == PGRES_COMMAND_OK || st == PGRES_PIPELINE_ABORTED)
			PQclear(f->result); /* skipped: the statement itself is skipped too, and goes again */
		else
			f->error = f->result; /* cannot be prepared: answer with why */
		f->result = NULL;
		return;
	}
	f->results_done = true; /* answered when its Sync arrives */
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct pgconn *c = arg;
	if (!PQconsumeInput(c->pg)) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	PGnotify *n;
	while ((n = PQnotifies(c->pg)))
		PQfreemem(n);
	unsigned gen = c->generation;
	int nulls = 0;
	bool answered = false;
	while ((c->ninflight || c->syncs_pending) && !PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			if (++nulls > 1)
				break; /* nothing more has arrived yet */
			command_ended(c);
			continue;
		}
		nulls = 0;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			c->syncs_pending--;
			c->syncs_seen++;
			PQclear(r);
			/* everything before this Sync is complete now */
			struct inflight *head;
			while ((head = STAILQ_FIRST(&c->inflight)) && head->results_done) {
				complete_head(c);
				answered = true;
				if (c->generation != gen)
					return; /* a callback lost the connection */
			}
			continue;
		}
		struct inflight *done = NULL;
		struct inflight *f = receiving(c, &done);
		if (!f) {
			/* after the group's own results: its implicit COMMIT failed, so the
			 * last statement (a write has a group of its own) did not happen */
			if (done && st == PGRES_FATAL_ERROR && (!done->result || PQresultStatus(done->result) != PGRES_FATAL_ERROR)) {
				PQclear(done->result);
				done->result = r;
			} else {
				PQclear(r);
			}
			continue;
		}
		/* keep the first error, else the last result */
		if (f->result && PQresultStatus(f->result) == PGRES_FATAL_ERROR)
			PQclear(r);
		else {
			PQclear(f->result);
			f->result = r;
		}
	}
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	if (answered)
		dispatch(c->pool);
}

/* ---- the queue ----------------------------------------------------- */

/* The connection for the next statement: among those that are up, one
 * with no write in flight if there is one (a statement queued behind a
 * commit waits for that commit's WAL flush, so writes spread over the
 * connections and reads avoid the committing ones), then the least
 * loaded. A lease needs a connection with nothing in flight. */
static struct pgconn *pick_conn(struct pgpool *pool, bool for_lease)
{
	struct pgconn *best = NULL;
	for (int i = 0; i < pool->size; i++) {
		struct pgconn *c = &pool->conns[i];
		if (c->state != CONN_UP || c->ninflight >= PIPELINE_DEPTH || (for_lease && c->ninflight))
			continue;
		if (!best || (c->nwrites == 0) > (best->nwrites == 0) ||
		    ((c->nwrites == 0) == (best->nwrites == 0) && c->ninflight < best->ninflight))
			best = c;
	}
	return best;
}

static void dispatch(struct pgpool *pool)
{
	struct job *job;
	struct pgconn *c;
	splice_requeued(pool);
	while (!pool->closing && (job = TAILQ_FIRST(&pool->queue)) && (c = pick_conn(pool, job->wants_lease))) {
		TAILQ_REMOVE(&pool->queue, job, link);
		pool->waiting--;
		if (job->wants_lease) {
			c->state = CONN_LEASED;
			c->broken = false;
			job->lease_cb(PGPOOL_OK, &c->lease, job->arg);
		} else {
			conn_append(c, &job->q, job->enqueued_ns);
		}
		free(job);
	}
}

static void arm_queue_timer(struct pgpool *pool)
{
	struct job *head = TAILQ_FIRST(&pool->queue);
	if (!head || evtimer_pending(pool->ev_queue_timer, NULL))
		return;
	uint64_t deadline = head->enqueued_ns + (uint64_t)pool->queue_timeout_ms * 1000000u;
	uint64_t now = timefmt_mono_ns();
	uint64_t wait_us = deadline > now ? (deadline - now) / 1000 + 1 : 0;
	struct timeval tv = { (time_t)(wait_us / 1000000), (suseconds_t)(wait_us % 1000000) };
	evtimer_add(pool->ev_queue_timer, &tv);
}

static void fail_job(struct job *job, enum pgpool_status st)
{
	if (job->wants_lease)
		job->lease_cb(st, NULL, job->arg);
	else
		job->q.cb(st, NULL, job->q.arg);
	query_free(&job->q);
	free(job);
}

static void on_queue_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pgpool *pool = arg;
	uint64_t now = timefmt_mono_ns();
	struct job *job;
	while ((job = TAILQ_FIRST(&pool->queue)) &&
	       job->enqueued_ns + (uint64_t)pool->queue_timeout_ms * 1000000u <= now) {
		TAILQ_REMOVE(&pool->queue, job, link);
		pool->waiting--;
		pool->queue_timeouts++;
		fail_job(job, PGPOOL_TIMEOUT);
	}
	arm_queue_timer(pool);
}

static bool enqueue(struct pgpool *pool, struct job *job)
{
	if (pool->closing || pool->waiting >= pool->queue_max) {
		pool->queue_rejected += !pool->closing;
		query_free(&job->q);
		free(job);
		return false;
	}
	job->enqueued_ns = timefmt_mono_ns();
	TAILQ_INSERT_TAIL(&pool->queue, job, link);
	pool->waiting++;
	kick(pool); /* never answer inside the caller's own call */
	arm_queue_timer(pool);
	return true;
}

bool pgpool_query(struct pgpool *pool, struct pgstmt *stmt, int nparams, const char *const *params,
		  pgpool_result_cb cb, void *arg)
{
	struct job *job = xcalloc(1, sizeof *job);
	query_init(&job->q, stmt, nparams, params, cb, arg);
	return enqueue(pool, job);
}

bool pgpool_acquire(struct pgpool *pool, pgpool_lease_cb cb, void *arg)
{
	struct job *job = xcalloc(1, sizeof *job);
	job->wants_lease = true;
	job->lease_cb = cb;
	job->arg = arg;
	return enqueue(pool, job);
}

/* ---- leases -------------------------------------------------------- */

/* A lease statement waiting for the next loop turn (see pgpool_lease_query). */
struct deferred_query {
	struct pgconn *conn;
	struct query q;
};

static void on_deferred_query(evutil_socket_t fd, short what, void *arg)
{
	struct deferred_query *d = arg;
	struct pgconn *c = d->conn;
	if (c->broken || !c->pg) {
		d->q.cb(PGPOOL_UNAVAILABLE, NULL, d->q.arg);
		query_free(&d->q);
	} else {
		conn_append(c, &d->q, timefmt_mono_ns());
	}
	free(d);
}

void pgpool_lease_query(struct pglease *lease, struct pgstmt *stmt, int nparams,
			const char *const *params, pgpool_result_cb cb, void *arg)
{
	/* sent on the next loop turn, so that a failure never calls back inside this call */
	struct deferred_query *d = xcalloc(1, sizeof *d);
	d->conn = lease->conn;
	query_init(&d->q, stmt, nparams, params, cb, arg);
	struct timeval zero = { 0, 0 };
	event_base_once(lease->conn->pool->base, -1, EV_TIMEOUT, on_deferred_query, d, &zero);
}

void pgpool_lease_release(struct pglease *lease)
{
	struct pgconn *c = lease->conn;
	if (c->broken || !c->pg) {
		c->broken = false;
		c->state = CONN_DOWN;
		if (!c->pool->closing)
			schedule_retry(c);
		return;
	}
	/* exact here: callbacks run after their statement's Sync */
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		/* stays LEASED until the ROLLBACK completes (see complete_head) */
		c->releasing = true;
		struct query q;
		query_init(&q, NULL, 0, NULL, NULL, NULL);
		conn_append(c, &q, timefmt_mono_ns());
		return;
	}
	c->state = CONN_UP;
	kick(c->pool);
}

/* ---- life ---------------------------------------------------------- */

struct pgpool *pgpool_create(struct event_base *base, const struct pgpool_options *opt)
{
	log_statements = opt->log_statements;
	struct pgpool *pool = xcalloc(1, sizeof *pool);
	pool->base = base;
	pool->conninfo = xstrdup(opt->conninfo);
	pool->application_name = xstrdup(opt->application_name ? opt->application_name : "suqiu");
	/* every API timestamp is +08:00 (DESIGN.md §6), whatever the server's default; no JIT: the
	 * statistics' aggregates spent 2.3 s compiling for a 0.3 s query (20,000 tickets), and the
	 * other statements are too short to gain from it */
	pool->options = xasprintf("-c statement_timeout=%d -c timezone=Asia/Shanghai -c jit=off",
				  opt->statement_timeout_ms);
	pool->queue_max = opt->queue_max;
	pool->queue_timeout_ms = opt->queue_timeout_ms;
	pool->size = opt->size;
	TAILQ_INIT(&pool->queue);
	TAILQ_INIT(&pool->requeued);
	pool->ev_queue_timer = evtimer_new(base, on_queue_timer, pool);
	pool->ev_kick = event_new(base, -1, 0, on_kick, pool);
	pool->ev_flush = event_new(base, -1, 0, on_flush, pool);
	pool->conns = xcalloc((size_t)pool->size, sizeof *pool->conns);
	for (int i = 0; i < pool->size; i++) {
		struct pgconn *c = &pool->conns[i];
		c->pool = pool;
		c->index = i;
		c->lease.conn = c;
		STAILQ_INIT(&c->inflight);
		c->ev_retry = evtimer_new(base, on_retry, c);
		conn_connect(c);
	}
	return pool;
}

void pgpool_destroy(struct pgpool *pool)
{
	if (!pool)
		return;
	pool->closing = true;
	struct job *job;
	TAILQ_CONCAT(&pool->queue, &pool->requeued, link);
	while ((job = TAILQ_FIRST(&pool->queue))) {
		TAILQ_REMOVE(&pool->queue, job, link);
		pool->waiting--;
		fail_job(job, PGPOOL_SHUTDOWN);
	}
	for (int i = 0; i < pool->size; i++) {
		struct pgconn *c = &pool->conns[i];
		/* a lease still held here outlives nothing: its holder must have let go
		 * (the server drains requests before it destroys the pool) */
		if (c->state == CONN_LEASED)
			logj("warn", "db_lease_held_at_shutdown", "{s:i}", "conn", c->index);
		/* gone before anyone is told, so that a callback's release touches nothing */
		drop_events(c);
		PQfinish(c->pg);
		c->pg = NULL;
		c->broken = true;
		abandon_inflight(c, PGPOOL_SHUTDOWN);
		event_free(c->ev_retry);
		free(c->prepared);
	}
	event_free(pool->ev_kick);
	event_free(pool->ev_flush);
	event_free(pool->ev_queue_timer);
	free(pool->conns);
	free(pool->conninfo);
	free(pool->application_name);
	free(pool->options);
	free(pool);
}

void pgpool_stats(const struct pgpool *pool, struct pgpool_stats *out)
{
	memset(out, 0, sizeof *out);
	out->size = pool->size;
	for (int i = 0; i < pool->size; i++) {
		const struct pgconn *c = &pool->conns[i];
		out->connected += c->state == CONN_UP || (c->state == CONN_LEASED && !c->broken);
		out->busy += c->ninflight > 0 || c->state == CONN_LEASED;
	}
	out->waiting = pool->waiting;
	out->queue_rejected = pool->queue_rejected;
	out->queue_timeouts = pool->queue_timeouts;
	out->reconnects = pool->reconnects;
}
