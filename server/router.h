/*
 * router: the route table and path matching.
 *
 * evhttp_set_cb matches whole paths only, so every request goes through
 * one general callback and this table. Patterns are literal segments and
 * ":name" segments that capture one decoded segment each.
 */
#ifndef SUQIU_SERVER_ROUTER_H
#define SUQIU_SERVER_ROUTER_H

#include "server/http.h"

enum route_flags {
	ROUTE_PUBLIC = 1 << 0, /* no authentication needed */
	ROUTE_JSON = 1 << 1,   /* the body must be a JSON object (checked before the handler) */
	ROUTE_UPLOAD = 1 << 2, /* a file upload: the body may be up to HTTP_UPLOAD_LIMIT */
};

struct route {
	enum evhttp_cmd_type method;
	const char *pattern;
	handler_fn handler;
	unsigned flags;
};

extern const struct route routes[];
extern const int route_count;

/* Finds the route for method and path, filling params (the caller frees
 * them). When the path matches only under other methods, returns NULL and
 * sets *allowed to their EVHTTP_REQ_* bits; when nothing matches, NULL and 0. */
const struct route *router_match(const char *path, enum evhttp_cmd_type method,
				 char *params[ROUTE_MAX_PARAMS], int *allowed);

/* "GET, POST" for an Allow header, into out. */
void router_allow_header(int allowed, char *out, size_t outlen);

const char *router_method_name(enum evhttp_cmd_type m);

#endif
