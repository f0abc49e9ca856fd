/*
 * auth: who is asking. Resolves the session cookie or bearer API token of
 * a request to a principal, enforces CSRF on cookie sessions, and then
 * hands the request to its handler.
 */
#ifndef SUQIU_SERVER_AUTH_H
#define SUQIU_SERVER_AUTH_H

#include "server/http.h"

#define SESSION_COOKIE "suqiu_session"

/* The columns every query that returns "a user as the API shows it"
 * selects, in this order, from users u JOIN orgs o ON o.id = u.org_id. */
#define AUTH_USER_COLUMNS \
	"u.id, u.username, u.display_name, u.role, u.org_id, o.path, o.name, o.kind, " \
	"(u.disabled_at IS NOT NULL), u.enterprise_id"
#define AUTH_USER_NCOLUMNS 10

/* Authenticates ctx and calls next(ctx), or replies 401/403 itself. */
void auth_authenticate(struct reqctx *ctx, handler_fn next);

/* Reads AUTH_USER_COLUMNS, starting at column first of row, into who. */
void auth_principal_from_row(const PGresult *res, int row, int first, struct principal *who);
/* The API's user object from AUTH_USER_COLUMNS starting at column first of row. */
json_t *auth_user_json(const PGresult *res, int row, int first);

/* auth_user_json of row with the columns first (an api_row_fn). */
json_t *auth_user_row(const PGresult *res, int row);

/* The API's user object for the principal of a request. */
json_t *auth_principal_json(const struct principal *who);

/* Finds the session token in a Cookie header; false when absent or malformed. */
bool auth_cookie_token(const char *cookie_header, char out[SECRET_TOKEN_TEXT_LEN + 1]);

#endif
