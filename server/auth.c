/* auth: sessions, API tokens and CSRF; see auth.h. */
#include "server/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/secret.h"

/* A session is valid while neither its idle nor its absolute limit has
 * passed. last_seen_at is refreshed at most once a minute, so that the
 * hot path stays a read. */
static struct pgstmt STMT_SESSION = PGSTMT("session_principal",
	"WITH s AS ("
	"  SELECT id, user_id, last_seen_at FROM sessions"
	"  WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()"
	"    AND last_seen_at > now() - idle_timeout),"
	" touch AS ("
	"  UPDATE sessions SET last_seen_at = now() FROM s"
	"  WHERE sessions.id = s.id AND s.last_seen_at < now() - interval '60 seconds')"
	" SELECT " AUTH_USER_COLUMNS " FROM s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id"
	" WHERE u.disabled_at IS NULL");

static struct pgstmt STMT_TOKEN = PGSTMT("token_principal",
	"WITH t AS ("
	"  SELECT id, user_id, last_used_at FROM api_tokens"
	"  WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())),"
	" touch AS ("
	"  UPDATE api_tokens SET last_used_at = now() FROM t"
	"  WHERE api_tokens.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds'))"
	" SELECT " AUTH_USER_COLUMNS " FROM t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id"
	" WHERE u.disabled_at IS NULL");

json_t *auth_user_json(const PGresult *res, int row, int first, struct principal *who)
{
	long long id = atoll(PQgetvalue(res, row, first + 0));
	const char *username = PQgetvalue(res, row, first + 1);
	const char *role = PQgetvalue(res, row, first + 3);
	long long org_id = atoll(PQgetvalue(res, row, first + 4));
	const char *org_path = PQgetvalue(res, row, first + 5);
	enum role r = ROLE_ENTERPRISE;
	bool known = role_parse(role, &r);
	if (who) {
		memset(who, 0, sizeof *who);
		who->user_id = id;
		snprintf(who->username, sizeof who->username, "%s", username);
		/* an unknown role string cannot happen (CHECK); deny everything if it does */
		who->role = known ? r : ROLE__COUNT;
		who->org_id = org_id;
		snprintf(who->org_path, sizeof who->org_path, "%s", org_path);
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:{s:I, s:s, s:s, s:s}, s:b}",
			 "id", (json_int_t)id, "username", username,
			 "display_name", PQgetvalue(res, row, first + 2), "role", role,
			 "role_label", role_label(r),
			 "org", "id", (json_int_t)org_id, "name", PQgetvalue(res, row, first + 6),
			 "kind", PQgetvalue(res, row, first + 7), "path", org_path,
			 "disabled", PQgetvalue(res, row, first + 8)[0] == 't');
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
	ctx->who_json = auth_user_json(res, 0, 0, &ctx->who);
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
	char hash[SECRET_HASH_HEX_LEN + 1];
	secret_hash_hex(token, strlen(token), hash);
	const char *params[] = { hash };
	ctx->next = next;
	http_query(ctx, stmt, 1, params, on_principal);
}
