/* Integration, run alone (it stops the database): graceful shutdown,
 * recovery after a database restart, the bounded wait queue, the worker,
 * and the migration runner's refusals. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

TestSuite(lifecycle, .timeout = 120);

/* Runs a shell command line; returns its exit status. */
static int sh(const char *fmt, const char *arg)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, fmt, arg);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int send_only(int port, const char *req)
{
	int fd = tcp_connect(port);
	cr_assert_geq(fd, 0, "could not connect");
	cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	return fd;
}

static int read_status(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	struct timeval tv = { 20, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (got < len - 1 && (n = recv(fd, buf + got, len - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	int status = 0;
	sscanf(buf, "HTTP/1.%*d %d", &status);
	return status;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(lifecycle, sigterm_finishes_in_flight_requests_then_exits_cleanly)
{
	struct server_proc s;
	server_start(&s, NULL);
	/* a login spends ~0.1 s hashing on the CPU pool: it is in flight when SIGTERM lands */
	const char *body = "{\"username\":\"admin\",\"password\":\"Demo@2026\"}";
	char req[512];
	snprintf(req, sizeof req, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
				  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
	/* a first request on the same keep-alive connection proves it is accepted and served */
	int fd = send_only(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	char first[2048];
	size_t got = 0;
	while (!memchr(first, '}', got) && got < sizeof first - 1) {
		ssize_t n = recv(fd, first + got, sizeof first - 1 - got, 0);
		cr_assert_gt(n, 0, "no answer to the first request");
		got += (size_t)n;
	}
	cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	usleep(50000);
	kill(s.pid, SIGTERM);
	char buf[8192];
	cr_assert_eq(read_status(fd, buf, sizeof buf), 200, "in-flight login was not answered: %s", buf);
	cr_assert_not_null(strstr(buf, "csrf_token"));
	int port = s.port;
	cr_assert_eq(server_stop(&s, 0, 10), 0, "server did not exit 0 after SIGTERM");
	cr_assert(server_log_contains(&s, "\"event\":\"shutdown_started\""));
	cr_assert(server_log_contains(&s, "\"event\":\"drained\""));
	cr_assert(server_log_contains(&s, "\"abandoned\":0"));
	cr_assert(server_log_contains(&s, "\"event\":\"stopped\""));
	/* nothing listens any more */
	struct http_resp r;
	cr_assert(!http_do(port, "GET", "/healthz", NULL, NULL, &r), "still answering after shutdown");
}

Test(lifecycle, server_recovers_after_the_database_restarts_and_sheds_load_while_it_is_down)
{
	const char *env[] = { "SUQIU_DB_POOL_SIZE=2", "SUQIU_DB_QUEUE_MAX=2", "SUQIU_DB_QUEUE_TIMEOUT_MS=1500", NULL };
	struct server_proc s;
	server_start(&s, env);
	struct session admin;
	cr_assert_eq(login(s.port, "admin", DEMO_PASSWORD, &admin), 200);
	const char *adm = build_path("admin/suqiu-admin");

	cr_assert_eq(sh("'%s' db stop >/dev/null", adm), 0, "could not stop the database");
	struct http_resp r;
	double t0 = now_s();
	cr_assert(http_do(s.port, "GET", "/api/v1/me", admin.headers, NULL, &r));
	cr_assert_eq(r.status, 503, "%s", r.body);
	cr_assert_not_null(resp_header(&r, "Retry-After"));
	cr_assert(now_s() - t0 < 5.0, "a request hung while the database was down");
	http_resp_free(&r);
	cr_assert(http_do(s.port, "GET", "/readyz", NULL, NULL, &r));
	cr_assert_eq(r.status, 503);
	http_resp_free(&r);
	cr_assert(http_do(s.port, "GET", "/healthz", NULL, NULL, &r));
	cr_assert_eq(r.status, 200, "liveness must not depend on the database");
	http_resp_free(&r);

	/* a full wait queue answers 503 at once */
	int fds[5];
	for (int i = 0; i < 5; i++)
		fds[i] = send_only(s.port, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	int overloaded = 0;
	char buf[4096];
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(read_status(fds[i], buf, sizeof buf), 503);
		overloaded += strstr(buf, "\"overloaded\"") != NULL;
	}
	cr_assert_geq(overloaded, 3, "requests beyond the queue must be refused (%d were)", overloaded);

	cr_assert_eq(sh("'%s' db start >/dev/null", adm), 0, "could not restart the database");
	int status = 0;
	for (int i = 0; i < 100 && status != 200; i++) {
		usleep(100000);
		cr_assert(http_do(s.port, "GET", "/api/v1/me", admin.headers, NULL, &r));
		status = r.status;
		http_resp_free(&r);
	}
	cr_assert_eq(status, 200, "the server did not recover after the database came back");
	cr_assert(http_do(s.port, "GET", "/metrics", NULL, NULL, &r));
	cr_assert_null(strstr(r.body, "suqiu_db_pool_reconnects_total 0\n"), "reconnects were not counted");
	cr_assert_null(strstr(r.body, "suqiu_db_pool_rejected_total 0\n"), "refusals were not counted");
	http_resp_free(&r);
	cr_assert_eq(server_stop(&s, SIGTERM, 10), 0);
}

Test(lifecycle, worker_sweeps_on_notify_and_stops_on_sigterm)
{
	PGconn *db = test_db();
	PQclear(PQexec(db, "INSERT INTO login_attempts (username, client_addr, succeeded, attempted_at)"
			   " VALUES ('ancient', '10.9.9.9', false, now() - interval '40 days')"));
	char log[256];
	const char *dir = getenv("SUQIU_TEST_LOG_DIR");
	snprintf(log, sizeof log, "%s/worker-%d.log", dir && *dir ? dir : "/tmp", (int)getpid());
	pid_t pid = fork();
	if (pid == 0) {
		char url[1024];
		snprintf(url, sizeof url, "SUQIU_DATABASE_URL=%s", getenv("SUQIU_TEST_DATABASE_URL"));
		putenv(url);
		setenv("SUQIU_WORKER_INTERVAL", "3600", 1);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1), dup2(fd, 2);
		execl(build_path("worker/suqiu-worker"), "suqiu-worker", (char *)NULL);
		_exit(127);
	}
	long left = 1;
	for (int i = 0; i < 100 && left; i++) {
		usleep(100000);
		if (i % 10 == 5)
			PQclear(PQexec(db, "NOTIFY suqiu_worker"));
		left = db_scalar(db, "SELECT count(*) FROM login_attempts WHERE username = 'ancient'", 0, NULL);
	}
	cr_assert_eq(left, 0, "the worker did not purge old login attempts");
	kill(pid, SIGTERM);
	int status = -1;
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker did not exit cleanly on SIGTERM");
	unlink(log);
	PQfinish(db);
}

Test(lifecycle, migrate_is_idempotent_and_refuses_edited_or_unknown_migrations)
{
	const char *adm = build_path("admin/suqiu-admin");
	cr_assert_eq(sh("'%s' migrate | grep -q '^0 migration(s) applied'", adm), 0, "re-running migrate was not a no-op");
	char tmp[] = "/tmp/suqiu-sql-XXXXXX";
	cr_assert_not_null(mkdtemp(tmp));
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp -r '%s/sql/.' '%s/' && echo '-- edited' >> '%s/migrations/0001_accounts.sql'",
		 getenv("SUQIU_TEST_ROOT"), tmp, tmp);
	cr_assert_eq(system(cmd), 0);
	char line[2048];
	snprintf(line, sizeof line, "SUQIU_SQL_DIR='%s' '%%s' migrate 2>&1 | grep -q 'was edited after it was applied'", tmp);
	cr_assert_eq(sh(line, adm), 0, "an edited migration was not refused");
	PGconn *db = test_db();
	PQclear(PQexec(db, "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future.sql', "
			   "'0000000000000000000000000000000000000000000000000000000000000000')"));
	int refused = sh("'%s' migrate 2>&1 | grep -q 'newer than the code'", adm);
	PQclear(PQexec(db, "DELETE FROM schema_migrations WHERE version = 9999"));
	cr_assert_eq(refused, 0, "a database with an unknown migration was not refused");
	PQfinish(db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);
}

Test(lifecycle, application_role_cannot_run_ddl_or_touch_migrations)
{
	PGconn *app = PQconnectdb(getenv("SUQIU_TEST_DATABASE_URL"));
	cr_assert_eq(PQstatus(app), CONNECTION_OK);
	const char *refused[] = {
		"CREATE TABLE evil (id int)",
		"DROP TABLE users",
		"ALTER TABLE users ADD COLUMN x int",
		"DELETE FROM schema_migrations",
		"DELETE FROM users",
		"TRUNCATE sessions",
		"CREATE TEMP TABLE t (x int)",
		/* the audit trail is append-only */
		"UPDATE ticket_events SET summary = 'x'",
		"DELETE FROM ticket_events",
		"TRUNCATE ticket_events",
		"DELETE FROM attachments",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		PGresult *res = PQexec(app, refused[i]);
		cr_assert_eq(PQresultStatus(res), PGRES_FATAL_ERROR, "the app role could run: %s", refused[i]);
		PQclear(res);
	}
	PGresult *owner = PQexec(app, "SELECT count(*) FROM pg_tables WHERE tableowner = current_user");
	cr_assert_str_eq(PQgetvalue(owner, 0, 0), "0", "the app role owns tables");
	PQclear(owner);
	PQfinish(app);
}

Test(lifecycle, admin_cli_creates_a_token_that_authenticates)
{
	const char *adm = build_path("admin/suqiu-admin");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' create-token --user zhuanyuan --name cli-test", adm);
	FILE *p = popen(cmd, "r");
	char token[128] = "";
	cr_assert_not_null(fgets(token, sizeof token, p));
	cr_assert_eq(pclose(p), 0);
	token[strcspn(token, "\n")] = '\0';
	cr_assert_eq(strlen(token), 43);
	struct server_proc s;
	server_start(&s, NULL);
	char hdr[256];
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	struct http_resp r;
	cr_assert(http_do(s.port, "GET", "/api/v1/me", hdr, NULL, &r));
	int status = r.status;
	if (status != 200)
		server_stop(&s, SIGTERM, 10);
	cr_assert_eq(status, 200, "token \"%s\": %s", token, r.body);
	cr_assert_not_null(strstr(r.body, "zhuanyuan"));
	http_resp_free(&r);
	cr_assert_eq(server_stop(&s, SIGTERM, 10), 0);
	cr_assert_neq(sh("'%s' create-token --user no_such_user --name x 2>/dev/null", adm), 0);
}
