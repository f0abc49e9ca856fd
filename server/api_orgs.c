/*
 * api_orgs: the organisation tree.
 *
 *   GET  /api/v1/orgs                every org (staff)
 *   GET  /api/v1/orgs/:id            one org (staff)
 *   POST /api/v1/orgs                create (admin): {parent_id, kind, name, short_name?}
 *   POST /api/v1/orgs/:id/disable    disable (admin)
 *   GET  /api/v1/orgs/:id/users      its users (admin; a bureau leader for their own org)
 *
 * Where an org may sit (district at the root; center, bureaus and towns
 * under it; offices under those) is enforced by the orgs_place trigger.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/auth.h"

#define ORG_COLUMNS "o.id, o.parent_id, o.kind, o.name, o.short_name, o.path, (o.disabled_at IS NOT NULL), " \
		    SQL_TIME("o.created_at")

static struct pgstmt STMT_ORGS_LIST = PGSTMT_READ("orgs_list",
	"SELECT " ORG_COLUMNS " FROM orgs o ORDER BY o.id");
static struct pgstmt STMT_ORG_GET = PGSTMT_READ("org_get",
	"SELECT " ORG_COLUMNS " FROM orgs o WHERE o.id = $1");
static struct pgstmt STMT_ORG_CREATE = PGSTMT("org_create",
	"INSERT INTO orgs AS o (parent_id, kind, name, short_name) VALUES ($1, $2, btrim($3), btrim($4))"
	" RETURNING " ORG_COLUMNS);
static struct pgstmt STMT_ORG_DISABLE = PGSTMT("org_disable",
	"UPDATE orgs AS o SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1 RETURNING " ORG_COLUMNS);
static struct pgstmt STMT_ORG_USERS = PGSTMT_READ("org_users",
	"SELECT " AUTH_USER_COLUMNS " FROM users u JOIN orgs o ON o.id = u.org_id"
	" WHERE o.path = $1 OR o.path LIKE $1 || '.%' ORDER BY u.id");

static json_t *org_json(const PGresult *res, int row)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
			 "id", api_cell_int(res, row, 0), "parent_id", api_cell_int(res, row, 1),
			 "kind", api_cell_str(res, row, 2), "name", api_cell_str(res, row, 3),
			 "short_name", api_cell_str(res, row, 4), "path", api_cell_str(res, row, 5),
			 "disabled", PQgetvalue(res, row, 6)[0] == 't', "created_at", api_cell_time(res, row, 7));
}

static void reply_one_org(enum pgpool_status st, PGresult *res, void *arg, int status)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
	} else if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "no org with id %s", ctx->params[0]);
	} else {
		http_reply_json(ctx, status, org_json(res, 0));
	}
}

static void on_org(enum pgpool_status st, PGresult *res, void *arg)
{
	reply_one_org(st, res, arg, 200);
}

static void on_org_created(enum pgpool_status st, PGresult *res, void *arg)
{
	reply_one_org(st, res, arg, 201);
}

static void on_orgs(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, org_json, NULL);
}

void api_orgs_list(struct reqctx *ctx)
{
	if (http_authorize(ctx, AUTHZ_ORG_READ, NULL))
		http_query(ctx, &STMT_ORGS_LIST, 0, NULL, on_orgs);
}

void api_orgs_get(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_ORG_READ, NULL))
		return;
	const char *params[] = { ctx->params[0] };
	http_query(ctx, &STMT_ORG_GET, 1, params, on_org);
}

static const struct jsonin_field org_fields[] = {
	{ "parent_id", JT_ID, true, 0, 0 },
	{ "kind", JT_STRING, true, 1, 20 },
	{ "name", JT_STRING, true, 1, 100 },
	{ "short_name", JT_STRING, false, 1, 20 },
	JSONIN_END,
};

void api_orgs_create(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_ORG_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, org_fields))
		return;
	const char *kind = jsonin_str(ctx->body, "kind", "");
	static const char *const kinds[] = { "center", "bureau", "town", "office", NULL };
	bool known = false;
	for (int i = 0; kinds[i]; i++)
		known |= strcmp(kinds[i], kind) == 0;
	if (!known) {
		http_reply_problem(ctx, "invalid_value", "kind must be one of center, bureau, town, office");
		return;
	}
	char parent[24];
	snprintf(parent, sizeof parent, "%lld", jsonin_int(ctx->body, "parent_id", 0));
	const char *params[] = { parent, kind, jsonin_str(ctx->body, "name", ""),
				 jsonin_str(ctx->body, "short_name", NULL) };
	http_query(ctx, &STMT_ORG_CREATE, 4, params, on_org_created);
}

void api_orgs_disable(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_ORG_MANAGE, NULL))
		return;
	const char *params[] = { ctx->params[0] };
	http_query(ctx, &STMT_ORG_DISABLE, 1, params, on_org);
}

static void on_org_users(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, auth_user_row, NULL);
}

/* The org is read first: whether the caller may see its users depends on where it sits. */
static void on_org_for_users(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "no org with id %s", ctx->params[0]);
		return;
	}
	const char *path = PQgetvalue(res, 0, 5);
	if (!http_authorize(ctx, AUTHZ_USER_READ, path))
		return;
	const char *params[] = { path };
	http_query(ctx, &STMT_ORG_USERS, 1, params, on_org_users);
}

void api_orgs_users(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id))
		return;
	/* a role that may never list users learns nothing, not even whether the org exists */
	struct authz_object nothing = { NULL };
	if (authz_check(&ctx->who, AUTHZ_USER_READ, &nothing) == AUTHZ_DENY_ROLE) {
		http_authorize(ctx, AUTHZ_USER_READ, NULL);
		return;
	}
	const char *params[] = { ctx->params[0] };
	http_query(ctx, &STMT_ORG_GET, 1, params, on_org_for_users);
}
