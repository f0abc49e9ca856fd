/*
 * api_users: user accounts (admin).
 *
 *   GET  /api/v1/users?limit=&cursor=&org_id=&role=   keyset-paginated list
 *   POST /api/v1/users          {username, display_name, role, org_id, password, phone?}
 *   POST /api/v1/users/:id/disable   disables and ends every session of the user
 *   POST /api/v1/users/:id/enable
 *
 * A new password is hashed with argon2id on the CPU pool, never on the
 * event loop; a role must fit the kind of its org (role_fits_org_kind).
 */
#include "server/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/secret.h"
#include "server/auth.h"
#include "server/authcache.h"

static struct pgstmt STMT_USERS_LIST = PGSTMT_READ("users_list",
	"SELECT " AUTH_USER_COLUMNS " FROM users u JOIN orgs o ON o.id = u.org_id"
	" WHERE u.id > $1 AND ($2::bigint IS NULL OR u.org_id = $2) AND ($3::text IS NULL OR u.role = $3)"
	" ORDER BY u.id LIMIT $4");
static struct pgstmt STMT_USER_ORG_KIND = PGSTMT_READ("user_org_kind",
	"SELECT kind, disabled_at IS NOT NULL FROM orgs WHERE id = $1");
static struct pgstmt STMT_USER_CREATE = PGSTMT("user_create",
	"WITH u AS (INSERT INTO users (username, display_name, role, org_id, phone, password_hash, enterprise_id)"
	"           VALUES ($1, btrim($2), $3, $4, $5, $6, $7) RETURNING *)"
	" SELECT " AUTH_USER_COLUMNS " FROM u JOIN orgs o ON o.id = u.org_id");
static struct pgstmt STMT_USER_DISABLE = PGSTMT("user_disable",
	"WITH u AS (UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1 RETURNING *),"
	" s AS (UPDATE sessions SET revoked_at = now() WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL)"
	" SELECT " AUTH_USER_COLUMNS " FROM u JOIN orgs o ON o.id = u.org_id");
static struct pgstmt STMT_USER_ENABLE = PGSTMT("user_enable",
	"WITH u AS (UPDATE users SET disabled_at = NULL WHERE id = $1 RETURNING *)"
	" SELECT " AUTH_USER_COLUMNS " FROM u JOIN orgs o ON o.id = u.org_id");

static void on_users(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, auth_user_row, ctx->state);
}

void api_users_list(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_USER_READ, NULL))
		return;
	struct page *page = api_page_new(ctx);
	if (!page)
		return;
	const char *org = http_query_param(ctx, "org_id");
	const char *role = http_query_param(ctx, "role");
	long long id;
	enum role r;
	if (org && !jsonin_id_text(org, &id)) {
		http_reply_problem(ctx, "invalid_query", "org_id must be an org id");
		return;
	}
	if (role && !role_parse(role, &r)) {
		http_reply_problem(ctx, "invalid_query", "role \"%.40s\" is not a role", role);
		return;
	}
	char after[24], limit[24];
	snprintf(after, sizeof after, "%lld", page->after);
	snprintf(limit, sizeof limit, "%d", page->limit + 1);
	const char *params[] = { after, org, role, limit };
	http_query(ctx, &STMT_USERS_LIST, 4, params, on_users);
}

/* ---- create -------------------------------------------------------- */

struct new_user {
	char *password; /* wiped when freed */
	char hash[SECRET_PWHASH_LEN];
	bool hashed;
};

static void new_user_free(void *p)
{
	struct new_user *n = p;
	sodium_memzero(n->password, strlen(n->password));
	free(n->password);
	free(n);
}

static const struct jsonin_field user_fields[] = {
	{ "username", JT_STRING, true, 3, 64 },
	{ "display_name", JT_STRING, true, 1, 64 },
	{ "role", JT_STRING, true, 1, 32 },
	{ "org_id", JT_ID, true, 0, 0 },
	{ "password", JT_STRING, true, 1, 128 },
	{ "phone", JT_STRING, false, 5, 20 },
	{ "enterprise_id", JT_ID, false, 0, 0 },
	JSONIN_END,
};

static bool username_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 64 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' ||
		      s[i] == '-'))
			return false;
	return true;
}

static void on_user_created(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st == PGPOOL_QUERY_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
		http_reply_problem(ctx, "conflict", "the username \"%s\" is taken", jsonin_str(ctx->body, "username", ""));
		return;
	}
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	http_reply_json(ctx, 201, auth_user_json(res, 0, 0));
}

static void hash_work(void *arg)
{
	struct reqctx *ctx = arg;
	struct new_user *n = ctx->state;
	n->hashed = secret_password_hash(n->password, n->hash);
}

