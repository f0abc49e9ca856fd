/*
 * api_sla: SLA policies (DESIGN.md §4), per category × urgency.
 *
 *   GET   /api/v1/sla-policies                                  every policy (staff)
 *   GET   /api/v1/sla-policies/effective?category_id=&urgency=  the one that governs such a ticket (staff)
 *   POST  /api/v1/sla-policies                                  create (admin)
 *   PATCH /api/v1/sla-policies/:id                              edit (admin)
 *
 * A leg's allowed time is {"amount": n, "unit": "minutes" | "days"}:
 * working minutes or working days (core/workcal.h), or with the
 * "calendar" clock (24×7) wall-clock minutes and 24-hour days. The policy
 * of a category also covers its children; a policy without a category is
 * the district's default for its urgency (sla_policy_for in SQL).
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define SLA_COLUMNS "p.id, p.category_id, c.code, c.name, p.urgency, p.clock, p.accept_amount, p.accept_unit," \
	" p.contact_amount, p.contact_unit, p.resolve_amount, p.resolve_unit, p.feedback_amount, p.feedback_unit," \
	" p.rectify_amount, p.rectify_unit, p.rating_window_days, p.warning_share::text, p.supervision_delay_minutes," \
	" p.extension_cap, " SQL_TIME("p.updated_at")

static struct pgstmt STMT_SLA_LIST = PGSTMT_READ("sla_list",
	"SELECT " SLA_COLUMNS " FROM sla_policies p LEFT JOIN categories c ON c.id = p.category_id"
	" ORDER BY p.category_id NULLS FIRST, p.urgency, p.id");
static struct pgstmt STMT_SLA_EFFECTIVE = PGSTMT_READ("sla_effective",
	"SELECT " SLA_COLUMNS " FROM sla_policy_for($1, $2) p LEFT JOIN categories c ON c.id = p.category_id");
static struct pgstmt STMT_SLA_CREATE = PGSTMT("sla_create",
	"WITH p AS (INSERT INTO sla_policies (category_id, urgency, clock, accept_amount, accept_unit, contact_amount,"
	"   contact_unit, resolve_amount, resolve_unit, feedback_amount, feedback_unit, rectify_amount, rectify_unit,"
	"   rating_window_days, warning_share, supervision_delay_minutes, extension_cap, updated_by)"
	"  VALUES ($1, $2, coalesce($3, 'working'), $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::int, 15),"
	"   coalesce($13, 'days'), coalesce($14::int, 7), coalesce($15::numeric, 0.80), coalesce($16::int, 480),"
	"   coalesce($17::int, 2), $18) RETURNING *)"
	" SELECT " SLA_COLUMNS " FROM p LEFT JOIN categories c ON c.id = p.category_id");
static struct pgstmt STMT_SLA_UPDATE = PGSTMT("sla_update",
	"WITH p AS (UPDATE sla_policies SET clock = coalesce($2, clock),"
	"   accept_amount = coalesce($3::int, accept_amount), accept_unit = coalesce($4, accept_unit),"
	"   contact_amount = coalesce($5::int, contact_amount), contact_unit = coalesce($6, contact_unit),"
	"   resolve_amount = coalesce($7::int, resolve_amount), resolve_unit = coalesce($8, resolve_unit),"
	"   feedback_amount = coalesce($9::int, feedback_amount), feedback_unit = coalesce($10, feedback_unit),"
	"   rectify_amount = coalesce($11::int, rectify_amount), rectify_unit = coalesce($12, rectify_unit),"
	"   rating_window_days = coalesce($13::int, rating_window_days),"
	"   warning_share = coalesce($14::numeric, warning_share),"
	"   supervision_delay_minutes = coalesce($15::int, supervision_delay_minutes),"
	"   extension_cap = coalesce($16::int, extension_cap), updated_at = now(), updated_by = $17"
	"  WHERE id = $1 RETURNING *)"
	" SELECT " SLA_COLUMNS " FROM p LEFT JOIN categories c ON c.id = p.category_id");

static json_t *leg(const PGresult *res, int r, int col)
{
	return json_pack("{s:o, s:o}", "amount", api_cell_int(res, r, col), "unit", api_cell_str(res, r, col + 1));
}

static json_t *sla_json(const PGresult *res, int r)
{
	json_t *category = PQgetisnull(res, r, 1) ? json_null()
		: json_pack("{s:o, s:o, s:o}", "id", api_cell_int(res, r, 1), "code", api_cell_str(res, r, 2),
			    "name", api_cell_str(res, r, 3));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:o, s:o, s:o}",
		"id", api_cell_int(res, r, 0), "category", category, "urgency", api_cell_str(res, r, 4),
		"clock", api_cell_str(res, r, 5), "accept", leg(res, r, 6), "contact", leg(res, r, 8),
		"resolve", leg(res, r, 10), "feedback", leg(res, r, 12), "rectify", leg(res, r, 14),
		"rating_window_days", api_cell_int(res, r, 16), "warning_share", atof(PQgetvalue(res, r, 17)),
		"supervision_delay_minutes", api_cell_int(res, r, 18), "extension_cap", api_cell_int(res, r, 19),
		"updated_at", api_cell_time(res, r, 20));
}

static void on_list(enum pgpool_status st, PGresult *res, void *arg)
{
	api_reply_items(arg, st, res, sla_json, NULL);
}

void api_sla_list(struct reqctx *ctx)
{
	if (http_authorize(ctx, AUTHZ_SLA_READ, NULL))
		http_query(ctx, &STMT_SLA_LIST, 0, NULL, on_list);
}

static void on_one(enum pgpool_status st, PGresult *res, void *arg)
{
	api_reply_one(arg, st, res, sla_json, "a policy for this category and urgency exists: edit it",
		      "no such SLA policy");
}

void api_sla_effective(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_SLA_READ, NULL))
		return;
	const char *category = http_query_param(ctx, "category_id"), *urgency = http_query_param(ctx, "urgency");
	long long id;
	if (!category || !jsonin_id_text(category, &id) || !urgency || !api_valid_urgency(urgency)) {
		http_reply_problem(ctx, "invalid_query", "category_id (an id) and urgency (normal, urgent, critical) are needed");
		return;
	}
	const char *params[] = { category, urgency };
	http_query(ctx, &STMT_SLA_EFFECTIVE, 2, params, on_one);
}

/* ---- create and edit -------------------------------------------------- */

