/* harness: server processes, raw HTTP and database helpers; see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *need_env(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		cr_assert_fail("%s is not set: run the integration suites through ./tests/run", name);
	return v;
}

const char *build_path(const char *rel)
{
	/* a ring of buffers: callers keep a few of these paths at once */
	static char paths[8][1024];
	static unsigned next;
	char *path = paths[next++ % 8];
	snprintf(path, sizeof paths[0], "%s/%s", need_env("SUQIU_TEST_BUILD"), rel);
	return path;
}

const char *unique_suffix(void)
{
	static char buf[48];
	if (!buf[0]) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(buf, sizeof buf, "%d%ld", (int)getpid(), (long)(ts.tv_nsec % 100000));
	}
	return buf;
}

void read_file(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

bool server_log_contains(const struct server_proc *s, const char *needle)
{
	/* the server writes request lines in blocks every 100 ms: wait up to 3 s */
	static char buf[1 << 20];
	for (int i = 0; i < 60; i++) {
		read_file(s->log_path, buf, sizeof buf);
		if (strstr(buf, needle))
			return true;
		usleep(50000);
	}
	return false;
}

/* Processes still running when a test process ends (a failed assertion
 * skips the test's own stop) are killed here, so none outlives its test. */
static pid_t started[32];

void proc_track(pid_t pid)
{
	for (size_t i = 0; i < sizeof started / sizeof started[0]; i++) {
		if (started[i] <= 0) {
			started[i] = pid;
			return;
		}
	}
}

__attribute__((destructor)) static void kill_leftovers(void)
{
	for (size_t i = 0; i < sizeof started / sizeof started[0]; i++) {
		if (started[i] > 0 && kill(started[i], 0) == 0) {
			kill(started[i], SIGKILL);
			waitpid(started[i], NULL, 0);
		}
	}
}

/* Forks binary (server/suqiu-server or worker/suqiu-worker) with the test
 * database, env, and its output in a log of its own; waits until its log
 * shows ready_event. */
static void spawn(struct server_proc *s, const char *binary, const char *const *env, const char *ready_event)
{
	memset(s, 0, sizeof *s);
	/* tests/run keeps these logs when a suite fails and removes them otherwise */
	const char *dir = getenv("SUQIU_TEST_LOG_DIR");
	const char *name = strrchr(binary, '/') + 1;
	static int spawned; /* a test may start several */
	snprintf(s->log_path, sizeof s->log_path, "%s/%s-%d-%s-%d.log", dir && *dir ? dir : "/tmp", name, (int)getpid(),
		 unique_suffix(), ++spawned);
	const char *path = build_path(binary);
	char *url = NULL;
	if (asprintf(&url, "SUQIU_DATABASE_URL=%s", need_env("SUQIU_TEST_DATABASE_URL")) < 0)
		cr_assert_fail("out of memory");
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		setenv("SUQIU_LISTEN", "127.0.0.1:0", 1);
		setenv("SUQIU_TRUST_PROXY", "1", 1);
		setenv("SUQIU_SHUTDOWN_GRACE", "5", 1);
		putenv(url);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		/* nothing of Criterion's (its pipes) may stay open in the child */
		close_range(3, ~0U, 0);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	free(url);
	s->pid = pid;
	proc_track(pid);
	char buf[8192];
	for (int i = 0; i < 400; i++) { /* 20 s: argon2 under ASan is slow */
		read_file(s->log_path, buf, sizeof buf);
		const char *hit = strstr(buf, ready_event);
		const char *addr = hit ? strstr(hit, "\"addr\":\"127.0.0.1:") : NULL;
		if (addr)
			s->port = atoi(addr + strlen("\"addr\":\"127.0.0.1:"));
		if (hit)
			return;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			s->pid = 0;
			cr_assert_fail("%s exited before it was ready; its log:\n%s", name, buf);
		}
		usleep(50000);
	}
	cr_assert_fail("%s did not get ready; its log:\n%s", name, buf);
}

void server_start(struct server_proc *s, const char *const *env)
{
	spawn(s, "server/suqiu-server", env, "\"event\":\"listening\"");
}

void worker_start(struct server_proc *s, const char *const *env)
{
	spawn(s, "worker/suqiu-worker", env, "\"event\":\"db_connected\"");
}

void server_stop_clean(struct server_proc *s)
{
	int status = server_stop(s, SIGTERM, 10);
	cr_assert_eq(status, 0, "the server exited with status %d: see %s", status, s->log_path);
}

int server_stop(struct server_proc *s, int sig, int timeout_s)
{
	return proc_stop(&s->pid, sig, timeout_s);
}

int proc_stop(pid_t *pid, int sig, int timeout_s)
{
	if (*pid <= 0)
		return -1;
	kill(*pid, sig);
	int status = 0;
	for (int i = 0; i < timeout_s * 20; i++) {
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(50000);
	}
	kill(*pid, SIGKILL);
	waitpid(*pid, &status, 0);
	*pid = 0;
	return -1;
}

