/* Integration: HTTP behaviour every endpoint shares: limits, bad input,
 * routing, static files, security headers, request ids, ops endpoints. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static struct server_proc srv;
static char webdir[256];

/* A web root of our own, with a secret next to it and a symlink pointing out. */
static void make_webroot(void)
{
	char base[] = "/tmp/suqiu-web-XXXXXX";
	cr_assert_not_null(mkdtemp(base));
	snprintf(webdir, sizeof webdir, "%s/web", base);
	mkdir(webdir, 0755);
	char path[512];
	FILE *f;
#define WRITE(rel, text) \
	snprintf(path, sizeof path, "%s/%s", webdir, rel); \
	f = fopen(path, "w"); fputs(text, f); fclose(f);
	WRITE("index.html", "<!doctype html><title>诉求</title>");
	WRITE("app.js", "export const x = 1;\n");
	WRITE("style.css", "body{color:#111}\n");
	WRITE("openapi.json", "{\"openapi\":\"3.1.0\"}");
	snprintf(path, sizeof path, "%s/sub", webdir);
	mkdir(path, 0755);
	WRITE("sub/page.html", "<p>sub</p>");
	snprintf(path, sizeof path, "%s/secret.txt", base);
	f = fopen(path, "w"); fputs("TOP-SECRET", f); fclose(f);
	char link[512];
	snprintf(link, sizeof link, "%s/escape.txt", webdir);
	cr_assert_eq(symlink(path, link), 0);
	snprintf(link, sizeof link, "%s/passwd", webdir);
	cr_assert_eq(symlink("/etc/passwd", link), 0);
#undef WRITE
}

static void start(void)
{
	make_webroot();
	static char webenv[300];
	snprintf(webenv, sizeof webenv, "SUQIU_WEB_DIR=%s", webdir);
	const char *env[] = { webenv, "SUQIU_BODY_LIMIT=8192", "SUQIU_HTTP_TIMEOUT=2", NULL };
	server_start(&srv, env);
}

static void stop(void)
{
	server_stop_clean(&srv);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strrchr(webdir, '/') - webdir), webdir);
	if (system(cmd) != 0) { /* best effort */ }
}

TestSuite(http, .init = start, .fini = stop, .timeout = 60);

static int get_status(const char *method, const char *path, const char *headers, const char *body, char **code)
{
	struct http_resp r;
	cr_assert(http_do(srv.port, method, path, headers, body, &r), "%s %s got no answer", method, path);
	int status = r.status;
	if (code) {
		json_t *j = resp_json(&r);
		*code = j && json_object_get(j, "code") ? strdup(json_string_value(json_object_get(j, "code"))) : NULL;
		json_decref(j);
		if (status >= 400)
			cr_assert_str_eq(resp_header(&r, "Content-Type"), "application/problem+json; charset=utf-8",
					 "%s %s", method, path);
	}
	http_resp_free(&r);
	return status;
}

static void expect(const char *method, const char *path, const char *headers, const char *body, int status,
		   const char *code)
{
	char *got = NULL;
	int st = get_status(method, path, headers, body, &got);
	cr_expect_eq(st, status, "%s %s: status %d, expected %d", method, path, st, status);
	if (code)
		cr_expect_str_eq(got ? got : "(none)", code, "%s %s [%.60s]: code %s, expected %s", method, path,
				 body ? body : "", got ? got : "(none)", code);
	free(got);
}

Test(http, healthz_and_readyz)
{
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/healthz", NULL, NULL, &r));
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "\"ok\""));
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/readyz", NULL, NULL, &r));
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"current\""));
	http_resp_free(&r);
}

