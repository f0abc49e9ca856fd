/*
 * api_import: POST /api/v1/tickets/import, batches from the 12345 hotline.
 *
 * The body is a JSON array of rows or CSV with a header row naming the same
 * columns: external_ref (the hotline's order number), credit_code,
 * category_code, title, description, contact_name?, contact_phone?,
 * urgency?. Each row is checked on its own; the valid ones are inserted by
 * one statement with ON CONFLICT (channel, external_ref) DO NOTHING, so a
 * batch sent again creates nothing. The answer reports every row: created,
 * duplicate, or error with a code and a detail.
 */
#include "server/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/creditcode.h"
#include "core/csv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "server/stream.h"
#include "server/tickets.h"

#define IMPORT_MAX_ROWS 1000

static struct pgstmt STMT_IMPORT = PGSTMT("tickets_import",
	"WITH r AS (SELECT x.*, e.id AS enterprise_id, c.id AS category_id, c.default_urgency"
	"   FROM jsonb_to_recordset($1::jsonb) AS x (row int, external_ref text, credit_code text, category_code text,"
	"        title text, description text, contact_name text, contact_phone text, urgency text)"
	"   LEFT JOIN (enterprises e JOIN orgs town ON town.id = e.town_id) ON e.credit_code = x.credit_code"
	"        AND " SQL_ENTERPRISE_IN_AREA("$6", "$7")
	"   LEFT JOIN categories c ON c.code = x.category_code AND c.disabled_at IS NULL),"
	" ins AS (INSERT INTO tickets (number, enterprise_id, channel, external_ref, category_id, urgency, title,"
	"        description, contact_name, contact_phone, created_by)"
	"   SELECT " SQL_NEXT_TICKET_NUMBER ", r.enterprise_id, 'hotline_12345', r.external_ref, r.category_id,"
	"          coalesce(r.urgency, r.default_urgency), btrim(r.title), btrim(r.description), r.contact_name,"
	"          r.contact_phone, $2"
	"   FROM r WHERE r.enterprise_id IS NOT NULL AND r.category_id IS NOT NULL ORDER BY r.row"
	"   ON CONFLICT DO NOTHING RETURNING id, number, external_ref, enterprise_id, title),"
	" ev AS (INSERT INTO ticket_events (ticket_id, actor_id, actor_role, actor_org, action, from_state, to_state,"
	"        payload, summary)"
	"   SELECT ins.id, $2, $3, $4, 'create', NULL, 'new',"
	"          jsonb_build_object('channel', 'hotline_12345', 'external_ref', ins.external_ref),"
	"          " SQL_INTAKE_SUMMARY("$5", "ins.title") " FROM ins RETURNING id, ticket_id),"
	" ob AS (INSERT INTO outbox (event_id, ticket_id, recipient_kind, recipient_id, kind, title, body, idempotency_key)"
	"   SELECT ev.id, ev.ticket_id, 'enterprise', ins.enterprise_id, 'received', '诉求已受理', " SQL_RECEIPT("ins.title") ","
	"          'event:' || ev.id || ':enterprise' FROM ev JOIN ins ON ins.id = ev.ticket_id)"
	" SELECT r.row, CASE WHEN r.enterprise_id IS NULL THEN 'unknown_enterprise'"
	"   WHEN r.category_id IS NULL THEN 'unknown_category' WHEN ins.id IS NOT NULL THEN 'created'"
	"   WHEN old.id IS NOT NULL THEN 'duplicate' ELSE 'conflict' END,"
	"   coalesce(ins.id, old.id), coalesce(ins.number, old.number), ARRAY(SELECT id FROM ev)"
	" FROM r LEFT JOIN ins ON ins.external_ref = r.external_ref"
	" LEFT JOIN tickets old ON old.channel = 'hotline_12345' AND old.external_ref = r.external_ref"
	" ORDER BY r.row");

static const struct jsonin_field row_fields[] = {
	{ "external_ref", JT_STRING, true, 1, 64 },
	{ "credit_code", JT_STRING, true, 1, 40 }, /* core/creditcode says what is wrong */
	{ "category_code", JT_STRING, true, 1, 12 },
	{ "title", JT_STRING, true, 1, 100 },
	{ "description", JT_STRING, true, 1, 5000 },
	{ "contact_name", JT_STRING, false, 1, 50 },
	{ "contact_phone", JT_STRING, false, 5, 20 },
	{ "urgency", JT_STRING, false, 1, 20 },
	JSONIN_END,
};

