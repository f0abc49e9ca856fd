/*
 * http: the request pipeline and the single reply path; see http.h.
 *
 * Order of checks in http_handle(): draining -> path (encoding, traversal)
 * and query string -> body size -> route and method -> authentication and
 * CSRF (auth.c) -> JSON body -> handler. Whatever fails answers problem+json and the
 * handler never runs, so a rejected request changes nothing.
 */
#include "server/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include "core/log.h"
#include "core/problem.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "server/auth.h"
#include "server/router.h"
#include "server/static.h"

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " \
	    "form-action 'self'; frame-ancestors 'none'"

/* ---- context ------------------------------------------------------- */

static bool safe_request_id(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= 40 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				 c == '-' || c == '_' || c == '.'))
			return false;
	}
	return n > 0;
}

static void client_address(struct reqctx *ctx)
{
	char *peer = NULL;
	ev_uint16_t port = 0;
	struct evhttp_connection *evcon = evhttp_request_get_connection(ctx->req);
	if (evcon)
		evhttp_connection_get_peer(evcon, &peer, &port);
	snprintf(ctx->client_addr, sizeof ctx->client_addr, "%s", peer ? peer : "unknown");
	if (!ctx->srv->cfg.trust_proxy)
		return;
	/* behind our own proxy the last hop it appended is the client */
	const char *xff = http_request_header(ctx, "X-Forwarded-For");
	if (!xff)
		return;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ')
		last++;
	size_t n = strspn(last, "0123456789abcdefABCDEF.:"); /* an IPv4 or IPv6 address, nothing else */
	if (n > 0 && n < sizeof ctx->client_addr && (last[n] == '\0' || last[n] == ' ')) {
		memcpy(ctx->client_addr, last, n);
		ctx->client_addr[n] = '\0';
	}
}

static struct reqctx *ctx_new(struct server *srv, struct evhttp_request *req)
{
	struct reqctx *ctx = xcalloc(1, sizeof *ctx);
	ctx->srv = srv;
	ctx->req = req;
	ctx->method = evhttp_request_get_command(req);
	ctx->start_ns = timefmt_mono_ns();
	ctx->metric_route = route_count + 1; /* "unmatched" until known */
	const char *rid = http_request_header(ctx, "X-Request-Id");
	if (rid && safe_request_id(rid)) {
		snprintf(ctx->request_id, sizeof ctx->request_id, "%s", rid);
	} else {
		/* a random per-process prefix and a counter: unique, and no syscall per request */
		static uint32_t prefix;
		static uint64_t counter;
		if (!prefix)
			prefix = randombytes_random() | 1;
		snprintf(ctx->request_id, sizeof ctx->request_id, "%08x%016llx", prefix,
			 (unsigned long long)++counter);
	}
	client_address(ctx);
	srv->inflight++;
	return ctx;
}

static void ctx_free(struct reqctx *ctx)
{
	for (int i = 0; i < ROUTE_MAX_PARAMS; i++)
		free(ctx->params[i]);
	if (ctx->query) {
		evhttp_clear_headers(ctx->query);
		free(ctx->query);
	}
	if (ctx->credential) {
		sodium_memzero(ctx->credential, strlen(ctx->credential));
		free(ctx->credential);
	}
	if (ctx->state_free)
		ctx->state_free(ctx->state);
	json_decref(ctx->body);
	free(ctx->path);
	ctx->srv->inflight--;
	free(ctx);
}

/* ---- the reply path ------------------------------------------------ */

void http_header(struct reqctx *ctx, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(ctx->req), name, value);
}

const char *http_request_header(const struct reqctx *ctx, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(ctx->req), name);
}

const char *http_query_param(struct reqctx *ctx, const char *name)
{
	return ctx->query ? evhttp_find_header(ctx->query, name) : NULL;
}

/* Parses the query string up front: a malformed one is a 400, not a
 * silently empty set of parameters. */
static bool take_query(struct reqctx *ctx)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(ctx->req));
	ctx->query = xcalloc(1, sizeof *ctx->query);
	TAILQ_INIT(ctx->query);
	if (!q)
		return true;
	if (evhttp_parse_query_str(q, ctx->query) != 0) {
		http_reply_problem(ctx, "invalid_query", "the query string is malformed");
		return false;
	}
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, ctx->query, next) {
		if (!utf8_valid((const unsigned char *)kv->value, strlen(kv->value), NULL) ||
		    !utf8_valid((const unsigned char *)kv->key, strlen(kv->key), NULL)) {
			http_reply_problem(ctx, "invalid_utf8", "the query string is not valid UTF-8");
			return false;
		}
	}
	return true;
}