Test(http, every_response_has_security_headers_and_a_request_id)
{
	const char *paths[] = { "/healthz", "/index.html", "/api/v1/me", "/api/v1/nope", "/missing.js" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct http_resp r;
		cr_assert(http_do(srv.port, "GET", paths[i], NULL, NULL, &r));
		const char *csp = resp_header(&r, "Content-Security-Policy");
		cr_assert_not_null(csp, "%s", paths[i]);
		cr_assert_not_null(strstr(csp, "frame-ancestors 'none'"));
		cr_assert_not_null(strstr(csp, "default-src 'self'"));
		cr_assert_str_eq(resp_header(&r, "X-Content-Type-Options"), "nosniff");
		cr_assert_not_null(resp_header(&r, "X-Frame-Options"));
		const char *rid = resp_header(&r, "X-Request-Id");
		cr_assert(rid && strlen(rid) >= 16, "%s", paths[i]);
		http_resp_free(&r);
	}
}

Test(http, request_id_is_echoed_when_sane_and_replaced_when_not)
{
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/healthz", "X-Request-Id: trace-abc.123\r\n", NULL, &r));
	cr_assert_str_eq(resp_header(&r, "X-Request-Id"), "trace-abc.123");
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/healthz", "X-Request-Id: <script>\r\n", NULL, &r));
	cr_assert_str_neq(resp_header(&r, "X-Request-Id"), "<script>");
	http_resp_free(&r);
	/* and the log line carries it */
	cr_assert(http_do(srv.port, "GET", "/healthz", "X-Request-Id: find-me-in-the-log\r\n", NULL, &r));
	http_resp_free(&r);
	cr_assert(server_log_contains(&srv, "\"request_id\":\"find-me-in-the-log\""));
}

Test(http, unknown_routes_are_404_and_wrong_methods_405_with_allow)
{
	expect("GET", "/api/v1/nothing-here", NULL, NULL, 404, "not_found");
	expect("GET", "/api", NULL, NULL, 404, "not_found");
	struct http_resp r;
	cr_assert(http_do(srv.port, "DELETE", "/api/v1/me", NULL, NULL, &r));
	cr_assert_eq(r.status, 405);
	cr_assert_not_null(strstr(resp_header(&r, "Allow"), "GET"));
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/api/v1/auth/login", NULL, NULL, &r));
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(resp_header(&r, "Allow"), "POST");
	http_resp_free(&r);
	expect("PUT", "/index.html", NULL, NULL, 405, "method_not_allowed");
	expect("TRACE", "/healthz", NULL, NULL, 405, "method_not_allowed");
}

Test(http, malformed_json_wrong_types_and_invalid_utf8_are_400)
{
	const char *ct = "Content-Type: application/json\r\n";
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":", 400, "invalid_json");
	expect("POST", "/api/v1/auth/login", ct, "", 400, "invalid_json");
	expect("POST", "/api/v1/auth/login", ct, "[1,2]", 400, "invalid_type");
	expect("POST", "/api/v1/auth/login", ct, "\"admin\"", 400, "invalid_type");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":\"a\",\"username\":\"b\",\"password\":\"x\"}", 400, "invalid_json");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":[\"admin\"],\"password\":\"x\"}", 400, "invalid_type");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":\"admin\",\"password\":\"x\",\"remember\":true}", 400, "unknown_field");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":\"\xff\xfe\",\"password\":\"x\"}", 400, "invalid_utf8");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":\"\xc0\xaf\",\"password\":\"x\"}", 400, "invalid_utf8");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":\"\xed\xa0\x80\",\"password\":\"x\"}", 400, "invalid_utf8");
	expect("POST", "/api/v1/auth/login", ct, "{\"username\":\"a\\u0000b\",\"password\":\"x\"}", 400, "invalid_json");
	/* nesting deeper than the parser allows is refused, not a crash */
	char deep[6001];
	memset(deep, '[', 3000);
	memset(deep + 3000, ']', 3000);
	deep[6000] = '\0';
	expect("POST", "/api/v1/auth/login", ct, deep, 400, "invalid_json");
	/* none of it recorded a login attempt */
	PGconn *db = test_db();
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM login_attempts WHERE username IN ('a', 'b')", 0, NULL), 0);
	PQfinish(db);
}

