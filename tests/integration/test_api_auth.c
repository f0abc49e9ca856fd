/* Integration: login, sessions, CSRF, throttling, API tokens. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"

/* srv throttles after 3 attempts per account; roomy does not, for the
 * logins of shared demo accounts (admin...) that other suites make at the
 * same time: their attempts count too, and a few at once would reach 3. */
static struct server_proc srv, roomy;

static void start(void)
{
	static const char *env[] = { "SUQIU_LOGIN_MAX_PER_ACCOUNT=3", "SUQIU_LOGIN_MAX_PER_ADDRESS=6",
				     "SUQIU_LOGIN_WINDOW=600", NULL };
	static const char *roomy_env[] = { "SUQIU_LOGIN_MAX_PER_ACCOUNT=1000", NULL };
	server_start(&srv, env);
	server_start(&roomy, roomy_env);
}

static void stop(void)
{
	server_stop_clean(&roomy);
	server_stop_clean(&srv);
}

TestSuite(auth, .init = start, .fini = stop, .timeout = 60);

/* A login from the given client address (NULL = the test's own). */
static void post_login_from(const char *user, const char *pass, const char *addr, struct http_resp *r)
{
	char body[512], req[1024];
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pass);
	if (!addr) {
		cr_assert(http_do(srv.port, "POST", "/api/v1/auth/login", NULL, body, r));
		return;
	}
	int n = snprintf(req, sizeof req, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
					  "X-Forwarded-For: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 addr, strlen(body), body);
	cr_assert(http_raw(srv.port, req, (size_t)n, r));
}

static void post_login_raw(const char *user, const char *pass, struct http_resp *r)
{
	post_login_from(user, pass, NULL, r);
}

Test(auth, login_sets_httponly_cookie_and_returns_user_and_csrf)
{
	struct http_resp r;
	post_login_raw("zhuanyuan", DEMO_PASSWORD, &r);
	cr_assert_eq(r.status, 200, "body: %s", r.body);
	const char *cookie = resp_header(&r, "Set-Cookie");
	cr_assert_not_null(cookie);
	cr_assert(strstr(cookie, "suqiu_session=") == cookie);
	cr_assert_not_null(strstr(cookie, "HttpOnly"));
	cr_assert_not_null(strstr(cookie, "SameSite=Lax"));
	cr_assert_not_null(strstr(cookie, "Path=/"));
	json_t *j = resp_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "user"), "username")), "zhuanyuan");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "user"), "role")), "specialist");
	cr_assert_eq(strlen(json_string_value(json_object_get(j, "csrf_token"))), 43);
	cr_assert_null(json_object_get(json_object_get(j, "user"), "password_hash"));
	json_decref(j);
	http_resp_free(&r);
}

Test(auth, me_returns_the_logged_in_user)
{
	struct session s;
	cr_assert_eq(login(roomy.port, "shichang", DEMO_PASSWORD, &s), 200);
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/api/v1/me", s.headers, NULL, &r));
	cr_assert_eq(r.status, 200);
	json_t *j = resp_json(&r);
	json_t *user = json_object_get(j, "user");
	cr_assert_str_eq(json_string_value(json_object_get(user, "username")), "shichang");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(user, "org"), "name")), "区市场监管局");
	cr_assert_str_eq(json_string_value(json_object_get(j, "csrf_token")), s.csrf);
	json_decref(j);
	http_resp_free(&r);
}

Test(auth, every_demo_login_works)
{
	static const char *users[] = { "admin", "zhuanyuan", "shichang", "shichang_lead", "guihua", "duban",
				       "lingdao", "xinzhuang", NULL };
	for (int i = 0; users[i]; i++) {
		struct session s;
		cr_assert_eq(login(roomy.port, users[i], DEMO_PASSWORD, &s), 200, "demo login %s", users[i]);
	}
}

/* GET /api/v1/auth/demo-logins: always 200, empty unless SUQIU_DEMO_LOGINS. */
static json_t *demo_logins(int port)
{
	struct http_resp r;
	cr_assert(http_do(port, "GET", "/api/v1/auth/demo-logins", NULL, NULL, &r));
	cr_assert_eq(r.status, 200, "body: %s", r.body);
	json_t *body = json_loads(r.body, 0, NULL);
	cr_assert_not_null(body, "not JSON: %s", r.body);
	http_resp_free(&r);
	return body;
}