/* One JSON line per request, formatted directly: this runs for every
 * request, so it avoids building a jansson object. */
static void access_log(struct reqctx *ctx, int status, double seconds)
{
	char ts[TIMEFMT_LEN], path[420], line[1024];
	timefmt_now(ts);
	char cut[201];
	snprintf(cut, sizeof cut, "%s", ctx->path ? ctx->path : "");
	size_t bad;
	if (!utf8_valid((const unsigned char *)cut, strlen(cut), &bad))
		cut[bad] = '\0'; /* cut inside a character */
	log_escape(path, sizeof path, cut);
	const char *route = ctx->route ? ctx->route->pattern : ctx->metric_route == route_count ? "static" : "unmatched";
	int n = snprintf(line, sizeof line,
			 "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"server\",\"event\":\"request\","
			 "\"request_id\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"path\":\"%s\",\"status\":%d,"
			 "\"duration_us\":%lld,\"client\":\"%s\"",
			 ts, status >= 500 ? "error" : "info", ctx->request_id, router_method_name(ctx->method), route,
			 path, status, (long long)(seconds * 1e6), ctx->client_addr);
	if (ctx->auth != AUTH_NONE && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, ",\"user_id\":%lld", ctx->who.user_id);
	if (n > 0 && (size_t)n < sizeof line - 1) {
		line[n++] = '}';
		log_line(line, (size_t)n);
	}
}

static void common_headers(struct reqctx *ctx, const char *content_type)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(ctx->req);
	evhttp_add_header(out, "X-Request-Id", ctx->request_id);
	evhttp_add_header(out, "Content-Security-Policy", CSP);
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "X-Frame-Options", "DENY");
	evhttp_add_header(out, "Referrer-Policy", "same-origin");
	if (!evhttp_find_header(out, "Cache-Control"))
		evhttp_add_header(out, "Cache-Control", "no-store");
	if (content_type)
		evhttp_add_header(out, "Content-Type", content_type);
	if (ctx->srv->draining)
		evhttp_add_header(out, "Connection", "close");
}

static void account(struct reqctx *ctx, int status)
{
	double seconds = (double)(timefmt_mono_ns() - ctx->start_ns) / 1e9;
	metrics_observe(ctx->srv->metrics, ctx->metric_route, router_method_name(ctx->method), status, seconds);
	access_log(ctx, status, seconds);
}

/* Every reply goes through here exactly once. buf may be NULL. */
static void finish(struct reqctx *ctx, int status, const char *content_type, struct evbuffer *buf)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(ctx->req);
	common_headers(ctx, content_type);
	size_t len = buf ? evbuffer_get_length(buf) : 0;
	if (ctx->method == EVHTTP_REQ_HEAD && buf) {
		/* HEAD: the headers of the GET, without its body */
		char n[24];
		snprintf(n, sizeof n, "%zu", len);
		evhttp_add_header(out, "Content-Length", n);
		evbuffer_drain(buf, len);
	}
	account(ctx, status);
	evhttp_send_reply(ctx->req, status, NULL, buf);
	if (buf)
		evbuffer_free(buf);
	ctx_free(ctx);
}

struct evhttp_request *http_reply_stream(struct reqctx *ctx, const char *content_type)
{
	struct evhttp_request *req = ctx->req;
	http_header(ctx, "Cache-Control", "no-cache");
	http_header(ctx, "X-Accel-Buffering", "no"); /* nginx: pass events on at once */
	common_headers(ctx, content_type);
	account(ctx, 200);
	evhttp_send_reply_start(req, 200, "OK");
	ctx_free(ctx);
	return req;
}

void http_reply_buffer(struct reqctx *ctx, int status, const char *content_type, struct evbuffer *buf)
{
	finish(ctx, status, content_type, buf);
}

void http_reply_json(struct reqctx *ctx, int status, json_t *body)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = json_dumps(body, JSON_COMPACT);
	if (text) {
		evbuffer_add(buf, text, strlen(text));
		free(text);
	}
	json_decref(body);
	finish(ctx, status, "application/json; charset=utf-8", buf);
}

