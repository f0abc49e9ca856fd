/*
 * api_enterprises: 一企一档, the enterprise records.
 *
 *   GET  /api/v1/enterprises       list (?q= name or credit code, ?town_id=)
 *   GET  /api/v1/enterprises/:id   one record with contacts and its ticket history
 *   POST /api/v1/enterprises       register (specialist, admin):
 *        {credit_code, name, town_id, industry?, size?, address?, contacts?: [{name, phone, title?, is_primary?}]}
 *
 * Contact names and phones are de-identified for roles that need not see
 * them (ticket_sees_personal_data). The ticket history lists only the
 * tickets the caller may read.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/creditcode.h"
#include "core/lifecycle.h"
#include "core/db.h"
#include "core/xalloc.h"
#include "server/tickets.h"

#define ENTERPRISE_COLUMNS "en.id, en.credit_code, en.name, en.town_id, town.name, town.path, en.industry, en.size," \
	" en.address, " SQL_TIME("en.created_at")

static struct pgstmt STMT_ENTERPRISES_LIST = PGSTMT_READ("enterprises_list",
	"SELECT " ENTERPRISE_COLUMNS " FROM enterprises en JOIN orgs town ON town.id = en.town_id"
	" WHERE en.id > $1 AND ($2::text IS NULL OR en.name LIKE $2 OR en.credit_code = upper($3))"
	" AND ($4::bigint IS NULL OR en.town_id = $4)"
	" AND ($5::text IS NULL OR town.path = $5 OR town.path LIKE $5 || '.%')" /* as AUTHZ_ENTERPRISE_READ */
	" AND ($6::bigint IS NULL OR en.id = $6)"
	" ORDER BY en.id LIMIT $7");

static struct pgstmt STMT_ENTERPRISE_GET = PGSTMT_READ("enterprise_get",
	"SELECT " ENTERPRISE_COLUMNS ","
	" (SELECT coalesce(json_agg(json_build_object('id', c.id, 'name', c.name, 'phone', c.phone, 'title', c.title,"
	"    'is_primary', c.is_primary) ORDER BY c.id), '[]') FROM enterprise_contacts c WHERE c.enterprise_id = en.id),"
	" (SELECT coalesce(json_agg(json_build_object('id', t.id, 'number', t.number, 'title', t.title, 'state', t.state,"
	"    'category', c.name, 'created_at', " SQL_TIME("t.created_at") ") ORDER BY t.id DESC), '[]')"
	"  FROM tickets t JOIN categories c ON c.id = t.category_id"
	"  WHERE t.enterprise_id = en.id AND " SQL_TICKET_SCOPE("$2", "$3", "$4") ")"
	" FROM enterprises en JOIN orgs town ON town.id = en.town_id WHERE en.id = $1");

static struct pgstmt STMT_ENTERPRISE_CREATE = PGSTMT("enterprise_create",
	"WITH town AS (SELECT id, name, path FROM orgs WHERE id = $3 AND kind = 'town' AND disabled_at IS NULL),"
	" en AS (INSERT INTO enterprises (credit_code, name, town_id, industry, size, address)"
	"   SELECT $1, btrim($2), town.id, $4, $5, $6 FROM town RETURNING *),"
	" c AS (INSERT INTO enterprise_contacts (enterprise_id, name, phone, title, is_primary)"
	"   SELECT en.id, btrim(x.name), x.phone, x.title, coalesce(x.is_primary, false)"
	"   FROM en, jsonb_to_recordset($7::jsonb) AS x (name text, phone text, title text, is_primary boolean))"
	" SELECT " ENTERPRISE_COLUMNS " FROM en, town");

enum { E_ID, E_CODE, E_NAME, E_TOWN_ID, E_TOWN_NAME, E_TOWN_PATH, E_INDUSTRY, E_SIZE, E_ADDRESS, E_CREATED,
       E_CONTACTS, E_TICKETS };

