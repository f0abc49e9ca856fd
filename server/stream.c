/* stream: LISTEN/NOTIFY to Server-Sent Events; see stream.h. */
#include "server/stream.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "server/authcache.h"
#include "server/http.h"

#define CHANNEL "suqiu_events"
#define PING_SECONDS 15
/* A stream ends after this long and the browser reconnects, signing in
 * again: a logout, a disabled account or a revoked token stops its events
 * within this time. */
#define STREAM_MAX_SECONDS 300
#define RETRY_SECONDS 1

struct client {
	TAILQ_ENTRY(client) link;
	struct stream *owner;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct principal who;
	time_t started;
};

struct stream {
	struct event_base *base;
	char *conninfo;
	PGconn *pg;
	bool listening;
	int listens_confirmed; /* LISTEN results received since connecting */
	bool probing;          /* a SELECT 1 is out on the listener (see probe) */
	struct authcache *auth; /* told of suqiu_auth notices and of the listener's state */
	bool closed;
	struct event *ev_pg, *ev_retry, *ev_ping;
	TAILQ_HEAD(, client) clients;
	/* announcing: one notify transaction in flight at a time; the ids that
	 * arrive meanwhile wait in pending ("1,2,3") and go together next */
	struct pgpool *pool;
	bool announcing;
	char *pending;
	size_t pending_len, pending_cap;
};

static void connect_start(struct stream *s);

/* ---- clients -------------------------------------------------------- */

static void client_free(struct client *c)
{
	TAILQ_REMOVE(&c->owner->clients, c, link);
	free(c);
}

static void on_client_closed(struct evhttp_connection *conn, void *arg)
{
	(void)conn;
	struct client *c = arg;
	/* libevent 2.1 detaches an unfinished chunked reply from a connection
	 * the client closed, and leaves the request to us */
	if (!evhttp_request_get_connection(c->req))
		evhttp_request_free(c->req);
	client_free(c);
}

static void send_text(struct client *c, const char *text, size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, text, len);
	evhttp_send_reply_chunk(c->req, buf);
	evbuffer_free(buf);
}

static void end_client(struct client *c)
{
	evhttp_connection_set_closecb(c->conn, NULL, NULL);
	evhttp_send_reply_end(c->req);
	client_free(c);
}

void stream_subscribe(struct reqctx *ctx)
{
	struct stream *s = ctx->srv->stream;
	if (!s || s->closed) {
		http_reply_problem(ctx, "shutting_down", "the server is shutting down");
		return;
	}
	if (ticket_scope_of(&ctx->who) == TSCOPE_NONE) {
		http_reply_problem(ctx, "forbidden", "the role %s does not read tickets", role_name(ctx->who.role));
		return;
	}
	if (ctx->method == EVHTTP_REQ_HEAD) { /* the headers only: no stream to keep open */
		http_header(ctx, "Cache-Control", "no-cache");
		http_reply_buffer(ctx, 200, "text/event-stream; charset=utf-8", evbuffer_new());
		return;
	}
	struct client *c = xcalloc(1, sizeof *c);
	c->owner = s;
	c->who = ctx->who;
	c->started = time(NULL);
	c->req = http_reply_stream(ctx, "text/event-stream; charset=utf-8");
	c->conn = evhttp_request_get_connection(c->req);
	evhttp_connection_set_closecb(c->conn, on_client_closed, c);
	TAILQ_INSERT_TAIL(&s->clients, c, link);
	static const char hello[] = "retry: 2000\n: suqiu live updates\n\n";
	send_text(c, hello, sizeof hello - 1);
}

/* Passes one notification on to the streams allowed to see it. */
static void dispatch(struct stream *s, const char *payload)
{
	json_t *n = json_loads(payload, 0, NULL);
	if (!n)
		return;
	json_t *paths = json_object_get(n, "org_paths");
	size_t count = json_array_size(paths);
	const char **org_paths = xcalloc(count ? count : 1, sizeof *org_paths);
	for (size_t i = 0; i < count; i++)
		org_paths[i] = json_string_value(json_array_get(paths, i));
	long long enterprise = (long long)json_integer_value(json_object_get(n, "enterprise_id"));
	char *town = xstrdup(json_string_value(json_object_get(n, "town_path")) ? json_string_value(json_object_get(n,
		"town_path")) : "");
	/* what browsers get: the event, not who may see it */
	json_t *out = json_deep_copy(n);
	json_object_del(out, "org_paths");
	json_object_del(out, "enterprise_id");
	json_object_del(out, "town_path");
	char *data = json_dumps(out, JSON_COMPACT);
	char *frame = xasprintf("id: %lld\nevent: ticket\ndata: %s\n\n",
				(long long)json_integer_value(json_object_get(n, "event_id")), data ? data : "{}");
	struct client *c, *next;
	for (c = TAILQ_FIRST(&s->clients); c; c = next) {
		next = TAILQ_NEXT(c, link);
		if (ticket_scope_admits(&c->who, enterprise, town, org_paths, (int)count))
			send_text(c, frame, strlen(frame));
	}
	free(frame);
	free(data);
	json_decref(out);
	free(town);
	free(org_paths);
	json_decref(n);
}

