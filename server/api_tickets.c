/*
 * api_tickets: intake and reading of tickets.
 *
 *   POST /api/v1/tickets              intake (Idempotency-Key honoured)
 *   GET  /api/v1/tickets              lists and queues (?queue=mine, filters, keyset pages)
 *   GET  /api/v1/tickets/:id          one ticket with assignments and allowed actions
 *   GET  /api/v1/tickets/:id/events   its timeline
 *
 * Transitions live in api_ticket_actions.c; who may read what is
 * ticket_scope_of (core/lifecycle.c) applied by SQL_TICKET_SCOPE.
 */
#include "server/api.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xalloc.h"
#include "server/calendar.h"
#include "server/stream.h"
#include "server/tickets.h"

/* ---- intake ---------------------------------------------------------- */

/* Inserts the ticket, its creation event and the enterprise's receipt in
 * one statement. A conflict on (channel, external_ref) or on
 * (created_by, idempotency_key) inserts nothing and returns the first
 * ticket instead. */
static struct pgstmt STMT_TICKET_CREATE = PGSTMT("ticket_create",
	"WITH ent AS (SELECT en.id FROM enterprises en JOIN orgs town ON town.id = en.town_id"
	"   WHERE en.id = $1 AND " SQL_ENTERPRISE_IN_AREA("$16", "$17") "),"
	" cat AS (SELECT id, default_urgency FROM categories WHERE id = $2 AND disabled_at IS NULL),"
	" nt AS (INSERT INTO tickets (number, enterprise_id, channel, external_ref, category_id, urgency, title,"
	"        description, contact_name, contact_phone, created_by, idempotency_key)"
	"   SELECT " SQL_NEXT_TICKET_NUMBER ", ent.id, $3, $4, cat.id, coalesce($5, cat.default_urgency), btrim($6),"
	"          btrim($7), $8, $9, $10, $11"
	"   FROM ent, cat ON CONFLICT DO NOTHING RETURNING *),"
	" ev AS (INSERT INTO ticket_events (ticket_id, actor_id, actor_role, actor_org, action, from_state, to_state,"
	"        payload, summary)"
	"   SELECT nt.id, $10, $12, $13, 'create', NULL, 'new', $14::jsonb, " SQL_INTAKE_SUMMARY("$15", "btrim($6)")
	"   FROM nt RETURNING id, ticket_id),"
	" ob AS (INSERT INTO outbox (event_id, ticket_id, recipient_kind, recipient_id, kind, title, body, idempotency_key)"
	"   SELECT ev.id, ev.ticket_id, 'enterprise', nt.enterprise_id, 'received', '诉求已受理', " SQL_RECEIPT("btrim($6)") ","
	"          'event:' || ev.id || ':enterprise' FROM ev, nt)"
	/* the new ticket as ticket_load reads it (so no second query), then what the handler needs otherwise */
	" SELECT " SQL_TICKET_COLUMNS ", r.old_id, r.ent_ok, r.cat_ok, r.events"
	" FROM (SELECT (SELECT id FROM tickets x WHERE (x.created_by = $10 AND x.idempotency_key = $11)"
	"          OR (x.channel = $3 AND x.external_ref = $4) LIMIT 1) AS old_id,"
	"       EXISTS (SELECT 1 FROM ent) AS ent_ok, EXISTS (SELECT 1 FROM cat) AS cat_ok,"
	"       ARRAY(SELECT id FROM ev) AS events) r"
	" LEFT JOIN (nt t " SQL_TICKET_JOINS ") ON true");

static const struct jsonin_field create_fields[] = {
	{ "enterprise_id", JT_ID, false, 0, 0 },
	{ "channel", JT_STRING, false, 1, 20 },
	{ "external_ref", JT_STRING, false, 1, 64 },
	{ "category_id", JT_ID, true, 0, 0 },
	{ "urgency", JT_STRING, false, 1, 20 },
	{ "title", JT_STRING, true, 1, 100 },
	{ "description", JT_STRING, true, 1, 5000 },
	{ "contact_name", JT_STRING, false, 1, 50 },
	{ "contact_phone", JT_STRING, false, 5, 20 },
	JSONIN_END,
};

