/* static: files of the web UI; see static.h. */
#include "server/static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".map", "application/json; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ NULL, NULL },
};

const char *static_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strchr(dot, '/'))
		for (int i = 0; types[i].ext; i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static void not_found(struct reqctx *ctx)
{
	http_reply_problem(ctx, "not_found", "no file at %s", ctx->path);
}

void static_serve(struct reqctx *ctx)
{
	if (ctx->method != EVHTTP_REQ_GET && ctx->method != EVHTTP_REQ_HEAD) {
		http_header(ctx, "Allow", "GET, HEAD");
		http_reply_problem(ctx, "method_not_allowed", "static files answer GET and HEAD only");
		return;
	}
	const char *root = ctx->srv->web_root;
	if (!root) {
		not_found(ctx);
		return;
	}
	const char *rel = ctx->path;
	size_t n = strlen(rel);
	char *candidate = n && rel[n - 1] == '/' ? xasprintf("%s%sindex.html", root, rel) : xasprintf("%s%s", root, rel);
	char real[PATH_MAX];
	size_t rootlen = strlen(root);
	int fd = -1;
	struct stat st;
	/* the resolved file must lie strictly inside the root */
	if (!realpath(candidate, real) || strncmp(real, root, rootlen) != 0 || real[rootlen] != '/' ||
	    (fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		free(candidate);
		not_found(ctx);
		return;
	}
	free(candidate);
	char etag[64];
	snprintf(etag, sizeof etag, "W/\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec);
	http_header(ctx, "ETag", etag);
	http_header(ctx, "Cache-Control", "no-cache");
	const char *inm = http_request_header(ctx, "If-None-Match");
	if (inm && (strcmp(inm, etag) == 0 || strcmp(inm, "*") == 0)) {
		close(fd);
		http_reply_empty(ctx, 304);
		return;
	}
	struct evbuffer *buf = evbuffer_new();
	if (st.st_size > 0 && evbuffer_add_file(buf, fd, 0, st.st_size) != 0) {
		close(fd);
		evbuffer_free(buf);
		http_reply_problem(ctx, "internal", "could not read the file");
		return;
	}
	if (st.st_size == 0)
		close(fd); /* evbuffer_add_file owns fd otherwise */
	http_reply_buffer(ctx, 200, static_content_type(real), buf);
}
