/* router: path matching over the route table (routes.c); see router.h. */
#include "server/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* Matches one pattern; on success params hold copies of the ":" segments. */
static bool match(const char *pattern, const char *path, char *params[ROUTE_MAX_PARAMS])
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			goto no;
		p++, s++;
		const char *pend = strchr(p, '/'), *send = strchr(s, '/');
		size_t plen = pend ? (size_t)(pend - p) : strlen(p);
		size_t slen = send ? (size_t)(send - s) : strlen(s);
		if (*p == ':') {
			if (slen == 0 || n == ROUTE_MAX_PARAMS)
				goto no;
			params[n++] = xstrndup(s, slen);
		} else if (plen != slen || memcmp(p, s, plen) != 0) {
			goto no;
		}
		p += plen, s += slen;
	}
	if (*p == '\0' && *s == '\0')
		return true;
no:
	for (int i = 0; i < n; i++) {
		free(params[i]);
		params[i] = NULL;
	}
	return false;
}

const struct route *router_match(const char *path, enum evhttp_cmd_type method,
				 char *params[ROUTE_MAX_PARAMS], int *allowed)
{
	*allowed = 0;
	for (int i = 0; i < route_count; i++) {
		char *tmp[ROUTE_MAX_PARAMS] = { 0 };
		if (!match(routes[i].pattern, path, tmp))
			continue;
		if (routes[i].method == method || (method == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET)) {
			memcpy(params, tmp, sizeof tmp);
			return &routes[i];
		}
		*allowed |= routes[i].method;
		if (routes[i].method == EVHTTP_REQ_GET)
			*allowed |= EVHTTP_REQ_HEAD;
		for (int k = 0; k < ROUTE_MAX_PARAMS; k++)
			free(tmp[k]);
	}
	return NULL;
}

const char *router_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	}
	return "OTHER";
}

void router_allow_header(int allowed, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (int bit = 1; bit <= EVHTTP_REQ_PATCH; bit <<= 1)
		if (allowed & bit)
			n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", n ? ", " : "",
					      router_method_name((enum evhttp_cmd_type)bit));
}