const char *ticket_channel_label(const char *channel)
{
	static const char *const labels[][2] = {
		{ "portal", "企业网上提交" }, { "visit", "走访" }, { "phone", "电话" },
		{ "hotline_12345", "12345热线" }, { "api", "系统接口" },
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i][0], channel) == 0)
			return labels[i][1];
	return NULL;
}


static void reply_created(struct reqctx *ctx, struct ticket *t, int status)
{
	char location[64];
	snprintf(location, sizeof location, "/api/v1/tickets/%lld", t->id);
	http_header(ctx, "Location", location);
	http_reply_json(ctx, status, ticket_json_for(t, &ctx->who, calendar_current(ctx->srv->calendar)));
	ticket_free(t);
}

/* A retried create: the first ticket of this key or reference. */
static void on_existing_ticket(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	struct ticket *t = ticket_from_result(res);
	if (!t) {
		/* the first ticket of this key/reference belongs to someone we cannot see */
		http_reply_problem(ctx, "conflict", "the external reference or idempotency key is already in use");
		return;
	}
	reply_created(ctx, t, 200);
}

static void on_ticket_created(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	enum { OLD_ID = TICKET_NCOLUMNS, ENT_OK, CAT_OK, EVENTS };
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQgetvalue(res, 0, ENT_OK)[0] != 't') {
		http_reply_problem(ctx, "unprocessable", "enterprise %lld does not exist or lies outside your area",
				   jsonin_int(ctx->body, "enterprise_id", ctx->who.enterprise_id));
		return;
	}
	if (PQgetvalue(res, 0, CAT_OK)[0] != 't') {
		http_reply_problem(ctx, "unknown_category", "category %lld does not exist or is disabled",
				   jsonin_int(ctx->body, "category_id", 0));
		return;
	}
	struct ticket *t = ticket_from_result(res);
	if (t) {
		stream_announce(ctx, PQgetvalue(res, 0, EVENTS));
		reply_created(ctx, t, 201);
	} else if (!PQgetisnull(res, 0, OLD_ID)) {
		ticket_query(ctx, PQgetvalue(res, 0, OLD_ID), on_existing_ticket);
	} else {
		/* a concurrent twin committed after this statement's snapshot */
		http_reply_problem(ctx, "conflict", "a ticket with this key is being created; retry");
	}
}

