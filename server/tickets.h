/*
 * tickets: one ticket as the handlers see it, loaded by one statement with
 * its assignments, extension requests and ratings, and the scope rule that
 * decides which tickets a principal may read (core/lifecycle.h
 * ticket_scope_of, applied in SQL by SQL_TICKET_SCOPE).
 */
#ifndef SUQIU_SERVER_TICKETS_H
#define SUQIU_SERVER_TICKETS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/lifecycle.h"
#include "core/workcal.h"
#include "server/api.h"
#include "server/http.h"

/* The WHERE clause that limits tickets t (joined with their enterprise's
 * town as town) to what the principal may read. $s is the scope name, $p
 * the principal's org path, $e its enterprise id: see ticket_scope_params. */
#define SQL_TICKET_SCOPE(s, p, e) \
	"(" s " = 'all'" \
	" OR (" s " = 'enterprise' AND t.enterprise_id = " e "::bigint)" \
	" OR (" s " = 'town' AND (town.path = " p " OR town.path LIKE " p " || '.%' OR " p " LIKE town.path || '.%'))" \
	" OR (" s " = 'org' AND EXISTS (SELECT 1 FROM assignments sa WHERE sa.ticket_id = t.id" \
	"     AND (sa.org_path = " p " OR sa.org_path LIKE " p " || '.%' OR " p " LIKE sa.org_path || '.%'))))"

/* Intake, shared by single creation and the 12345 import. A ticket number:
 * district prefix, year, sequence (MH-2026-000123). */
#define SQL_NEXT_TICKET_NUMBER \
	"(SELECT coalesce(short_name, 'SQ') FROM orgs WHERE parent_id IS NULL) || '-' || to_char(now(), 'YYYY') || '-' ||" \
	" to_char(nextval('ticket_number_seq'), 'FM99999999000000')" /* at least 6 digits, never cut */
/* Enterprises en (joined with their town as town) a principal may raise
 * tickets for: scope $s ('all' or 'town', see ticket_scope_params) and org
 * path $p. An enterprise user's own enterprise is checked before. */
#define SQL_ENTERPRISE_IN_AREA(s, p) \
	"(" s " IN ('all', 'enterprise') OR town.path = " p " OR town.path LIKE " p " || '.%' OR " p " LIKE town.path || '.%')"
/* The enterprise's receipt notice for a ticket titled title. */
#define SQL_RECEIPT(title) "'您的诉求《' || " title " || '》已收到,企业服务专员将尽快分派办理。'"
/* The creation event's summary: "<actor>(<role>)通过<channel>登记诉求" + 《title》. */
#define SQL_INTAKE_SUMMARY(prefix, title) prefix " || '《' || " title " || '》'"
/* The zh-CN name of a channel, NULL for an unknown one. */
const char *ticket_channel_label(const char *channel);

/* One ticket as ticket_from_result reads it: SQL_TICKET_COLUMNS of a
 * ticket row t (a table or a CTE of new rows) with SQL_TICKET_JOINS. */
#define SQL_TICKET_COLUMNS \
	"t.id, t.number, t.enterprise_id, e.name, e.credit_code, t.channel, t.external_ref," \
	" t.category_id, c.code, c.name, t.urgency, t.title, t.description, t.contact_name, t.contact_phone," \
	" t.state, t.version, t.resume_state, t.merged_into, m.number, t.close_reason, t.answer, t.resolution," \
	" t.feedback_text, t.feedback_round, t.rework_count, t.return_count, t.return_disputed," \
	" t.supervision_count, t.withdrawal_check, t.extension_cap, " SQL_TIME("t.created_at") ", " \
	SQL_TIME("t.updated_at") ", town.id, town.name, town.path," \
	" (SELECT coalesce(json_agg(json_build_object('id', a.id, 'org_id', a.org_id, 'org_name', o.name," \
	"     'org_path', a.org_path, 'lead', a.lead, 'state', a.state, 'handler_id', a.handler_id," \
	"     'handler_name', h.display_name, 'dispatched_by', a.dispatched_by," \
	"     'dispatched_at', " SQL_TIME("a.dispatched_at") ", 'note', a.note," \
	"     'accepted_at', " SQL_TIME("a.accepted_at") ", 'contacted_at', " SQL_TIME("a.contacted_at") "," \
	"     'contact_method', a.contact_method, 'returned_at', " SQL_TIME("a.returned_at") "," \
	"     'return_code', a.return_code, 'return_basis', a.return_basis, 'done_at', " SQL_TIME("a.done_at") "," \
	"     'outcome', a.outcome, 'contribution', a.contribution) ORDER BY a.id), '[]')" \
	"   FROM assignments a JOIN orgs o ON o.id = a.org_id LEFT JOIN users h ON h.id = a.handler_id" \
	"   WHERE a.ticket_id = t.id)," \
	" (SELECT coalesce(json_agg(json_build_object('id', x.id, 'assignment_id', x.assignment_id, 'days', x.days," \
	"     'reason', x.reason, 'state', x.state, 'requested_at', " SQL_TIME("x.requested_at") "," \
	"     'decided_at', " SQL_TIME("x.decided_at") ", 'decision_note', x.decision_note) ORDER BY x.id), '[]')" \
	"   FROM extension_requests x WHERE x.ticket_id = t.id)," \
	" (SELECT coalesce(json_agg(json_build_object('id', r.id, 'round', r.round, 'score', r.score," \
	"     'comment', r.comment, 'created_at', " SQL_TIME("r.created_at") ", 'ruling', r.ruling," \
	"     'ruling_note', r.ruling_note, 'appeal_state', r.appeal_state, 'appeal_reason', r.appeal_reason," \
	"     'excluded', r.excluded) ORDER BY r.round), '[]')" \
	"   FROM ratings r WHERE r.ticket_id = t.id)," \
	" (SELECT id FROM orgs WHERE parent_id IS NULL), t.created_by, cu.display_name, to_json(c.lead_org_ids)," \
	" t.return_ruled," \
	" (SELECT row_to_json(p) FROM sla_policy_for(t.category_id, t.urgency) p)," \
	" (SELECT coalesce(json_agg(json_build_object('id', k.id, 'leg', k.leg, 'assignment_id', k.assignment_id," \
	"     'org_id', k.org_id, 'clock', k.clock, 'started_at', " SQL_TIME("k.started_at") "," \
	"     'allowed_minutes', k.allowed_minutes, 'warn_at', " SQL_TIME("k.warn_at") "," \
	"     'deadline', " SQL_TIME("k.deadline") ", 'supervise_at', " SQL_TIME("k.supervise_at") "," \
	"     'stage', k.stage, 'suspended_at', " SQL_TIME("k.suspended_at") "," \
	"     'suspended_minutes', k.suspended_minutes, 'extended_minutes', k.extended_minutes," \
	"     'flagged', k.flagged, 'stopped_at', " SQL_TIME("k.stopped_at") ", 'outcome', k.outcome," \
	"     'duration_minutes', k.duration_minutes) ORDER BY k.id), '[]')" \
	"   FROM sla_clocks k WHERE k.ticket_id = t.id)"
