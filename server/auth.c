/* auth: sessions, API tokens and CSRF; see auth.h. */
#include "server/auth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/secret.h"
#include "server/authcache.h"

/* A session is valid while neither its idle nor its absolute limit has
 * passed. The lookup is a pure read; the column after the user's is the
 * age of its last use in seconds, and only when that is a minute or more
 * does a separate UPDATE refresh it (at most once a minute per session);
 * the last is how many seconds it stays valid without use, which a cached
 * answer never outlives. The refresh never revives an expired session and
 * never moves the last use back (which would announce it, migration 0013). */
static struct pgstmt STMT_SESSION = PGSTMT_READ("session_principal",
	"SELECT " AUTH_USER_COLUMNS ", extract(epoch FROM now() - s.last_seen_at),"
	" extract(epoch FROM least(s.expires_at, s.last_seen_at + s.idle_timeout) - now())"
	" FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id"
	" WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()"
	"   AND s.last_seen_at > now() - s.idle_timeout AND u.disabled_at IS NULL");
static struct pgstmt STMT_SESSION_TOUCH = PGSTMT("session_touch",
	"UPDATE sessions SET last_seen_at = greatest(last_seen_at, now())"
	" WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND last_seen_at > now() - idle_timeout");

static struct pgstmt STMT_TOKEN = PGSTMT_READ("token_principal",
	"SELECT " AUTH_USER_COLUMNS ", coalesce(extract(epoch FROM now() - t.last_used_at), 1e9),"
	" extract(epoch FROM t.expires_at - now())"
	" FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id"
	" WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())"
	"   AND u.disabled_at IS NULL");
static struct pgstmt STMT_TOKEN_TOUCH = PGSTMT("token_touch",
	"UPDATE api_tokens SET last_used_at = greatest(last_used_at, now()) WHERE token_hash = $1 AND revoked_at IS NULL");

void auth_principal_from_row(const PGresult *res, int row, int first, struct principal *who)
{
	memset(who, 0, sizeof *who);
	who->user_id = atoll(PQgetvalue(res, row, first + 0));
	snprintf(who->username, sizeof who->username, "%s", PQgetvalue(res, row, first + 1));
	snprintf(who->display_name, sizeof who->display_name, "%s", PQgetvalue(res, row, first + 2));
	enum role r;
	/* an unknown role cannot happen (CHECK constraint); if it does, authz denies everything */
	who->role = role_parse(PQgetvalue(res, row, first + 3), &r) ? r : ROLE__COUNT;
	who->org_id = atoll(PQgetvalue(res, row, first + 4));
	snprintf(who->org_path, sizeof who->org_path, "%s", PQgetvalue(res, row, first + 5));
	snprintf(who->org_name, sizeof who->org_name, "%s", PQgetvalue(res, row, first + 6));
	snprintf(who->org_kind, sizeof who->org_kind, "%s", PQgetvalue(res, row, first + 7));
	who->enterprise_id = atoll(PQgetvalue(res, row, first + 9)); /* "" (NULL) reads as 0 */
}

static json_t *principal_json(const struct principal *who, bool disabled)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:{s:I, s:s, s:s, s:s}, s:b, s:o}",
			 "id", (json_int_t)who->user_id, "username", who->username,
			 "display_name", who->display_name, "role", role_name(who->role),
			 "role_label", role_label(who->role),
			 "org", "id", (json_int_t)who->org_id, "name", who->org_name,
			 "kind", who->org_kind, "path", who->org_path, "disabled", disabled,
			 "enterprise_id", who->enterprise_id > 0 ? json_integer(who->enterprise_id) : json_null());
}

json_t *auth_user_json(const PGresult *res, int row, int first)
{
	struct principal who;
	auth_principal_from_row(res, row, first, &who);
	return principal_json(&who, PQgetvalue(res, row, first + 8)[0] == 't');
}

json_t *auth_user_row(const PGresult *res, int row)
{
	return auth_user_json(res, row, 0);
}

json_t *auth_principal_json(const struct principal *who)
{
	return principal_json(who, false);
}

static void on_touched(enum pgpool_status st, PGresult *res, void *arg)
{
	(void)st, (void)res, (void)arg; /* best effort: the next request tries again */
}

