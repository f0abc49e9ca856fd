/*
 * api_attachments: files on a ticket (PDF, images, office documents).
 *
 *   POST /api/v1/tickets/:id/attachments?filename=合同.pdf   the raw file as the body (10 MiB at most)
 *   GET  /api/v1/tickets/:id/attachments                     the list
 *   GET  /api/v1/tickets/:id/attachments/:aid                the file
 *
 * Only those who may see the ticket may list or download; those who work
 * on it (any lifecycle relation: the enterprise, its specialist, the
 * assigned orgs, supervision) may upload. The type is decided by the
 * content (core/filetype.c) and the file is always served as a download,
 * with its stored type and nosniff, so nothing uploaded runs in a page.
 */
#include "server/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/filetype.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "server/stream.h"
#include "server/tickets.h"

static struct pgstmt STMT_ATTACH = PGSTMT("attachment_create",
	"WITH a AS (INSERT INTO attachments (ticket_id, filename, content_type, size, sha256, content, uploaded_by)"
	"  VALUES ($1, $2, $3, $4, $5, $6::bytea, $7) RETURNING id, created_at),"
	" ev AS (INSERT INTO ticket_events (ticket_id, actor_id, actor_role, actor_org, action, from_state, to_state,"
	"        payload, summary)"
	"  SELECT $1, $7, $8, $9, 'attach', t.state, t.state,"
	"         jsonb_build_object('attachment_id', a.id, 'filename', $2::text, 'size', $4::int), $10"
	"  FROM a, tickets t WHERE t.id = $1 RETURNING id)"
	" SELECT a.id, " SQL_TIME("a.created_at") ", ARRAY(SELECT id FROM ev) FROM a");

#define ATTACHMENT_COLUMNS "x.id, x.filename, x.content_type, x.size, x.sha256, x.uploaded_by, u.display_name, " \
	SQL_TIME("x.created_at")
#define VISIBLE_TICKET \
	"EXISTS (SELECT 1 FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id JOIN orgs town ON town.id = e.town_id" \
	" WHERE t.id = $1 AND " SQL_TICKET_SCOPE("$2", "$3", "$4") ")"

static struct pgstmt STMT_ATTACHMENTS = PGSTMT_READ("attachments_list",
	"SELECT " ATTACHMENT_COLUMNS ", " VISIBLE_TICKET " FROM (SELECT 1) one"
	" LEFT JOIN attachments x ON x.ticket_id = $1 LEFT JOIN users u ON u.id = x.uploaded_by ORDER BY x.id");
static struct pgstmt STMT_ATTACHMENT_GET = PGSTMT_READ("attachment_get",
	"SELECT x.filename, x.content_type, x.content FROM attachments x"
	" WHERE x.ticket_id = $1 AND x.id = $5 AND " VISIBLE_TICKET);

static json_t *attachment_json(const PGresult *res, int r)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o}", "id", api_cell_int(res, r, 0),
			 "filename", api_cell_str(res, r, 1), "content_type", api_cell_str(res, r, 2),
			 "size", api_cell_int(res, r, 3), "sha256", api_cell_str(res, r, 4),
			 "uploaded_by", "id", api_cell_int(res, r, 5), "name", api_cell_str(res, r, 6),
			 "created_at", api_cell_time(res, r, 7));
}

/* ---- upload ---------------------------------------------------------- */

static bool filename_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 600 || !utf8_valid((const unsigned char *)name, n, NULL) || utf8_length(name, n) > 200 ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"')
			return false;
		/* bidirectional controls (U+202A..U+202E, U+2066..U+2069) can disguise
		 * "fdp.exe" as "exe.pdf" */
		if (c == 0xE2 && i + 2 < n && (unsigned char)name[i + 1] == 0x80 && (unsigned char)name[i + 2] >= 0xAA &&
		    (unsigned char)name[i + 2] <= 0xAE)
			return false;
		if (c == 0xE2 && i + 2 < n && (unsigned char)name[i + 1] == 0x81 && (unsigned char)name[i + 2] >= 0xA6 &&
		    (unsigned char)name[i + 2] <= 0xA9)
			return false;
	}
	return true;
}

static void on_attached(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	stream_announce(ctx, PQgetvalue(res, 0, 2));
	json_t *body = ctx->state;
	ctx->state = NULL;
	json_object_set_new(body, "id", api_cell_int(res, 0, 0));
	json_object_set_new(body, "created_at", api_cell_time(res, 0, 1));
	http_reply_json(ctx, 201, body);
}

