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
	" lpad(nextval('ticket_number_seq')::text, 6, '0')"
/* The enterprise's receipt notice for a ticket titled title. */
#define SQL_RECEIPT(title) "'您的诉求《' || " title " || '》已收到,企业服务专员将尽快分派办理。'"
/* The creation event's summary: "<actor>(<role>)通过<channel>登记诉求" + 《title》. */
#define SQL_INTAKE_SUMMARY(prefix, title) prefix " || '《' || " title " || '》'"
/* The zh-CN name of a channel, NULL for an unknown one. */
const char *ticket_channel_label(const char *channel);

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
};

/* Loads ticket id as who may see it; cb gets a result for ticket_from_result. */
bool ticket_query(struct reqctx *ctx, const char *id, pgpool_result_cb cb);
/* The ticket in row 0 of res, or NULL when res has no row. */
struct ticket *ticket_from_result(const PGresult *res);
void ticket_free(struct ticket *t);

/* The reply body for who: the ticket with allowed_actions (and contact
 * data masked for roles that do not see personal data). */
json_t *ticket_json_for(const struct ticket *t, const struct principal *who);

/* The assignment of t that who works on (open, related org), preferring the
 * lead one; NULL if none. lead_only limits it to the lead. */
const struct lc_assignment *ticket_assignment_of(const struct ticket *t, const struct principal *who, bool lead_only);
/* The assignment JSON object of a (borrowed). */
json_t *ticket_assignment_json(const struct ticket *t, const struct lc_assignment *a);
/* The current lead assignment (pending, accepted or done), or NULL. */
const struct lc_assignment *ticket_lead(const struct ticket *t);

#endif