void http_reply_empty(struct reqctx *ctx, int status)
{
	finish(ctx, status, NULL, NULL);
}

void http_reply_problem(struct reqctx *ctx, const char *code, const char *fmt, ...)
{
	char detail[512] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
		/* a detail quoting client input may have been cut inside a character */
		size_t bad;
		if (!utf8_valid((const unsigned char *)detail, strlen(detail), &bad))
			detail[bad] = '\0';
	}
	const struct problem_kind *kind = problem_lookup(code);
	json_t *body = problem_body(code, fmt ? detail : NULL);
	json_object_set_new(body, "request_id", json_string(ctx->request_id));
	struct evbuffer *buf = evbuffer_new();
	char *text = json_dumps(body, JSON_COMPACT);
	evbuffer_add(buf, text, strlen(text));
	free(text);
	json_decref(body);
	finish(ctx, kind->status, "application/problem+json; charset=utf-8", buf);
}

void http_reply_input_error(struct reqctx *ctx, const struct jsonin_error *err)
{
	http_reply_problem(ctx, err->code, "%s", err->detail);
}

void http_reply_db_error(struct reqctx *ctx, enum pgpool_status st, const PGresult *res)
{
	switch (st) {
	case PGPOOL_TIMEOUT:
		http_header(ctx, "Retry-After", "1");
		http_reply_problem(ctx, "overloaded", "no database connection became free in time");
		return;
	case PGPOOL_SHUTDOWN:
		http_reply_problem(ctx, "shutting_down", "the server is shutting down");
		return;
	case PGPOOL_UNAVAILABLE:
		http_header(ctx, "Retry-After", "2");
		http_reply_problem(ctx, "database_unavailable", "the database connection was lost; try again");
		return;
	case PGPOOL_OK:
	case PGPOOL_QUERY_ERROR:
		break;
	}
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	state = state ? state : "";
	msg = msg ? msg : "";
	if (strcmp(state, "22021") == 0) {
		http_reply_problem(ctx, "invalid_utf8", "%s", msg);
	} else if (strcmp(state, "23505") == 0) {
		http_reply_problem(ctx, "conflict", "%s", msg);
	} else if (strcmp(state, "23503") == 0 || strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0 ||
		   strcmp(state, "22P02") == 0 || strcmp(state, "22001") == 0 || strcmp(state, "22003") == 0) {
		http_reply_problem(ctx, "unprocessable", "%s", msg);
	} else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "57014") == 0 ||
		   strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
		http_header(ctx, "Retry-After", "1");
		http_reply_problem(ctx, "database_unavailable", "the database could not complete the request; try again");
	} else {
		logj("error", "db_error", "{s:s, s:s, s:s}", "request_id", ctx->request_id, "sqlstate", state,
		     "message", msg);
		http_reply_problem(ctx, "internal", "the request failed on the server (request %s)", ctx->request_id);
	}
}

bool http_query(struct reqctx *ctx, struct pgstmt *stmt, int nparams, const char *const *params,
		pgpool_result_cb cb)
{
	if (pgpool_query(ctx->srv->pool, stmt, nparams, params, cb, ctx))
		return true;
	http_header(ctx, "Retry-After", "1");
	http_reply_problem(ctx, ctx->srv->draining ? "shutting_down" : "overloaded",
			   "too many requests are waiting for the database");
	return false;
}

bool http_authorize(struct reqctx *ctx, enum authz_action action, const char *org_path)
{
	struct authz_object obj = { .org_path = org_path };
	return http_authorize_object(ctx, action, &obj);
}

bool http_authorize_object(struct reqctx *ctx, enum authz_action action, const struct authz_object *obj)
{
	enum authz_verdict v = authz_check(&ctx->who, action, obj);
	if (v == AUTHZ_ALLOW)
		return true;
	http_reply_problem(ctx, authz_problem_code(v),
			   v == AUTHZ_DENY_SCOPE ? "the object lies outside your scope"
						 : "your role (%s) may not do this", role_name(ctx->who.role));
	return false;
}

/* ---- the pipeline -------------------------------------------------- */

/* Decodes and checks the path. Encoded slashes, backslashes, NUL, dot
 * segments and invalid UTF-8 are refused before any lookup. */