static void connection_lost(struct stream *s, const char *why);

/* A connection whose far end vanished without a reset (a crashed host, a
 * partition) would look alive for ever and the auth cache would go on
 * answering without notices: every ping the listener sends SELECT 1, and
 * one still unanswered at the next ping counts as a lost connection. */
static void probe(struct stream *s)
{
	if (!s->pg || s->listens_confirmed < 2)
		return;
	if (s->probing) {
		connection_lost(s, "the listener did not answer its keepalive query");
		return;
	}
	if (!PQsendQuery(s->pg, "SELECT 1")) {
		connection_lost(s, PQerrorMessage(s->pg));
		return;
	}
	PQflush(s->pg); /* a few bytes: the socket takes them at once */
	s->probing = true;
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct stream *s = arg;
	probe(s);
	static const char ping[] = ": ping\n\n";
	time_t now = time(NULL);
	struct client *c, *next;
	for (c = TAILQ_FIRST(&s->clients); c; c = next) {
		next = TAILQ_NEXT(c, link);
		if (now - c->started >= STREAM_MAX_SECONDS)
			end_client(c);
		else
			send_text(c, ping, sizeof ping - 1);
	}
}

static struct pgstmt STMT_ANNOUNCE = PGSTMT("stream_announce",
	"SELECT set_config('synchronous_commit', 'off', true),"
	" count(pg_notify('" CHANNEL "', ticket_event_notice(id))) FROM unnest($1::bigint[]) AS id");

static void announce_pending(struct stream *s);

static void on_announced(enum pgpool_status st, PGresult *res, void *arg)
{
	(void)res;
	struct stream *s = arg;
	s->announcing = false;
	if (st != PGPOOL_OK)
		logj("warn", "stream_announce_failed", "{s:s}", "error", res ? PQresultErrorMessage(res) : "unavailable");
	announce_pending(s);
}

static void announce_pending(struct stream *s)
{
	if (s->announcing || s->pending_len == 0)
		return;
	char *ids = xasprintf("{%s}", s->pending);
	s->pending_len = 0;
	s->pending[0] = '\0';
	const char *params[] = { ids };
	s->announcing = pgpool_query(s->pool, &STMT_ANNOUNCE, 1, params, on_announced, s);
	if (!s->announcing)
		logj("warn", "stream_announce_dropped", "{s:s}", "events", ids); /* the pool is full or closing */
	free(ids);
}

void stream_announce(struct reqctx *ctx, const char *event_ids)
{
	struct stream *s = ctx->srv->stream;
	if (!s || !event_ids || event_ids[0] != '{')
		return;
	size_t n = strcspn(event_ids + 1, "}");
	if (n == 0)
		return;
	if (s->pending_len + n + 2 > s->pending_cap) {
		s->pending_cap = (s->pending_len + n + 2) * 2;
		s->pending = xrealloc(s->pending, s->pending_cap);
	}
	if (s->pending_len)
		s->pending[s->pending_len++] = ',';
	memcpy(s->pending + s->pending_len, event_ids + 1, n);
	s->pending_len += n;
	s->pending[s->pending_len] = '\0';
	announce_pending(s);
}

/* ---- the listening connection ---------------------------------------- */

static void connection_lost(struct stream *s, const char *why)
{
	if (s->ev_pg) {
		event_free(s->ev_pg);
		s->ev_pg = NULL;
	}
	if (s->pg) {
		logj("warn", "stream_listener_lost", "{s:s}", "error", why);
		PQfinish(s->pg);
		s->pg = NULL;
	}
	s->listening = false;
	/* notices may be missed until LISTEN runs again: the cache must not answer */
	authcache_set_listening(s->auth, false);
	struct timeval retry = { RETRY_SECONDS, 0 };
	event_add(s->ev_retry, &retry);
}

