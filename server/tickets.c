/* tickets: loading and rendering one ticket; see tickets.h. */
#include "server/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/deid.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "server/api.h"

static struct pgstmt STMT_TICKET_LOAD = PGSTMT_READ("ticket_load",
	"SELECT " SQL_TICKET_COLUMNS " FROM tickets t " SQL_TICKET_JOINS
	" WHERE t.id = $1 AND " SQL_TICKET_SCOPE("$2", "$3", "$4"));

enum {
	C_ID, C_NUMBER, C_ENTERPRISE_ID, C_ENTERPRISE_NAME, C_CREDIT_CODE, C_CHANNEL, C_EXTERNAL_REF,
	C_CATEGORY_ID, C_CATEGORY_CODE, C_CATEGORY_NAME, C_URGENCY, C_TITLE, C_DESCRIPTION, C_CONTACT_NAME,
	C_CONTACT_PHONE, C_STATE, C_VERSION, C_RESUME_STATE, C_MERGED_INTO, C_MERGED_NUMBER, C_CLOSE_REASON,
	C_ANSWER, C_RESOLUTION, C_FEEDBACK_TEXT, C_FEEDBACK_ROUND, C_REWORK, C_RETURNS, C_RETURN_DISPUTED,
	C_SUPERVISIONS, C_WITHDRAWAL_CHECK, C_EXTENSION_CAP, C_CREATED_AT, C_UPDATED_AT, C_TOWN_ID, C_TOWN_NAME,
	C_TOWN_PATH, C_ASSIGNMENTS, C_EXTENSIONS, C_RATINGS, C_DISTRICT, C_CREATED_BY, C_CREATOR_NAME,
	C_SUGGESTED_ORGS, C_RETURN_RULED, C_POLICY, C_CLOCKS,
	C__COUNT
};
_Static_assert(C__COUNT == TICKET_NCOLUMNS, "TICKET_NCOLUMNS counts SQL_TICKET_COLUMNS");

void ticket_scope_params(const struct principal *who, struct scope_params *out)
{
	out->scope = ticket_scope_name(ticket_scope_of(who));
	out->path = who->org_path;
	snprintf(out->enterprise, sizeof out->enterprise, "%lld", who->enterprise_id);
}

bool ticket_query(struct reqctx *ctx, const char *id, pgpool_result_cb cb)
{
	struct scope_params sp;
	ticket_scope_params(&ctx->who, &sp);
	const char *params[] = { id, sp.scope, sp.path, sp.enterprise };
	return http_query(ctx, &STMT_TICKET_LOAD, 4, params, cb);
}

static json_t *cell_json(const PGresult *res, int col)
{
	json_t *v = json_loads(PQgetvalue(res, 0, col), JSON_DECODE_ANY, NULL);
	return v ? v : json_array();
}

static bool cell_bool(const PGresult *res, int col)
{
	return PQgetvalue(res, 0, col)[0] == 't';
}

static enum ticket_state state_of(const char *s, enum ticket_state fallback)
{
	enum ticket_state st;
	return ticket_state_parse(s, &st) ? st : fallback;
}

/* What the queues and countdowns need at a glance: the nearest deadline of
 * a running leg, and whether any leg is overdue (flagged red) or warned. */
json_t *ticket_sla_summary(const json_t *clocks)
{
	const char *next = NULL, *next_leg = NULL, *next_clock = NULL;
	bool overdue = false, warned = false, suspended = false;
	size_t i;
	json_t *k;
	json_array_foreach(clocks, i, k) {
		if (!json_is_null(json_object_get(k, "outcome")))
			continue;
		const char *stage = json_string_value(json_object_get(k, "stage"));
		const char *deadline = json_string_value(json_object_get(k, "deadline"));
		overdue |= strcmp(stage, "overdue") == 0 || strcmp(stage, "supervised") == 0;
		warned |= strcmp(stage, "warned") == 0;
		suspended |= !json_is_null(json_object_get(k, "suspended_at"));
		if (deadline && (!next || strcmp(deadline, next) < 0)) { /* same offset: text order is time order */
			next = deadline;
			next_leg = json_string_value(json_object_get(k, "leg"));
			next_clock = json_string_value(json_object_get(k, "clock"));
		}
	}
	return json_pack("{s:s?, s:s?, s:s?, s:s, s:b}", "next_deadline", next, "next_leg", next_leg, "clock", next_clock,
			 "level", overdue ? "overdue" : warned ? "warned" : "normal", "suspended", suspended);
}

