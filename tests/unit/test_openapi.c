/*
 * The OpenAPI description (web/openapi.json) against the route table
 * (server/routes.c): every route the server registers is described, with
 * its method, and every described operation is a route, so the document
 * cannot fall behind the server or promise what it does not serve.
 *
 * Routes write parameters as ":name" segments, OpenAPI paths as "{name}".
 * SUQIU_OPENAPI_FILE names another document to check (e.g. an edited copy).
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/router.h"

/* The operations of a Path Item Object; its other keys (description,
 * parameters, ...) are not methods. */
static const char *const http_methods[] = { "get", "put", "post", "delete", "options", "head", "patch", "trace" };

static json_t *load_document(void)
{
	const char *file = getenv("SUQIU_OPENAPI_FILE");
	if (!file || !*file)
		file = SUQIU_SOURCE_ROOT "/web/openapi.json";
	json_error_t err;
	json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &err);
	cr_assert_not_null(doc, "%s: line %d: %s", file, err.line, err.text);
	cr_assert(json_is_object(json_object_get(doc, "paths")), "%s has no paths object", file);
	return doc;
}

/* "/api/v1/tickets/:id/actions/:action" -> "/api/v1/tickets/{id}/actions/{action}" */
static void openapi_path(const char *pattern, char *out, size_t outlen)
{
	size_t n = 0;
	for (const char *p = pattern; *p && n + 1 < outlen;) {
		if (*p == ':' && (p == pattern || p[-1] == '/')) {
			size_t len = strcspn(p + 1, "/");
			n += (size_t)snprintf(out + n, outlen - n, "{%.*s}", (int)len, p + 1);
			p += 1 + len;
		} else {
			out[n++] = *p++;
		}
		if (n >= outlen)
			n = outlen - 1;
	}
	out[n] = '\0';
}

static void lower(const char *s, char *out, size_t outlen)
{
	size_t i = 0;
	for (; s[i] && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* The OpenAPI path and lower-case method key of a route. */
static void describe_route(const struct route *r, char path[256], char method[16])
{
	openapi_path(r->pattern, path, 256);
	lower(router_method_name(r->method), method, 16);
}

/* The route for an OpenAPI path and lower-case method, or NULL. HEAD is
 * served wherever GET is, so a described "head" needs a GET route. */
static const struct route *route_for(const char *path, const char *method)
{
	for (int i = 0; i < route_count; i++) {
		char p[256], m[16];
		describe_route(&routes[i], p, m);
		if (strcmp(p, path) == 0 && (strcmp(m, method) == 0 || (strcmp(method, "head") == 0 && strcmp(m, "get") == 0)))
			return &routes[i];
	}
	return NULL;
}

/* A parameter object, following one local "#/components/parameters/..." reference. */
static json_t *resolve_parameter(json_t *doc, json_t *param)
{
	const char *ref = json_string_value(json_object_get(param, "$ref"));
	const char *prefix = "#/components/parameters/";
	if (!ref)
		return param;
	if (strncmp(ref, prefix, strlen(prefix)) != 0)
		return NULL;
	return json_object_get(json_object_get(json_object_get(doc, "components"), "parameters"), ref + strlen(prefix));
}

static bool declares_path_parameter(json_t *doc, json_t *params, const char *name)
{
	size_t i;
	json_t *p;
	json_array_foreach(params, i, p) {
		json_t *resolved = resolve_parameter(doc, p);
		if (json_is_string(json_object_get(resolved, "in")) &&
		    strcmp(json_string_value(json_object_get(resolved, "in")), "path") == 0 &&
		    json_is_string(json_object_get(resolved, "name")) &&
		    strcmp(json_string_value(json_object_get(resolved, "name")), name) == 0)
			return true;
	}
	return false;
}

Test(openapi, converts_route_patterns_to_openapi_paths)
{
	char out[128];
	openapi_path("/api/v1/tickets/:id/actions/:action", out, sizeof out);
	cr_expect_str_eq(out, "/api/v1/tickets/{id}/actions/{action}");
	openapi_path("/healthz", out, sizeof out);
	cr_expect_str_eq(out, "/healthz");
	openapi_path("/api/v1/orgs/:id", out, sizeof out);
	cr_expect_str_eq(out, "/api/v1/orgs/{id}");
}

Test(openapi, every_route_is_described)
{
	json_t *doc = load_document();
	json_t *paths = json_object_get(doc, "paths");
	cr_assert_gt(route_count, 0);
	for (int i = 0; i < route_count; i++) {
		char path[256], method[16];
		describe_route(&routes[i], path, method);
		json_t *item = json_object_get(paths, path);
		cr_expect(json_is_object(item), "route %s %s: web/openapi.json has no path %s", router_method_name(routes[i].method),
			  routes[i].pattern, path);
		json_t *op = json_object_get(item, method);
		cr_expect(!item || json_is_object(op), "route %s %s: web/openapi.json describes no %s operation of %s",
			  router_method_name(routes[i].method), routes[i].pattern, method, path);
		cr_expect(!op || json_is_object(json_object_get(op, "responses")),
			  "%s %s: the operation lists no responses", method, path);
	}
	json_decref(doc);
}

Test(openapi, every_described_operation_is_a_route)
{
	json_t *doc = load_document();
	const char *path;
	json_t *item;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		bool any = false;
		for (size_t m = 0; m < sizeof http_methods / sizeof http_methods[0]; m++) {
			if (!json_object_get(item, http_methods[m]))
				continue;
			any = true;
			cr_expect_not_null(route_for(path, http_methods[m]),
					   "web/openapi.json describes %s %s, which server/routes.c does not register",
					   http_methods[m], path);
		}
		cr_expect(any, "web/openapi.json: path %s has no operation", path);
	}
	json_decref(doc);
}

Test(openapi, path_parameters_are_declared)
{
	json_t *doc = load_document();
	json_t *paths = json_object_get(doc, "paths");
	for (int i = 0; i < route_count; i++) {
		char path[256], method[16];
		describe_route(&routes[i], path, method);
		json_t *item = json_object_get(paths, path);
		json_t *op = json_object_get(item, method);
		if (!op)
			continue; /* reported by every_route_is_described */
		for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)strcspn(p + 1, "}"), p + 1);
			cr_expect(declares_path_parameter(doc, json_object_get(item, "parameters"), name) ||
					  declares_path_parameter(doc, json_object_get(op, "parameters"), name),
				  "%s %s: the path parameter {%s} is not declared", method, path, name);
		}
	}
	json_decref(doc);
}
