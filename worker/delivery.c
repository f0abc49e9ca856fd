/* delivery: outbox messages to the webhooks, at least once; see delivery.h. */
#include "worker/delivery.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db.h"
#include "core/log.h"
#include "core/webhook.h"
#include "core/xalloc.h"

/* The routes as outbox_route() (migration 0010) names them. */
enum route {
	ROUTE_ENTERPRISE, /* notices to enterprises: the SMS/IM gateway */
	ROUTE_ORG,        /* notices to orgs and staff */
	ROUTE_ESCALATION, /* sla_warning, sla_overdue, sla_supervision */
	ROUTE__COUNT
};
static const char *const route_names[ROUTE__COUNT] = { "enterprise", "org", "escalation" };

#define RUN_BUDGET_MS 1000   /* delivery_run's turn in the worker loop */
#define LEASE_MARGIN_MS 2000 /* the claim's and the record's round trips, beyond the POSTs */
#define RETRY_MS 1000        /* after a statement failed on a healthy connection */

struct delivery {
	const struct config *cfg;
	const char *urls[ROUTE__COUNT];
	char *routes;        /* text[] literal of the routes that have a URL; NULL = none */
	char *kinds;         /* text[] literal of SUQIU_OUTBOX_KINDS; NULL = every kind */
	char worker_id[128]; /* outbox.leased_by of this process's leases: its heartbeat id */
	long lease_ms;       /* how long a claim holds its batch */
	char batch[24], max_attempts[24], lease_text[24];
	CURLM *multi;        /* kept across batches: its connections stay open */
	int wait_ms;         /* from the last run: until the next due message, -1 = none pending */
	struct delivery_totals totals;
};

/* One message of a batch on its way. */
struct transfer {
	long long id;
	enum route route;
	int attempt;         /* 1 = the first (outbox.attempts, counted by the claim) */
	char *body;          /* the JSON POSTed, kept until the transfer ends */
	CURL *easy;
	struct curl_slist *headers;
	bool ok;             /* answered 2xx */
	char error[96];      /* else why not: short, never a URL or a secret */
};

/*
 * The claim. Per route with a URL ($3), the due messages in order of due
 * time, through outbox_due_route, skipping those other workers hold; of
 * those the $2 due first. Each one's attempt is counted and it is leased
 * to $1 for $6 ms; one whose last allowed attempt ($5) was interrupted
 * (its lease expired) is dead instead. The first column counts those; a
 * claim of nothing still returns one row, with a NULL id.
 */
static const char SQL_CLAIM[] =
	"WITH due AS (SELECT x.id, x.attempts FROM unnest($3::text[]) AS r (route),"
	"  LATERAL (SELECT o.id, o.attempts, o.next_attempt_at FROM outbox o"
	"           WHERE o.state = 'pending' AND outbox_route(o.kind, o.recipient_kind) = r.route"
	"             AND o.next_attempt_at <= now() AND ($4::text[] IS NULL OR o.kind = ANY ($4::text[]))"
	"           ORDER BY o.next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) x"
	"  ORDER BY x.next_attempt_at LIMIT $2),"
	" expired AS (UPDATE outbox o SET state = 'dead', dead_at = now(), leased_by = NULL,"
	"   last_error = 'attempt ' || o.attempts || ' was interrupted (its lease expired)'"
	"   FROM due WHERE o.id = due.id AND due.attempts >= $5 RETURNING o.id),"
	" claimed AS (UPDATE outbox o SET attempts = o.attempts + 1, leased_by = $1,"
	"   next_attempt_at = now() + $6 * interval '1 millisecond'"
	"   FROM due WHERE o.id = due.id AND due.attempts < $5 RETURNING o.*)"
	" SELECT n.expired, c.id, c.idempotency_key, c.kind, outbox_route(c.kind, c.recipient_kind), c.recipient_kind,"
	"  c.recipient_id, c.ticket_id, t.number, c.event_id, c.title, c.body,"
	"  to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"+08:00\"'), c.attempts"
	" FROM (SELECT count(*) AS expired FROM expired) n"
	" LEFT JOIN (claimed c LEFT JOIN tickets t ON t.id = c.ticket_id) ON true ORDER BY c.id";
enum { C_EXPIRED, C_ID, C_KEY, C_KIND, C_ROUTE, C_RKIND, C_RID, C_TICKET, C_NUMBER, C_EVENT, C_TITLE, C_BODY,
       C_CREATED, C_ATTEMPTS };

/*
 * The results of a batch ($2: [{id, ok, error, delay_ms}]). A 2xx is
 * recorded whoever holds the message now (it was delivered); a failure only
 * while this worker ($1) still holds it: after an admin's retry, or once
 * the lease went to another worker, the message is no longer ours to
 * reschedule.
 */