static void watch(struct stream *s, short what, event_callback_fn cb)
{
	if (s->ev_pg)
		event_free(s->ev_pg);
	s->ev_pg = event_new(s->base, PQsocket(s->pg), what, cb, s);
	event_add(s->ev_pg, NULL);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct stream *s = arg;
	if (!PQconsumeInput(s->pg)) {
		connection_lost(s, PQerrorMessage(s->pg));
		return;
	}
	while (!PQisBusy(s->pg)) {
		PGresult *r = PQgetResult(s->pg);
		if (!r)
			break;
		ExecStatusType status = PQresultStatus(r);
		if (status != PGRES_COMMAND_OK && !(status == PGRES_TUPLES_OK && s->probing)) {
			connection_lost(s, PQresultErrorMessage(r));
			PQclear(r);
			return;
		}
		PQclear(r);
		if (status == PGRES_TUPLES_OK)
			s->probing = false; /* the probe's answer: the connection is alive */
		/* both channels listened to: from now on no auth notice is missed */
		else if (++s->listens_confirmed == 2)
			authcache_set_listening(s->auth, true);
	}
	PGnotify *note;
	while ((note = PQnotifies(s->pg))) {
		if (strcmp(note->relname, AUTHCACHE_CHANNEL) == 0)
			authcache_notified(s->auth, note->extra);
		else
			dispatch(s, note->extra);
		PQfreemem(note);
	}
}

static void on_connect_progress(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct stream *s = arg;
	switch (PQconnectPoll(s->pg)) {
	case PGRES_POLLING_READING:
		watch(s, EV_READ, on_connect_progress);
		return;
	case PGRES_POLLING_WRITING:
		watch(s, EV_WRITE, on_connect_progress);
		return;
	case PGRES_POLLING_OK:
		s->listens_confirmed = 0;
		s->probing = false;
		if (!PQsendQuery(s->pg, "LISTEN " CHANNEL "; LISTEN " AUTHCACHE_CHANNEL)) {
			connection_lost(s, PQerrorMessage(s->pg));
			return;
		}
		PQflush(s->pg); /* a few bytes: the socket takes them at once */
		s->listening = true;
		logj("info", "stream_listening", "{s:s}", "channel", CHANNEL);
		watch(s, EV_READ | EV_PERSIST, on_readable);
		return;
	default:
		connection_lost(s, PQerrorMessage(s->pg));
		return;
	}
}

static void connect_start(struct stream *s)
{
	/* named, so that pg_stat_activity shows which backend is whose listener */
	char name[64];
	snprintf(name, sizeof name, "suqiu-server listener %ld", (long)getpid());
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *values[] = { s->conninfo, name, NULL };
	s->pg = PQconnectStartParams(keys, values, 1);
	if (!s->pg || PQstatus(s->pg) == CONNECTION_BAD || PQsocket(s->pg) < 0) {
		connection_lost(s, s->pg ? PQerrorMessage(s->pg) : "out of memory");
		return;
	}
	PQsetnonblocking(s->pg, 1);
	watch(s, EV_WRITE, on_connect_progress);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct stream *s = arg;
	if (!s->closed)
		connect_start(s);
}

struct stream *stream_create(struct event_base *base, struct pgpool *pool, const char *conninfo,
			     struct authcache *auth)
{
	struct stream *s = xcalloc(1, sizeof *s);
	s->base = base;
	s->auth = auth;
	s->pool = pool;
	s->conninfo = xstrdup(conninfo);
	TAILQ_INIT(&s->clients);
	s->ev_retry = evtimer_new(base, on_retry, s);
	s->ev_ping = event_new(base, -1, EV_PERSIST, on_ping, s);
	struct timeval ping = { PING_SECONDS, 0 };
	event_add(s->ev_ping, &ping);
	connect_start(s);
	return s;
}

void stream_close_all(struct stream *s)
{
	if (!s)
		return;
	s->closed = true;
	while (!TAILQ_EMPTY(&s->clients))
		end_client(TAILQ_FIRST(&s->clients));
}

void stream_destroy(struct stream *s)
{
	if (!s)
		return;
	stream_close_all(s);
	if (s->ev_pg)
		event_free(s->ev_pg);
	event_free(s->ev_retry);
	event_free(s->ev_ping);
	if (s->pg)
		PQfinish(s->pg);
	free(s->conninfo);
	free(s->pending);
	free(s);
}