Test(http, oversized_body_is_413_and_changes_nothing)
{
	size_t n = 8193 + 40;
	char *body = malloc(n + 1);
	snprintf(body, n + 1, "{\"username\":\"big\",\"password\":\"");
	size_t off = strlen(body);
	memset(body + off, 'x', n - off - 2);
	memcpy(body + n - 2, "\"}", 2);
	body[n] = '\0';
	expect("POST", "/api/v1/auth/login", NULL, body, 413, "payload_too_large");
	free(body);
	PGconn *db = test_db();
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM login_attempts WHERE username = 'big'", 0, NULL), 0);
	PQfinish(db);
	/* far beyond the limit the connection is cut short with 413 too */
	size_t huge = 64 * 1024;
	char *req = malloc(huge + 256);
	int h = snprintf(req, 256, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
				   "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", huge);
	memset(req + h, 'x', huge);
	struct http_resp r;
	bool answered = http_raw(srv.port, req, (size_t)h + huge, &r);
	cr_assert(!answered || r.status == 413, "status %d", r.status);
	if (answered)
		http_resp_free(&r);
	free(req);
	/* and the server is still fine */
	expect("GET", "/healthz", NULL, NULL, 200, NULL);
}

Test(http, path_traversal_and_encoding_tricks_never_escape_the_web_root)
{
	const char *paths[] = {
		"/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
		"/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/escape.txt", "/passwd",
		"/..\\secret.txt", "/%5c..%5csecret.txt", "/index.html%00.js", "/sub%2fpage.html",
		"/./index.html", "//etc/passwd", "/%ff", "/sub/", "/nonexistent.html",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct http_resp r;
		char req[512];
		int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", paths[i]);
		bool ok = http_raw(srv.port, req, (size_t)n, &r);
		cr_assert(ok, "%s: no answer", paths[i]);
		cr_assert(r.status == 400 || r.status == 404, "%s: status %d", paths[i], r.status);
		cr_assert_null(strstr(r.body, "TOP-SECRET"), "%s leaked the secret", paths[i]);
		cr_assert_null(strstr(r.body, "root:"), "%s leaked /etc/passwd", paths[i]);
		http_resp_free(&r);
	}
}

Test(http, static_files_have_content_types_etags_and_revalidate)
{
	struct {
		const char *path, *type;
	} files[] = {
		{ "/", "text/html; charset=utf-8" },
		{ "/index.html", "text/html; charset=utf-8" },
		{ "/app.js", "text/javascript; charset=utf-8" },
		{ "/style.css", "text/css; charset=utf-8" },
		{ "/sub/page.html", "text/html; charset=utf-8" },
		{ "/api/v1/openapi.json", "application/json; charset=utf-8" },
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct http_resp r;
		cr_assert(http_do(srv.port, "GET", files[i].path, NULL, NULL, &r));
		cr_assert_eq(r.status, 200, "%s", files[i].path);
		cr_assert_str_eq(resp_header(&r, "Content-Type"), files[i].type, "%s", files[i].path);
		const char *etag = resp_header(&r, "ETag");
		cr_assert_not_null(etag);
		char inm[160];
		snprintf(inm, sizeof inm, "If-None-Match: %s\r\n", etag);
		cr_assert_not_null(resp_header(&r, "Cache-Control"));
		http_resp_free(&r);
		cr_assert(http_do(srv.port, "GET", files[i].path, inm, NULL, &r));
		cr_assert_eq(r.status, 304, "%s revalidation", files[i].path);
		cr_assert_eq(r.body_len, 0);
		http_resp_free(&r);
	}
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/index.html", NULL, NULL, &r));
	cr_assert_not_null(strstr(r.body, "诉求"));
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "HEAD", "/index.html", NULL, NULL, &r));
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body_len, 0);
	cr_assert_not_null(resp_header(&r, "Content-Length"));
	http_resp_free(&r);
}

