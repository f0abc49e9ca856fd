/*
 * api_stats_targets: the targets of the leadership dashboard's KPIs
 * (issue 5, README "The leadership dashboard"), data in stats_targets
 * (migration 0012) rather than a constant of the page.
 *
 *   GET /api/v1/stats/targets   every target, in the dashboard's order (whoever reads the metrics)
 *   PUT /api/v1/stats/targets   {"targets": {"resolution_rate": 92, ...}}: new values (admin); the full list
 *
 * A target of kind "min" is a rate in percent (0 to 100) the figure should
 * reach; "max" a count or a number of hours (0 to 1,000,000) it should not
 * exceed. Which metrics have a target, and of which kind, is the table's:
 * a PUT may name only those, and changes values only. Every entry of a PUT
 * is checked against the table before one UPDATE writes them all, so bad
 * input of any kind changes nothing.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define TARGET_MAX_LIMIT 1000000 /* the largest count or hours target (the table's CHECK) */

#define TARGET_COLUMNS "t.metric, t.kind, t.value::text, " SQL_TIME("t.updated_at")

static struct pgstmt STMT_TARGETS_LIST = PGSTMT_READ("stats_targets_list",
	"SELECT " TARGET_COLUMNS " FROM stats_targets t ORDER BY t.position");
/* $1: {"metric": "value", ...} (checked), $2: the admin. The CTE's
 * SELECT sees the table as it was, so the new values come from u. */
static struct pgstmt STMT_TARGETS_UPDATE = PGSTMT("stats_targets_update",
	"WITH x AS (SELECT key AS metric, value::numeric AS value FROM jsonb_each_text($1::jsonb)),"
	" u AS (UPDATE stats_targets s SET value = x.value, updated_at = now(), updated_by = $2::bigint"
	"   FROM x WHERE s.metric = x.metric RETURNING s.metric, s.value, s.updated_at)"
	" SELECT t.metric, t.kind, coalesce(u.value, t.value)::text, " SQL_TIME("coalesce(u.updated_at, t.updated_at)")
	" FROM stats_targets t LEFT JOIN u ON u.metric = t.metric ORDER BY t.position");

/* A numeric's text as a JSON number: an integer when it is whole (90, not 90.0). */
static json_t *number_of(const char *text)
{
	double v = strtod(text, NULL); /* 0 to 1,000,000 with 2 decimals (the table's CHECK) */
	return v == (double)(json_int_t)v ? json_integer((json_int_t)v) : json_real(v);
}

static json_t *target_json(const PGresult *res, int r)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "metric", api_cell_str(res, r, 0), "kind", api_cell_str(res, r, 1),
			 "value", number_of(PQgetvalue(res, r, 2)), "updated_at", api_cell_time(res, r, 3));
}

static void reply_targets(struct reqctx *ctx, enum pgpool_status st, const PGresult *res)
{
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	json_t *targets = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(targets, target_json(res, r));
	api_reply_json_short(ctx, 200, json_pack("{s:o}", "targets", targets));
}

static void on_targets(enum pgpool_status st, PGresult *res, void *arg)
{
	reply_targets(arg, st, res);
}

void api_stats_targets_get(struct reqctx *ctx)
{
	/* the targets are read by whoever reads the figures they judge */
	if (authz_stats_reach(&ctx->who) == STATS_NONE) {
		http_reply_problem(ctx, "forbidden", "your role may not read the statistics");
		return;
	}
	http_query(ctx, &STMT_TARGETS_LIST, 0, NULL, on_targets);
}

/* ---- changing them ----------------------------------------------------- */

/* The kind ("min" / "max") of metric in the current list, or NULL when it has no target. */
static const char *kind_of(const PGresult *res, const char *metric)
{
	for (int r = 0; r < PQntuples(res); r++)
		if (strcmp(PQgetvalue(res, r, 0), metric) == 0)
			return PQgetvalue(res, r, 1);
	return NULL;
}

/* Checks every entry of the body's targets against the current list;
 * replies 400 itself and returns NULL on the first wrong one, else
 * returns the update's parameter ({"metric": "92.00", ...}; the caller
 * frees it). */
static char *checked_values(struct reqctx *ctx, const PGresult *list)
{
	json_t *values = json_object();
	const char *metric;
	json_t *v;
	json_object_foreach(json_object_get(ctx->body, "targets"), metric, v) {
		const char *kind = kind_of(list, metric);
		if (!kind) {
			http_reply_problem(ctx, "unknown_field", "targets.%.64s is not a metric with a target", metric);
			goto fail;
		}
		if (!json_is_number(v)) {
			http_reply_problem(ctx, "invalid_type", "targets.%s must be a number", metric);
			goto fail;
		}
		double x = json_number_value(v);
		bool rate = strcmp(kind, "min") == 0;
		if (!(x >= 0 && x <= (rate ? 100 : TARGET_MAX_LIMIT))) {
			if (rate)
				http_reply_problem(ctx, "invalid_value", "targets.%s is a rate in percent: from 0 to 100", metric);
			else
				http_reply_problem(ctx, "invalid_value", "targets.%s is a count or hours: from 0 to %d",
						   metric, TARGET_MAX_LIMIT);
			goto fail;
		}
		char text[32];
		snprintf(text, sizeof text, "%.2f", x);
		json_object_set_new(values, metric, json_string(text));
	}
	char *param = json_dumps(values, JSON_COMPACT);
	json_decref(values);
	return param;
fail:
	json_decref(values);
	return NULL;
}

static void on_updated(enum pgpool_status st, PGresult *res, void *arg)
{
	reply_targets(arg, st, res);
}

static void on_current(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (json_object_size(json_object_get(ctx->body, "targets")) == 0) {
		reply_targets(ctx, st, res); /* nothing to change */
		return;
	}
	char *values = checked_values(ctx, res);
	if (!values)
		return;
	char user[24];
	snprintf(user, sizeof user, "%lld", ctx->who.user_id);
	const char *params[] = { values, user };
	http_query(ctx, &STMT_TARGETS_UPDATE, 2, params, on_updated);
	free(values); /* the pool copied the parameters */
}

static const struct jsonin_field put_fields[] = {
	{ "targets", JT_OBJECT, true, 0, 0 },
	JSONIN_END,
};

void api_stats_targets_put(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_STATS_TARGETS_MANAGE, NULL) || !api_body_ok(ctx, put_fields))
		return;
	/* the metrics and their kinds: the app's role cannot change them, so
	 * they still hold when the update runs */
	http_query(ctx, &STMT_TARGETS_LIST, 0, NULL, on_current);
}
