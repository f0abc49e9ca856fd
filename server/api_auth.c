/*
 * api_auth: logging in and out, and who am I.
 *
 *   POST /api/v1/auth/login   {"username","password"} -> session cookie + {"user","csrf_token"}
 *   POST /api/v1/auth/logout  revokes the session
 *   GET  /api/v1/me           the current user
 *   GET  /api/v1/auth/demo-logins  the demo logins, when SUQIU_DEMO_LOGINS is set
 *
 * Login answers the same 401 whether the username exists or not, and
 * takes as long either way (an unknown user is checked against a dummy
 * hash). Failures are throttled per username and per client address
 * within a window; the answer is 429 with Retry-After, again the same for
 * existing and unknown usernames.
 */
#include "server/api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/demo.h"
#include "core/role.h"
#include "core/secret.h"
#include "core/utf8.h"
#include "server/auth.h"
#include "server/authcache.h"

/* Counts this attempt first (see 0002_login_throttle.sql), then reads the
 * account. The first two columns are the seconds to wait when the account
 * or the address is over its limit, else NULL. */
static struct pgstmt STMT_LOGIN_CHECK = PGSTMT("login_check",
	"WITH c AS ("
	"  INSERT INTO login_throttle AS t (scope, key, window_start, attempts)"
	"  VALUES ('account', $1, now(), 1), ('address', $2, now(), 1)"
	"  ON CONFLICT (scope, key) DO UPDATE SET"
	"    window_start = CASE WHEN t.window_start <= now() - make_interval(secs => $3) THEN now() ELSE t.window_start END,"
	"    attempts = CASE WHEN t.window_start <= now() - make_interval(secs => $3) THEN 1 ELSE t.attempts + 1 END"
	"  RETURNING scope, attempts,"
	"    ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now()))::int AS retry)"
	" SELECT"
	"  (SELECT CASE WHEN attempts > $4::int THEN retry END FROM c WHERE scope = 'account'),"
	"  (SELECT CASE WHEN attempts > $5::int THEN retry END FROM c WHERE scope = 'address'),"
	"  u.id, u.password_hash, u.disabled_at IS NOT NULL"
	" FROM (SELECT 1) AS one LEFT JOIN users u ON u.username = $1");

static struct pgstmt STMT_LOGIN_FAILED = PGSTMT("login_failed",
	"INSERT INTO login_attempts (username, client_addr, succeeded) VALUES ($1, $2, false)");

static struct pgstmt STMT_LOGIN_OK = PGSTMT("login_ok",
	"WITH a AS (INSERT INTO login_attempts (username, client_addr, succeeded) VALUES ($1, $2, true)),"
	" t AS (UPDATE login_throttle SET attempts = CASE WHEN scope = 'account' THEN 0 ELSE greatest(attempts - 1, 0) END"
	"       WHERE (scope, key) IN (('account', $1), ('address', $2))),"
	" s AS (INSERT INTO sessions (token_hash, user_id, idle_timeout, expires_at, client_addr, user_agent)"
	"       VALUES ($3, $4, make_interval(mins => $5::int), now() + make_interval(hours => $6::int), $2, $7)"
	"       RETURNING id)"
	" SELECT " AUTH_USER_COLUMNS " FROM s, users u JOIN orgs o ON o.id = u.org_id"
	" WHERE u.id = $4 AND u.disabled_at IS NULL");

static struct pgstmt STMT_LOGOUT = PGSTMT("logout",
	"UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL");

struct login {
	char username[65];
	char *password;            /* wiped when freed */
	char user_agent[201];
	long long user_id;         /* 0 = no such (active) user */
	char hash[SECRET_PWHASH_LEN];
	const char *check_against; /* hash or the server's dummy hash */
	bool verified;
	char token[SECRET_TOKEN_TEXT_LEN + 1];
};

static void login_free(void *p)
{
	struct login *l = p;
	if (l->password) {
		sodium_memzero(l->password, strlen(l->password));
		free(l->password);
	}
	sodium_memzero(l->token, sizeof l->token);
	free(l);
}