static void on_upload_ticket(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct ticket *t = ticket_or_reply(ctx, st, res);
	if (!t)
		return;
	unsigned rel = lc_relations(&ctx->who, &t->facts);
	ticket_free(t);
	if (!rel) {
		http_reply_problem(ctx, "forbidden", "only those who work on the ticket attach files to it");
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(ctx->req);
	size_t len = evbuffer_get_length(in);
	const unsigned char *data = evbuffer_pullup(in, -1);
	const char *type = filetype_sniff(data, len);
	if (!type) {
		http_reply_problem(ctx, "unsupported_media_type",
				   "attachments may be PDF, PNG, JPEG, GIF, WebP or office documents (judged by content)");
		return;
	}
	unsigned char digest[crypto_hash_sha256_BYTES];
	char sha[crypto_hash_sha256_BYTES * 2 + 1];
	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);
	char *hex = xmalloc(len * 2 + 3);
	memcpy(hex, "\\x", 2);
	sodium_bin2hex(hex + 2, len * 2 + 1, data, len);
	const char *filename = http_query_param(ctx, "filename");
	char size[24], user[24], org[24];
	snprintf(size, sizeof size, "%zu", len);
	snprintf(user, sizeof user, "%lld", ctx->who.user_id);
	snprintf(org, sizeof org, "%lld", ctx->who.org_id);
	char *summary = xasprintf("%s(%s)上传附件《%s》", ctx->who.display_name, role_label(ctx->who.role), filename);
	ctx->state = json_pack("{s:s, s:s, s:I, s:s, s:{s:I, s:s}}", "filename", filename, "content_type", type, "size",
			       (json_int_t)len, "sha256", sha, "uploaded_by", "id", (json_int_t)ctx->who.user_id, "name",
			       ctx->who.display_name);
	ctx->state_free = (void (*)(void *))json_decref;
	const char *params[] = { ctx->params[0], filename, type, size, sha, hex, user, role_name(ctx->who.role), org,
				 summary };
	http_query(ctx, &STMT_ATTACH, 10, params, on_attached);
	sodium_memzero(hex, len * 2 + 3); /* may be a confidential document */
	free(hex);
	free(summary);
}

void api_attachments_upload(struct reqctx *ctx)
{
	long long id;
	if (!api_path_id(ctx, 0, &id))
		return;
	if (!filename_ok(http_query_param(ctx, "filename"))) {
		http_reply_problem(ctx, "invalid_query", "filename must be 1 to 200 characters without / \\ \" or controls");
		return;
	}
	if (evbuffer_get_length(evhttp_request_get_input_buffer(ctx->req)) == 0) {
		http_reply_problem(ctx, "bad_request", "the body (the file) is empty");
		return;
	}
	ticket_query(ctx, ctx->params[0], on_upload_ticket);
}

/* ---- list and download ----------------------------------------------- */

static void on_list(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0 || PQgetvalue(res, 0, 8)[0] != 't') {
		http_reply_problem(ctx, "not_found", "no ticket %s", ctx->params[0]);
		return;
	}
	json_t *items = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		if (!PQgetisnull(res, r, 0)) /* the LEFT JOIN's empty row */
			json_array_append_new(items, attachment_json(res, r));
	http_reply_json(ctx, 200, json_pack("{s:o}", "items", items));
}

static bool scoped_query(struct reqctx *ctx, struct pgstmt *stmt, const char *aid, pgpool_result_cb cb)
{
	struct scope_params sp;
	ticket_scope_params(&ctx->who, &sp);
	const char *params[] = { ctx->params[0], sp.scope, sp.path, sp.enterprise, aid };
	return http_query(ctx, stmt, aid ? 5 : 4, params, cb);
}

void api_attachments_list(struct reqctx *ctx)
{
	long long id;
	if (api_path_id(ctx, 0, &id))
		scoped_query(ctx, &STMT_ATTACHMENTS, NULL, on_list);
}

/* RFC 5987 filename*=UTF-8''... for a Content-Disposition header. */
static char *disposition(const char *filename)
{
	size_t n = strlen(filename);
	char *out = xmalloc(n * 3 + 64), *p = out;
	p += sprintf(p, "attachment; filename*=UTF-8''");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)filename[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			*p++ = (char)c;
		else
			p += sprintf(p, "%%%02X", c);
	}
	*p = '\0';
	return out;
}

static void on_file(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "no attachment %s on ticket %s", ctx->params[1], ctx->params[0]);
		return;
	}
	size_t len = 0;
	unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 2), &len);
	if (!bytes) {
		http_reply_problem(ctx, "internal", "the file could not be decoded");
		return;
	}
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, bytes, len);
	PQfreemem(bytes);
	char *cd = disposition(PQgetvalue(res, 0, 0));
	http_header(ctx, "Content-Disposition", cd);
	free(cd);
	http_reply_buffer(ctx, 200, PQgetvalue(res, 0, 1), buf);
}

void api_attachments_get(struct reqctx *ctx)
{
	long long id, aid;
	if (api_path_id(ctx, 0, &id) && api_path_id(ctx, 1, &aid))
		scoped_query(ctx, &STMT_ATTACHMENT_GET, ctx->params[1], on_file);
}
