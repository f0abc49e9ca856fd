/*
 * api_outbox: the notification outbox, for operators (admin).
 *
 *   GET  /api/v1/admin/outbox?state=&kind=&limit=&cursor=   keyset pages, in id order
 *   POST /api/v1/admin/outbox/:id/retry   a dead or pending message: pending, due now, attempts 0
 *   POST /api/v1/admin/outbox/retry       {kind?, recipient_kind?}: every dead message (that matches) likewise
 *
 * The workers deliver (worker/delivery.c); a retry wakes them with
 * NOTIFY suqiu_worker. A delivered message cannot be retried (409): the
 * receiver has it, and a resend would be a new message, not a retry.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A message as the API shows it, from outbox row alias a (a string literal). */
#define OUTBOX_COLUMNS(a) a ".id, " a ".idempotency_key, " a ".kind, outbox_route(" a ".kind, " a ".recipient_kind), " \
	a ".recipient_kind, " a ".recipient_id, " a ".ticket_id, t.number, " a ".event_id, " a ".title, " a ".body, " \
	a ".state, " a ".attempts, " SQL_TIME("CASE WHEN " a ".state = 'pending' THEN " a ".next_attempt_at END") ", " \
	a ".last_error, " a ".leased_by, " SQL_TIME(a ".delivered_at") ", " SQL_TIME(a ".dead_at") ", " \
	SQL_TIME(a ".created_at")
#define OUTBOX_NCOLUMNS 19

/* One statement per state filter, so that the dead and the pending are
 * found through their partial indexes rather than by walking every
 * delivered message (which is nearly all of them). */
#define OUTBOX_LIST(name, where) PGSTMT_READ(name, \
	"SELECT " OUTBOX_COLUMNS("o") " FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id" \
	" WHERE o.id > $1 AND ($2::text IS NULL OR o.kind = $2)" where " ORDER BY o.id LIMIT $3")
static struct pgstmt STMT_OUTBOX_LIST = OUTBOX_LIST("outbox_list", "");
static struct pgstmt STMT_OUTBOX_LIST_PENDING = OUTBOX_LIST("outbox_list_pending", " AND o.state = 'pending'");
static struct pgstmt STMT_OUTBOX_LIST_DELIVERED = OUTBOX_LIST("outbox_list_delivered", " AND o.state = 'delivered'");
static struct pgstmt STMT_OUTBOX_LIST_DEAD = OUTBOX_LIST("outbox_list_dead", " AND o.state = 'dead'");

/* What a retry does to a message, and the workers' wake-up. */
#define RETRY_SET "state = 'pending', attempts = 0, next_attempt_at = now(), leased_by = NULL, dead_at = NULL"
#define RETRY_NOTIFY(from) " n AS (SELECT pg_notify('suqiu_worker', 'outbox') WHERE EXISTS (SELECT 1 FROM " from "))"

/* The message as retried, its state before, the wake-up, and when it was
 * delivered if it was (then it is unchanged); no row: no such message. */
static struct pgstmt STMT_OUTBOX_RETRY = PGSTMT("outbox_retry",
	"WITH o AS (SELECT id, state, delivered_at FROM outbox WHERE id = $1 FOR UPDATE),"
	" u AS (UPDATE outbox x SET " RETRY_SET " FROM o WHERE x.id = o.id AND o.state <> 'delivered' RETURNING x.*),"
	RETRY_NOTIFY("u")
	" SELECT " OUTBOX_COLUMNS("u") ", o.state, (SELECT count(*) FROM n), " SQL_TIME("o.delivered_at")
	" FROM o LEFT JOIN (u LEFT JOIN tickets t ON t.id = u.ticket_id) ON true");
static struct pgstmt STMT_OUTBOX_RETRY_DEAD = PGSTMT("outbox_retry_dead",
	"WITH u AS (UPDATE outbox SET " RETRY_SET " WHERE state = 'dead' AND ($1::text IS NULL OR kind = $1)"
	"   AND ($2::text IS NULL OR recipient_kind = $2) RETURNING id),"
	RETRY_NOTIFY("u")
	" SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM n)");

