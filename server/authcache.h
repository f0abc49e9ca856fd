/*
 * authcache: who a session or API token is, remembered for a few seconds
 * so that most requests authenticate without a database round trip.
 *
 * Keyed by the credential's SHA-256 (as stored in sessions.token_hash and
 * api_tokens.token_hash). Coherence with the database:
 *   - migration 0013 NOTIFYs suqiu_auth whenever a session or token is
 *     revoked, expired, shortened or deleted, and whenever a user or org
 *     changes, from any writer (API, suqiu-admin, plain SQL); the server's
 *     listening connection (server/stream.c) passes those on here, and
 *     every server drops what they name;
 *   - the cache answers only while that listener is connected: when it is
 *     lost the cache is emptied and bypassed until it listens again;
 *   - a lookup that an invalidation overtook is not stored (a ticket taken
 *     when the query is sent must still be current when it answers);
 *   - an entry lives at most ttl seconds and never past the time the
 *     credential would expire unused (its absolute or idle limit), so even
 *     a missed notice is corrected within ttl;
 *   - this server's own logout and admin writes drop entries at once.
 * A ttl of 0 disables the cache.
 */
#ifndef SUQIU_SERVER_AUTHCACHE_H
#define SUQIU_SERVER_AUTHCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/authz.h"
#include "core/secret.h"

#define AUTHCACHE_CHANNEL "suqiu_auth"
/* A credential's last use is written at most this often. */
#define AUTHCACHE_TOUCH_SECONDS 60

struct authcache;

struct authcache_stats {
	uint64_t hits, misses, invalidations;
	long entries;
};

/* ttl_seconds 0: every call answers "not cached" and stores nothing. */
struct authcache *authcache_create(long ttl_seconds, long capacity);
void authcache_destroy(struct authcache *c);

/* The listener's state: listening (true) enables the cache; any change
 * empties it. */
void authcache_set_listening(struct authcache *c, bool listening);

/* A ticket for a lookup about to be sent to the database; 0 when nothing
 * may be stored now. */
uint64_t authcache_ticket(const struct authcache *c);

/* The principal of hash (of a token or, when bearer, an API token) into
 * *who; *touch says that the credential's last use should be written now
 * (at most every AUTHCACHE_TOUCH_SECONDS). False when not cached. */
bool authcache_get(struct authcache *c, const char *hash, bool bearer, struct principal *who, bool *touch);

/* Stores what the database answered for a lookup sent with ticket; not
 * when an invalidation came in between. valid_for_s: seconds until the
 * credential expires if unused (INFINITY: never; <= 0: not stored);
 * last_use_age_s: how long ago its last use was written. */
void authcache_put(struct authcache *c, uint64_t ticket, const char *hash, bool bearer,
		   const struct principal *who, double valid_for_s, double last_use_age_s);

/* Drops one credential, every credential of a user, or everything. */
void authcache_forget_credential(struct authcache *c, const char *hash);
void authcache_forget_user(struct authcache *c, long long user_id);
void authcache_clear(struct authcache *c);

/* A suqiu_auth notice: "c:<hash>" (a credential), "u:<user id>" or "*". */
void authcache_notified(struct authcache *c, const char *payload);

struct authcache_stats authcache_stats(const struct authcache *c);

#endif