#define SQL_TICKET_JOINS \
	"JOIN enterprises e ON e.id = t.enterprise_id JOIN orgs town ON town.id = e.town_id" \
	" JOIN categories c ON c.id = t.category_id JOIN users cu ON cu.id = t.created_by" \
	" LEFT JOIN tickets m ON m.id = t.merged_into"
#define TICKET_NCOLUMNS 46

/* The three parameters of SQL_TICKET_SCOPE for who. */
struct scope_params {
	const char *scope;
	const char *path;
	char enterprise[24];
};
void ticket_scope_params(const struct principal *who, struct scope_params *out);

/* One loaded ticket. json is the API's ticket object (without
 * allowed_actions); facts point into it. */
struct ticket {
	json_t *json;
	long long id;
	int version;
	const char *number;
	long long district_id;    /* the root org: supervision notices go there */
	long long created_by;
	struct lc_ticket facts;
	struct lc_assignment *assignments;
	json_t *assignments_json; /* borrowed from json */
	long long latest_rating_id;
	int latest_rating_score;
	json_t *policy;           /* the SLA policy row (sla_policy_for), NULL if none */
	json_t *clocks;           /* borrowed from json: its SLA clocks, oldest first */
};

/* Loads ticket id as who may see it; cb gets a result for ticket_from_result. */
bool ticket_query(struct reqctx *ctx, const char *id, pgpool_result_cb cb);
/* The ticket in row 0 of res, or NULL when res has no row (or a row
 * whose ticket columns are NULL). */
struct ticket *ticket_from_result(const PGresult *res);
void ticket_free(struct ticket *t);
/* The ticket of a ticket_query result, or NULL after replying (the
 * database error, or 404 when the caller may not see it). */
struct ticket *ticket_or_reply(struct reqctx *ctx, enum pgpool_status st, const PGresult *res);
/* De-identifies the "name" and "phone" of a contact object in place (张*, 138****5678). */
void ticket_mask_contact(json_t *contact);

/* The reply body for who: the ticket with allowed_actions (and contact
 * data masked for roles that do not see personal data). */
json_t *ticket_json_for(const struct ticket *t, const struct principal *who, const struct workcal *cal);
/* A ticket's sla summary from its clocks (objects with leg, clock,
 * deadline, stage, suspended_at, outcome): the nearest deadline of a running
 * leg (next_deadline, next_leg, clock), level normal|warned|overdue and
 * whether a clock is suspended. New reference; clocks stays the caller's. */
json_t *ticket_sla_summary(const json_t *clocks);
/* Adds to a ticket's sla summary what a countdown shows: remaining_minutes
 * from now to next_deadline as its clock counts them (working minutes of
 * cal, or plain minutes for a calendar clock; negative once passed; null
 * without a deadline) and day_minutes, the working minutes of one working
 * day (to show "1个工作日3小时"). */
void ticket_sla_countdown(json_t *sla, const struct workcal *cal, int64_t now);

/* The assignment of t that who works on (open, related org), preferring the
 * lead one; NULL if none. lead_only limits it to the lead. */
const struct lc_assignment *ticket_assignment_of(const struct ticket *t, const struct principal *who, bool lead_only);
/* The assignment JSON object of a (borrowed). */
json_t *ticket_assignment_json(const struct ticket *t, const struct lc_assignment *a);
/* The current lead assignment (pending, accepted or done), or NULL. */
const struct lc_assignment *ticket_lead(const struct ticket *t);

#endif