/* ---- HTTP ----------------------------------------------------------- */

int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = { 15, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool http_raw(int port, const char *req, size_t len, struct http_resp *r)
{
	memset(r, 0, sizeof *r);
	int fd = tcp_connect(port);
	if (fd < 0)
		return false;
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer (413) before reading everything */
		off += (size_t)n;
	}
	size_t cap = 65536, got = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (cap - got < 4096)
			buf = realloc(buf, cap *= 2);
		ssize_t n = recv(fd, buf + got, cap - got - 1, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	char *end = strstr(buf, "\r\n\r\n");
	if (!end || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
		free(buf);
		return false;
	}
	size_t head_len = (size_t)(end - buf);
	r->head = strndup(buf, head_len);
	r->body_len = got - head_len - 4;
	r->body = malloc(r->body_len + 1);
	memcpy(r->body, end + 4, r->body_len);
	r->body[r->body_len] = '\0';
	free(buf);
	return true;
}

bool http_do(int port, const char *method, const char *path, const char *headers, const char *body,
	     struct http_resp *r)
{
	size_t blen = body ? strlen(body) : 0;
	bool has_ct = headers && strcasestr(headers, "content-type:");
	char *req = NULL;
	int n = asprintf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
			       "X-Forwarded-For: 10.%d.%d.%d\r\n%s%s%s",
			 method, path, (getpid() >> 16) & 255, (getpid() >> 8) & 255, getpid() & 255,
			 headers ? headers : "", body && !has_ct ? "Content-Type: application/json\r\n" : "", "");
	if (n < 0)
		return false;
	char *full = NULL;
	n = asprintf(&full, "%sContent-Length: %zu\r\n\r\n", req, blen);
	free(req);
	size_t hlen = (size_t)n;
	full = realloc(full, hlen + blen + 1);
	if (blen)
		memcpy(full + hlen, body, blen);
	bool ok = http_raw(port, full, hlen + blen, r);
	free(full);
	return ok;
}

void http_resp_free(struct http_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

const char *resp_header(const struct http_resp *r, const char *name)
{
	static char value[4096];
	size_t nlen = strlen(name);
	for (const char *line = r->head ? strstr(r->head, "\r\n") : NULL; line; line = strstr(line, "\r\n")) {
		line += 2;
		if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			size_t vlen = strcspn(v, "\r\n");
			if (vlen >= sizeof value)
				vlen = sizeof value - 1;
			memcpy(value, v, vlen);
			value[vlen] = '\0';
			return value;
		}
	}
	return NULL;
}

json_t *resp_json(const struct http_resp *r)
{
	return r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
}

int login(int port, const char *username, const char *password, struct session *out)
{
	memset(out, 0, sizeof *out);
	json_t *req = json_pack("{s:s, s:s}", "username", username, "password", password);
	char *body = json_dumps(req, 0);
	json_decref(req);
	struct http_resp r;
	cr_assert(http_do(port, "POST", "/api/v1/auth/login", NULL, body, &r), "login request failed");
	free(body);
	int status = r.status;
	if (status == 200) {
		const char *sc = resp_header(&r, "Set-Cookie");
		cr_assert_not_null(sc, "login set no cookie");
		snprintf(out->cookie, sizeof out->cookie, "%.*s", (int)strcspn(sc, ";"), sc);
		json_t *j = resp_json(&r);
		snprintf(out->csrf, sizeof out->csrf, "%s", json_string_value(json_object_get(j, "csrf_token")));
		json_decref(j);
		snprintf(out->headers, sizeof out->headers, "Cookie: %s\r\nX-CSRF-Token: %s\r\n", out->cookie, out->csrf);
	}
	http_resp_free(&r);
	return status;
}

int api_call(int port, const struct session *s, const char *method, const char *path, const char *body, json_t **out)
{
	struct http_resp r;
	cr_assert(http_do(port, method, path, s ? s->headers : NULL, body, &r), "%s %s: no answer", method, path);
	int status = r.status;
	if (out)
		*out = resp_json(&r);
	http_resp_free(&r);
	return status;
}

/* ---- database ------------------------------------------------------- */

PGconn *test_db(void)
{
	PGconn *c = PQconnectdb(need_env("SUQIU_TEST_OWNER_URL"));
	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot reach the test database: %s", PQerrorMessage(c));
	return c;
}

long db_scalar(PGconn *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(db, sql, nparams, NULL, params, NULL, NULL, 0);
	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(res));
	long v = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

long metric_value(int port, const char *name)
{
	struct http_resp r;
	cr_assert(http_do(port, "GET", "/metrics", NULL, NULL, &r), "GET /metrics: no answer");
	cr_assert_eq(r.status, 200);
	char needle[128];
	snprintf(needle, sizeof needle, "\n%s ", name);
	const char *hit = strstr(r.body, needle);
	cr_assert_not_null(hit, "/metrics lacks %s:\n%s", name, r.body);
	long v = atol(hit + strlen(needle));
	http_resp_free(&r);
	return v;
}