Test(auth, demo_logins_are_listed_only_when_the_server_is_told_to)
{
	json_t *off = demo_logins(srv.port);
	cr_assert(json_is_null(json_object_get(off, "password")));
	cr_assert_eq(json_array_size(json_object_get(off, "logins")), 0);
	json_decref(off);

	static const char *env[] = { "SUQIU_DEMO_LOGINS=1", NULL };
	struct server_proc demo;
	server_start(&demo, env);
	json_t *on = demo_logins(demo.port);
	cr_assert_str_eq(json_string_value(json_object_get(on, "password")), DEMO_PASSWORD);
	json_t *logins = json_object_get(on, "logins");
	cr_assert_eq(json_array_size(logins), 12, "%zu demo logins", json_array_size(logins));
	json_t *first = json_array_get(logins, 1);
	cr_assert_str_eq(json_string_value(json_object_get(first, "username")), "zhuanyuan");
	cr_assert_str_eq(json_string_value(json_object_get(first, "role_label")), "企业服务专员");
	cr_assert_str_eq(json_string_value(json_object_get(first, "org")), "闵行区企业服务中心");
	/* the listed password works (for one login: every_demo_login_works tries them all, and
	 * logins of the accounts other tests fail on would only crowd their throttle counts) */
	json_t *last = json_array_get(logins, json_array_size(logins) - 1);
	struct session s;
	cr_assert_eq(login(demo.port, json_string_value(json_object_get(last, "username")), DEMO_PASSWORD, &s), 200);
	json_decref(on);
	server_stop_clean(&demo);
}

Test(auth, username_is_case_insensitive)
{
	struct session s;
	cr_assert_eq(login(roomy.port, "GuiHua", DEMO_PASSWORD, &s), 200);
}

Test(auth, wrong_password_and_unknown_user_get_the_same_answer)
{
	struct http_resp a, b;
	post_login_raw("guihua", "Wrong@2026x", &a);
	char ghost[64];
	snprintf(ghost, sizeof ghost, "ghost%s", unique_suffix());
	post_login_raw(ghost, "Wrong@2026x", &b);
	cr_assert_eq(a.status, 401);
	cr_assert_eq(b.status, 401);
	json_t *ja = resp_json(&a), *jb = resp_json(&b);
	cr_assert_str_eq(json_string_value(json_object_get(ja, "code")), "invalid_credentials");
	cr_assert_str_eq(json_string_value(json_object_get(ja, "detail")), json_string_value(json_object_get(jb, "detail")));
	cr_assert_str_eq(json_string_value(json_object_get(ja, "title")), json_string_value(json_object_get(jb, "title")));
	cr_assert_str_eq(resp_header(&a, "Content-Type"), "application/problem+json; charset=utf-8");
	cr_assert_null(resp_header(&a, "Set-Cookie"));
	json_decref(ja), json_decref(jb);
	http_resp_free(&a), http_resp_free(&b);
}

Test(auth, login_body_is_validated)
{
	struct http_resp r;
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/login", NULL, "{\"username\":\"admin\"}", &r));
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body, "\"missing_field\""));
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/login", NULL, "{\"username\":1,\"password\":\"x\"}", &r));
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body, "\"invalid_type\""));
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/login", "Content-Type: text/plain\r\n",
			  "{\"username\":\"admin\",\"password\":\"Demo@2026\"}", &r));
	cr_assert_eq(r.status, 415);
	http_resp_free(&r);
}

Test(auth, account_is_throttled_after_repeated_failures_whatever_it_exists)
{
	char ghost[64];
	snprintf(ghost, sizeof ghost, "nobody%s", unique_suffix());
	/* a real account: created by the admin API so that no other test shares it */
	struct session admin;
	cr_assert_eq(login(roomy.port, "admin", DEMO_PASSWORD, &admin), 200);
	char user[64], body[512];
	snprintf(user, sizeof user, "thr%s", unique_suffix());
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"display_name\":\"节流测试\",\"role\":\"bureau_handler\","
				    "\"org_id\":3,\"password\":\"Good@Pass1\"}", user);
	struct http_resp r;
	cr_assert(http_do(srv.port, "POST", "/api/v1/users", admin.headers, body, &r));
	cr_assert_eq(r.status, 201, "%s", r.body);
	http_resp_free(&r);
	const char *names[] = { user, ghost };
	/* each name from an address of its own, so that only the account limit applies */
	const char *addrs[] = { "198.51.100.7", "198.51.100.8" };
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 3; i++) {
			post_login_from(names[k], "Bad@Pass1", addrs[k], &r);
			cr_assert_eq(r.status, 401, "attempt %d for %s: %s", i, names[k], r.body);
			http_resp_free(&r);
		}
		post_login_from(names[k], "Bad@Pass1", addrs[k], &r);
		cr_assert_eq(r.status, 429, "%s after 3 failures: %s", names[k], r.body);
		const char *ra = resp_header(&r, "Retry-After");
		cr_assert_not_null(ra);
		cr_assert(atoi(ra) > 0 && atoi(ra) <= 600, "Retry-After %s", ra);
		cr_assert_not_null(strstr(r.body, "too_many_attempts"));
		http_resp_free(&r);
	}
	/* even the right password is refused while throttled, from anywhere */
	post_login_from(user, "Good@Pass1", "198.51.100.9", &r);
	cr_assert_eq(r.status, 429);
	http_resp_free(&r);
}

