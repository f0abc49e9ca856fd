/*
 * suqiu-worker: background work against the database.
 *
 * Today it keeps the account tables tidy (expired sessions, old login
 * attempts); the SLA escalation and notification delivery of later
 * issues join this loop. It wakes on LISTEN/NOTIFY (channel suqiu_worker)
 * or every SUQIU_WORKER_INTERVAL seconds, reconnects with backoff when the
 * database goes away, and on SIGTERM/SIGINT finishes its current sweep
 * and exits. Any number of workers may run: each sweep is idempotent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/log.h"
#include "core/pgcluster.h"

static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	int saved = errno;
	stopping = 1;
	char c = (char)sig;
	if (write(signal_pipe[1], &c, 1) < 0) { /* the flag is enough */ }
	errno = saved;
}

/* One sweep: idempotent housekeeping. Returns false when the connection failed. */
static bool sweep(PGconn *conn)
{
	char err[512];
	PGresult *res = db_exec(conn,
		"WITH s AS (DELETE FROM sessions WHERE expires_at < now() - interval '7 days' RETURNING 1),"
		" a AS (DELETE FROM login_attempts WHERE attempted_at < now() - interval '30 days' RETURNING 1),"
		" t AS (DELETE FROM login_throttle WHERE window_start < now() - interval '1 day')"
		" SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM a)", 0, NULL, err, sizeof err);
	if (!res) {
		logj("warn", "sweep_failed", "{s:s}", "error", err);
		return PQstatus(conn) == CONNECTION_OK;
	}
	long sessions = atol(PQgetvalue(res, 0, 0)), attempts = atol(PQgetvalue(res, 0, 1));
	if (sessions || attempts)
		logj("info", "sweep", "{s:i, s:i}", "sessions_purged", (int)sessions, "login_attempts_purged", (int)attempts);
	PQclear(res);
	return true;
}

static PGconn *connect_and_listen(const char *url)
{
	char err[512];
	PGconn *conn = db_connect(url, err, sizeof err);
	if (!conn) {
		logj("warn", "db_connect_failed", "{s:s}", "error", err);
		return NULL;
	}
	if (!db_run(conn, "LISTEN suqiu_worker", 0, NULL, err, sizeof err)) {
		logj("warn", "db_listen_failed", "{s:s}", "error", err);
		PQfinish(conn);
		return NULL;
	}
	logj("info", "db_connected", NULL);
	return conn;
}

int main(void)
{
	struct config cfg;
	char err[1024];
	char *url = NULL;
	log_set_component("worker");
	if (!config_load(&cfg, err, sizeof err)) {
		logj("fatal", "config_invalid", "{s:s}", "error", err);
		return 2;
	}
	if (pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return 1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!pgcluster_resolve(&cfg, &url, NULL, err, sizeof err)) {
		logj("fatal", "database_unavailable", "{s:s}", "error", err);
		config_finish(&cfg);
		return 1;
	}
	logj("info", "started", "{s:i}", "interval_s", (int)cfg.worker_interval_s);
	PGconn *conn = NULL;
	int backoff_ms = 0;
	while (!stopping) {
		if (!conn && !(conn = connect_and_listen(url))) {
			backoff_ms = backoff_ms ? (backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2) : 100;
			poll(&(struct pollfd){ .fd = signal_pipe[0], .events = POLLIN }, 1, backoff_ms);
			continue;
		}
		backoff_ms = 0;
		if (!sweep(conn)) {
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		struct pollfd fds[2] = { { .fd = PQsocket(conn), .events = POLLIN },
					 { .fd = signal_pipe[0], .events = POLLIN } };
		int n = poll(fds, 2, (int)cfg.worker_interval_s * 1000);
		if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (!PQconsumeInput(conn)) {
				logj("warn", "db_connection_lost", "{s:s}", "error", PQerrorMessage(conn));
				PQfinish(conn);
				conn = NULL;
				continue;
			}
			PGnotify *note;
			while ((note = PQnotifies(conn)))
				PQfreemem(note);
		}
	}
	logj("info", "stopped", NULL);
	PQfinish(conn);
	free(url);
	config_finish(&cfg);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	return 0;
}