static const char SQL_RECORD[] =
	"WITH r AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS r (id bigint, ok boolean, error text, delay_ms bigint)),"
	" ok AS (UPDATE outbox o SET state = 'delivered', delivered_at = now(), leased_by = NULL"
	"   FROM r WHERE o.id = r.id AND r.ok AND o.state = 'pending' RETURNING o.id),"
	" failed AS (UPDATE outbox o SET leased_by = NULL, last_error = r.error,"
	"   state = CASE WHEN o.attempts >= $3 THEN 'dead' ELSE 'pending' END,"
	"   dead_at = CASE WHEN o.attempts >= $3 THEN now() END,"
	"   next_attempt_at = CASE WHEN o.attempts >= $3 THEN o.next_attempt_at"
	"                          ELSE now() + r.delay_ms * interval '1 millisecond' END"
	"   FROM r WHERE o.id = r.id AND NOT r.ok AND o.state = 'pending' AND o.leased_by = $1 RETURNING o.state)"
	" SELECT (SELECT count(*) FROM ok), (SELECT count(*) FROM failed WHERE state = 'dead')";

/* Milliseconds until the first pending message of the routes is due (<= 0: now), NULL when none is pending. */
static const char SQL_NEXT_DUE[] =
	"SELECT ceil(extract(epoch FROM min(x.next_attempt_at) - now()) * 1000)::bigint"
	" FROM unnest($1::text[]) AS r (route),"
	" LATERAL (SELECT o.next_attempt_at FROM outbox o"
	"          WHERE o.state = 'pending' AND outbox_route(o.kind, o.recipient_kind) = r.route"
	"            AND ($2::text[] IS NULL OR o.kind = ANY ($2::text[]))"
	"          ORDER BY o.next_attempt_at LIMIT 1) x";

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct delivery *delivery_create(const struct config *cfg, const char *worker_id)
{
	struct delivery *d = xcalloc(1, sizeof *d);
	d->cfg = cfg;
	d->wait_ms = -1;
	d->urls[ROUTE_ENTERPRISE] = cfg->webhook_enterprise_url;
	d->urls[ROUTE_ORG] = cfg->webhook_org_url;
	d->urls[ROUTE_ESCALATION] = cfg->webhook_escalation_url;
	char routes[64] = "{";
	for (int r = 0; r < ROUTE__COUNT; r++)
		if (d->urls[r])
			snprintf(routes + strlen(routes), sizeof routes - strlen(routes), "%s%s",
				 routes[1] ? "," : "", route_names[r]);
	if (!routes[1]) {
		logj("info", "delivery_off", "{s:s}", "reason", "no webhook URL is set");
		return d;
	}
	d->routes = xasprintf("%s}", routes);
	/* config_load checked the list: names without quotes, commas or spaces */
	d->kinds = cfg->outbox_kinds ? xasprintf("{%s}", cfg->outbox_kinds) : NULL;
	snprintf(d->worker_id, sizeof d->worker_id, "%s", worker_id);
	/* the lease covers the batch's rounds of parallel POSTs, each up to the timeout */
	long rounds = (cfg->outbox_batch + cfg->webhook_parallel - 1) / cfg->webhook_parallel;
	d->lease_ms = rounds * cfg->webhook_timeout_ms + LEASE_MARGIN_MS;
	snprintf(d->lease_text, sizeof d->lease_text, "%ld", d->lease_ms);
	snprintf(d->batch, sizeof d->batch, "%ld", cfg->outbox_batch);
	snprintf(d->max_attempts, sizeof d->max_attempts, "%ld", cfg->outbox_max_attempts);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(d->multi = curl_multi_init())) {
		fprintf(stderr, "could not initialise libcurl\n");
		abort();
	}
	curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)cfg->webhook_parallel * ROUTE__COUNT);
	logj("info", "delivery_on", "{s:s, s:s, s:s?, s:i, s:i, s:i, s:I}", "worker_id", d->worker_id, "routes",
	     d->routes, "kinds", cfg->outbox_kinds, "batch", (int)cfg->outbox_batch, "parallel",
	     (int)cfg->webhook_parallel, "timeout_ms", (int)cfg->webhook_timeout_ms, "lease_ms", (json_int_t)d->lease_ms);
	return d;
}

void delivery_destroy(struct delivery *d)
{
	if (!d)
		return;
	if (d->multi) {
		curl_multi_cleanup(d->multi);
		curl_global_cleanup();
	}
	free(d->routes);
	free(d->kinds);
	free(d);
}

const struct delivery_totals *delivery_totals(const struct delivery *d)
{
	return &d->totals;
}

int delivery_wait_ms(const struct delivery *d, int idle_ms)
{
	if (!d || d->wait_ms < 0 || d->wait_ms > idle_ms)
		return idle_ms;
	return d->wait_ms;
}