Test(auth, client_address_is_throttled_across_usernames)
{
	/* a fixed address of its own (the server trusts X-Forwarded-For in tests) */
	char xff[64];
	snprintf(xff, sizeof xff, "X-Forwarded-For: 192.0.2.%d\r\n", (int)(getpid() % 250) + 1);
	struct http_resp r;
	for (int i = 0; i < 6; i++) {
		char body[128];
		snprintf(body, sizeof body, "{\"username\":\"spray%d_%s\",\"password\":\"Bad@Pass1\"}", i, unique_suffix());
		char req[1024];
		int n = snprintf(req, sizeof req, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s"
						  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
				 xff, strlen(body), body);
		cr_assert(http_raw(srv.port, req, (size_t)n, &r));
		cr_assert_eq(r.status, 401);
		http_resp_free(&r);
	}
	char body[] = "{\"username\":\"admin\",\"password\":\"Demo@2026\"}";
	char req[1024];
	int n = snprintf(req, sizeof req, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s"
					  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 xff, strlen(body), body);
	cr_assert(http_raw(srv.port, req, (size_t)n, &r));
	cr_assert_eq(r.status, 429, "%s", r.body);
	cr_assert_not_null(resp_header(&r, "Retry-After"));
	http_resp_free(&r);
}

Test(auth, logout_invalidates_the_session)
{
	struct session s;
	cr_assert_eq(login(roomy.port, "guihua", DEMO_PASSWORD, &s), 200);
	struct http_resp r;
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/logout", s.headers, NULL, &r));
	cr_assert_eq(r.status, 204);
	cr_assert_not_null(strstr(resp_header(&r, "Set-Cookie"), "Max-Age=0"));
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/api/v1/me", s.headers, NULL, &r));
	cr_assert_eq(r.status, 401);
	cr_assert_not_null(strstr(r.body, "\"unauthenticated\""));
	http_resp_free(&r);
}

Test(auth, state_changing_request_without_csrf_token_is_403_and_changes_nothing)
{
	struct session s;
	cr_assert_eq(login(roomy.port, "guihua", DEMO_PASSWORD, &s), 200);
	char cookie_only[256];
	snprintf(cookie_only, sizeof cookie_only, "Cookie: %s\r\n", s.cookie);
	struct http_resp r;
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/logout", cookie_only, NULL, &r));
	cr_assert_eq(r.status, 403);
	cr_assert_not_null(strstr(r.body, "\"csrf_failed\""));
	http_resp_free(&r);
	char wrong[256];
	snprintf(wrong, sizeof wrong, "Cookie: %s\r\nX-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n", s.cookie);
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/logout", wrong, NULL, &r));
	cr_assert_eq(r.status, 403);
	http_resp_free(&r);
	/* the session still works: nothing was changed */
	cr_assert(http_do(srv.port, "GET", "/api/v1/me", cookie_only, NULL, &r));
	cr_assert_eq(r.status, 200);
	http_resp_free(&r);
}

Test(auth, requests_without_credentials_or_with_garbage_are_401)
{
	static const char *headers[] = {
		NULL,
		"Cookie: suqiu_session=short\r\n",
		"Cookie: suqiu_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n",
		"Authorization: Bearer nope\r\n",
		"Authorization: Basic YWRtaW46RGVtb0AyMDI2\r\n",
		"Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n",
	};
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
		struct http_resp r;
		cr_assert(http_do(srv.port, "GET", "/api/v1/me", headers[i], NULL, &r));
		cr_assert_eq(r.status, 401, "case %zu: %s", i, r.body);
		http_resp_free(&r);
	}
}