void api_tickets_create(struct reqctx *ctx)
{
	if (!api_body_ok(ctx, create_fields))
		return;
	const struct principal *who = &ctx->who;
	const char *channel = jsonin_str(ctx->body, "channel", NULL);
	const char *external_ref = jsonin_str(ctx->body, "external_ref", NULL);
	long long enterprise = jsonin_int(ctx->body, "enterprise_id", 0);
	/* who may raise a ticket through which channel */
	if (who->role == ROLE_ENTERPRISE) {
		if (!channel)
			channel = "portal";
		if (strcmp(channel, "portal") != 0 || (enterprise && enterprise != who->enterprise_id)) {
			http_reply_problem(ctx, "forbidden", "an enterprise raises demands for itself, through the portal");
			return;
		}
		enterprise = who->enterprise_id;
	} else if (who->role == ROLE_SPECIALIST) {
		bool integration = who->via_token;
		if (!channel || (integration ? strcmp(channel, "hotline_12345") != 0 && strcmp(channel, "api") != 0
					     : strcmp(channel, "visit") != 0 && strcmp(channel, "phone") != 0)) {
			http_reply_problem(ctx, "invalid_value", integration
				? "channel must be hotline_12345 or api for an API token"
				: "channel must be visit or phone for a specialist");
			return;
		}
		if (!enterprise) {
			http_reply_problem(ctx, "missing_field", "enterprise_id is required");
			return;
		}
	} else {
		http_reply_problem(ctx, "forbidden", "the role %s does not record demands", role_name(who->role));
		return;
	}
	if (strcmp(channel, "hotline_12345") == 0 && !external_ref) {
		http_reply_problem(ctx, "missing_field", "external_ref (the 12345 order number) is required");
		return;
	}
	const char *urgency = jsonin_str(ctx->body, "urgency", NULL);
	if (urgency && !api_valid_urgency(urgency)) {
		http_reply_problem(ctx, "invalid_value", "urgency must be normal, urgent or critical");
		return;
	}
	const char *phone = jsonin_str(ctx->body, "contact_phone", NULL);
	if (phone && !api_valid_phone(phone)) {
		http_reply_problem(ctx, "invalid_value", "contact_phone may contain only digits, '+' and '-'");
		return;
	}
	const char *key = http_request_header(ctx, "Idempotency-Key");
	if (key && (strlen(key) < 1 || strlen(key) > 100)) {
		http_reply_problem(ctx, "invalid_value", "Idempotency-Key must be 1 to 100 characters");
		return;
	}
	char ent[24], cat[24], user[24], org[24];
	snprintf(ent, sizeof ent, "%lld", enterprise);
	snprintf(cat, sizeof cat, "%lld", jsonin_int(ctx->body, "category_id", 0));
	snprintf(user, sizeof user, "%lld", who->user_id);
	snprintf(org, sizeof org, "%lld", who->org_id);
	json_t *payload = json_pack("{s:s, s:s*}", "channel", channel, "external_ref", external_ref);
	char *payload_text = json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	char *summary = xasprintf("%s(%s)通过%s登记诉求", who->display_name, role_label(who->role),
				  ticket_channel_label(channel) ? ticket_channel_label(channel) : channel);
	struct scope_params sp;
	ticket_scope_params(who, &sp);
	const char *params[] = { ent, cat, channel, external_ref, urgency, jsonin_str(ctx->body, "title", ""),
				 jsonin_str(ctx->body, "description", ""), jsonin_str(ctx->body, "contact_name", NULL),
				 phone, user, key, role_name(who->role), org, payload_text, summary, sp.scope, sp.path };
	http_query(ctx, &STMT_TICKET_CREATE, 17, params, on_ticket_created);
	free(payload_text);
	free(summary);
}

/* ---- one ticket ------------------------------------------------------ */

static void on_ticket(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct ticket *t = ticket_or_reply(ctx, st, res);
	if (!t)
		return;
	http_reply_json(ctx, 200, ticket_json_for(t, &ctx->who, calendar_current(ctx->srv->calendar)));
	ticket_free(t);
}

void api_tickets_get(struct reqctx *ctx)
{
	long long id;
	if (api_path_id(ctx, 0, &id))
		ticket_query(ctx, ctx->params[0], on_ticket);
}

/* ---- timeline -------------------------------------------------------- */

static struct pgstmt STMT_TICKET_EVENTS = PGSTMT_READ("ticket_events",
	"SELECT ev.id, ev.action, ev.from_state, ev.to_state, ev.actor_id, u.display_name, ev.actor_role,"
	" ev.actor_org, o.name, ev.payload, ev.summary, " SQL_TIME("ev.created_at")
	" FROM ticket_events ev LEFT JOIN users u ON u.id = ev.actor_id LEFT JOIN orgs o ON o.id = ev.actor_org"
	" WHERE ev.ticket_id = $1 AND EXISTS (SELECT 1 FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id"
	"   JOIN orgs town ON town.id = e.town_id WHERE t.id = $1 AND " SQL_TICKET_SCOPE("$2", "$3", "$4") ")"
	" ORDER BY ev.id");

