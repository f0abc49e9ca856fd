/*
 * api_tokens: bearer tokens for integrations (admin).
 *
 *   GET    /api/v1/tokens       every token (never the secret)
 *   POST   /api/v1/tokens       {user_id, name, expires_in_days?} -> the secret, shown once
 *   DELETE /api/v1/tokens/:id   revoke
 *
 * A token acts as its user (role and org); only its SHA-256 is stored.
 */
#include "server/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "server/authcache.h"

#define TOKEN_COLUMNS "t.id, t.name, t.user_id, u.username, " SQL_TIME("t.created_at") ", " \
		      SQL_TIME("t.expires_at") ", " SQL_TIME("t.last_used_at") ", " SQL_TIME("t.revoked_at")

static struct pgstmt STMT_TOKENS_LIST = PGSTMT_READ("tokens_list",
	"SELECT " TOKEN_COLUMNS " FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id");
static struct pgstmt STMT_TOKEN_CREATE = PGSTMT("token_create",
	"WITH t AS (INSERT INTO api_tokens (name, token_hash, user_id, created_by, expires_at)"
	"           SELECT btrim($1), $2, u.id, $4, now() + make_interval(days => $5::int)"
	"           FROM users u WHERE u.id = $3 AND u.disabled_at IS NULL RETURNING *)"
	" SELECT " TOKEN_COLUMNS " FROM t JOIN users u ON u.id = t.user_id");
static struct pgstmt STMT_TOKEN_REVOKE = PGSTMT("token_revoke",
	"WITH t AS (UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *)"
	" SELECT " TOKEN_COLUMNS " FROM t JOIN users u ON u.id = t.user_id");

static json_t *token_json(const PGresult *res, int row)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "id", api_cell_int(res, row, 0), "name", api_cell_str(res, row, 1),
			 "user_id", api_cell_int(res, row, 2), "username", api_cell_str(res, row, 3),
			 "created_at", api_cell_time(res, row, 4), "expires_at", api_cell_time(res, row, 5),
			 "last_used_at", api_cell_time(res, row, 6), "revoked_at", api_cell_time(res, row, 7));
}

static void on_tokens(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, token_json, NULL);
}

void api_tokens_list(struct reqctx *ctx)
{
	if (http_authorize(ctx, AUTHZ_TOKEN_MANAGE, NULL))
		http_query(ctx, &STMT_TOKENS_LIST, 0, NULL, on_tokens);
}

static const struct jsonin_field token_fields[] = {
	{ "user_id", JT_ID, true, 0, 0 },
	{ "name", JT_STRING, true, 1, 100 },
	{ "expires_in_days", JT_ID, false, 0, 0 },
	JSONIN_END,
};

static void on_token_created(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	char *secret = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "unprocessable", "user %lld does not exist or is disabled",
				   jsonin_int(ctx->body, "user_id", 0));
		return;
	}
	json_t *body = token_json(res, 0);
	json_object_set_new(body, "token", json_string(secret));
	http_reply_json(ctx, 201, body);
}

static void wipe_free(void *p)
{
	sodium_memzero(p, SECRET_TOKEN_TEXT_LEN + 1);
	free(p);
}

void api_tokens_create(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_TOKEN_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, token_fields))
		return;
	long long days = jsonin_int(ctx->body, "expires_in_days", 0);
	if (days > 3650) {
		http_reply_problem(ctx, "invalid_value", "expires_in_days must be at most 3650");
		return;
	}
	char *secret = xmalloc(SECRET_TOKEN_TEXT_LEN + 1);
	secret_token_new(secret);
	ctx->state = secret;
	ctx->state_free = wipe_free;
	char hash[SECRET_HASH_HEX_LEN + 1], user[24], creator[24], ndays[24];
	secret_hash_hex(secret, strlen(secret), hash);
	snprintf(user, sizeof user, "%lld", jsonin_int(ctx->body, "user_id", 0));
	snprintf(creator, sizeof creator, "%lld", ctx->who.user_id);
	snprintf(ndays, sizeof ndays, "%lld", days);
	const char *params[] = { jsonin_str(ctx->body, "name", ""), hash, user, creator, days ? ndays : NULL };
	http_query(ctx, &STMT_TOKEN_CREATE, 5, params, on_token_created);
}

static void on_token_revoked(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK)
		http_reply_db_error(ctx, st, res);
	else if (PQntuples(res) == 0)
		http_reply_problem(ctx, "not_found", "no token with id %s", ctx->params[0]);
	else {
		/* other servers hear of it through NOTIFY; this one forgets at once
		 * (tokens are few and rarely revoked: forgetting all is simplest) */
		authcache_clear(ctx->srv->auth);
		http_reply_json(ctx, 200, token_json(res, 0));
	}
}

void api_tokens_revoke(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_TOKEN_MANAGE, NULL))
		return;
	const char *params[] = { ctx->params[0] };
	http_query(ctx, &STMT_TOKEN_REVOKE, 1, params, on_token_revoked);
}