static const char *const legs[] = { "accept", "contact", "resolve", "feedback", "rectify" };
#define N_LEGS 5

static const struct jsonin_field leg_fields[] = {
	{ "amount", JT_INTEGER, true, 0, 0 },
	{ "unit", JT_STRING, true, 1, 10 },
	JSONIN_END,
};

#define POLICY_FIELDS \
	{ "clock", JT_STRING, false, 1, 10 }, \
	{ "accept", JT_OBJECT, false, 0, 0 }, \
	{ "contact", JT_OBJECT, false, 0, 0 }, \
	{ "resolve", JT_OBJECT, false, 0, 0 }, \
	{ "feedback", JT_OBJECT, false, 0, 0 }, \
	{ "rectify", JT_OBJECT, false, 0, 0 }, \
	{ "rating_window_days", JT_INTEGER, false, 0, 0 }, \
	{ "warning_share", JT_NUMBER, false, 0, 0 }, \
	{ "supervision_delay_minutes", JT_INTEGER, false, 0, 0 }, \
	{ "extension_cap", JT_INTEGER, false, 0, 0 }

static const struct jsonin_field create_fields[] = {
	{ "category_id", JT_ID, false, 0, 0 },
	{ "urgency", JT_STRING, true, 1, 10 },
	POLICY_FIELDS,
	JSONIN_END,
};

static const struct jsonin_field update_fields[] = { POLICY_FIELDS, JSONIN_END };

/* The checked values of a policy body, as text parameters (NULL = absent). */
struct policy_params {
	char amount[N_LEGS][24];
	const char *unit[N_LEGS];
	bool has_leg[N_LEGS];
	char window[24], share[32], delay[24], cap[24];
	bool has_window, has_share, has_delay, has_cap;
};

static bool int_in(struct reqctx *ctx, const char *name, long long lo, long long hi, char out[24], bool *has)
{
	json_t *v = json_object_get(ctx->body, name);
	*has = v != NULL;
	if (!v)
		return true;
	long long n = json_integer_value(v);
	if (n < lo || n > hi) {
		http_reply_problem(ctx, "invalid_value", "%s must be from %lld to %lld", name, lo, hi);
		return false;
	}
	snprintf(out, 24, "%lld", n);
	return true;
}

