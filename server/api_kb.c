/*
 * api_kb: the knowledge base (知识库).
 *
 *   GET   /api/v1/kb?q=&category_id=   search by Chinese substring (any signed-in user)
 *   POST  /api/v1/kb                   write (specialist, admin): {question, answer, category_id?, tags?}
 *   PATCH /api/v1/kb/:id               edit (specialist, admin): {question?, answer?, category_id?, tags?, disabled?}
 *
 * Search is LIKE '%q%' over question and answer, served by the trigram
 * index; each space-separated word of q must occur.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xalloc.h"

#define KB_COLUMNS "k.id, k.category_id, c.name, k.question, k.answer, to_json(k.tags), (k.disabled_at IS NOT NULL)," \
	" " SQL_TIME("k.updated_at")

static struct pgstmt STMT_KB_SEARCH = PGSTMT_READ("kb_search",
	"SELECT " KB_COLUMNS " FROM kb_articles k LEFT JOIN categories c ON c.id = k.category_id"
	" WHERE k.disabled_at IS NULL"
	" AND ($1::text[] IS NULL OR (SELECT bool_and((k.question || ' ' || k.answer) LIKE p OR p = ANY (ARRAY(SELECT '%' || t || '%' FROM unnest(k.tags) t)))"
	"      FROM unnest($1::text[]) p))"
	" AND ($2::bigint IS NULL OR k.category_id = $2 OR c.parent_id = $2)"
	" ORDER BY k.id LIMIT $3");
static struct pgstmt STMT_KB_CREATE = PGSTMT("kb_create",
	"WITH k AS (INSERT INTO kb_articles (category_id, question, answer, tags, created_by)"
	"  VALUES ($1, btrim($2), btrim($3), coalesce($4::text[], '{}'), $5) RETURNING *)"
	" SELECT " KB_COLUMNS " FROM k LEFT JOIN categories c ON c.id = k.category_id");
static struct pgstmt STMT_KB_UPDATE = PGSTMT("kb_update",
	"WITH k AS (UPDATE kb_articles SET category_id = coalesce($2, category_id), question = coalesce(btrim($3), question),"
	"  answer = coalesce(btrim($4), answer), tags = coalesce($5::text[], tags), updated_at = now(),"
	"  disabled_at = CASE WHEN $6::boolean THEN coalesce(disabled_at, now()) WHEN NOT $6::boolean THEN NULL"
	"                ELSE disabled_at END"
	"  WHERE id = $1 RETURNING *)"
	" SELECT " KB_COLUMNS " FROM k LEFT JOIN categories c ON c.id = k.category_id");

static json_t *kb_json(const PGresult *res, int r)
{
	json_t *tags = json_loads(PQgetvalue(res, r, 5), 0, NULL);
	return json_pack("{s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:b, s:o}", "id", api_cell_int(res, r, 0),
			 "category", "id", api_cell_int(res, r, 1), "name", api_cell_str(res, r, 2),
			 "question", api_cell_str(res, r, 3), "answer", api_cell_str(res, r, 4),
			 "tags", tags ? tags : json_array(), "disabled", PQgetvalue(res, r, 6)[0] == 't',
			 "updated_at", api_cell_time(res, r, 7));
}

static void on_articles(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (ctx->method != EVHTTP_REQ_GET && PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "no article %s", ctx->params[0]);
		return;
	}
	if (ctx->method != EVHTTP_REQ_GET) {
		http_reply_json(ctx, ctx->method == EVHTTP_REQ_POST ? 201 : 200, kb_json(res, 0));
		return;
	}
	api_reply_items(ctx, st, res, kb_json, NULL);
}

/* A PostgreSQL text[] literal of LIKE patterns, one per space-separated
 * word of q: {"%a%","%b%"}. */
char *api_words_array(const char *q, bool like)
{
	json_t *words = json_array();
	const char *p = q;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n) {
			char *w = xasprintf("%.*s", (int)n, p);
			char *pattern = like ? api_like_pattern(w) : xstrdup(w);
			json_array_append_new(words, json_string(pattern));
			free(pattern);
			free(w);
		}
		p += n;
	}
	/* a JSON array of strings is a valid array literal once its brackets
	 * become braces: both quote with " and escape " and \ with \ */
	char *text = json_dumps(words, JSON_COMPACT);
	json_decref(words);
	text[0] = '{';
	text[strlen(text) - 1] = '}';
	return text;
}