static json_t *outbox_json(const PGresult *res, int r)
{
	json_t *ticket = PQgetisnull(res, r, 6) ? json_null()
		: json_pack("{s:o, s:o}", "id", api_cell_int(res, r, 6), "number", api_cell_str(res, r, 7));
	json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o}",
			      "id", api_cell_int(res, r, 0), "idempotency_key", api_cell_str(res, r, 1),
			      "kind", api_cell_str(res, r, 2), "route", api_cell_str(res, r, 3),
			      "recipient", "kind", api_cell_str(res, r, 4), "id", api_cell_int(res, r, 5),
			      "ticket", ticket, "event_id", api_cell_int(res, r, 8),
			      "title", api_cell_str(res, r, 9), "body", api_cell_str(res, r, 10));
	json_object_update_new(j, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
					    "state", api_cell_str(res, r, 11), "attempts", api_cell_int(res, r, 12),
					    "next_attempt_at", api_cell_time(res, r, 13),
					    "last_error", api_cell_str(res, r, 14), "leased_by", api_cell_str(res, r, 15),
					    "delivered_at", api_cell_time(res, r, 16), "dead_at", api_cell_time(res, r, 17),
					    "created_at", api_cell_time(res, r, 18)));
	return j;
}

static void on_outbox_list(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, outbox_json, ctx->state);
}

void api_outbox_list(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_OUTBOX_MANAGE, NULL))
		return;
	struct page *page = api_page_new(ctx);
	if (!page)
		return;
	const char *state = http_query_param(ctx, "state");
	const char *kind = http_query_param(ctx, "kind");
	struct pgstmt *stmt;
	if (!state)
		stmt = &STMT_OUTBOX_LIST;
	else if (strcmp(state, "pending") == 0)
		stmt = &STMT_OUTBOX_LIST_PENDING;
	else if (strcmp(state, "delivered") == 0)
		stmt = &STMT_OUTBOX_LIST_DELIVERED;
	else if (strcmp(state, "dead") == 0)
		stmt = &STMT_OUTBOX_LIST_DEAD;
	else {
		http_reply_problem(ctx, "invalid_query", "state must be pending, delivered or dead, not \"%.40s\"", state);
		return;
	}
	if (kind && (!*kind || strlen(kind) > 100)) {
		http_reply_problem(ctx, "invalid_query", "kind must be 1 to 100 characters");
		return;
	}
	char after[24], limit[24];
	snprintf(after, sizeof after, "%lld", page->after);
	snprintf(limit, sizeof limit, "%d", page->limit + 1);
	const char *params[] = { after, kind, limit };
	http_query(ctx, stmt, 3, params, on_outbox_list);
}

static void on_outbox_retried(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK)
		http_reply_db_error(ctx, st, res);
	else if (PQntuples(res) == 0)
		http_reply_problem(ctx, "not_found", "no notification with id %s", ctx->params[0]);
	else if (strcmp(PQgetvalue(res, 0, OUTBOX_NCOLUMNS), "delivered") == 0)
		http_reply_problem(ctx, "conflict", "notification %s was delivered at %s; only pending and dead ones"
				   " are retried", ctx->params[0], PQgetvalue(res, 0, OUTBOX_NCOLUMNS + 2));
	else
		http_reply_json(ctx, 200, outbox_json(res, 0));
}

void api_outbox_retry(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_OUTBOX_MANAGE, NULL))
		return;
	const char *params[] = { ctx->params[0] };
	http_query(ctx, &STMT_OUTBOX_RETRY, 1, params, on_outbox_retried);
}

static const struct jsonin_field retry_dead_fields[] = {
	{ "kind", JT_STRING, false, 1, 100 },
	{ "recipient_kind", JT_STRING, false, 1, 20 },
	JSONIN_END,
};

static void on_outbox_dead_retried(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK)
		http_reply_db_error(ctx, st, res);
	else
		http_reply_json(ctx, 200, json_pack("{s:I}", "retried", (json_int_t)atoll(PQgetvalue(res, 0, 0))));
}

void api_outbox_retry_dead(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_OUTBOX_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, retry_dead_fields))
		return;
	const char *kind = jsonin_str(ctx->body, "kind", NULL);
	const char *recipient = jsonin_str(ctx->body, "recipient_kind", NULL);
	if (recipient && strcmp(recipient, "enterprise") != 0 && strcmp(recipient, "org") != 0 &&
	    strcmp(recipient, "user") != 0) {
		http_reply_problem(ctx, "invalid_value", "recipient_kind must be enterprise, org or user");
		return;
	}
	const char *params[] = { kind, recipient };
	http_query(ctx, &STMT_OUTBOX_RETRY_DEAD, 2, params, on_outbox_dead_retried);
}
