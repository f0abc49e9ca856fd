/*
 * stream: live updates (GET /api/v1/stream, Server-Sent Events).
 *
 * One extra database connection per server LISTENs on suqiu_events (see
 * migration 0005); whoever writes an event announces it after the commit. Each notification names a ticket event and who may see
 * it; it is passed on to every open stream whose principal's ticket scope
 * admits it, as "event: ticket" with a small JSON object. Streams get a
 * comment line every 15 s so that proxies keep them open, and end after 5
 * minutes (so that a logout stops them soon); browsers' EventSource
 * reconnects by itself, after that and after a restart. The listener
 * reconnects with a one-second pause when the database goes away.
 *
 * The same connection LISTENs on suqiu_auth for the auth cache
 * (server/authcache.h), and tells the cache whether it is listening; it
 * sends SELECT 1 every 15 s and counts itself lost when the answer has not
 * come by the next time (a far end gone without a reset).
 */
#ifndef SUQIU_SERVER_STREAM_H
#define SUQIU_SERVER_STREAM_H

#include <event2/event.h>

struct stream;
struct reqctx;

struct pgpool;
struct authcache;

/* pool carries the announcements; destroy the stream after the pool, whose
 * last callbacks may still come here. auth hears of suqiu_auth notices. */
struct stream *stream_create(struct event_base *base, struct pgpool *pool, const char *conninfo,
			     struct authcache *auth);
/* Ends every open stream (a drain has begun); new ones are refused. */
void stream_close_all(struct stream *s);
void stream_destroy(struct stream *s);

/* Announces committed ticket events (ids as a PostgreSQL array literal,
 * "{1,2}") to every server's streams: NOTIFY after the commit, in a
 * transaction of its own (see migration 0005), one at a time, so that
 * under load many events share one. Best effort: a failure only means
 * the events are not pushed live. */
void stream_announce(struct reqctx *ctx, const char *event_ids);

/* The handler of GET /api/v1/stream. */
void stream_subscribe(struct reqctx *ctx);

#endif