static const struct jsonin_field login_fields[] = {
	{ "username", JT_STRING, true, 1, 64 },
	{ "password", JT_STRING, true, 1, 1024 },
	JSONIN_END,
};

static void reply_bad_credentials(struct reqctx *ctx)
{
	http_reply_problem(ctx, "invalid_credentials", "the username or password is wrong, or the account is disabled");
}

static void on_session_created(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct login *l = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) != 1) { /* disabled in the meantime */
		reply_bad_credentials(ctx);
		return;
	}
	json_t *user = auth_user_json(res, 0, 0);
	char csrf[SECRET_TOKEN_TEXT_LEN + 1];
	secret_csrf_for(l->token, csrf);
	char *cookie = xasprintf(SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld%s", l->token,
				 ctx->srv->cfg.session_max_hours * 3600, ctx->srv->cfg.cookie_secure ? "; Secure" : "");
	http_header(ctx, "Set-Cookie", cookie);
	sodium_memzero(cookie, strlen(cookie));
	free(cookie);
	http_reply_json(ctx, 200, json_pack("{s:o, s:s}", "user", user, "csrf_token", csrf));
}

static void on_failure_recorded(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	reply_bad_credentials(ctx);
}

static void verify_work(void *arg)
{
	struct reqctx *ctx = arg;
	struct login *l = ctx->state;
	l->verified = secret_password_verify(l->password, l->check_against) && l->user_id != 0;
}

static void verify_done(void *arg)
{
	struct reqctx *ctx = arg;
	struct login *l = ctx->state;
	struct config *cfg = &ctx->srv->cfg;
	if (!l->verified) {
		const char *params[] = { l->username, ctx->client_addr };
		http_query(ctx, &STMT_LOGIN_FAILED, 2, params, on_failure_recorded);
		return;
	}
	secret_token_new(l->token);
	char hash[SECRET_HASH_HEX_LEN + 1], uid[24], idle[24], max[24];
	secret_hash_hex(l->token, strlen(l->token), hash);
	snprintf(uid, sizeof uid, "%lld", l->user_id);
	snprintf(idle, sizeof idle, "%ld", cfg->session_idle_min);
	snprintf(max, sizeof max, "%ld", cfg->session_max_hours);
	const char *params[] = { l->username, ctx->client_addr, hash, uid, idle, max, l->user_agent };
	http_query(ctx, &STMT_LOGIN_OK, 7, params, on_session_created);
}

static void on_login_check(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct login *l = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	/* seconds until the account's or the address's oldest counted failure leaves the window */
	int retry = 0;
	for (int col = 0; col < 2; col++) {
		if (PQgetisnull(res, 0, col))
			continue;
		int v = atoi(PQgetvalue(res, 0, col));
		v = v < 1 ? 1 : v;
		retry = v > retry ? v : retry;
	}
	if (retry > 0) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", retry);
		http_header(ctx, "Retry-After", ra);
		http_reply_problem(ctx, "too_many_attempts", "too many failed logins; try again in %d seconds", retry);
		return;
	}
	bool usable = !PQgetisnull(res, 0, 2) && PQgetvalue(res, 0, 4)[0] == 'f';
	if (usable) {
		l->user_id = atoll(PQgetvalue(res, 0, 2));
		snprintf(l->hash, sizeof l->hash, "%s", PQgetvalue(res, 0, 3));
		l->check_against = l->hash;
	} else {
		l->check_against = ctx->srv->dummy_hash;
	}
	cpupool_submit(ctx->srv->cpu, verify_work, verify_done, ctx);
}