void ticket_sla_countdown(json_t *sla, const struct workcal *cal, int64_t now)
{
	const char *deadline = json_string_value(json_object_get(sla, "next_deadline"));
	const char *clock = json_string_value(json_object_get(sla, "clock"));
	int64_t at;
	json_t *remaining = json_null();
	if (deadline && timefmt_parse_rfc3339(deadline, &at)) {
		bool flagged = false;
		long minutes = clock && strcmp(clock, "calendar") == 0 ? (long)((at - now) / 60)
			: workcal_minutes_between(cal, now, at, &flagged);
		remaining = json_integer(minutes);
	}
	struct workcal_span spans[WORKCAL_MAX_SPANS];
	int n = workcal_get_hours(cal, spans), day = 0;
	for (int i = 0; i < n; i++)
		day += spans[i].end_min - spans[i].start_min;
	json_object_set_new(sla, "remaining_minutes", remaining);
	json_object_set_new(sla, "day_minutes", json_integer(day));
}

struct ticket *ticket_from_result(const PGresult *res)
{
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, C_ID))
		return NULL;
	struct ticket *t = xcalloc(1, sizeof *t);
	json_t *assignments = cell_json(res, C_ASSIGNMENTS);
	json_t *extensions = cell_json(res, C_EXTENSIONS);
	json_t *ratings = cell_json(res, C_RATINGS);
	t->json = json_pack("{s:o, s:o, s:{s:o, s:o, s:o, s:{s:o, s:o}}, s:o, s:o, s:{s:o, s:o, s:o, s:o},"
			    " s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o}",
		"id", api_cell_int(res, 0, C_ID), "number", api_cell_str(res, 0, C_NUMBER),
		"enterprise", "id", api_cell_int(res, 0, C_ENTERPRISE_ID), "name", api_cell_str(res, 0, C_ENTERPRISE_NAME),
		"credit_code", api_cell_str(res, 0, C_CREDIT_CODE),
		"town", "id", api_cell_int(res, 0, C_TOWN_ID), "name", api_cell_str(res, 0, C_TOWN_NAME),
		"channel", api_cell_str(res, 0, C_CHANNEL), "external_ref", api_cell_str(res, 0, C_EXTERNAL_REF),
		"category", "id", api_cell_int(res, 0, C_CATEGORY_ID), "code", api_cell_str(res, 0, C_CATEGORY_CODE),
		"name", api_cell_str(res, 0, C_CATEGORY_NAME), "suggested_org_ids", cell_json(res, C_SUGGESTED_ORGS),
		"urgency", api_cell_str(res, 0, C_URGENCY), "title", api_cell_str(res, 0, C_TITLE),
		"description", api_cell_str(res, 0, C_DESCRIPTION),
		"contact", "name", api_cell_str(res, 0, C_CONTACT_NAME), "phone", api_cell_str(res, 0, C_CONTACT_PHONE),
		"state", api_cell_str(res, 0, C_STATE), "version", api_cell_int(res, 0, C_VERSION),
		"created_at", api_cell_time(res, 0, C_CREATED_AT), "updated_at", api_cell_time(res, 0, C_UPDATED_AT));
	json_object_set_new(t->json, "state_label",
			    json_string(ticket_state_label(state_of(PQgetvalue(res, 0, C_STATE), TS_NEW))));
	json_object_set_new(t->json, "merged_into", PQgetisnull(res, 0, C_MERGED_INTO) ? json_null()
		: json_pack("{s:o, s:o}", "id", api_cell_int(res, 0, C_MERGED_INTO),
			    "number", api_cell_str(res, 0, C_MERGED_NUMBER)));
	json_object_set_new(t->json, "close_reason", api_cell_str(res, 0, C_CLOSE_REASON));
	json_object_set_new(t->json, "answer", api_cell_str(res, 0, C_ANSWER));
	json_object_set_new(t->json, "resolution", api_cell_str(res, 0, C_RESOLUTION));
	json_object_set_new(t->json, "feedback", api_cell_str(res, 0, C_FEEDBACK_TEXT));
	json_object_set_new(t->json, "feedback_round", api_cell_int(res, 0, C_FEEDBACK_ROUND));
	json_object_set_new(t->json, "rework_count", api_cell_int(res, 0, C_REWORK));
	json_object_set_new(t->json, "return_count", api_cell_int(res, 0, C_RETURNS));
	json_object_set_new(t->json, "return_disputed", json_boolean(cell_bool(res, C_RETURN_DISPUTED)));
	json_object_set_new(t->json, "return_ruled", json_boolean(cell_bool(res, C_RETURN_RULED)));
	json_object_set_new(t->json, "supervision_count", api_cell_int(res, 0, C_SUPERVISIONS));
	json_object_set_new(t->json, "withdrawal_check", api_cell_str(res, 0, C_WITHDRAWAL_CHECK));
	json_object_set_new(t->json, "created_by", json_pack("{s:o, s:o}", "id", api_cell_int(res, 0, C_CREATED_BY),
							      "name", api_cell_str(res, 0, C_CREATOR_NAME)));
	json_object_set_new(t->json, "assignments", assignments);
	json_object_set_new(t->json, "extensions", extensions);
	json_object_set_new(t->json, "ratings", ratings);
	t->clocks = cell_json(res, C_CLOCKS);
	json_object_set_new(t->json, "clocks", t->clocks);
	json_object_set_new(t->json, "sla", ticket_sla_summary(t->clocks));
	t->policy = PQgetisnull(res, 0, C_POLICY) ? NULL : json_loads(PQgetvalue(res, 0, C_POLICY), 0, NULL);

	t->id = atoll(PQgetvalue(res, 0, C_ID));
	t->version = atoi(PQgetvalue(res, 0, C_VERSION));
	t->number = json_string_value(json_object_get(t->json, "number"));
	t->district_id = atoll(PQgetvalue(res, 0, C_DISTRICT));
	t->created_by = atoll(PQgetvalue(res, 0, C_CREATED_BY));
	t->assignments_json = assignments;

	struct lc_ticket *f = &t->facts;
	f->state = state_of(PQgetvalue(res, 0, C_STATE), TS_NEW);
	f->resume_state = state_of(PQgetvalue(res, 0, C_RESUME_STATE), TS_IN_PROGRESS);
	f->enterprise_id = atoll(PQgetvalue(res, 0, C_ENTERPRISE_ID));
	json_t *town = json_object_get(json_object_get(t->json, "enterprise"), "town");
	json_object_set_new(town, "path", api_cell_str(res, 0, C_TOWN_PATH));
	f->town_path = json_string_value(json_object_get(town, "path"));
	f->return_disputed = cell_bool(res, C_RETURN_DISPUTED);
	f->return_ruled = cell_bool(res, C_RETURN_RULED);
	f->withdrawn = strcmp(PQgetvalue(res, 0, C_CLOSE_REASON), "withdrawn") == 0;
	f->withdrawal_checked = !PQgetisnull(res, 0, C_WITHDRAWAL_CHECK);
	f->extension_cap = atoi(PQgetvalue(res, 0, C_EXTENSION_CAP));

	size_t n = json_array_size(assignments);
	t->assignments = xcalloc(n ? n : 1, sizeof *t->assignments);
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(assignments, i);
		struct lc_assignment *la = &t->assignments[i];
		la->id = (long long)json_integer_value(json_object_get(a, "id"));
		la->org_id = (long long)json_integer_value(json_object_get(a, "org_id"));
		la->org_path = json_string_value(json_object_get(a, "org_path"));
		la->lead = json_is_true(json_object_get(a, "lead"));
		enum assignment_state as = AS_DONE;
		assignment_state_parse(json_string_value(json_object_get(a, "state")), &as);
		la->state = as;
	}
	f->assignments = t->assignments;
	f->n_assignments = (int)n;

	size_t i;
	json_t *x;
	json_array_foreach(extensions, i, x) {
		const char *st = json_string_value(json_object_get(x, "state"));
		bool pending = st && strcmp(st, "pending") == 0;
		f->extension_pending |= pending;
		f->extensions_used += pending || (st && strcmp(st, "approved") == 0);
	}
	json_t *latest = json_array_get(ratings, json_array_size(ratings) - 1);
	if (latest) {
		int round = (int)json_integer_value(json_object_get(latest, "round"));
		t->latest_rating_id = (long long)json_integer_value(json_object_get(latest, "id"));
		t->latest_rating_score = (int)json_integer_value(json_object_get(latest, "score"));
		f->rated_this_round = round == atoi(PQgetvalue(res, 0, C_FEEDBACK_ROUND));
		f->last_rating = t->latest_rating_score;
		f->last_rating_ruled = !json_is_null(json_object_get(latest, "ruling"));
		const char *appeal = json_string_value(json_object_get(latest, "appeal_state"));
		f->last_rating_appealed = appeal != NULL;
		f->appeal_pending = appeal && strcmp(appeal, "pending") == 0;
	}
	return t;
}