struct import {
	json_t *report;   /* one object per row, in order */
	json_t *valid;    /* the rows sent to the database, each with its "row" */
};

static void import_free(void *p)
{
	struct import *im = p;
	json_decref(im->report);
	json_decref(im->valid);
	free(im);
}

static void row_error(json_t *entry, const char *code, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void row_error(json_t *entry, const char *code, const char *fmt, ...)
{
	char detail[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	json_object_set_new(entry, "status", json_string("error"));
	json_object_set_new(entry, "code", json_string(code));
	json_object_set_new(entry, "detail", json_string(detail));
}

/* Checks one row; valid rows join im->valid. */
static void take_row(struct import *im, json_t *row, size_t n)
{
	json_t *entry = json_pack("{s:I, s:n, s:s, s:n, s:n, s:n, s:n}", "row", (json_int_t)n, "external_ref",
				  "status", "pending", "ticket_id", "number", "code", "detail");
	json_array_append_new(im->report, entry);
	struct jsonin_error err;
	if (!json_is_object(row)) {
		row_error(entry, "invalid_type", "a row must be an object");
		return;
	}
	if (json_is_string(json_object_get(row, "external_ref")))
		json_object_set(entry, "external_ref", json_object_get(row, "external_ref"));
	if (!jsonin_check(row, row_fields, &err)) {
		row_error(entry, err.code, "%s", err.detail);
		return;
	}
	int pos = 0;
	enum creditcode_verdict v = creditcode_check(jsonin_str(row, "credit_code", ""), &pos);
	if (v != CREDITCODE_OK) {
		if (pos)
			row_error(entry, "invalid_credit_code", "%s(第%d位)", creditcode_message(v), pos);
		else
			row_error(entry, "invalid_credit_code", "%s", creditcode_message(v));
		return;
	}
	const char *phone = jsonin_str(row, "contact_phone", NULL), *urgency = jsonin_str(row, "urgency", NULL);
	if (phone && !api_valid_phone(phone)) {
		row_error(entry, "invalid_value", "contact_phone may contain only digits, '+' and '-'");
		return;
	}
	if (urgency && !api_valid_urgency(urgency)) {
		row_error(entry, "invalid_value", "urgency must be normal, urgent or critical");
		return;
	}
	const char *ref = jsonin_str(row, "external_ref", "");
	size_t i;
	json_t *other;
	json_array_foreach(im->valid, i, other) {
		if (strcmp(jsonin_str(other, "external_ref", ""), ref) == 0) {
			row_error(entry, "duplicate_in_batch", "external_ref %s already appears in row %lld", ref,
				  jsonin_int(other, "row", 0));
			return;
		}
	}
	json_t *copy = json_deep_copy(row);
	json_object_set_new(copy, "row", json_integer((json_int_t)n));
	json_array_append_new(im->valid, copy);
}

/* CSV into rows of named fields; replies and returns NULL on a bad table. */
static json_t *csv_rows(struct reqctx *ctx, const char *buf, size_t len)
{
	size_t bad;
	if (!utf8_valid((const unsigned char *)buf, len, &bad)) {
		http_reply_problem(ctx, "invalid_utf8", "the CSV is not valid UTF-8 at byte %zu", bad);
		return NULL;
	}
	struct csv_table t;
	char err[160] = "";
	if (!csv_parse(buf, len, IMPORT_MAX_ROWS + 1, 20, &t, err, sizeof err) || t.n < 2) {
		http_reply_problem(ctx, "bad_request", "%s", t.n < 2 && !*err ? "a header row and at least one row are needed" : err);
		csv_free(&t);
		return NULL;
	}
	const struct csv_record *head = &t.records[0];
	for (size_t c = 0; c < head->n; c++) {
		for (size_t d = 0; d < c; d++)
			if (strcmp(head->fields[c], head->fields[d]) == 0) {
				http_reply_problem(ctx, "bad_request", "the column \"%.40s\" appears twice", head->fields[c]);
				csv_free(&t);
				return NULL;
			}
		bool known = false;
		for (const struct jsonin_field *f = row_fields; f->name; f++)
			known |= strcmp(f->name, head->fields[c]) == 0;
		if (!known) {
			http_reply_problem(ctx, "unknown_field", "unknown column \"%.40s\"", head->fields[c]);
			csv_free(&t);
			return NULL;
		}
	}
	json_t *rows = json_array();
	for (size_t r = 1; r < t.n; r++) {
		json_t *row = json_object();
		for (size_t c = 0; c < t.records[r].n && c < head->n; c++)
			if (*t.records[r].fields[c]) /* an empty cell is an absent field */
				json_object_set_new(row, head->fields[c], json_string(t.records[r].fields[c]));
		if (t.records[r].n > head->n)
			json_object_set_new(row, "(extra cells)", json_true()); /* refused as an unknown field */
		json_array_append_new(rows, row);
	}
	csv_free(&t);
	return rows;
}

static void on_imported(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct import *im = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) > 0)
		stream_announce(ctx, PQgetvalue(res, 0, 4));
	for (int r = 0; r < PQntuples(res); r++) {
		json_t *entry = json_array_get(im->report, (size_t)atoi(PQgetvalue(res, r, 0)) - 1);
		const char *outcome = PQgetvalue(res, r, 1);
		if (strcmp(outcome, "unknown_enterprise") == 0) {
			row_error(entry, "unknown_enterprise", "no registered enterprise in your area has this credit code");
			continue;
		}
		if (strcmp(outcome, "unknown_category") == 0) {
			row_error(entry, "unknown_category", "no active category has this code");
			continue;
		}
		if (strcmp(outcome, "conflict") == 0) { /* created concurrently by another request: send it again */
			row_error(entry, "conflict", "the row was not created; import it again");
			continue;
		}
		json_object_set_new(entry, "status", json_string(outcome));
		json_object_set_new(entry, "ticket_id", api_cell_int(res, r, 2));
		json_object_set_new(entry, "number", api_cell_str(res, r, 3));
	}
	int counts[3] = { 0, 0, 0 };
	size_t i;
	json_t *entry;
	json_array_foreach(im->report, i, entry) {
		const char *s = json_string_value(json_object_get(entry, "status"));
		counts[strcmp(s, "created") == 0 ? 0 : strcmp(s, "duplicate") == 0 ? 1 : 2]++;
	}
	http_reply_json(ctx, 200, json_pack("{s:i, s:i, s:i, s:O}", "created", counts[0], "duplicates", counts[1],
					    "errors", counts[2], "rows", im->report));
}

