/*
 * suqiu-worker: background work against the database.
 *
 * Each round it escalates the due SLA timers in batches (worker/timers.h),
 * delivers the outbox's notifications to the webhooks (worker/delivery.h),
 * records its heartbeat, and, at most every SUQIU_WORKER_INTERVAL seconds,
 * keeps the account tables tidy (expired sessions, old login attempts).
 * It sleeps until the nearest timer or notification retry is due, at most
 * the interval, and wakes early on LISTEN/NOTIFY: suqiu_events (every
 * committed ticket action announces itself there, so a nearer deadline or
 * a new notification just written is seen at once) and suqiu_worker. It
 * reconnects with backoff when the database goes away, and on
 * SIGTERM/SIGINT finishes its current batch and exits. Any number of
 * workers may run on any number of hosts: timers and notifications are
 * claimed with SKIP LOCKED and housekeeping is idempotent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/db.h"
#include "core/log.h"
#include "core/pgcluster.h"
#include "core/timefmt.h"
#include "worker/delivery.h"
#include "worker/timers.h"

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

/* Announces a batch's events to the servers' live streams after its
 * commit, in a transaction that only notifies (see migration 0005). ids
 * is the "{1,2,3}" literal the database returned: digits and commas only. */
static void announce(PGconn *conn, const char *ids)
{
	if (!ids || strcmp(ids, "{}") == 0)
		return;
	char *sql = xasprintf("BEGIN; SET LOCAL synchronous_commit TO off;"
			      " SELECT pg_notify('suqiu_events', ticket_event_notice(id)) FROM unnest('%s'::bigint[]) id;"
			      " COMMIT", ids);
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		logj("warn", "announce_failed", "{s:s}", "error", PQerrorMessage(conn));
	PQclear(res);
	free(sql);
}

struct worker_state {
	char id[128];
	struct timer_counts counts;
};

/* Records that this worker is alive, with its running totals: escalations
 * by kind, and the deliveries of d (delivered messages, failed POSTs). */
static void heartbeat(PGconn *conn, const struct worker_state *w, const struct delivery *d)
{
	char host[64] = "?", pid[16], esc[256], delivered[24], failed[24], err[256];
	gethostname(host, sizeof host - 1);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	snprintf(esc, sizeof esc, "{\"warning\": %ld, \"overdue\": %ld, \"supervision\": %ld, \"invite\": %ld,"
		 " \"close_unrated\": %ld}", w->counts.warning, w->counts.overdue, w->counts.supervision,
		 w->counts.invite, w->counts.closed);
	const struct delivery_totals *t = delivery_totals(d);
	snprintf(delivered, sizeof delivered, "%lld", t->delivered);
	snprintf(failed, sizeof failed, "%lld", t->failed);
	const char *params[] = { w->id, host, pid, esc, delivered, failed };
	if (!db_run(conn, "INSERT INTO worker_heartbeats (worker_id, host, pid, escalations, delivered, failed)"
		    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (worker_id) DO UPDATE SET beat_at = now(),"
		    " escalations = EXCLUDED.escalations, delivered = EXCLUDED.delivered, failed = EXCLUDED.failed",
		    6, params, err, sizeof err))
		logj("warn", "heartbeat_failed", "{s:s}", "error", err);
}

/* How long a worker waits before it tries due timers again that its last
 * claim could not take: another transaction holds them (another worker's
 * batch, an action on their ticket), whose commit wakes the worker sooner
 * (suqiu_events), or the batch failed. Without it the worker would spin,
 * claiming nothing as fast as the database answers. */
#define STALLED_WAIT_MS 1000

/* Escalates every due timer, batch after batch; false when the
 * connection failed. Stops between batches when asked to stop. *stalled:
 * the last claim took nothing, or its batch failed. */
static bool escalate(PGconn *conn, const struct config *cfg, struct worker_state *w, bool *stalled)
{
	for (;;) {
		char *events = NULL;
		uint64_t t0 = timefmt_mono_ns();
		struct timer_phases phases = { 0 };
		int n = timers_run_batch(conn, (int)cfg->worker_batch, &w->counts, &events, &phases);
		double ms = (double)(timefmt_mono_ns() - t0) / 1e6;
		announce(conn, events);
		free(events);
		*stalled = n <= 0;
		if (n < 0)
			return PQstatus(conn) == CONNECTION_OK;
		if (n > 0)
			logj("info", "escalated", "{s:i, s:f, s:f, s:f, s:f}", "timers", n, "ms", ms, "claim_ms",
			     phases.claim, "apply_ms", phases.apply, "commit_ms", phases.commit);
		if (n < cfg->worker_batch || stopping)
			return true;
	}
}

static PGconn *connect_and_listen(const char *url, int batch)
{
	char err[512];
	PGconn *conn = db_connect(url, err, sizeof err);
	if (!conn) {
		logj("warn", "db_connect_failed", "{s:s}", "error", err);
		return NULL;
	}
	if (!db_run(conn, "LISTEN suqiu_worker; LISTEN suqiu_events", 0, NULL, err, sizeof err)) {
		logj("warn", "db_listen_failed", "{s:s}", "error", err);
		PQfinish(conn);
		return NULL;
	}
	if (!timers_prepare(conn, batch)) {
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
	struct worker_state w = { 0 };
	char host[64] = "?";
	gethostname(host, sizeof host - 1);
	snprintf(w.id, sizeof w.id, "%s:%d:%lld", host, (int)getpid(), (long long)time(NULL));
	struct delivery *delivery = delivery_create(&cfg, w.id);
	uint64_t last_housekeeping = 0;
	while (!stopping) {
		if (!conn && !(conn = connect_and_listen(url, (int)cfg.worker_batch))) {
			backoff_ms = backoff_ms ? (backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2) : 100;
			poll(&(struct pollfd){ .fd = signal_pipe[0], .events = POLLIN }, 1, backoff_ms);
			continue;
		}
		backoff_ms = 0;
		uint64_t now = timefmt_mono_ns();
		bool due = !last_housekeeping || now - last_housekeeping >= (uint64_t)cfg.worker_interval_s * 1000000000u;
		if (due)
			last_housekeeping = now;
		bool stalled;
		if ((due && !sweep(conn)) || !escalate(conn, &cfg, &w, &stalled) ||
		    !delivery_run(delivery, conn, &stopping)) {
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		heartbeat(conn, &w, delivery);
		if (stopping)
			break;
		double wait = timers_wait_seconds(conn, (double)cfg.worker_interval_s);
		int wait_ms = (int)(wait * 1000) + (wait > 0);
		if (wait_ms == 0 && stalled) /* due, yet not claimed */
			wait_ms = STALLED_WAIT_MS; /* under SUQIU_WORKER_INTERVAL, which is 1 s at least */
		struct pollfd fds[2] = { { .fd = PQsocket(conn), .events = POLLIN },
					 { .fd = signal_pipe[0], .events = POLLIN } };
		int n = poll(fds, 2, delivery_wait_ms(delivery, wait_ms));
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
	delivery_destroy(delivery);
	free(url);
	config_finish(&cfg);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	return 0;
}
