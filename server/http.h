/*
 * http: the life of one HTTP request, from evhttp's callback to the one
 * reply it gets.
 *
 * http_handle() checks what every request must satisfy (path, size,
 * method, JSON body, authentication and CSRF) and then calls the route's
 * handler. A handler ends every path in exactly one http_reply_*() call,
 * also when the client has gone (libevent then frees the request). The
 * reply functions add the security headers, count the request in the
 * metrics, write the access log line and free the request context.
 */
#ifndef SUQIU_SERVER_HTTP_H
#define SUQIU_SERVER_HTTP_H

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/authz.h"
#include "core/jsonin.h"
#include "server/pgpool.h"
#include "server/server.h"

#define ROUTE_MAX_PARAMS 4
#define HTTP_UPLOAD_LIMIT (10L * 1024 * 1024) /* an attachment: 10 MiB */

struct route;
struct reqctx;

typedef void (*handler_fn)(struct reqctx *ctx);

enum auth_kind {
	AUTH_NONE,
	AUTH_COOKIE, /* web session: state-changing requests need X-CSRF-Token */
	AUTH_BEARER, /* API token */
};

struct reqctx {
	struct server *srv;
	struct evhttp_request *req;
	enum evhttp_cmd_type method;
	const struct route *route;        /* NULL: static file or no route */
	int metric_route;                 /* index for the metrics */
	char *path;                       /* decoded path */
	struct evkeyvalq *query;          /* parsed query string, or NULL */
	char *params[ROUTE_MAX_PARAMS];   /* ":name" path segments, decoded */
	char request_id[48];
	char client_addr[64];
	uint64_t start_ns;
	json_t *body;                     /* the checked JSON object of ROUTE_JSON routes */
	enum auth_kind auth;
	char *credential;                 /* raw session or API token; wiped when freed */
	char auth_hash[SECRET_HASH_HEX_LEN + 1]; /* its SHA-256, as the database stores it */
	uint64_t auth_ticket;             /* authcache_ticket() when its lookup was sent */
	struct principal who;             /* valid when auth != AUTH_NONE */
	handler_fn next;                  /* where authentication continues */
	void *state;                      /* a handler's own data across callbacks */
	void (*state_free)(void *state);
};

/* The evhttp general callback; arg is the struct server. */
void http_handle(struct evhttp_request *req, void *arg);

/* Replies; each one ends the request. body is stolen. */
void http_reply_json(struct reqctx *ctx, int status, json_t *body);
void http_reply_empty(struct reqctx *ctx, int status);
void http_reply_buffer(struct reqctx *ctx, int status, const char *content_type, struct evbuffer *buf);
void http_reply_problem(struct reqctx *ctx, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Starts a streamed 200 reply (chunked) and ends ctx: the request is
 * logged and counted now, and the caller owns the returned request from
 * here on (evhttp_send_reply_chunk / evhttp_send_reply_end). */
struct evhttp_request *http_reply_stream(struct reqctx *ctx, const char *content_type);
/* The reply for a failed database call: maps pool status and SQLSTATE
 * (23505 -> 409, 23503/23514 -> 422, ...) in this one place. */
void http_reply_db_error(struct reqctx *ctx, enum pgpool_status st, const PGresult *res);
/* The reply for a jsonin failure. */
void http_reply_input_error(struct reqctx *ctx, const struct jsonin_error *err);

/* Adds a response header (before the reply). */
void http_header(struct reqctx *ctx, const char *name, const char *value);
/* A request header, or NULL. */
const char *http_request_header(const struct reqctx *ctx, const char *name);
/* True when the request's media type (parameters aside) is type. */
bool http_content_type_is(const struct reqctx *ctx, const char *type);
/* A query string parameter, or NULL. */
const char *http_query_param(struct reqctx *ctx, const char *name);

/* pgpool_query on behalf of a request: on refusal (queue full, closing)
 * it replies 503 itself and returns false. cb gets ctx as its argument. */
bool http_query(struct reqctx *ctx, struct pgstmt *stmt, int nparams, const char *const *params,
		pgpool_result_cb cb);

/* Asks authz whether ctx's principal may do action to an object in the
 * org at org_path (NULL = no particular object). On denial it replies 403
 * itself and returns false. */
bool http_authorize(struct reqctx *ctx, enum authz_action action, const char *org_path);
bool http_authorize_object(struct reqctx *ctx, enum authz_action action, const struct authz_object *obj);

#endif