static void hash_done(void *arg)
{
	struct reqctx *ctx = arg;
	struct new_user *n = ctx->state;
	if (!n->hashed) {
		http_reply_problem(ctx, "internal", "the password could not be hashed");
		return;
	}
	char org[24], enterprise[24];
	snprintf(org, sizeof org, "%lld", jsonin_int(ctx->body, "org_id", 0));
	snprintf(enterprise, sizeof enterprise, "%lld", jsonin_int(ctx->body, "enterprise_id", 0));
	const char *params[] = { jsonin_str(ctx->body, "username", ""), jsonin_str(ctx->body, "display_name", ""),
				 jsonin_str(ctx->body, "role", ""), org, jsonin_str(ctx->body, "phone", NULL),
				 n->hash, json_object_get(ctx->body, "enterprise_id") ? enterprise : NULL };
	http_query(ctx, &STMT_USER_CREATE, 7, params, on_user_created);
}

static void on_org_kind(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "unprocessable", "org %lld does not exist", jsonin_int(ctx->body, "org_id", 0));
		return;
	}
	enum role r;
	role_parse(jsonin_str(ctx->body, "role", ""), &r);
	const char *kind = PQgetvalue(res, 0, 0);
	if (PQgetvalue(res, 0, 1)[0] == 't') {
		http_reply_problem(ctx, "unprocessable", "org %lld is disabled", jsonin_int(ctx->body, "org_id", 0));
		return;
	}
	if (!role_fits_org_kind(r, kind)) {
		http_reply_problem(ctx, "unprocessable", "a user with role %s cannot belong to an org of kind %s",
				   role_name(r), kind);
		return;
	}
	cpupool_submit(ctx->srv->cpu, hash_work, hash_done, ctx);
}

void api_users_create(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_USER_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, user_fields))
		return;
	const char *username = jsonin_str(ctx->body, "username", "");
	enum role r;
	if (!username_ok(username)) {
		http_reply_problem(ctx, "invalid_value", "username must be 3-64 characters of a-z, 0-9, '_', '.', '-', "
							 "starting with a letter");
		return;
	}
	if (!role_parse(jsonin_str(ctx->body, "role", ""), &r)) {
		http_reply_problem(ctx, "invalid_value", "role \"%.40s\" is not a role", jsonin_str(ctx->body, "role", ""));
		return;
	}
	if ((r == ROLE_ENTERPRISE) != (json_object_get(ctx->body, "enterprise_id") != NULL)) {
		http_reply_problem(ctx, "invalid_value", r == ROLE_ENTERPRISE
			? "an enterprise user needs enterprise_id" : "only enterprise users have an enterprise_id");
		return;
	}
	const char *phone = jsonin_str(ctx->body, "phone", NULL);
	if (phone && strspn(phone, "0123456789+-") != strlen(phone)) {
		http_reply_problem(ctx, "invalid_value", "phone may contain only digits, '+' and '-'");
		return;
	}
	const char *password = jsonin_str(ctx->body, "password", "");
	const char *weak = secret_password_weakness(password, username);
	if (weak) {
		http_reply_problem(ctx, "invalid_value", "%s", weak);
		return;
	}
	struct new_user *n = xcalloc(1, sizeof *n);
	n->password = xstrdup(password);
	ctx->state = n;
	ctx->state_free = new_user_free;
	char org[24];
	snprintf(org, sizeof org, "%lld", jsonin_int(ctx->body, "org_id", 0));
	const char *params[] = { org };
	http_query(ctx, &STMT_USER_ORG_KIND, 1, params, on_org_kind);
}

/* ---- disable / enable ---------------------------------------------- */

static void on_user_changed(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK)
		http_reply_db_error(ctx, st, res);
	else if (PQntuples(res) == 0)
		http_reply_problem(ctx, "not_found", "no user with id %s", ctx->params[0]);
	else {
		/* other servers hear of it through NOTIFY; this one forgets at once */
		authcache_forget_user(ctx->srv->auth, atoll(PQgetvalue(res, 0, 0)));
		http_reply_json(ctx, 200, auth_user_json(res, 0, 0));
	}
}

static void set_disabled(struct reqctx *ctx, struct pgstmt *stmt)
{
	long long id;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_USER_MANAGE, NULL))
		return;
	if (stmt == &STMT_USER_DISABLE && id == ctx->who.user_id) {
		http_reply_problem(ctx, "unprocessable", "you cannot disable your own account");
		return;
	}
	const char *params[] = { ctx->params[0] };
	http_query(ctx, stmt, 1, params, on_user_changed);
}

void api_users_disable(struct reqctx *ctx)
{
	set_disabled(ctx, &STMT_USER_DISABLE);
}

void api_users_enable(struct reqctx *ctx)
{
	set_disabled(ctx, &STMT_USER_ENABLE);
}