bool auth_cookie_token(const char *cookie, char out[SECRET_TOKEN_TEXT_LEN + 1])
{
	const char *name = SESSION_COOKIE "=";
	size_t nlen = strlen(name);
	for (const char *p = cookie; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > nlen && strncmp(p, name, nlen) == 0) {
			size_t vlen = len - nlen;
			while (vlen && p[nlen + vlen - 1] == ' ')
				vlen--;
			if (vlen != SECRET_TOKEN_TEXT_LEN)
				return false;
			memcpy(out, p + nlen, vlen);
			out[vlen] = '\0';
			return secret_token_wellformed(out);
		}
		p += len;
	}
	return false;
}

static bool state_changing(enum evhttp_cmd_type m)
{
	return m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD && m != EVHTTP_REQ_OPTIONS;
}

/* Writes the credential's last use (best effort). */
static void touch(struct reqctx *ctx)
{
	const char *params[] = { ctx->auth_hash };
	if (!pgpool_query(ctx->srv->pool, ctx->auth == AUTH_BEARER ? &STMT_TOKEN_TOUCH : &STMT_SESSION_TOUCH, 1,
			  params, on_touched, NULL)) {
		/* queue full: skip the refresh, the request itself matters more */
	}
}

static void on_principal(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	handler_fn next = ctx->next;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) != 1) {
		if (ctx->auth == AUTH_COOKIE)
			http_header(ctx, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
		ctx->auth = AUTH_NONE;
		http_header(ctx, "WWW-Authenticate", "Bearer");
		http_reply_problem(ctx, "unauthenticated", "the session or token has expired or was revoked");
		return;
	}
	auth_principal_from_row(res, 0, 0, &ctx->who);
	double last_use_age = atof(PQgetvalue(res, 0, AUTH_USER_NCOLUMNS));
	bool due = last_use_age >= AUTHCACHE_TOUCH_SECONDS;
	if (due)
		touch(ctx);
	double valid_for = PQgetisnull(res, 0, AUTH_USER_NCOLUMNS + 1) ? INFINITY
									: atof(PQgetvalue(res, 0, AUTH_USER_NCOLUMNS + 1));
	authcache_put(ctx->srv->auth, ctx->auth_ticket, ctx->auth_hash, ctx->auth == AUTH_BEARER, &ctx->who,
		      valid_for, due ? 0 : last_use_age);
	ctx->who.via_token = ctx->auth == AUTH_BEARER;
	next(ctx);
}

void auth_authenticate(struct reqctx *ctx, handler_fn next)
{
	char token[SECRET_TOKEN_TEXT_LEN + 1];
	const char *authz = http_request_header(ctx, "Authorization");
	const char *cookie = http_request_header(ctx, "Cookie");
	struct pgstmt *stmt;
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) != 0 || !secret_token_wellformed(authz + 7)) {
			http_header(ctx, "WWW-Authenticate", "Bearer");
			http_reply_problem(ctx, "unauthenticated", "the Authorization header must be \"Bearer <token>\"");
			return;
		}
		snprintf(token, sizeof token, "%s", authz + 7);
		ctx->auth = AUTH_BEARER;
		stmt = &STMT_TOKEN;
	} else if (cookie && auth_cookie_token(cookie, token)) {
		ctx->auth = AUTH_COOKIE;
		stmt = &STMT_SESSION;
		if (state_changing(ctx->method)) {
			char expected[SECRET_TOKEN_TEXT_LEN + 1];
			secret_csrf_for(token, expected);
			const char *given = http_request_header(ctx, "X-CSRF-Token");
			if (!given || !secret_equal(given, expected)) {
				ctx->auth = AUTH_NONE;
				http_reply_problem(ctx, "csrf_failed", "state-changing requests need the X-CSRF-Token header "
								      "returned at login");
				return;
			}
		}
	} else {
		http_header(ctx, "WWW-Authenticate", "Bearer");
		http_reply_problem(ctx, "unauthenticated", "log in first, or send an API token");
		return;
	}
	ctx->credential = xstrdup(token);
	secret_hash_hex(token, strlen(token), ctx->auth_hash);
	bool due;
	if (authcache_get(ctx->srv->auth, ctx->auth_hash, ctx->auth == AUTH_BEARER, &ctx->who, &due)) {
		ctx->who.via_token = ctx->auth == AUTH_BEARER;
		if (due)
			touch(ctx);
		next(ctx);
		return;
	}
	ctx->auth_ticket = authcache_ticket(ctx->srv->auth);
	const char *params[] = { ctx->auth_hash };
	ctx->next = next;
	http_query(ctx, stmt, 1, params, on_principal);
}
