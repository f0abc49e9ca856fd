/*
 * pgpool: a fixed-size pool of non-blocking libpq connections driven by
 * libevent, so that no request ever blocks the event loop on the database.
 *
 * Each connection is connected with PQconnectStart/PQconnectPoll, runs one
 * query at a time with PQsendQueryPrepared, and is read with
 * PQconsumeInput/PQisBusy/PQgetResult when its socket is readable.
 * Statements are prepared lazily, once per connection, on first use.
 * Requests that find no idle connection wait in a bounded FIFO queue; a
 * full queue is refused at once and a request that waits longer than the
 * queue timeout fails, both of which the HTTP layer answers with 503.
 * A connection that breaks (e.g. the database restarted) is reconnected
 * with exponential backoff; idle connections notice the break by
 * themselves because their socket stays watched for reading.
 *
 * Callbacks run on the event loop thread. A PGresult handed to a callback
 * belongs to the pool and is cleared when the callback returns.
 */
#ifndef SUQIU_SERVER_PGPOOL_H
#define SUQIU_SERVER_PGPOOL_H

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "core/xalloc.h"

/* A statement: define it once as a static and pass its address. */
struct pgstmt {
	const char *name; /* for logs */
	const char *sql;
	bool readonly;    /* only reads: may share a pipeline Sync with other reads */
	bool replan;      /* never prepared: planned for its parameters' values each time */
	int id;           /* assigned on first use; 0 = not yet */
};
/* A statement that writes (or might): it always gets a Sync of its own. */
#define PGSTMT(n, s) { .name = (n), .sql = (s), .readonly = false, .id = 0 }
/* A statement that only reads. Reads sent in one loop turn share a Sync,
 * i.e. an implicit transaction, which is harmless for reads (a failure
 * among them undoes nothing) and saves PostgreSQL a round of work each. */
#define PGSTMT_READ(n, s) { .name = (n), .sql = (s), .readonly = true, .id = 0 }
/* A long read whose best plan depends on its parameters (a report over a
 * period: a day or three years): planned with their values on every call,
 * never with a generic plan that PostgreSQL would switch a prepared
 * statement to after five calls, and with a Sync of its own, so that its
 * statement timeout fails no other read. */
#define PGSTMT_REPORT(n, s) { .name = (n), .sql = (s), .readonly = false, .replan = true, .id = 0 }

enum pgpool_status {
	PGPOOL_OK,          /* res holds the result (tuples or command OK) */
	PGPOOL_QUERY_ERROR, /* res holds the error result (see its SQLSTATE) */
	PGPOOL_UNAVAILABLE, /* the connection broke or the database is down; res NULL */
	PGPOOL_TIMEOUT,     /* waited longer than the queue timeout; res NULL */
	PGPOOL_SHUTDOWN,    /* the pool is closing; res NULL */
};

typedef void (*pgpool_result_cb)(enum pgpool_status st, PGresult *res, void *arg);

struct pgpool;
struct pglease; /* a connection held across several queries (a transaction) */

typedef void (*pgpool_lease_cb)(enum pgpool_status st, struct pglease *lease, void *arg);

struct pgpool_options {
	const char *conninfo;
	const char *application_name;
	int size;
	int queue_max;
	int queue_timeout_ms;
	int statement_timeout_ms;
	bool log_statements;  /* log each statement's SQL once, when first used */
};

struct pgpool *pgpool_create(struct event_base *base, const struct pgpool_options *opt);
/* Closes every connection; queued work is failed with PGPOOL_SHUTDOWN. */
void pgpool_destroy(struct pgpool *pool);

/* Runs stmt with text params (NULL entries are SQL NULL; the strings are
 * copied). Returns false, without calling cb, when the queue is full or
 * the pool is closing; otherwise cb is called exactly once, later. */
bool pgpool_query(struct pgpool *pool, struct pgstmt *stmt, int nparams, const char *const *params,
		  pgpool_result_cb cb, void *arg) MUSTCHECK;

/* Asks for a connection of one's own (for BEGIN ... COMMIT). Same contract
 * as pgpool_query; on PGPOOL_OK cb receives the lease, which must be given
 * back with pgpool_lease_release(). */
bool pgpool_acquire(struct pgpool *pool, pgpool_lease_cb cb, void *arg) MUSTCHECK;
/* Runs one statement on a lease; the lease must not be running another. */
void pgpool_lease_query(struct pglease *lease, struct pgstmt *stmt, int nparams,
			const char *const *params, pgpool_result_cb cb, void *arg);
/* Gives the connection back; an open transaction is rolled back first. */
void pgpool_lease_release(struct pglease *lease);

struct pgpool_stats {
	int size;       /* configured connections */
	int connected;  /* connections up */
	int busy;       /* running a query or leased */
	int waiting;    /* requests in the queue */
	unsigned long long queue_rejected, queue_timeouts, reconnects;
};
void pgpool_stats(const struct pgpool *pool, struct pgpool_stats *out);

#endif
