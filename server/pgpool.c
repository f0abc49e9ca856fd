/*
 * pgpool: non-blocking libpq connections on libevent; see pgpool.h.
 *
 * A connection's life: DOWN -> CONNECTING (PQconnectPoll on the events it
 * asks for) -> IDLE <-> QUERY (one statement in flight) or LEASED (held by
 * one caller for a transaction). Any I/O failure takes it back to DOWN and
 * a timer reconnects it with backoff. Work waits in one FIFO queue and is
 * handed to the first idle connection by dispatch().
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

enum conn_state {
	CONN_DOWN,       /* not connected; ev_retry will reconnect */
	CONN_CONNECTING, /* PQconnectPoll in progress */
	CONN_IDLE,       /* connected, free */
	CONN_QUERY,      /* running a pool query */
	CONN_LEASED,     /* held by a caller; may or may not run a query */
};

struct pglease {
	struct pgconn *conn;
};

struct pgconn {
	struct pgpool *pool;
	int index;
	PGconn *pg;
	enum conn_state state;
	struct event *ev_io;    /* connecting: one-shot; connected: persistent EV_READ */
	struct event *ev_write; /* one-shot EV_WRITE while PQflush has more to send */
	struct event *ev_retry; /* reconnect timer */
	int backoff_ms;
	bool *prepared;         /* prepared[stmt id] on this connection */
	int prepared_cap;
	bool in_flight;         /* a statement was sent and its results are pending */
	bool preparing;         /* ... and it is the PQsendPrepare of q.stmt */
	bool broken;            /* failed while leased; reconnect on release */
	bool releasing;         /* released by its holder, rolling back first */
	struct query q;         /* the statement in flight */
	PGresult *result;       /* the result kept while draining */
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
	unsigned long long queue_rejected, queue_timeouts, reconnects;
};

static int next_stmt_id = 1;

static void conn_connect(struct pgconn *c);
static void conn_fail(struct pgconn *c, const char *why);
static void conn_send(struct pgconn *c);
static void dispatch(struct pgpool *pool);
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
	if (stmt && stmt->id == 0)
		stmt->id = next_stmt_id++;
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

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct pgconn *c = arg;
	int r = PQflush(c->pg);
	if (r < 0)
		conn_fail(c, PQerrorMessage(c->pg));
	else if (r > 0)
		event_add(c->ev_write, NULL);
}

static void conn_ready(struct pgconn *c)
{
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
	c->state = CONN_IDLE;
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

/* Tells whoever waits on the statement in flight that it is lost. */
static void abandon_in_flight(struct pgconn *c, enum pgpool_status st)
{
	if (!c->in_flight)
		return;
	struct query q = c->q;
	memset(&c->q, 0, sizeof c->q);
	c->in_flight = c->preparing = false;
	PQclear(c->result);
	c->result = NULL;
	if (q.cb)
		q.cb(st, NULL, q.arg);
	query_free(&q);
}

static void conn_fail(struct pgconn *c, const char *why)
{
	bool was_up = c->state != CONN_CONNECTING && c->state != CONN_DOWN;
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
	c->state = leased ? CONN_LEASED : CONN_DOWN;
	c->broken = leased;
	if (was_up)
		c->pool->reconnects++;
	abandon_in_flight(c, PGPOOL_UNAVAILABLE);
	if (!leased && !c->pool->closing)
		schedule_retry(c);
}

/* ---- running statements -------------------------------------------- */

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

/* Sends c->q: its PREPARE first when this connection has not seen it. */
static void conn_send(struct pgconn *c)
{
	int ok;
	c->in_flight = true;
	if (!c->q.stmt) {
		ok = PQsendQuery(c->pg, "ROLLBACK");
	} else {
		char name[16];
		snprintf(name, sizeof name, "s%d", c->q.stmt->id);
		ensure_prepared_cap(c, c->q.stmt->id);
		if (!c->prepared[c->q.stmt->id]) {
			c->preparing = true;
			ok = PQsendPrepare(c->pg, name, c->q.stmt->sql, 0, NULL);
		} else {
			ok = PQsendQueryPrepared(c->pg, name, c->q.nparams, (const char *const *)c->q.params,
						 NULL, NULL, 0);
		}
	}
	if (!ok) {
		conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	on_writable(-1, EV_WRITE, c);
}

/* All results of the statement in flight are in: hand them over. */
static void conn_complete(struct pgconn *c)
{
	PGresult *res = c->result;
	c->result = NULL;
	c->in_flight = false;
	bool ok = res && (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK);
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		PQclear(res);
		conn_fail(c, "connection closed by the server");
		return;
	}
	if (c->preparing) {
		c->preparing = false;
		if (ok) {
			PQclear(res);
			c->prepared[c->q.stmt->id] = true;
			conn_send(c);
			return;
		}
	}
	struct query q = c->q;
	memset(&c->q, 0, sizeof c->q);
	if (c->state == CONN_QUERY)
		c->state = CONN_IDLE;
	if (q.cb)
		q.cb(ok ? PGPOOL_OK : PGPOOL_QUERY_ERROR, res, q.arg);
	else if (!q.stmt) { /* the ROLLBACK of a released lease */
		c->releasing = false;
		c->state = CONN_IDLE;
	}
	PQclear(res);
	query_free(&q);
	dispatch(c->pool);
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
	if (!c->in_flight) {
		if (PQstatus(c->pg) == CONNECTION_BAD)
			conn_fail(c, PQerrorMessage(c->pg));
		return;
	}
	while (!PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			conn_complete(c);
			return;
		}
		/* keep the first error, else the last result */
		bool keep_old = c->result && PQresultStatus(c->result) == PGRES_FATAL_ERROR;
		if (keep_old) {
			PQclear(r);
		} else {
			PQclear(c->result);
			c->result = r;
		}
	}
}

