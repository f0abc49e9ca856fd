/*
 * static: the web UI's files from SUQIU_WEB_DIR.
 *
 * Only GET and HEAD. A path resolves to a regular file whose real path
 * (symlinks followed) lies inside the web root; everything else is 404.
 * Responses carry a weak ETag from size and mtime and "no-cache", so the
 * browser revalidates and gets 304 when nothing changed.
 */
#ifndef SUQIU_SERVER_STATIC_H
#define SUQIU_SERVER_STATIC_H

#include "server/http.h"

void static_serve(struct reqctx *ctx);

/* The content type for a file name, by extension. */
const char *static_content_type(const char *name);

#endif