/* ---- one message ----------------------------------------------------- */

static json_t *cell_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() : json_integer(atoll(PQgetvalue(res, row, col)));
}

static json_t *cell_str(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

/* The document POSTed for a claimed row: the message as stored, the same
 * on every attempt (the attempt number travels in a header). Caller frees. */
static char *message_json(const PGresult *res, int row)
{
	json_t *doc = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				"id", cell_int(res, row, C_ID), "idempotency_key", cell_str(res, row, C_KEY),
				"kind", cell_str(res, row, C_KIND), "recipient_kind", cell_str(res, row, C_RKIND),
				"recipient_id", cell_int(res, row, C_RID), "ticket_id", cell_int(res, row, C_TICKET),
				"ticket_number", cell_str(res, row, C_NUMBER), "event_id", cell_int(res, row, C_EVENT),
				"title", cell_str(res, row, C_TITLE), "body", cell_str(res, row, C_BODY),
				"created_at", cell_str(res, row, C_CREATED));
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text) /* only when out of memory, or text that is not UTF-8, which the database refuses */
		abort();
	return text;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data, (void)arg;
	return size * n;
}

static enum route route_of(const char *name)
{
	for (int r = 0; r < ROUTE__COUNT; r++)
		if (strcmp(name, route_names[r]) == 0)
			return (enum route)r;
	return ROUTE_ORG; /* outbox_route() names no other */
}

static void add_header(struct transfer *t, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *l = curl_slist_append(t->headers, line);
	free(line);
	if (!l)
		abort(); /* out of memory */
	t->headers = l;
}

/* Prepares the POST of row: the body, its signature made now, the headers. */
static void transfer_init(struct delivery *d, struct transfer *t, const PGresult *res, int row)
{
	memset(t, 0, sizeof *t);
	t->id = atoll(PQgetvalue(res, row, C_ID));
	t->route = route_of(PQgetvalue(res, row, C_ROUTE));
	t->attempt = atoi(PQgetvalue(res, row, C_ATTEMPTS));
	t->body = message_json(res, row);
	char ts[24], sig[WEBHOOK_SIGNATURE_LEN + 1], attempt[16];
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	snprintf(attempt, sizeof attempt, "%d", t->attempt);
	webhook_sign(d->cfg->webhook_secret, ts, t->body, strlen(t->body), sig);
	add_header(t, "Content-Type", "application/json");
	add_header(t, "Idempotency-Key", PQgetvalue(res, row, C_KEY));
	add_header(t, "X-Suqiu-Timestamp", ts);
	add_header(t, "X-Suqiu-Signature", sig);
	add_header(t, "X-Suqiu-Attempt", attempt);
	t->headers = curl_slist_append(t->headers, "Expect:"); /* no 100-continue round trip */
	CURL *e = t->easy = curl_easy_init();
	if (!e || !t->headers)
		abort();
	curl_easy_setopt(e, CURLOPT_URL, d->urls[t->route]);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(t->body));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "suqiu-worker/" SUQIU_VERSION);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, d->cfg->webhook_timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)t);
}

