/* api_util: helpers shared by the API handlers; see api.h. */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include "core/db.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

bool api_path_id(struct reqctx *ctx, int idx, long long *out)
{
	if (jsonin_id_text(ctx->params[idx], out))
		return true;
	http_reply_problem(ctx, "not_found", "\"%.40s\" is not an id", ctx->params[idx] ? ctx->params[idx] : "");
	return false;
}

bool api_page(struct reqctx *ctx, struct page *page)
{
	page->after = 0;
	page->limit = 50;
	const char *limit = http_query_param(ctx, "limit");
	const char *cursor = http_query_param(ctx, "cursor");
	long long v;
	if (limit) {
		if (!jsonin_id_text(limit, &v) || v > 200) {
			http_reply_problem(ctx, "invalid_query", "limit must be an integer from 1 to 200");
			return false;
		}
		page->limit = (int)v;
	}
	if (cursor) {
		if (!jsonin_id_text(cursor, &v)) {
			http_reply_problem(ctx, "invalid_query", "cursor must be a value returned as next_cursor");
			return false;
		}
		page->after = v;
	}
	return true;
}

struct page *api_page_new(struct reqctx *ctx)
{
	struct page *page = xmalloc(sizeof *page);
	ctx->state = page;
	ctx->state_free = free;
	return api_page(ctx, page) ? page : NULL;
}

bool api_query_known(struct reqctx *ctx, const char *const *allowed)
{
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, ctx->query, next) {
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(kv->key, *a) == 0;
		if (!known) {
			http_reply_problem(ctx, "invalid_query", "unknown query parameter \"%.40s\"", kv->key);
			return false;
		}
		for (struct evkeyval *other = TAILQ_NEXT(kv, next); other; other = TAILQ_NEXT(other, next)) {
			if (strcmp(other->key, kv->key) == 0) {
				http_reply_problem(ctx, "invalid_query", "query parameter \"%.40s\" is given twice", kv->key);
				return false;
			}
		}
	}
	return true;
}

bool api_body_ok(struct reqctx *ctx, const struct jsonin_field *fields)
{
	struct jsonin_error err;
	if (jsonin_check(ctx->body, fields, &err))
		return true;
	http_reply_input_error(ctx, &err);
	return false;
}

json_t *api_page_body(const struct page *page, json_t *items)
{
	json_t *next = json_null();
	if (json_array_size(items) > (size_t)page->limit) {
		json_array_remove(items, (size_t)page->limit);
		json_t *last = json_array_get(items, (size_t)page->limit - 1);
		char cursor[24];
		snprintf(cursor, sizeof cursor, "%lld", (long long)json_integer_value(json_object_get(last, "id")));
		json_decref(next);
		next = json_string(cursor);
	}
	return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

json_t *api_cell_str(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return json_null();
	json_t *s = json_stringn(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
	return s ? s : json_null();
}

json_t *api_cell_int(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return json_null();
	return json_integer(atoll(PQgetvalue(res, row, col)));
}

json_t *api_cell_time(const PGresult *res, int row, int col)
{
	/* timestamps are selected through SQL_TIME(), so the text is already RFC 3339 */
	return api_cell_str(res, row, col);
}

bool api_valid_time(const char *rfc3339)
{
	int64_t t;
	return timefmt_parse_rfc3339(rfc3339, &t);
}

bool api_valid_urgency(const char *u)
{
	return strcmp(u, "normal") == 0 || strcmp(u, "urgent") == 0 || strcmp(u, "critical") == 0;
}

bool api_valid_phone(const char *p)
{
	size_t n = strlen(p);
	return n >= 5 && n <= 20 && strspn(p, "0123456789+-") == n;
}

/* "%term%" for LIKE, with the wildcards of the term escaped. */
char *api_like_pattern(const char *term)
{
	size_t n = strlen(term);
	char *out = xmalloc(2 * n + 3), *p = out;
	*p++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (term[i] == '%' || term[i] == '_' || term[i] == '\\')
			*p++ = '\\';
		*p++ = term[i];
	}
	*p++ = '%';
	*p = '\0';
	return out;
}


void api_reply_items(struct reqctx *ctx, enum pgpool_status st, const PGresult *res, api_row_fn row,
		     const struct page *page)
{
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	json_t *items = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(items, row(res, r));
	http_reply_json(ctx, 200, page ? api_page_body(page, items) : json_pack("{s:o}", "items", items));
}

void api_reply_one(struct reqctx *ctx, enum pgpool_status st, const PGresult *res, api_row_fn row,
		   const char *conflict, const char *missing)
{
	if (st == PGPOOL_QUERY_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
		http_reply_problem(ctx, "conflict", "%s", conflict);
		return;
	}
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "%s", missing);
		return;
	}
	http_reply_json(ctx, ctx->method == EVHTTP_REQ_POST ? 201 : 200, row(res, 0));
}

void api_reply_json_short(struct reqctx *ctx, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(body);
	struct evbuffer *buf = evbuffer_new();
	if (text)
		evbuffer_add(buf, text, strlen(text));
	free(text);
	http_reply_buffer(ctx, status, "application/json; charset=utf-8", buf);
}
