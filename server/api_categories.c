/*
 * api_categories: the demand category tree (GB/T 39666-style codes).
 *
 *   GET   /api/v1/categories       every category (any signed-in user)
 *   POST  /api/v1/categories       create (admin): {code, name, parent_id?, default_urgency?, lead_org_ids?}
 *   PATCH /api/v1/categories/:id   edit (admin): {name?, default_urgency?, lead_org_ids?, disabled?}
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/xalloc.h"

#define CATEGORY_COLUMNS "c.id, c.parent_id, c.code, c.name, c.default_urgency, to_json(c.lead_org_ids)," \
	" (c.disabled_at IS NOT NULL)"

static struct pgstmt STMT_CATEGORIES = PGSTMT_READ("categories_list",
	"SELECT " CATEGORY_COLUMNS " FROM categories c ORDER BY c.code");
static struct pgstmt STMT_CATEGORY_CREATE = PGSTMT("category_create",
	"INSERT INTO categories AS c (parent_id, code, name, default_urgency, lead_org_ids)"
	" VALUES ($1, $2, btrim($3), coalesce($4, 'normal'), coalesce($5::bigint[], '{}')) RETURNING " CATEGORY_COLUMNS);
static struct pgstmt STMT_CATEGORY_UPDATE = PGSTMT("category_update",
	"UPDATE categories AS c SET name = coalesce(btrim($2), name), default_urgency = coalesce($3, default_urgency),"
	" lead_org_ids = coalesce($4::bigint[], lead_org_ids),"
	" disabled_at = CASE WHEN $5::boolean THEN coalesce(disabled_at, now()) WHEN NOT $5::boolean THEN NULL"
	"               ELSE disabled_at END"
	" WHERE id = $1 RETURNING " CATEGORY_COLUMNS);

static json_t *category_json(const PGresult *res, int r)
{
	json_t *orgs = json_loads(PQgetvalue(res, r, 5), 0, NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", api_cell_int(res, r, 0),
			 "parent_id", api_cell_int(res, r, 1), "code", api_cell_str(res, r, 2),
			 "name", api_cell_str(res, r, 3), "default_urgency", api_cell_str(res, r, 4),
			 "lead_org_ids", orgs ? orgs : json_array(), "disabled", PQgetvalue(res, r, 6)[0] == 't');
}

static void on_categories(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, category_json, NULL);
}

void api_categories_list(struct reqctx *ctx)
{
	http_query(ctx, &STMT_CATEGORIES, 0, NULL, on_categories);
}

static void on_category(enum pgpool_status st, PGresult *res, void *arg)
{
	api_reply_one(arg, st, res, category_json, "the code or the name is already used", "no such category");
}

/* {"lead_org_ids": [1, 2]} as "{1,2}"; false (after replying) when not ids. */
static bool org_array(struct reqctx *ctx, char **out)
{
	json_t *a = json_object_get(ctx->body, "lead_org_ids");
	*out = NULL;
	if (!a)
		return true;
	if (json_array_size(a) > 20) {
		http_reply_problem(ctx, "invalid_value", "lead_org_ids may list at most 20 orgs");
		return false;
	}
	char buf[24 * 21] = "{";
	size_t used = 1, i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			http_reply_problem(ctx, "invalid_value", "lead_org_ids must list org ids");
			return false;
		}
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%lld", i ? "," : "",
					 (long long)json_integer_value(v));
	}
	snprintf(buf + used, sizeof buf - used, "}");
	*out = xstrdup(buf);
	return true;
}

static bool code_ok(const char *code)
{
	size_t n = strlen(code);
	return n >= 2 && n <= 12 && strspn(code, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

static const struct jsonin_field create_fields[] = {
	{ "parent_id", JT_ID, false, 0, 0 },
	{ "code", JT_STRING, true, 2, 12 },
	{ "name", JT_STRING, true, 1, 50 },
	{ "default_urgency", JT_STRING, false, 1, 20 },
	{ "lead_org_ids", JT_ARRAY, false, 0, 0 },
	JSONIN_END,
};

void api_categories_create(struct reqctx *ctx)
{
	char *orgs;
	if (!http_authorize(ctx, AUTHZ_CATEGORY_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, create_fields))
		return;
	if (!code_ok(jsonin_str(ctx->body, "code", ""))) {
		http_reply_problem(ctx, "invalid_value", "code must be 2 to 12 characters of 0-9 and A-Z");
		return;
	}
	const char *urgency = jsonin_str(ctx->body, "default_urgency", NULL);
	if (urgency && !api_valid_urgency(urgency)) {
		http_reply_problem(ctx, "invalid_value", "default_urgency must be normal, urgent or critical");
		return;
	}
	if (!org_array(ctx, &orgs))
		return;
	char parent[24];
	snprintf(parent, sizeof parent, "%lld", jsonin_int(ctx->body, "parent_id", 0));
	const char *params[] = { json_object_get(ctx->body, "parent_id") ? parent : NULL,
				 jsonin_str(ctx->body, "code", ""), jsonin_str(ctx->body, "name", ""), urgency, orgs };
	http_query(ctx, &STMT_CATEGORY_CREATE, 5, params, on_category);
	free(orgs);
}

static const struct jsonin_field update_fields[] = {
	{ "name", JT_STRING, false, 1, 50 },
	{ "default_urgency", JT_STRING, false, 1, 20 },
	{ "lead_org_ids", JT_ARRAY, false, 0, 0 },
	{ "disabled", JT_BOOLEAN, false, 0, 0 },
	JSONIN_END,
};

void api_categories_update(struct reqctx *ctx)
{
	long long id;
	char *orgs;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_CATEGORY_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, update_fields))
		return;
	const char *urgency = jsonin_str(ctx->body, "default_urgency", NULL);
	if (urgency && !api_valid_urgency(urgency)) {
		http_reply_problem(ctx, "invalid_value", "default_urgency must be normal, urgent or critical");
		return;
	}
	if (!org_array(ctx, &orgs))
		return;
	json_t *disabled = json_object_get(ctx->body, "disabled");
	const char *params[] = { ctx->params[0], jsonin_str(ctx->body, "name", NULL), urgency, orgs,
				 disabled ? (json_is_true(disabled) ? "true" : "false") : NULL };
	http_query(ctx, &STMT_CATEGORY_UPDATE, 5, params, on_category);
	free(orgs);
}