Test(http, metrics_count_requests_by_route_and_show_the_pool)
{
	expect("GET", "/healthz", NULL, NULL, 200, NULL);
	expect("GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated");
	expect("GET", "/api/v1/zzz", NULL, NULL, 404, "not_found");
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/metrics", NULL, NULL, &r));
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(resp_header(&r, "Content-Type"), "text/plain"));
	const char *needles[] = {
		"suqiu_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1",
		"suqiu_http_requests_total{route=\"/api/v1/me\",method=\"GET\",status=\"401\"} 1",
		"suqiu_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
		"# TYPE suqiu_http_request_duration_seconds histogram",
		"suqiu_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1",
		"suqiu_http_request_duration_seconds_count{route=\"/healthz\"} 1",
		"suqiu_db_pool_busy ", "suqiu_db_pool_waiting 0", "suqiu_db_pool_size 8", "suqiu_db_pool_connected ",
	};
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
		cr_assert_not_null(strstr(r.body, needles[i]), "metrics lack: %s\n%s", needles[i], r.body);
	http_resp_free(&r);
}

Test(http, one_json_log_line_per_request)
{
	expect("GET", "/healthz", "X-Request-Id: log-line-check\r\n", NULL, 200, NULL);
	cr_assert(server_log_contains(&srv, "\"event\":\"request\",\"request_id\":\"log-line-check\""));
	cr_assert(server_log_contains(&srv, "\"route\":\"/healthz\""));
}

Test(http, malformed_request_lines_do_not_hurt_the_server)
{
	const char *raws[] = {
		"GARBAGE\r\n\r\n",
		"GET\r\n\r\n",
		"GET /healthz HTTP/9.9\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Type: application/json\r\n\r\n{}",
	};
	for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
		struct http_resp r;
		if (http_raw(srv.port, raws[i], strlen(raws[i]), &r)) {
			cr_assert(r.status >= 400 && r.status < 500, "case %zu: %d", i, r.status);
			http_resp_free(&r);
		}
	}
	/* an oversized header block */
	char *big = malloc(40000);
	int n = snprintf(big, 100, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(big + n, 'a', 30000);
	memcpy(big + n + 30000, "\r\n\r\n", 5);
	struct http_resp r;
	if (http_raw(srv.port, big, strlen(big), &r)) {
		cr_assert(r.status >= 400 && r.status < 500, "big header: %d", r.status);
		http_resp_free(&r);
	}
	free(big);
	expect("GET", "/healthz", NULL, NULL, 200, NULL);
}

Test(http, malformed_query_strings_are_400)
{
	struct session s;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &s), 200);
	struct http_resp r;
	cr_assert(http_do(srv.port, "GET", "/api/v1/users?limit=500&x", s.headers, NULL, &r));
	cr_assert_eq(r.status, 400, "%s", r.body);
	http_resp_free(&r);
	cr_assert(http_do(srv.port, "GET", "/api/v1/users?role=%ff%fe", s.headers, NULL, &r));
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "invalid_utf8"));
	http_resp_free(&r);
}

Test(http, a_client_that_stalls_mid_request_is_cut_off_after_the_timeout)
{
	int fd = tcp_connect(srv.port);
	cr_assert_geq(fd, 0);
	const char *partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n"; /* never finished */
	cr_assert_eq(send(fd, partial, strlen(partial), 0), (ssize_t)strlen(partial));
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char buf[512];
	ssize_t n;
	while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
		; /* whatever it says, it must then close */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_eq(n, 0, "the server did not close the stalled connection");
	cr_assert(waited >= 1.5 && waited < 8.0, "closed after %.1f s with SUQIU_HTTP_TIMEOUT=2", waited);
	expect("GET", "/healthz", NULL, NULL, 200, NULL);
}