void api_tickets_import(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_TICKET_IMPORT, NULL))
		return;
	struct evbuffer *in = evhttp_request_get_input_buffer(ctx->req);
	size_t len = evbuffer_get_length(in);
	const char *buf = len ? (const char *)evbuffer_pullup(in, -1) : "";
	json_t *rows;
	if (http_content_type_is(ctx, "application/json")) {
		struct jsonin_error err;
		rows = jsonin_parse_any(buf, len, &err);
		if (!rows) {
			http_reply_input_error(ctx, &err);
			return;
		}
		if (!json_is_array(rows)) {
			json_decref(rows);
			http_reply_problem(ctx, "invalid_type", "the body must be a JSON array of rows");
			return;
		}
	} else if (http_content_type_is(ctx, "text/csv")) {
		if (!(rows = csv_rows(ctx, buf, len)))
			return;
	} else {
		http_reply_problem(ctx, "unsupported_media_type", "send application/json (an array) or text/csv");
		return;
	}
	if (json_array_size(rows) == 0 || json_array_size(rows) > IMPORT_MAX_ROWS) {
		json_decref(rows);
		http_reply_problem(ctx, "invalid_value", "a batch holds 1 to %d rows", IMPORT_MAX_ROWS);
		return;
	}
	struct import *im = xcalloc(1, sizeof *im);
	im->report = json_array();
	im->valid = json_array();
	ctx->state = im;
	ctx->state_free = import_free;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		take_row(im, row, i + 1);
	json_decref(rows);
	if (json_array_size(im->valid) == 0) {
		on_imported(PGPOOL_OK, NULL, ctx);
		return;
	}
	const struct principal *who = &ctx->who;
	char user[24], org[24];
	snprintf(user, sizeof user, "%lld", who->user_id);
	snprintf(org, sizeof org, "%lld", who->org_id);
	char *summary = xasprintf("%s(%s)通过%s导入诉求", who->display_name, role_label(who->role),
				  ticket_channel_label("hotline_12345"));
	char *valid = json_dumps(im->valid, JSON_COMPACT);
	struct scope_params sp;
	ticket_scope_params(who, &sp);
	const char *params[] = { valid, user, role_name(who->role), org, summary, sp.scope, sp.path };
	http_query(ctx, &STMT_IMPORT, 7, params, on_imported);
	free(valid);
	free(summary);
}