static void on_events(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) { /* every ticket has its creation event */
		http_reply_problem(ctx, "not_found", "no ticket %s", ctx->params[0]);
		return;
	}
	json_t *items = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		enum role role;
		const char *role_text = PQgetvalue(res, r, 6);
		json_t *payload = json_loads(PQgetvalue(res, r, 9), 0, NULL);
		json_array_append_new(items, json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:s, s:{s:o, s:o}},"
						      " s:o, s:o, s:o}",
			"id", api_cell_int(res, r, 0), "action", api_cell_str(res, r, 1),
			"from_state", api_cell_str(res, r, 2), "to_state", api_cell_str(res, r, 3),
			"actor", "id", api_cell_int(res, r, 4), "name", api_cell_str(res, r, 5),
			"role", api_cell_str(res, r, 6),
			"role_label", role_parse(role_text, &role) ? role_label(role) : "系统",
			"org", "id", api_cell_int(res, r, 7), "name", api_cell_str(res, r, 8),
			"payload", payload ? payload : json_object(), "summary", api_cell_str(res, r, 10),
			"created_at", api_cell_time(res, r, 11)));
	}
	http_reply_json(ctx, 200, json_pack("{s:o}", "items", items));
}

void api_tickets_events(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id))
		return;
	struct scope_params sp;
	ticket_scope_params(&ctx->who, &sp);
	const char *params[] = { ctx->params[0], sp.scope, sp.path, sp.enterprise };
	http_query(ctx, &STMT_TICKET_EVENTS, 4, params, on_events);
}

/* ---- lists and queues ------------------------------------------------ */

/* Queues (?queue=mine) per role, as SQL over t:
 *   specialist: new, returned, resolved awaiting feedback, rated bad this round
 *   bureau: its org's open assignments on tickets being worked
 *   supervisor: extension requests, disputed returns, unruled bad ratings, pending appeals
 *   enterprise: its tickets that are not final */
#define SQL_QUEUE(q, role, path) \
	"(" q " IS NULL OR CASE " role \
	" WHEN 'specialist' THEN t.state IN ('new', 'returned', 'resolved')" \
	"   OR (t.state IN ('feedback', 'rectifying') AND EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id" \
	"       AND r.round = t.feedback_round AND r.score <= 2))" \
	" WHEN 'bureau_handler' THEN " SQL_ORG_WORK(path) \
	" WHEN 'bureau_leader' THEN " SQL_ORG_WORK(path) \
	" WHEN 'supervisor' THEN EXISTS (SELECT 1 FROM extension_requests x WHERE x.ticket_id = t.id AND x.state = 'pending')" \
	"   OR (t.state = 'returned' AND t.return_disputed)" \
	"   OR EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id AND ((r.round = t.feedback_round AND r.score <= 2" \
	"       AND r.ruling IS NULL AND t.state = 'feedback') OR r.appeal_state = 'pending'))" \
	" WHEN 'enterprise' THEN t.state NOT IN ('closed', 'rejected', 'merged', 'answered')" \
	" ELSE false END)"
#define SQL_ORG_WORK(path) \
	"(t.state IN ('dispatched', 'in_progress', 'suspended', 'rectifying') AND EXISTS (SELECT 1 FROM assignments qa" \
	" WHERE qa.ticket_id = t.id AND qa.state IN ('pending', 'accepted')" \
	" AND (qa.org_path = " path " OR qa.org_path LIKE " path " || '.%' OR " path " LIKE qa.org_path || '.%')))"