static json_t *enterprise_json(const PGresult *res, int r)
{
	return json_pack("{s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o}",
		"id", api_cell_int(res, r, E_ID), "credit_code", api_cell_str(res, r, E_CODE),
		"name", api_cell_str(res, r, E_NAME),
		"town", "id", api_cell_int(res, r, E_TOWN_ID), "name", api_cell_str(res, r, E_TOWN_NAME),
		"industry", api_cell_str(res, r, E_INDUSTRY), "size", api_cell_str(res, r, E_SIZE),
		"address", api_cell_str(res, r, E_ADDRESS), "created_at", api_cell_time(res, r, E_CREATED));
}

static void on_enterprises(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	api_reply_items(ctx, st, res, enterprise_json, ctx->state);
}

void api_enterprises_list(struct reqctx *ctx)
{
	/* the list's scope: everyone the read rule lets see any enterprise;
	 * town viewers are limited to their town, enterprises to themselves */
	struct authz_object own = { .org_path = ctx->who.org_path, .enterprise_id = ctx->who.enterprise_id };
	if (!http_authorize_object(ctx, AUTHZ_ENTERPRISE_READ, &own))
		return;
	struct page *page = api_page_new(ctx);
	if (!page)
		return;
	const char *q = http_query_param(ctx, "q"), *town = http_query_param(ctx, "town_id");
	long long id;
	if (town && !jsonin_id_text(town, &id)) {
		http_reply_problem(ctx, "invalid_query", "town_id must be an org id");
		return;
	}
	if (q && (strlen(q) == 0 || strlen(q) > 200)) {
		http_reply_problem(ctx, "invalid_query", "q must be 1 to 200 bytes");
		return;
	}
	char *pattern = q ? api_like_pattern(q) : NULL;
	char after[24], limit[24], self[24];
	snprintf(after, sizeof after, "%lld", page->after);
	snprintf(limit, sizeof limit, "%d", page->limit + 1);
	snprintf(self, sizeof self, "%lld", ctx->who.enterprise_id);
	const char *params[] = { after, pattern, q, town, ctx->who.role == ROLE_TOWN_VIEWER ? ctx->who.org_path : NULL,
				 ctx->who.role == ROLE_ENTERPRISE ? self : NULL, limit };
	http_query(ctx, &STMT_ENTERPRISES_LIST, 7, params, on_enterprises);
	free(pattern);
}

static void mask_contacts(json_t *contacts)
{
	size_t i;
	json_t *c;
	json_array_foreach(contacts, i, c)
		ticket_mask_contact(c);
}

static void on_enterprise(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "no enterprise %s", ctx->params[0]);
		return;
	}
	struct authz_object obj = { .org_path = PQgetvalue(res, 0, E_TOWN_PATH),
				    .enterprise_id = atoll(PQgetvalue(res, 0, E_ID)) };
	if (authz_check(&ctx->who, AUTHZ_ENTERPRISE_READ, &obj) != AUTHZ_ALLOW) {
		/* existence of an enterprise outside one's scope is not told */
		http_reply_problem(ctx, "not_found", "no enterprise %s", ctx->params[0]);
		return;
	}
	json_t *body = enterprise_json(res, 0);
	json_t *contacts = json_loads(PQgetvalue(res, 0, E_CONTACTS), 0, NULL);
	json_t *tickets = json_loads(PQgetvalue(res, 0, E_TICKETS), 0, NULL);
	if (!ticket_sees_personal_data(&ctx->who))
		mask_contacts(contacts);
	json_object_set_new(body, "contacts", contacts ? contacts : json_array());
	json_object_set_new(body, "tickets", tickets ? tickets : json_array());
	http_reply_json(ctx, 200, body);
}

void api_enterprises_get(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id))
		return;
	struct scope_params sp;
	ticket_scope_params(&ctx->who, &sp);
	const char *params[] = { ctx->params[0], sp.scope, sp.path, sp.enterprise };
	http_query(ctx, &STMT_ENTERPRISE_GET, 4, params, on_enterprise);
}