Test(auth, api_token_authenticates_and_stops_working_when_revoked)
{
	struct session admin;
	cr_assert_eq(login(roomy.port, "admin", DEMO_PASSWORD, &admin), 200);
	struct http_resp r;
	cr_assert(http_do(srv.port, "POST", "/api/v1/tokens", admin.headers,
			  "{\"user_id\":2,\"name\":\"12345 热线对接\"}", &r));
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *j = resp_json(&r);
	char bearer[128];
	snprintf(bearer, sizeof bearer, "Authorization: Bearer %s\r\n", json_string_value(json_object_get(j, "token")));
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	http_resp_free(&r);

	PGconn *db = test_db();
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	const char *p[] = { ids };
	/* only the hash is stored */
	cr_assert_eq(db_scalar(db, "SELECT length(token_hash) FROM api_tokens WHERE id = $1", 1, p), 64);

	cr_assert(http_do(srv.port, "GET", "/api/v1/me", bearer, NULL, &r));
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "\"zhuanyuan\""));
	cr_assert_null(strstr(r.body, "csrf_token"));
	http_resp_free(&r);
	/* bearer requests need no CSRF token, but API tokens cannot log out */
	cr_assert(http_do(srv.port, "POST", "/api/v1/auth/logout", bearer, NULL, &r));
	cr_assert_eq(r.status, 400);
	http_resp_free(&r);

	char path[64];
	snprintf(path, sizeof path, "/api/v1/tokens/%lld", id);
	cr_assert(http_do(srv.port, "DELETE", path, admin.headers, NULL, &r));
	cr_assert_eq(r.status, 200);
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/api/v1/me", bearer, NULL, &r));
	cr_assert_eq(r.status, 401);
	http_resp_free(&r);
	PQfinish(db);
}

Test(auth, session_token_is_stored_only_as_a_hash)
{
	struct session s;
	cr_assert_eq(login(roomy.port, "lingdao", DEMO_PASSWORD, &s), 200);
	const char *token = strchr(s.cookie, '=') + 1;
	PGconn *db = test_db();
	const char *p[] = { token };
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM sessions WHERE token_hash = $1", 1, p), 0);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM sessions WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, p), 1);
	PQfinish(db);
}