static struct pgstmt STMT_TICKETS_LIST = PGSTMT_READ("tickets_list",
	"SELECT t.id, t.number, t.title, t.state, t.urgency, t.channel, t.category_id, c.name, t.enterprise_id,"
	" e.name, town.name, t.version, " SQL_TIME("t.created_at") ", " SQL_TIME("t.updated_at") ","
	" (SELECT o.name FROM assignments a JOIN orgs o ON o.id = a.org_id WHERE a.ticket_id = t.id AND a.lead"
	"   AND a.state <> 'returned' ORDER BY a.id DESC LIMIT 1),"
	" (SELECT coalesce(json_agg(json_build_object('leg', k.leg, 'clock', k.clock, 'deadline', " SQL_TIME("k.deadline") ","
	"   'stage', k.stage, 'suspended_at', " SQL_TIME("k.suspended_at") ", 'outcome', k.outcome)), '[]')"
	"   FROM sla_clocks k WHERE k.ticket_id = t.id AND k.outcome IS NULL)"
	" FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id JOIN orgs town ON town.id = e.town_id"
	" JOIN categories c ON c.id = t.category_id"
	" WHERE " SQL_TICKET_SCOPE("$1", "$2", "$3") " AND ($4::bigint = 0 OR t.id < $4)"
	" AND ($5::text[] IS NULL OR t.state = ANY ($5::text[]))"
	" AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM assignments fa WHERE fa.ticket_id = t.id AND fa.org_id = $6"
	"      AND ($7::text IS NULL OR fa.state = $7)))"
	" AND ($7::text IS NULL OR $6::bigint IS NOT NULL OR EXISTS (SELECT 1 FROM assignments fa WHERE fa.ticket_id = t.id"
	"      AND fa.state = $7 AND ($1 <> 'org' OR fa.org_path = $2 OR fa.org_path LIKE $2 || '.%' OR $2 LIKE fa.org_path || '.%')))"
	" AND ($8::bigint IS NULL OR t.category_id = $8 OR c.parent_id = $8)"
	" AND ($9::text IS NULL OR t.channel = $9)"
	" AND ($10::bigint IS NULL OR t.enterprise_id = $10)"
	" AND ($11::text IS NULL OR t.urgency = $11)"
	" AND ($12::timestamptz IS NULL OR t.created_at >= $12)"
	" AND ($13::timestamptz IS NULL OR t.created_at < $13)"
	" AND ($14::text IS NULL OR (t.title || ' ' || t.description) LIKE $14 OR e.name LIKE $14)"
	" AND " SQL_QUEUE("$15::text", "$16", "$2")
	" AND ($18::text IS NULL OR $18 = (SELECT CASE WHEN bool_or(k.stage IN ('overdue', 'supervised')) THEN 'overdue'"
	"      WHEN bool_or(k.stage = 'warned') THEN 'warned' ELSE 'normal' END"
	"      FROM sla_clocks k WHERE k.ticket_id = t.id AND k.outcome IS NULL))"
	" ORDER BY t.id DESC LIMIT $17");

static void on_tickets(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	json_t *items = json_array();
	const struct workcal *cal = calendar_current(ctx->srv->calendar);
	int64_t now = (int64_t)time(NULL);
	for (int r = 0; r < PQntuples(res); r++) {
		enum ticket_state s = TS_NEW;
		ticket_state_parse(PQgetvalue(res, r, 3), &s);
		json_array_append_new(items, json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:{s:o, s:o},"
						      " s:{s:o, s:o, s:o}, s:o, s:o, s:o, s:o}",
			"id", api_cell_int(res, r, 0), "number", api_cell_str(res, r, 1), "title", api_cell_str(res, r, 2),
			"state", api_cell_str(res, r, 3), "state_label", ticket_state_label(s),
			"urgency", api_cell_str(res, r, 4), "channel", api_cell_str(res, r, 5),
			"category", "id", api_cell_int(res, r, 6), "name", api_cell_str(res, r, 7),
			"enterprise", "id", api_cell_int(res, r, 8), "name", api_cell_str(res, r, 9),
			"town", api_cell_str(res, r, 10),
			"version", api_cell_int(res, r, 11), "created_at", api_cell_time(res, r, 12),
			"updated_at", api_cell_time(res, r, 13), "lead_org", api_cell_str(res, r, 14)));
		json_t *clocks = json_loads(PQgetvalue(res, r, 15), 0, NULL);
		json_t *sla = ticket_sla_summary(clocks ? clocks : json_array());
		json_decref(clocks);
		ticket_sla_countdown(sla, cal, now);
		json_object_set_new(json_array_get(items, json_array_size(items) - 1), "sla", sla);
	}
	http_reply_json(ctx, 200, api_page_body(ctx->state, items));
}

