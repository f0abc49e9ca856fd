/* ops: health, readiness and metrics; see ops.h. */
#include "server/ops.h"

#include <string.h>

#include "core/migrate.h"
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

void ops_metrics(struct reqctx *ctx)
{
	struct pgpool_stats stats;
	pgpool_stats(ctx->srv->pool, &stats);
	struct evbuffer *buf = evbuffer_new();
	metrics_render(ctx->srv->metrics, &stats, ctx->srv->inflight, buf);
	http_reply_buffer(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", buf);
}