struct ticket *ticket_or_reply(struct reqctx *ctx, enum pgpool_status st, const PGresult *res)
{
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return NULL;
	}
	struct ticket *t = ticket_from_result(res);
	if (!t)
		http_reply_problem(ctx, "not_found", "no ticket %s", ctx->params[0]);
	return t;
}

void ticket_free(struct ticket *t)
{
	if (!t)
		return;
	json_decref(t->json);
	json_decref(t->policy);
	free(t->assignments);
	free(t);
}

static void mask_field(json_t *obj, const char *key, char *(*mask)(const char *))
{
	const char *v = json_string_value(json_object_get(obj, key));
	if (!v)
		return;
	char *m = mask(v);
	json_object_set_new(obj, key, json_string(m));
	free(m);
}

void ticket_mask_contact(json_t *contact)
{
	mask_field(contact, "name", deid_name);
	mask_field(contact, "phone", deid_phone);
}

json_t *ticket_json_for(const struct ticket *t, const struct principal *who, const struct workcal *cal)
{
	json_t *out = json_deep_copy(t->json);
	ticket_sla_countdown(json_object_get(out, "sla"), cal, (int64_t)time(NULL));
	if (!ticket_sees_personal_data(who))
		ticket_mask_contact(json_object_get(out, "contact"));
	uint64_t allowed = lc_allowed(t->facts.state, lc_relations(who, &t->facts), lc_conditions(&t->facts));
	json_t *actions = json_array();
	for (int a = 0; a < TA__COUNT; a++) {
		if (allowed & (UINT64_C(1) << a))
			json_array_append_new(actions, json_string(ticket_action_name((enum ticket_action)a)));
	}
	json_object_set_new(out, "allowed_actions", actions);
	char events[64], similar[64];
	snprintf(events, sizeof events, "/api/v1/tickets/%lld/events", t->id);
	snprintf(similar, sizeof similar, "/api/v1/tickets/%lld/similar", t->id);
	json_object_set_new(out, "links", json_pack("{s:s, s:s}", "events", events, "similar", similar));
	return out;
}

const struct lc_assignment *ticket_assignment_of(const struct ticket *t, const struct principal *who, bool lead_only)
{
	const struct lc_assignment *found = NULL;
	for (int i = 0; i < t->facts.n_assignments; i++) {
		const struct lc_assignment *a = &t->assignments[i];
		if ((a->state != AS_PENDING && a->state != AS_ACCEPTED) || !lc_org_related(who->org_path, a->org_path))
			continue;
		if (a->lead)
			return a;
		if (!lead_only && !found)
			found = a;
	}
	return found;
}

json_t *ticket_assignment_json(const struct ticket *t, const struct lc_assignment *a)
{
	return json_array_get(t->assignments_json, (size_t)(a - t->assignments));
}

const struct lc_assignment *ticket_lead(const struct ticket *t)
{
	for (int i = t->facts.n_assignments - 1; i >= 0; i--) {
		const struct lc_assignment *a = &t->assignments[i];
		if (a->lead && a->state != AS_RETURNED)
			return a;
	}
	return NULL;
}