/* Notes how the transfer ended and frees what only the transfer needed. */
static void transfer_done(struct delivery *d, struct transfer *t, CURLcode code)
{
	long status = 0;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	t->ok = code == CURLE_OK && status >= 200 && status < 300;
	if (code != CURLE_OK)
		snprintf(t->error, sizeof t->error, "%s", curl_easy_strerror(code));
	else if (!t->ok)
		snprintf(t->error, sizeof t->error, "HTTP %ld", status);
	curl_multi_remove_handle(d->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	free(t->body);
	t->body = NULL;
}

/* POSTs every transfer, SUQIU_WEBHOOK_PARALLEL at a time. A transfer is
 * handed to libcurl only when it may start, because its timeout runs from
 * then: queued inside libcurl, it would time out waiting for a connection. */
static void send_all(struct delivery *d, struct transfer *ts, int n)
{
	int next = 0, active = 0;
	for (;;) {
		while (next < n && active < d->cfg->webhook_parallel) {
			curl_multi_add_handle(d->multi, ts[next++].easy);
			active++;
		}
		if (!active)
			break;
		int running;
		curl_multi_perform(d->multi, &running);
		bool ended = false;
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(d->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *t;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
			transfer_done(d, (struct transfer *)t, msg->data.result);
			active--;
			ended = true;
		}
		if (!ended) /* wakes on the sockets or libcurl's timers; a signal interrupts it harmlessly */
			curl_multi_poll(d->multi, NULL, 0, 1000, NULL);
	}
}

/* ---- a batch ---------------------------------------------------------- */

static void log_db_error(const char *what, const char *err)
{
	logj("warn", "delivery_db_error", "{s:s, s:s}", "statement", what, "error", err);
}

/* Records the batch's results; false when the database failed. *delivered
 * counts the messages this batch delivered (not those found delivered
 * already, by another worker whose lease had expired), *dead those it
 * killed. */
static bool record(struct delivery *d, PGconn *conn, struct transfer *ts, int n, int *delivered, int *dead)
{
	json_t *rows = json_array();
	for (int i = 0; i < n; i++) {
		long delay = ts[i].ok ? 0 : webhook_backoff_ms(ts[i].attempt, d->cfg->outbox_backoff_ms, randombytes_random());
		json_array_append_new(rows, json_pack("{s:I, s:b, s:s?, s:I}", "id", (json_int_t)ts[i].id, "ok", ts[i].ok,
						      "error", ts[i].ok ? NULL : ts[i].error, "delay_ms", (json_int_t)delay));
		if (!ts[i].ok)
			logj("warn", "delivery_failed", "{s:I, s:s, s:i, s:s}", "outbox_id", (json_int_t)ts[i].id, "route",
			     route_names[ts[i].route], "attempt", ts[i].attempt, "error", ts[i].error);
	}
	char *results = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	char err[512];
	const char *params[] = { d->worker_id, results, d->max_attempts };
	PGresult *res = db_exec(conn, SQL_RECORD, 3, params, err, sizeof err);
	free(results);
	if (!res) {
		log_db_error("record", err);
		return false;
	}
	*delivered = atoi(PQgetvalue(res, 0, 0));
	*dead = atoi(PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}

/* Claims, sends and records one batch. *claimed: how many were claimed
 * (-1 when the database failed). */
static void run_batch(struct delivery *d, PGconn *conn, int *claimed)
{
	char err[512];
	const char *params[] = { d->worker_id, d->batch, d->routes, d->kinds, d->max_attempts, d->lease_text };
	long long start = now_ms();
	PGresult *res = db_exec(conn, SQL_CLAIM, 6, params, err, sizeof err);
	if (!res) {
		log_db_error("claim", err);
		*claimed = -1;
		return;
	}
	int expired = atoi(PQgetvalue(res, 0, C_EXPIRED));
	int n = PQgetisnull(res, 0, C_ID) ? 0 : PQntuples(res);
	if (expired)
		logj("warn", "delivery_lease_expired", "{s:i}", "dead", expired);
	*claimed = n;
	if (!n) {
		PQclear(res);
		return;
	}
	struct transfer *ts = xcalloc((size_t)n, sizeof *ts);
	for (int i = 0; i < n; i++)
		transfer_init(d, &ts[i], res, i);
	PQclear(res);
	send_all(d, ts, n);
	int delivered = 0, dead = 0, failed = 0;
	for (int i = 0; i < n; i++)
		failed += !ts[i].ok;
	d->totals.failed += failed;
	if (!record(d, conn, ts, n, &delivered, &dead)) {
		*claimed = -1; /* the leases expire; the messages are sent again */
	} else {
		d->totals.delivered += delivered;
		logj("info", "delivery_batch", "{s:i, s:i, s:i, s:i, s:I}", "claimed", n, "delivered", delivered, "failed",
		     failed, "dead", dead, "ms", (json_int_t)(now_ms() - start));
	}
	free(ts);
}

/* Sets d->wait_ms from the database; false when it failed. */
static bool find_next_due(struct delivery *d, PGconn *conn)
{
	char err[512];
	const char *params[] = { d->routes, d->kinds };
	PGresult *res = db_exec(conn, SQL_NEXT_DUE, 2, params, err, sizeof err);
	if (!res) {
		log_db_error("next_due", err);
		return false;
	}
	if (PQgetisnull(res, 0, 0)) {
		d->wait_ms = -1;
	} else {
		long long ms = atoll(PQgetvalue(res, 0, 0));
		d->wait_ms = ms < 0 ? 0 : ms > 24LL * 3600 * 1000 ? 24 * 3600 * 1000 : (int)ms;
	}
	PQclear(res);
	return true;
}

bool delivery_run(struct delivery *d, PGconn *conn, const volatile sig_atomic_t *stop)
{
	if (!d->routes)
		return true;
	long long start = now_ms();
	for (;;) {
		if (stop && *stop)
			return true;
		int claimed;
		run_batch(d, conn, &claimed);
		if (claimed < 0) {
			d->wait_ms = RETRY_MS;
			return PQstatus(conn) == CONNECTION_OK;
		}
		if (claimed < d->cfg->outbox_batch)
			break;
		if (now_ms() - start >= RUN_BUDGET_MS) {
			d->wait_ms = 0; /* more is due: come back after the loop's other work */
			return true;
		}
	}
	if (!find_next_due(d, conn)) {
		d->wait_ms = RETRY_MS;
		return PQstatus(conn) == CONNECTION_OK;
	}
	return true;
}