/* "a,b" as a PostgreSQL array literal "{a,b}" after checking each state name. */
static bool states_array(const char *list, char *out, size_t outlen)
{
	size_t used = 0;
	out[used++] = '{';
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		char name[32];
		enum ticket_state s;
		if (len == 0 || len >= sizeof name)
			return false;
		memcpy(name, p, len);
		name[len] = '\0';
		if (!ticket_state_parse(name, &s) || used + len + 2 >= outlen)
			return false;
		if (used > 1)
			out[used++] = ',';
		memcpy(out + used, name, len);
		used += len;
		p += len;
		if (*p == ',')
			p++;
	}
	out[used++] = '}';
	out[used] = '\0';
	return used > 2;
}

static bool query_id(struct reqctx *ctx, const char *name, const char **out)
{
	long long v;
	*out = http_query_param(ctx, name);
	if (*out && !jsonin_id_text(*out, &v)) {
		http_reply_problem(ctx, "invalid_query", "%s must be an id", name);
		return false;
	}
	return true;
}

static bool query_time(struct reqctx *ctx, const char *name, const char **out)
{
	*out = http_query_param(ctx, name);
	if (*out && !api_valid_time(*out)) {
		http_reply_problem(ctx, "invalid_query", "%s must be an RFC 3339 timestamp with offset", name);
		return false;
	}
	return true;
}

void api_tickets_list(struct reqctx *ctx)
{
	struct page *pg = api_page_new(ctx);
	if (!pg)
		return;
	struct page page = *pg;
	struct scope_params sp;
	ticket_scope_params(&ctx->who, &sp);
	if (ticket_scope_of(&ctx->who) == TSCOPE_NONE) {
		http_reply_problem(ctx, "forbidden", "the role %s does not read tickets", role_name(ctx->who.role));
		return;
	}
	const char *state = http_query_param(ctx, "state");
	char states[512];
	if (state && !states_array(state, states, sizeof states)) {
		http_reply_problem(ctx, "invalid_query", "state must be a comma-separated list of ticket states");
		return;
	}
	const char *org, *category, *enterprise, *from, *to;
	if (!query_id(ctx, "org_id", &org) || !query_id(ctx, "category_id", &category) ||
	    !query_id(ctx, "enterprise_id", &enterprise) || !query_time(ctx, "created_from", &from) ||
	    !query_time(ctx, "created_to", &to))
		return;
	const char *astate = http_query_param(ctx, "assignment_state");
	enum assignment_state as;
	if (astate && !assignment_state_parse(astate, &as)) {
		http_reply_problem(ctx, "invalid_query", "assignment_state must be pending, accepted, returned or done");
		return;
	}
	const char *channel = http_query_param(ctx, "channel");
	if (channel && !ticket_channel_label(channel)) {
		http_reply_problem(ctx, "invalid_query", "channel must be portal, visit, phone, hotline_12345 or api");
		return;
	}
	const char *urgency = http_query_param(ctx, "urgency");
	if (urgency && !api_valid_urgency(urgency)) {
		http_reply_problem(ctx, "invalid_query", "urgency must be normal, urgent or critical");
		return;
	}
	const char *queue = http_query_param(ctx, "queue");
	if (queue && strcmp(queue, "mine") != 0) {
		http_reply_problem(ctx, "invalid_query", "queue must be mine");
		return;
	}
	const char *level = http_query_param(ctx, "sla_level");
	if (level && strcmp(level, "normal") != 0 && strcmp(level, "warned") != 0 && strcmp(level, "overdue") != 0) {
		http_reply_problem(ctx, "invalid_query", "sla_level must be normal, warned or overdue");
		return;
	}
	const char *q = http_query_param(ctx, "q");
	if (q && (strlen(q) == 0 || strlen(q) > 200)) {
		http_reply_problem(ctx, "invalid_query", "q must be 1 to 200 bytes");
		return;
	}
	char *pattern = q ? api_like_pattern(q) : NULL;
	char after[24], limit[24];
	snprintf(after, sizeof after, "%lld", page.after);
	snprintf(limit, sizeof limit, "%d", page.limit + 1);
	const char *params[] = { sp.scope, sp.path, sp.enterprise, after, state ? states : NULL, org, astate, category,
				 channel, enterprise, urgency, from, to, pattern, queue, role_name(ctx->who.role),
				 limit, level };
	http_query(ctx, &STMT_TICKETS_LIST, 18, params, on_tickets);
	free(pattern);
}