static bool take_policy(struct reqctx *ctx, struct policy_params *p)
{
	memset(p, 0, sizeof *p);
	const char *clock = jsonin_str(ctx->body, "clock", NULL);
	if (clock && strcmp(clock, "working") != 0 && strcmp(clock, "calendar") != 0) {
		http_reply_problem(ctx, "invalid_value", "clock must be working or calendar (24×7)");
		return false;
	}
	for (int i = 0; i < N_LEGS; i++) {
		json_t *l = json_object_get(ctx->body, legs[i]);
		struct jsonin_error err;
		if (!l)
			continue;
		if (!jsonin_check(l, leg_fields, &err)) {
			http_reply_problem(ctx, err.code, "%s: %s", legs[i], err.detail);
			return false;
		}
		const char *unit = jsonin_str(l, "unit", "");
		long long amount = jsonin_int(l, "amount", 0);
		bool days = strcmp(unit, "days") == 0;
		if ((!days && strcmp(unit, "minutes") != 0) || amount < 1 || amount > (days ? 365 : 525600)) {
			http_reply_problem(ctx, "invalid_value", "%s must be 1 to 365 days or 1 to 525600 minutes", legs[i]);
			return false;
		}
		p->has_leg[i] = true;
		p->unit[i] = days ? "days" : "minutes";
		snprintf(p->amount[i], sizeof p->amount[i], "%lld", amount);
	}
	json_t *share = json_object_get(ctx->body, "warning_share");
	p->has_share = share != NULL;
	if (share) {
		double v = json_number_value(share);
		if (!(v > 0 && v < 1)) {
			http_reply_problem(ctx, "invalid_value", "warning_share must be between 0 and 1 (e.g. 0.8)");
			return false;
		}
		snprintf(p->share, sizeof p->share, "%.2f", v);
	}
	return int_in(ctx, "rating_window_days", 1, 90, p->window, &p->has_window) &&
	       int_in(ctx, "supervision_delay_minutes", 1, 525600, p->delay, &p->has_delay) &&
	       int_in(ctx, "extension_cap", 0, 10, p->cap, &p->has_cap);
}

void api_sla_create(struct reqctx *ctx)
{
	struct policy_params p;
	if (!http_authorize(ctx, AUTHZ_SLA_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, create_fields))
		return;
	const char *urgency = jsonin_str(ctx->body, "urgency", "");
	if (!api_valid_urgency(urgency)) {
		http_reply_problem(ctx, "invalid_value", "urgency must be normal, urgent or critical");
		return;
	}
	if (!take_policy(ctx, &p))
		return;
	for (int i = 0; i < 4; i++) { /* rectify has a default, the others not */
		if (!p.has_leg[i]) {
			http_reply_problem(ctx, "missing_field", "%s ({amount, unit}) is required", legs[i]);
			return;
		}
	}
	char category[24], user[24];
	snprintf(category, sizeof category, "%lld", jsonin_int(ctx->body, "category_id", 0));
	snprintf(user, sizeof user, "%lld", ctx->who.user_id);
	const char *params[] = {
		json_object_get(ctx->body, "category_id") ? category : NULL, urgency, jsonin_str(ctx->body, "clock", NULL),
		p.amount[0], p.unit[0], p.amount[1], p.unit[1], p.amount[2], p.unit[2], p.amount[3], p.unit[3],
		p.has_leg[4] ? p.amount[4] : NULL, p.unit[4], p.has_window ? p.window : NULL,
		p.has_share ? p.share : NULL, p.has_delay ? p.delay : NULL, p.has_cap ? p.cap : NULL, user,
	};
	http_query(ctx, &STMT_SLA_CREATE, 18, params, on_one);
}

void api_sla_update(struct reqctx *ctx)
{
	struct policy_params p;
	long long id;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_SLA_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, update_fields))
		return;
	if (!take_policy(ctx, &p))
		return;
	char user[24];
	snprintf(user, sizeof user, "%lld", ctx->who.user_id);
	const char *params[17];
	params[0] = ctx->params[0];
	params[1] = jsonin_str(ctx->body, "clock", NULL);
	for (int i = 0; i < N_LEGS; i++) {
		params[2 + 2 * i] = p.has_leg[i] ? p.amount[i] : NULL;
		params[3 + 2 * i] = p.has_leg[i] ? p.unit[i] : NULL;
	}
	params[12] = p.has_window ? p.window : NULL;
	params[13] = p.has_share ? p.share : NULL;
	params[14] = p.has_delay ? p.delay : NULL;
	params[15] = p.has_cap ? p.cap : NULL;
	params[16] = user;
	http_query(ctx, &STMT_SLA_UPDATE, 17, params, on_one);
}