static bool take_path(struct reqctx *ctx)
{
	const char *raw = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(ctx->req));
	if (!raw || raw[0] != '/') {
		http_reply_problem(ctx, "invalid_path", "the request path must start with /");
		return false;
	}
	if (strcasestr(raw, "%2f") || strcasestr(raw, "%5c") || strcasestr(raw, "%00") || strchr(raw, '\\')) {
		http_reply_problem(ctx, "invalid_path", "encoded slashes, backslashes and NUL are not allowed in paths");
		return false;
	}
	size_t len = 0;
	char *decoded = evhttp_uridecode(raw, 0, &len);
	if (!decoded || strlen(decoded) != len) {
		free(decoded);
		http_reply_problem(ctx, "invalid_path", "the request path cannot be decoded");
		return false;
	}
	if (!utf8_valid((const unsigned char *)decoded, len, NULL)) {
		free(decoded);
		http_reply_problem(ctx, "invalid_utf8", "the request path is not valid UTF-8");
		return false;
	}
	ctx->path = decoded;
	for (const char *seg = decoded; seg; seg = strchr(seg + 1, '/')) {
		const char *s = seg + 1;
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
			http_reply_problem(ctx, "invalid_path", "dot segments are not allowed in paths");
			return false;
		}
	}
	return true;
}

bool http_content_type_is(const struct reqctx *ctx, const char *type)
{
	const char *ct = http_request_header(ctx, "Content-Type");
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen(type);
	return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool take_json_body(struct reqctx *ctx)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(ctx->req);
	size_t len = evbuffer_get_length(in);
	if (!http_content_type_is(ctx, "application/json")) {
		http_reply_problem(ctx, "unsupported_media_type", "the body must be sent as application/json");
		return false;
	}
	const char *data = len ? (const char *)evbuffer_pullup(in, -1) : "";
	struct jsonin_error err;
	ctx->body = jsonin_parse(data, len, &err);
	if (!ctx->body) {
		http_reply_input_error(ctx, &err);
		return false;
	}
	return true;
}

/* The route's handler, once its JSON body (if it takes one) is checked. */
static void run_handler(struct reqctx *ctx)
{
	if ((ctx->route->flags & ROUTE_JSON) && !take_json_body(ctx))
		return;
	ctx->route->handler(ctx);
}

void http_handle(struct evhttp_request *req, void *arg)
{
	struct server *srv = arg;
	struct reqctx *ctx = ctx_new(srv, req);
	if (srv->draining) {
		http_header(ctx, "Retry-After", "2");
		http_reply_problem(ctx, "shutting_down", "the server is restarting");
		return;
	}
	if (!take_path(ctx) || !take_query(ctx))
		return;
	int allowed = 0;
	const struct route *route = router_match(ctx->path, ctx->method, ctx->params, &allowed);
	size_t body_len = evbuffer_get_length(evhttp_request_get_input_buffer(req));
	long limit = route && (route->flags & ROUTE_UPLOAD) ? HTTP_UPLOAD_LIMIT : srv->cfg.body_limit;
	if (body_len > (size_t)limit) {
		http_header(ctx, "Connection", "close");
		http_reply_problem(ctx, "payload_too_large", "the body has %zu bytes; at most %ld are accepted",
				   body_len, limit);
		return;
	}
	if (!route) {
		bool api = strncmp(ctx->path, "/api/", 5) == 0 || strcmp(ctx->path, "/api") == 0;
		if (allowed) {
			char allow[128];
			router_allow_header(allowed, allow, sizeof allow);
			http_header(ctx, "Allow", allow);
			http_reply_problem(ctx, "method_not_allowed", "%s is not allowed here; use %s",
					   router_method_name(ctx->method), allow);
		} else if (api) {
			http_reply_problem(ctx, "not_found", "no API route matches %s", ctx->path);
		} else {
			ctx->metric_route = route_count;
			static_serve(ctx);
		}
		return;
	}
	ctx->route = route;
	ctx->metric_route = (int)(route - routes);
	/* who is asking comes first: an anonymous client gets no JSON parsing done for it */
	if (route->flags & ROUTE_PUBLIC)
		run_handler(ctx);
	else
		auth_authenticate(ctx, run_handler);
}
