/* ops: health, readiness and metrics; see ops.h. */
#include "server/ops.h"

#include <string.h>

#include "core/migrate.h"
#include "server/authcache.h"
#include "server/calendar.h"

static struct pgstmt STMT_FINGERPRINT = PGSTMT_READ("migration_fingerprint", migrate_fingerprint_sql);

void ops_healthz(struct reqctx *ctx)
{
	http_reply_json(ctx, 200, json_pack("{s:s, s:s}", "status", "ok", "version", SUQIU_VERSION));
}

static void on_fingerprint(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_header(ctx, "Retry-After", "2");
		http_reply_problem(ctx, "database_unavailable", "the database does not answer");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), ctx->srv->migration_fingerprint) != 0) {
		http_reply_problem(ctx, "database_unavailable",
				   "the database schema is not the one this build expects: run suqiu-admin migrate");
		return;
	}
	/* a missing holiday notice does not stop serving: it is a warning */
	http_reply_json(ctx, 200, json_pack("{s:s, s:s, s:s, s:o}", "status", "ready", "database", "ok",
					    "migrations", "current", "warnings", calendar_warnings(ctx->srv->calendar)));
}

void ops_readyz(struct reqctx *ctx)
{
	http_query(ctx, &STMT_FINGERPRINT, 0, NULL, on_fingerprint);
}

/* The background work as the database sees it: due timers no worker has
 * taken yet and the age of the oldest, escalations by kind and deliveries
 * (the workers' heartbeat totals), the outbox backlog, live workers. Each
 * count reads a partial index, so it costs what is due or pending. */
static struct pgstmt STMT_BACKGROUND = PGSTMT_READ("metrics_background",
	"SELECT (SELECT count(*) FROM sla_clocks WHERE due_at <= now()),"
	" coalesce(extract(epoch FROM now() - (SELECT min(due_at) FROM sla_clocks WHERE due_at <= now())), 0),"
	" (SELECT count(*) FROM outbox WHERE state = 'pending'), (SELECT count(*) FROM outbox WHERE state = 'dead'),"
	" (SELECT count(*) FROM worker_heartbeats WHERE beat_at > now() - interval '2 minutes'),"
	" (SELECT coalesce(sum(delivered), 0) FROM worker_heartbeats), (SELECT coalesce(sum(failed), 0) FROM worker_heartbeats),"
	" (SELECT coalesce(string_agg(format('suqiu_escalations_total{kind=\"%s\"} %s', kind, n), E'\\n' ORDER BY kind), '')"
	"  FROM (SELECT e.key AS kind, sum(e.value::bigint) AS n FROM worker_heartbeats h,"
	"        jsonb_each_text(h.escalations) e GROUP BY e.key) s)");

static void render_background(const PGresult *res, struct evbuffer *buf)
{
	evbuffer_add_printf(buf,
		"# HELP suqiu_sla_timers_due SLA timers due and not yet taken by a worker.\n"
		"# TYPE suqiu_sla_timers_due gauge\nsuqiu_sla_timers_due %s\n"
		"# HELP suqiu_sla_timers_oldest_due_seconds How long the oldest due timer has waited.\n"
		"# TYPE suqiu_sla_timers_oldest_due_seconds gauge\nsuqiu_sla_timers_oldest_due_seconds %s\n"
		"# HELP suqiu_outbox_pending Notifications waiting for delivery.\n"
		"# TYPE suqiu_outbox_pending gauge\nsuqiu_outbox_pending %s\n"
		"# HELP suqiu_outbox_dead Notifications dead-lettered after too many failed tries.\n"
		"# TYPE suqiu_outbox_dead gauge\nsuqiu_outbox_dead %s\n"
		"# HELP suqiu_workers_alive Workers whose heartbeat is less than 2 minutes old.\n"
		"# TYPE suqiu_workers_alive gauge\nsuqiu_workers_alive %s\n"
		"# HELP suqiu_outbox_delivered_total Notifications delivered, summed over workers' heartbeats.\n"
		"# TYPE suqiu_outbox_delivered_total counter\nsuqiu_outbox_delivered_total %s\n"
		"# HELP suqiu_outbox_failed_total Failed delivery attempts, summed over workers' heartbeats.\n"
		"# TYPE suqiu_outbox_failed_total counter\nsuqiu_outbox_failed_total %s\n"
		"# HELP suqiu_escalations_total SLA escalations applied, by kind, summed over workers' heartbeats.\n"
		"# TYPE suqiu_escalations_total counter\n%s%s",
		PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
		PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7),
		*PQgetvalue(res, 0, 7) ? "\n" : "");
}

static void render_auth_cache(const struct authcache *auth, struct evbuffer *buf)
{
	struct authcache_stats a = authcache_stats(auth);
	evbuffer_add_printf(buf,
		"# HELP suqiu_auth_cache_hits_total Requests authenticated from the auth cache.\n"
		"# TYPE suqiu_auth_cache_hits_total counter\nsuqiu_auth_cache_hits_total %llu\n"
		"# HELP suqiu_auth_cache_misses_total Requests whose credential the database was asked about.\n"
		"# TYPE suqiu_auth_cache_misses_total counter\nsuqiu_auth_cache_misses_total %llu\n"
		"# HELP suqiu_auth_cache_invalidations_total Credentials, users or all forgotten (NOTIFY, logout, admin).\n"
		"# TYPE suqiu_auth_cache_invalidations_total counter\nsuqiu_auth_cache_invalidations_total %llu\n"
		"# HELP suqiu_auth_cache_entries Credentials the auth cache holds.\n"
		"# TYPE suqiu_auth_cache_entries gauge\nsuqiu_auth_cache_entries %ld\n",
		(unsigned long long)a.hits, (unsigned long long)a.misses, (unsigned long long)a.invalidations, a.entries);
}

static void on_background(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct pgpool_stats stats;
	pgpool_stats(ctx->srv->pool, &stats);
	struct evbuffer *buf = evbuffer_new();
	metrics_render(ctx->srv->metrics, &stats, ctx->srv->inflight, buf);
	render_auth_cache(ctx->srv->auth, buf);
	/* without the database the process's own figures still come */
	if (st == PGPOOL_OK)
		render_background(res, buf);
	http_reply_buffer(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", buf);
}

void ops_metrics(struct reqctx *ctx)
{
	http_query(ctx, &STMT_BACKGROUND, 0, NULL, on_background);
}