/* ---- the queue ----------------------------------------------------- */

static struct pgconn *idle_conn(struct pgpool *pool)
{
	for (int i = 0; i < pool->size; i++)
		if (pool->conns[i].state == CONN_IDLE)
			return &pool->conns[i];
	return NULL;
}

static void dispatch(struct pgpool *pool)
{
	struct job *job;
	struct pgconn *c;
	while (!pool->closing && (job = TAILQ_FIRST(&pool->queue)) && (c = idle_conn(pool))) {
		TAILQ_REMOVE(&pool->queue, job, link);
		pool->waiting--;
		if (job->wants_lease) {
			c->state = CONN_LEASED;
			c->broken = false;
			job->lease_cb(PGPOOL_OK, &c->lease, job->arg);
		} else {
			c->state = CONN_QUERY;
			c->q = job->q;
			conn_send(c);
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
	dispatch(pool);
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

struct deferred_failure {
	pgpool_result_cb cb;
	void *arg;
};

static void on_deferred_failure(evutil_socket_t fd, short what, void *arg)
{
	struct deferred_failure *d = arg;
	d->cb(PGPOOL_UNAVAILABLE, NULL, d->arg);
	free(d);
}

void pgpool_lease_query(struct pglease *lease, struct pgstmt *stmt, int nparams,
			const char *const *params, pgpool_result_cb cb, void *arg)
{
	struct pgconn *c = lease->conn;
	if (c->broken || !c->pg) {
		/* never call back from inside the caller's own call */
		struct deferred_failure *d = xmalloc(sizeof *d);
		d->cb = cb, d->arg = arg;
		struct timeval zero = { 0, 0 };
		event_base_once(c->pool->base, -1, EV_TIMEOUT, on_deferred_failure, d, &zero);
		return;
	}
	query_init(&c->q, stmt, nparams, params, cb, arg);
	conn_send(c);
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
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		/* stays LEASED until the ROLLBACK completes (see conn_complete) */
		c->releasing = true;
		query_init(&c->q, NULL, 0, NULL, NULL, NULL);
		conn_send(c);
		return;
	}
	c->state = CONN_IDLE;
	dispatch(c->pool);
}

/* ---- life ---------------------------------------------------------- */

struct pgpool *pgpool_create(struct event_base *base, const struct pgpool_options *opt)
{
	struct pgpool *pool = xcalloc(1, sizeof *pool);
	pool->base = base;
	pool->conninfo = xstrdup(opt->conninfo);
	pool->application_name = xstrdup(opt->application_name ? opt->application_name : "suqiu");
	/* every API timestamp is +08:00 (DESIGN.md §6), whatever the server's default */
	pool->options = xasprintf("-c statement_timeout=%d -c timezone=Asia/Shanghai", opt->statement_timeout_ms);
	pool->queue_max = opt->queue_max;
	pool->queue_timeout_ms = opt->queue_timeout_ms;
	pool->size = opt->size;
	TAILQ_INIT(&pool->queue);
	pool->ev_queue_timer = evtimer_new(base, on_queue_timer, pool);
	pool->conns = xcalloc((size_t)pool->size, sizeof *pool->conns);
	for (int i = 0; i < pool->size; i++) {
		struct pgconn *c = &pool->conns[i];
		c->pool = pool;
		c->index = i;
		c->lease.conn = c;
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
	while ((job = TAILQ_FIRST(&pool->queue))) {
		TAILQ_REMOVE(&pool->queue, job, link);
		pool->waiting--;
		fail_job(job, PGPOOL_SHUTDOWN);
	}
	for (int i = 0; i < pool->size; i++) {
		struct pgconn *c = &pool->conns[i];
		abandon_in_flight(c, PGPOOL_SHUTDOWN);
		drop_events(c);
		event_free(c->ev_retry);
		PQfinish(c->pg);
		free(c->prepared);
	}
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
		enum conn_state s = pool->conns[i].state;
		out->connected += s == CONN_IDLE || s == CONN_QUERY || (s == CONN_LEASED && !pool->conns[i].broken);
		out->busy += s == CONN_QUERY || s == CONN_LEASED;
	}
	out->waiting = pool->waiting;
	out->queue_rejected = pool->queue_rejected;
	out->queue_timeouts = pool->queue_timeouts;
	out->reconnects = pool->reconnects;
}
