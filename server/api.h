/*
 * api: the handlers of /api/v1, one file per resource, and the small
 * helpers they share. The route table (routes.c) maps paths to these.
 */
#ifndef SUQIU_SERVER_API_H
#define SUQIU_SERVER_API_H

#include "server/http.h"

/* api_auth.c */
void api_login(struct reqctx *ctx);
void api_logout(struct reqctx *ctx);
void api_me(struct reqctx *ctx);
void api_demo_logins(struct reqctx *ctx);

/* api_orgs.c */
void api_orgs_list(struct reqctx *ctx);
void api_orgs_get(struct reqctx *ctx);
void api_orgs_create(struct reqctx *ctx);
void api_orgs_disable(struct reqctx *ctx);
void api_orgs_users(struct reqctx *ctx);

/* api_users.c */
void api_users_list(struct reqctx *ctx);
void api_users_create(struct reqctx *ctx);
void api_users_disable(struct reqctx *ctx);
void api_users_enable(struct reqctx *ctx);

/* api_tickets.c */
void api_tickets_create(struct reqctx *ctx);
void api_tickets_list(struct reqctx *ctx);
void api_tickets_get(struct reqctx *ctx);
void api_tickets_events(struct reqctx *ctx);
void api_tickets_similar(struct reqctx *ctx);

/* api_attachments.c */
void api_attachments_upload(struct reqctx *ctx);
void api_attachments_list(struct reqctx *ctx);
void api_attachments_get(struct reqctx *ctx);

/* api_import.c */
void api_tickets_import(struct reqctx *ctx);

/* api_ticket_actions.c */
void api_ticket_action(struct reqctx *ctx);

/* api_enterprises.c */
void api_enterprises_list(struct reqctx *ctx);
void api_enterprises_get(struct reqctx *ctx);
void api_enterprises_create(struct reqctx *ctx);

/* api_categories.c */
void api_categories_list(struct reqctx *ctx);
void api_categories_create(struct reqctx *ctx);
void api_categories_update(struct reqctx *ctx);

/* api_kb.c */
void api_kb_search(struct reqctx *ctx);
void api_kb_create(struct reqctx *ctx);
void api_kb_update(struct reqctx *ctx);

/* api_sla.c */
void api_sla_list(struct reqctx *ctx);
void api_sla_effective(struct reqctx *ctx);
void api_sla_create(struct reqctx *ctx);
void api_sla_update(struct reqctx *ctx);

/* api_outbox.c */
void api_outbox_list(struct reqctx *ctx);
void api_outbox_retry(struct reqctx *ctx);
void api_outbox_retry_dead(struct reqctx *ctx);

/* api_stats.c */
void api_stats_overview(struct reqctx *ctx);
void api_stats_orgs(struct reqctx *ctx);
void api_stats_categories(struct reqctx *ctx);
void api_stats_trend(struct reqctx *ctx);

/* api_stats_targets.c */
void api_stats_targets_get(struct reqctx *ctx);
void api_stats_targets_put(struct reqctx *ctx);

/* api_tokens.c */
void api_tokens_list(struct reqctx *ctx);
void api_tokens_create(struct reqctx *ctx);
void api_tokens_revoke(struct reqctx *ctx);

/* A timestamptz column as RFC 3339 text in the session's time zone
 * (Asia/Shanghai, set on every pool connection): "2026-05-01T09:00:00.000+08:00". */
#define SQL_TIME(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS.MSTZH:TZM')"

/* api_util.c */

/* The :id path parameter number idx as a positive id; replies 404 itself
 * and returns false when it is not one. */
bool api_path_id(struct reqctx *ctx, int idx, long long *out);

/* Keyset pagination: reads ?limit= (1..200, default 50) and ?cursor= (an
 * id, exclusive). Replies 400 itself and returns false when invalid. */
struct page {
	long long after; /* 0 = from the start */
	int limit;
};
bool api_page(struct reqctx *ctx, struct page *page);
/* api_page into a page that ctx owns (its state, freed with it); NULL when
 * it replied 400. */
struct page *api_page_new(struct reqctx *ctx);

/* Replies 400 invalid_query and returns false when the query string has a
 * parameter outside allowed (NULL-terminated) or the same one twice. */
bool api_query_known(struct reqctx *ctx, const char *const *allowed);

/* Checks the JSON body of a ROUTE_JSON route against fields; replies 400
 * itself and returns false when it does not fit. */
bool api_body_ok(struct reqctx *ctx, const struct jsonin_field *fields);

/* Wraps rows as {"items": [...], "next_cursor": "<last id>" | null}.
 * items is stolen; it holds up to page->limit + 1 rows (the extra one only
 * says that there are more, and is dropped here). */
json_t *api_page_body(const struct page *page, json_t *items);

/* Shared validators. */
bool api_valid_urgency(const char *u);
bool api_valid_phone(const char *p);
bool api_valid_time(const char *rfc3339);
/* "%term%" for LIKE with the term's own % _ \ escaped; free it. */
char *api_like_pattern(const char *term);
/* A text[] literal of q's space-separated words (as LIKE patterns when like). */
char *api_words_array(const char *q, bool like);

/* Replies 200 with every row of res as an item, {"items": [...]} (with
 * next_cursor when page is not NULL), or the database error. */
typedef json_t *(*api_row_fn)(const PGresult *res, int row);
void api_reply_items(struct reqctx *ctx, enum pgpool_status st, const PGresult *res, api_row_fn row,
		     const struct page *page);

/* Replies with row 0 of res as the object a POST created (201) or another
 * method read or changed (200); 409 conflict when a unique constraint
 * refused it, 404 with missing when there is no row, or the database error. */
void api_reply_one(struct reqctx *ctx, enum pgpool_status st, const PGresult *res, api_row_fn row,
		   const char *conflict, const char *missing);

/* Replies body (stolen) as JSON with its reals as short decimals (rates,
 * hours: 0.6667 and 92.35, not 0.66669999999999996 and 92.349999999999994). */
void api_reply_json_short(struct reqctx *ctx, int status, json_t *body);

/* A result cell as JSON: text, or null when SQL NULL. */
json_t *api_cell_str(const PGresult *res, int row, int col);
/* A result cell as an integer, or null. */
json_t *api_cell_int(const PGresult *res, int row, int col);
/* A result cell holding a timestamptz as RFC 3339 text, or null. */
json_t *api_cell_time(const PGresult *res, int row, int col);

#endif