Test(auth, idle_and_absolute_expiry_end_a_session)
{
	struct session s1, s2;
	cr_assert_eq(login(roomy.port, "duban", DEMO_PASSWORD, &s1), 200);
	cr_assert_eq(login(roomy.port, "duban", DEMO_PASSWORD, &s2), 200);
	PGconn *db = test_db();
	const char *t1[] = { strchr(s1.cookie, '=') + 1 }, *t2[] = { strchr(s2.cookie, '=') + 1 };
	PQclear(PQexecParams(db, "UPDATE sessions SET last_seen_at = now() - idle_timeout - interval '1 second'"
				 " WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, NULL, t1, NULL, NULL, 0));
	PQclear(PQexecParams(db, "UPDATE sessions SET expires_at = now() - interval '1 second'"
				 " WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, NULL, t2, NULL, NULL, 0));
	PQfinish(db);
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/api/v1/me", s1.headers, NULL, &r));
	cr_assert_eq(r.status, 401, "idle session still valid");
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/api/v1/me", s2.headers, NULL, &r));
	cr_assert_eq(r.status, 401, "expired session still valid");
	http_resp_free(&r);
}

Test(auth, password_is_hashed_with_argon2id)
{
	PGconn *db = test_db();
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM users WHERE username = 'admin' AND password_hash LIKE '$argon2id$%'", 0, NULL), 1);
	PQfinish(db);
}

Test(auth, a_burst_of_parallel_attempts_cannot_pass_the_limit)
{
	/* 12 wrong passwords sent at once for one account (limit 3): at most 3 may be checked */
	char user[64], body[160], req[512];
	snprintf(user, sizeof user, "burst%s", unique_suffix());
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"Bad@Pass1\"}", user);
	int n = snprintf(req, sizeof req, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
					  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
	enum { N = 12 };
	int fds[N];
	for (int i = 0; i < N; i++)
		cr_assert_geq(fds[i] = tcp_connect(srv.port), 0);
	for (int i = 0; i < N; i++)
		cr_assert_eq(send(fds[i], req, (size_t)n, 0), n);
	int checked = 0, throttled = 0;
	for (int i = 0; i < N; i++) {
		char buf[2048];
		ssize_t got = 0, r;
		while ((r = recv(fds[i], buf + got, sizeof buf - 1 - (size_t)got, 0)) > 0)
			got += r;
		buf[got] = '\0';
		close(fds[i]);
		int status = 0;
		sscanf(buf, "HTTP/1.%*d %d", &status);
		checked += status == 401;
		throttled += status == 429;
	}
	cr_assert_eq(checked + throttled, N);
	cr_assert_leq(checked, 3, "%d attempts were checked despite the limit of 3", checked);
}

Test(auth, an_overlong_multibyte_username_is_refused_cleanly)
{
	char name[200] = "";
	for (int i = 0; i < 60; i++)
		strcat(name, "中");
	struct http_resp r;
	post_login_raw(name, "Bad@Pass1", &r);
	cr_assert(r.status == 400 || r.status == 401, "status %d: %s", r.status, r.body);
	http_resp_free(&r);
	char ok[100] = "";
	for (int i = 0; i < 30; i++)
		strcat(ok, "中");
	post_login_raw(ok, "Bad@Pass1", &r);
	cr_assert_eq(r.status, 401, "status %d: %s", r.status, r.body);
	http_resp_free(&r);
}

/* ---- the auth cache (server/authcache.h) ------------------------------ */

/* GET /api/v1/me as headers on port; the status (the body into *out when given). */
static int me(int port, const char *headers, json_t **out)
{
	struct http_resp r;
	cr_assert(http_do(port, "GET", "/api/v1/me", headers, NULL, &r));
	int status = r.status;
	if (out)
		*out = resp_json(&r);
	http_resp_free(&r);
	return status;
}

/* Waits up to 3 s for /me on port to answer want; returns the milliseconds it took. */
static long me_becomes(int port, const char *headers, int want)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 300; i++) {
		if (me(port, headers, NULL) == want)
			break;
		usleep(10000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
	cr_assert_eq(me(port, headers, NULL), want, "GET /me still not %d after %ld ms", want, ms);
	return ms;
}

/* A fresh bureau handler, logged in; its id into *id. */
static void fresh_user(struct session *s, long long *id)
{
	struct session admin;
	cr_assert_eq(login(roomy.port, "admin", DEMO_PASSWORD, &admin), 200);
	PGconn *db = test_db();
	long org = db_scalar(db, "SELECT id FROM orgs WHERE name = '区市场监管局'", 0, NULL);
	PQfinish(db);
	char body[256], name[64];
	snprintf(name, sizeof name, "cache_%s", unique_suffix());
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"display_name\":\"缓存测试\",\"role\":\"bureau_handler\","
				    "\"org_id\":%ld,\"password\":\"Cache@2026x\"}", name, org);
	json_t *u = NULL;
	cr_assert_eq(api_call(roomy.port, &admin, "POST", "/api/v1/users", body, &u), 201);
	*id = json_integer_value(json_object_get(u, "id"));
	json_decref(u);
	cr_assert_eq(login(roomy.port, name, "Cache@2026x", s), 200);
}

Test(auth, a_session_is_answered_from_the_cache_until_it_is_revoked_on_another_server)
{
	struct session s;
	long long id;
	fresh_user(&s, &id);
	long hits = metric_value(srv.port, "suqiu_auth_cache_hits_total");
	cr_assert_eq(me(srv.port, s.headers, NULL), 200);
	cr_assert_eq(me(srv.port, s.headers, NULL), 200);
	cr_assert_eq(me(roomy.port, s.headers, NULL), 200);
	cr_assert_geq(metric_value(srv.port, "suqiu_auth_cache_hits_total"), hits + 1, "the second /me came from the cache");
	/* logged out through roomy: roomy refuses at once, srv as soon as NOTIFY arrives */
	struct http_resp r;
	cr_assert(http_do(roomy.port, "POST", "/api/v1/auth/logout", s.headers, NULL, &r));
	cr_assert_eq(r.status, 204);
	http_resp_free(&r);
	cr_assert_eq(me(roomy.port, s.headers, NULL), 401);
	long ms = me_becomes(srv.port, s.headers, 401);
	cr_log_info("the other server refused the logged-out session after %ld ms", ms);
	cr_expect_lt(ms, 1000, "NOTIFY took %ld ms", ms);
}

Test(auth, changes_made_in_sql_reach_every_servers_cache)
{
	struct session s;
	long long id;
	fresh_user(&s, &id);
	cr_assert_eq(me(srv.port, s.headers, NULL), 200);
	cr_assert_eq(me(roomy.port, s.headers, NULL), 200);
	PGconn *db = test_db();
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	const char *p[] = { ids };
	/* a new display name: /me shows it on both servers */
	PQclear(PQexecParams(db, "UPDATE users SET display_name = '缓存测试改名' WHERE id = $1", 1, NULL, p, NULL, NULL, 0));
	for (int i = 0; i < 2; i++) {
		int port = i ? roomy.port : srv.port;
		json_t *j = NULL;
		for (int k = 0; k < 300; k++) {
			json_decref(j);
			cr_assert_eq(me(port, s.headers, &j), 200);
			if (strcmp(json_string_value(json_object_get(json_object_get(j, "user"), "display_name")),
				   "缓存测试改名") == 0)
				break;
			usleep(10000);
		}
		cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "user"), "display_name")),
				 "缓存测试改名");
		json_decref(j);
	}
	/* the session made idle behind the servers' backs */
	PQclear(PQexecParams(db, "UPDATE sessions SET last_seen_at = now() - idle_timeout - interval '1 second'"
				 " WHERE user_id = $1", 1, NULL, p, NULL, NULL, 0));
	me_becomes(srv.port, s.headers, 401);
	me_becomes(roomy.port, s.headers, 401);
	/* a second session, then the account disabled in SQL */
	struct session s2;
	char name[80];
	PGresult *who = PQexecParams(db, "SELECT username FROM users WHERE id = $1", 1, NULL, p, NULL, NULL, 0);
	snprintf(name, sizeof name, "%s", PQgetvalue(who, 0, 0));
	PQclear(who);
	cr_assert_eq(login(roomy.port, name, "Cache@2026x", &s2), 200);
	cr_assert_eq(me(srv.port, s2.headers, NULL), 200);
	cr_assert_eq(me(srv.port, s2.headers, NULL), 200);
	PQclear(PQexecParams(db, "UPDATE users SET disabled_at = now() WHERE id = $1", 1, NULL, p, NULL, NULL, 0));
	me_becomes(srv.port, s2.headers, 401);
	PQfinish(db);
}