/* ---- similar tickets ------------------------------------------------ */

/* Tickets of the last 90 days that the caller may see and that are the
 * same enterprise's, or of the same category with similar text (pg_trgm
 * similarity): candidates for a merge, and the raw material of 一类事. */
static struct pgstmt STMT_TICKET_SIMILAR = PGSTMT_READ("ticket_similar",
	"WITH me AS (SELECT id, enterprise_id, category_id, title || ' ' || description AS text FROM tickets WHERE id = $1)"
	" SELECT t.id, t.number, t.title, t.state, e.name, c.name, " SQL_TIME("t.created_at") ","
	"  t.enterprise_id = me.enterprise_id, round(similarity(t.title || ' ' || t.description, me.text)::numeric, 2)"
	" FROM me, tickets t JOIN enterprises e ON e.id = t.enterprise_id JOIN orgs town ON town.id = e.town_id"
	" JOIN categories c ON c.id = t.category_id"
	" WHERE t.id <> me.id AND t.created_at > now() - interval '90 days'"
	" AND (t.enterprise_id = me.enterprise_id"
	"      OR (t.category_id = me.category_id AND similarity(t.title || ' ' || t.description, me.text) >= 0.15))"
	" AND " SQL_TICKET_SCOPE("$2", "$3", "$4")
	" ORDER BY 8 DESC, 9 DESC, t.id DESC LIMIT 20");

static json_t *similar_json(const PGresult *res, int r)
{
	enum ticket_state s = TS_NEW;
	ticket_state_parse(PQgetvalue(res, r, 3), &s);
	return json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:b, s:f}",
		"id", api_cell_int(res, r, 0), "number", api_cell_str(res, r, 1), "title", api_cell_str(res, r, 2),
		"state", api_cell_str(res, r, 3), "state_label", ticket_state_label(s),
		"enterprise", api_cell_str(res, r, 4), "category", api_cell_str(res, r, 5),
		"created_at", api_cell_time(res, r, 6), "same_enterprise", PQgetvalue(res, r, 7)[0] == 't',
		"similarity", atof(PQgetvalue(res, r, 8)));
}

static void on_similar(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, similar_json, NULL);
}

static void on_similar_base(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct ticket *t = ticket_or_reply(ctx, st, res); /* only: may the caller see it */
	if (!t)
		return;
	ticket_free(t);
	struct scope_params sp;
	ticket_scope_params(&ctx->who, &sp);
	const char *params[] = { ctx->params[0], sp.scope, sp.path, sp.enterprise };
	http_query(ctx, &STMT_TICKET_SIMILAR, 4, params, on_similar);
}

void api_tickets_similar(struct reqctx *ctx)
{
	long long id;
	if (api_path_id(ctx, 0, &id))
		ticket_query(ctx, ctx->params[0], on_similar_base);
}