void api_kb_search(struct reqctx *ctx)
{
	if (!http_authorize(ctx, AUTHZ_KB_READ, NULL))
		return;
	const char *q = http_query_param(ctx, "q"), *category = http_query_param(ctx, "category_id");
	const char *limit_text = http_query_param(ctx, "limit");
	long long id, limit = 10;
	if (category && !jsonin_id_text(category, &id)) {
		http_reply_problem(ctx, "invalid_query", "category_id must be an id");
		return;
	}
	if (limit_text && (!jsonin_id_text(limit_text, &limit) || limit > 100)) {
		http_reply_problem(ctx, "invalid_query", "limit must be an integer from 1 to 100");
		return;
	}
	if (q && strlen(q) > 200) {
		http_reply_problem(ctx, "invalid_query", "q must be at most 200 bytes");
		return;
	}
	char *words = q && strspn(q, " ") < strlen(q) ? api_words_array(q, true) : NULL;
	char lim[24];
	snprintf(lim, sizeof lim, "%lld", limit);
	const char *params[] = { words, category, lim };
	http_query(ctx, &STMT_KB_SEARCH, 3, params, on_articles);
	free(words);
}

/* tags: an array of 0-10 strings of 1-20 characters, as a text[] literal. */
static bool tags_array(struct reqctx *ctx, char **out)
{
	json_t *tags = json_object_get(ctx->body, "tags");
	*out = NULL;
	if (!tags)
		return true;
	size_t i;
	json_t *v;
	bool ok = json_array_size(tags) <= 10;
	json_array_foreach(tags, i, v) {
		const char *s = json_string_value(v);
		ok &= s && *s && utf8_length(s, strlen(s)) <= 20 && !strchr(s, ' ');
		for (const char *q = s; ok && *q; q++)
			ok &= (unsigned char)*q >= 0x20 && *q != 0x7f && *q != '"' && *q != '\\' && *q != ',' && *q != '{' && *q != '}';
	}
	if (!ok) {
		http_reply_problem(ctx, "invalid_value", "tags must be at most 10 words of 1 to 20 characters, without spaces, "
							 "controls or \" \\ , { }");
		return false;
	}
	char *text = json_dumps(tags, JSON_COMPACT);
	text[0] = '{';
	text[strlen(text) - 1] = '}';
	*out = text;
	return true;
}

static const struct jsonin_field create_fields[] = {
	{ "category_id", JT_ID, false, 0, 0 },
	{ "question", JT_STRING, true, 1, 500 },
	{ "answer", JT_STRING, true, 1, 10000 },
	{ "tags", JT_ARRAY, false, 0, 0 },
	JSONIN_END,
};

static const struct jsonin_field update_fields[] = {
	{ "category_id", JT_ID, false, 0, 0 },
	{ "question", JT_STRING, false, 1, 500 },
	{ "answer", JT_STRING, false, 1, 10000 },
	{ "tags", JT_ARRAY, false, 0, 0 },
	{ "disabled", JT_BOOLEAN, false, 0, 0 },
	JSONIN_END,
};

void api_kb_create(struct reqctx *ctx)
{
	char *tags;
	if (!http_authorize(ctx, AUTHZ_KB_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, create_fields))
		return;
	if (!tags_array(ctx, &tags))
		return;
	char category[24], user[24];
	snprintf(category, sizeof category, "%lld", jsonin_int(ctx->body, "category_id", 0));
	snprintf(user, sizeof user, "%lld", ctx->who.user_id);
	const char *params[] = { json_object_get(ctx->body, "category_id") ? category : NULL,
				 jsonin_str(ctx->body, "question", ""), jsonin_str(ctx->body, "answer", ""), tags, user };
	http_query(ctx, &STMT_KB_CREATE, 5, params, on_articles);
	free(tags);
}

void api_kb_update(struct reqctx *ctx)
{
	long long id;
	char *tags;
	if (!api_path_id(ctx, 0, &id) || !http_authorize(ctx, AUTHZ_KB_MANAGE, NULL))
		return;
	if (!api_body_ok(ctx, update_fields))
		return;
	if (!tags_array(ctx, &tags))
		return;
	char category[24];
	snprintf(category, sizeof category, "%lld", jsonin_int(ctx->body, "category_id", 0));
	json_t *disabled = json_object_get(ctx->body, "disabled");
	const char *params[] = { ctx->params[0], json_object_get(ctx->body, "category_id") ? category : NULL,
				 jsonin_str(ctx->body, "question", NULL), jsonin_str(ctx->body, "answer", NULL), tags,
				 disabled ? (json_is_true(disabled) ? "true" : "false") : NULL };
	http_query(ctx, &STMT_KB_UPDATE, 6, params, on_articles);
	free(tags);
}