void api_login(struct reqctx *ctx)
{
	if (!api_body_ok(ctx, login_fields))
		return;
	struct login *l = xcalloc(1, sizeof *l);
	ctx->state = l;
	ctx->state_free = login_free;
	/* usernames are lower-case ASCII; fold so that "Admin" counts as "admin" */
	const char *name = jsonin_str(ctx->body, "username", "");
	size_t i = 0;
	for (; name[i] && i < sizeof l->username - 1; i++)
		l->username[i] = (char)tolower((unsigned char)name[i]);
	l->username[i] = '\0';
	size_t cut;
	if (!utf8_valid((const unsigned char *)l->username, i, &cut))
		l->username[cut] = '\0'; /* the byte limit fell inside a character */
	l->password = xstrdup(jsonin_str(ctx->body, "password", ""));
	const char *ua = http_request_header(ctx, "User-Agent");
	snprintf(l->user_agent, sizeof l->user_agent, "%s", ua ? ua : "");
	size_t bad;
	if (!utf8_valid((const unsigned char *)l->user_agent, strlen(l->user_agent), &bad))
		l->user_agent[bad] = '\0';
	char window[24], max_account[24], max_addr[24];
	snprintf(window, sizeof window, "%ld", ctx->srv->cfg.login_window_s);
	snprintf(max_account, sizeof max_account, "%ld", ctx->srv->cfg.login_max_account);
	snprintf(max_addr, sizeof max_addr, "%ld", ctx->srv->cfg.login_max_addr);
	const char *params[] = { l->username, ctx->client_addr, window, max_account, max_addr };
	http_query(ctx, &STMT_LOGIN_CHECK, 5, params, on_login_check);
}

static void on_logout(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	/* every server hears of it through NOTIFY; this one forgets it before answering */
	authcache_forget_credential(ctx->srv->auth, ctx->auth_hash);
	http_header(ctx, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	http_reply_empty(ctx, 204);
}

void api_logout(struct reqctx *ctx)
{
	if (ctx->auth != AUTH_COOKIE) {
		http_reply_problem(ctx, "bad_request", "API tokens do not log out; an administrator revokes them");
		return;
	}
	const char *params[] = { ctx->auth_hash };
	http_query(ctx, &STMT_LOGOUT, 1, params, on_logout);
}

void api_me(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_SELF_READ, NULL))
		return;
	json_t *body = json_pack("{s:o}", "user", auth_principal_json(&ctx->who));
	if (ctx->auth == AUTH_COOKIE) {
		char csrf[SECRET_TOKEN_TEXT_LEN + 1];
		secret_csrf_for(ctx->credential, csrf);
		json_object_set_new(body, "csrf_token", json_string(csrf));
	}
	http_reply_json(ctx, 200, body);
}

/* ---- demo logins ------------------------------------------------------ */

static struct pgstmt STMT_DEMO_LOGINS = PGSTMT_READ("demo_logins",
	"SELECT u.username, u.display_name, u.role, o.name FROM users u JOIN orgs o ON o.id = u.org_id"
	" WHERE u.username = ANY ($1::text[]) AND u.disabled_at IS NULL"
	" ORDER BY array_position($1::text[], u.username)");

static void on_demo_logins(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	json_t *logins = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		enum role role = ROLE_ADMIN;
		if (!role_parse(PQgetvalue(res, r, 2), &role))
			continue;
		json_array_append_new(logins, json_pack("{s:s, s:s, s:s, s:s, s:s}", "username", PQgetvalue(res, r, 0),
			"display_name", PQgetvalue(res, r, 1), "role", role_name(role), "role_label", role_label(role),
			"org", PQgetvalue(res, r, 3)));
	}
	http_reply_json(ctx, 200, json_pack("{s:s, s:o}", "password", DEMO_PASSWORD, "logins", logins));
}

/* The demo logins that exist (seed-demo made them) with their password,
 * for the login page of a demo installation; an empty list unless
 * SUQIU_DEMO_LOGINS is set, so that the page can always ask. */
void api_demo_logins(struct reqctx *ctx)
{
	if (!ctx->srv->cfg.demo_logins) {
		http_reply_json(ctx, 200, json_pack("{s:n, s:[]}", "password", "logins"));
		return;
	}
	size_t len = 3;
	for (size_t i = 0; i < demo_user_count; i++)
		len += strlen(demo_users[i].username) + 1;
	char *names = xmalloc(len);
	char *p = names;
	*p++ = '{';
	for (size_t i = 0; i < demo_user_count; i++)
		p += sprintf(p, "%s%s", i ? "," : "", demo_users[i].username); /* plain ASCII names, no quoting needed */
	strcpy(p, "}");
	const char *params[] = { names };
	http_query(ctx, &STMT_DEMO_LOGINS, 1, params, on_demo_logins);
	free(names);
}