static const struct jsonin_field enterprise_fields[] = {
	{ "credit_code", JT_STRING, true, 1, 40 }, /* core/creditcode says what is wrong */
	{ "name", JT_STRING, true, 1, 100 },
	{ "town_id", JT_ID, true, 0, 0 },
	{ "industry", JT_STRING, false, 1, 50 },
	{ "size", JT_STRING, false, 1, 10 },
	{ "address", JT_STRING, false, 1, 200 },
	{ "contacts", JT_ARRAY, false, 0, 0 },
	JSONIN_END,
};

static const struct jsonin_field contact_fields[] = {
	{ "name", JT_STRING, true, 1, 50 },
	{ "phone", JT_STRING, true, 5, 20 },
	{ "title", JT_STRING, false, 1, 50 },
	{ "is_primary", JT_BOOLEAN, false, 0, 0 },
	JSONIN_END,
};

static void on_enterprise_created(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st == PGPOOL_QUERY_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
		http_reply_problem(ctx, "conflict", "an enterprise with credit code %s is already registered",
				   jsonin_str(ctx->body, "credit_code", ""));
		return;
	}
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "unprocessable", "town_id %lld is not an active town",
				   jsonin_int(ctx->body, "town_id", 0));
		return;
	}
	json_t *body = enterprise_json(res, 0);
	json_object_set(body, "contacts", json_object_get(ctx->body, "contacts") ? json_object_get(ctx->body, "contacts")
										  : json_array());
	http_reply_json(ctx, 201, body);
}

void api_enterprises_create(struct reqctx *ctx)
{
	struct jsonin_error err;
	if (!http_authorize(ctx, AUTHZ_ENTERPRISE_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, enterprise_fields))
		return;
	int pos = 0;
	const char *code = jsonin_str(ctx->body, "credit_code", "");
	enum creditcode_verdict v = creditcode_check(code, &pos);
	if (v != CREDITCODE_OK) {
		if (pos)
			http_reply_problem(ctx, "invalid_credit_code", "%s(第%d位)", creditcode_message(v), pos);
		else
			http_reply_problem(ctx, "invalid_credit_code", "%s", creditcode_message(v));
		return;
	}
	const char *size = jsonin_str(ctx->body, "size", NULL);
	if (size && strcmp(size, "micro") != 0 && strcmp(size, "small") != 0 && strcmp(size, "medium") != 0 &&
	    strcmp(size, "large") != 0) {
		http_reply_problem(ctx, "invalid_value", "size must be micro, small, medium or large");
		return;
	}
	json_t *contacts = json_object_get(ctx->body, "contacts");
	if (json_array_size(contacts) > 10) {
		http_reply_problem(ctx, "invalid_value", "at most 10 contacts");
		return;
	}
	size_t i;
	json_t *c;
	json_array_foreach(contacts, i, c) {
		if (!json_is_object(c) || !jsonin_check(c, contact_fields, &err)) {
			http_reply_problem(ctx, json_is_object(c) ? err.code : "invalid_type", "contacts[%zu]: %s", i,
					   json_is_object(c) ? err.detail : "must be an object");
			return;
		}
		if (!api_valid_phone(jsonin_str(c, "phone", ""))) {
			http_reply_problem(ctx, "invalid_value", "contacts[%zu].phone may contain only digits, '+' and '-'", i);
			return;
		}
	}
	char town[24];
	snprintf(town, sizeof town, "%lld", jsonin_int(ctx->body, "town_id", 0));
	char *contacts_text = contacts ? json_dumps(contacts, JSON_COMPACT) : xstrdup("[]");
	const char *params[] = { code, jsonin_str(ctx->body, "name", ""), town, jsonin_str(ctx->body, "industry", NULL),
				 size, jsonin_str(ctx->body, "address", NULL), contacts_text };
	http_query(ctx, &STMT_ENTERPRISE_CREATE, 7, params, on_enterprise_created);
	free(contacts_text);
}