Test(auth, without_the_cache_every_request_asks_the_database)
{
	static const char *env[] = { "SUQIU_AUTH_CACHE_SECONDS=0", NULL };
	struct server_proc plain;
	server_start(&plain, env);
	struct session s;
	cr_assert_eq(login(plain.port, "lingdao", DEMO_PASSWORD, &s), 200);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(me(plain.port, s.headers, NULL), 200);
	cr_expect_eq(metric_value(plain.port, "suqiu_auth_cache_hits_total"), 0);
	cr_expect_geq(metric_value(plain.port, "suqiu_auth_cache_misses_total"), 3);
	cr_expect_eq(metric_value(plain.port, "suqiu_auth_cache_entries"), 0);
	server_stop_clean(&plain);
}

Test(auth, a_listener_that_stops_answering_turns_the_cache_off)
{
	/* a long ttl: only the listener's keepalive can end the cached answer soon */
	static const char *env[] = { "SUQIU_AUTH_CACHE_SECONDS=300", NULL };
	struct server_proc held;
	server_start(&held, env);
	struct session s;
	cr_assert_eq(login(held.port, "lingdao", DEMO_PASSWORD, &s), 200);
	cr_assert_eq(me(held.port, s.headers, NULL), 200);
	cr_assert_eq(me(held.port, s.headers, NULL), 200);
	PGconn *db = test_db();
	char name[64];
	snprintf(name, sizeof name, "suqiu-server listener %ld", (long)held.pid);
	const char *np[] = { name };
	long backend = db_scalar(db, "SELECT pid FROM pg_stat_activity WHERE application_name = $1", 1, np);
	cr_assert_gt(backend, 0, "no listener backend named %s", name);
	/* the listener's backend freezes (as behind a partition: no reset), and
	 * the session is revoked: its notice cannot arrive */
	cr_assert_eq(kill((pid_t)backend, SIGSTOP), 0);
	const char *tp[] = { strchr(s.cookie, '=') + 1 };
	PQclear(PQexecParams(db, "UPDATE sessions SET revoked_at = now()"
				 " WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, NULL, tp, NULL, NULL, 0));
	int status = 200;
	for (int i = 0; i < 400 && status != 401; i++) {
		status = me(held.port, s.headers, NULL);
		if (status != 401)
			usleep(100000);
	}
	kill((pid_t)backend, SIGCONT);
	cr_assert_eq(status, 401, "the revoked session was still accepted after 40 s");
	cr_assert(server_log_contains(&held, "did not answer its keepalive query"));
	PQfinish(db);
	server_stop_clean(&held);
}
