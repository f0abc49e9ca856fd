/* Unit tests of server/authcache: what it answers, stores and forgets. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/authcache.h"

/* A 64-hex-digit hash whose digits are all d. */
static const char *hash_of(char d)
{
	static char buf[4][SECRET_HASH_HEX_LEN + 1];
	static int next;
	char *h = buf[next++ % 4];
	memset(h, d, SECRET_HASH_HEX_LEN);
	h[SECRET_HASH_HEX_LEN] = '\0';
	return h;
}

static struct principal user(long long id)
{
	struct principal p = { .user_id = id, .role = ROLE_SPECIALIST, .org_id = 7 };
	snprintf(p.username, sizeof p.username, "user%lld", id);
	snprintf(p.org_path, sizeof p.org_path, "1.7");
	return p;
}

static struct authcache *listening(long ttl, long capacity)
{
	struct authcache *c = authcache_create(ttl, capacity);
	authcache_set_listening(c, true);
	return c;
}

static bool cached(struct authcache *c, const char *hash, bool bearer, long long *user_id)
{
	struct principal who;
	bool touch;
	bool hit = authcache_get(c, hash, bearer, &who, &touch);
	if (hit && user_id)
		*user_id = who.user_id;
	return hit;
}

/* Caches id's answer for hash, valid_for seconds more (INFINITY: no limit), last used just now. */
static void put(struct authcache *c, const char *hash, bool bearer, long long id, double valid_for)
{
	struct principal p = user(id);
	authcache_put(c, authcache_ticket(c), hash, bearer, &p, valid_for, 0);
}

Test(authcache, remembers_what_the_database_answered)
{
	struct authcache *c = listening(5, 100);
	cr_assert_not(cached(c, hash_of('a'), false, NULL));
	put(c, hash_of('a'), false, 42, INFINITY);
	long long id = 0;
	struct principal who;
	bool touch = true;
	cr_assert(authcache_get(c, hash_of('a'), false, &who, &touch));
	cr_expect_eq(who.user_id, 42);
	cr_expect_str_eq(who.username, "user42");
	cr_expect_str_eq(who.org_path, "1.7");
	cr_expect_not(touch, "the lookup itself just refreshed the last use");
	cr_expect_not(cached(c, hash_of('a'), true, NULL), "a session is not a bearer token");
	cr_expect_not(cached(c, hash_of('b'), false, &id));
	struct authcache_stats s = authcache_stats(c);
	cr_expect_eq(s.hits, 1);
	cr_expect_eq(s.misses, 3);
	cr_expect_eq(s.entries, 1);
	authcache_destroy(c);
}

Test(authcache, a_ttl_of_zero_stores_nothing)
{
	struct authcache *c = listening(0, 100);
	cr_expect_eq(authcache_ticket(c), 0);
	put(c, hash_of('a'), false, 42, INFINITY);
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	cr_expect_eq(authcache_stats(c).entries, 0);
	authcache_destroy(c);
}

Test(authcache, answers_only_while_the_listener_listens)
{
	struct authcache *c = authcache_create(5, 100);
	cr_expect_eq(authcache_ticket(c), 0, "not listening yet");
	put(c, hash_of('a'), false, 42, INFINITY);
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	authcache_set_listening(c, true);
	put(c, hash_of('a'), false, 42, INFINITY);
	cr_expect(cached(c, hash_of('a'), false, NULL));
	authcache_set_listening(c, false); /* notices may be missed from now on */
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	cr_expect_eq(authcache_stats(c).entries, 0);
	authcache_set_listening(c, true);
	cr_expect_not(cached(c, hash_of('a'), false, NULL), "what was known before the gap is gone");
	authcache_destroy(c);
}

Test(authcache, a_lookup_an_invalidation_overtook_is_not_stored)
{
	struct authcache *c = listening(5, 100);
	struct principal p = user(42);
	uint64_t ticket = authcache_ticket(c);
	authcache_notified(c, "u:99"); /* any notice while the query is out */
	authcache_put(c, ticket, hash_of('a'), false, &p, INFINITY, 0);
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	ticket = authcache_ticket(c);
	authcache_put(c, ticket, hash_of('a'), false, &p, INFINITY, 0);
	cr_expect(cached(c, hash_of('a'), false, NULL));
	/* storing one answer is no news to another lookup in flight */
	uint64_t other = authcache_ticket(c);
	put(c, hash_of('b'), false, 43, INFINITY);
	authcache_put(c, other, hash_of('c'), false, &p, INFINITY, 0);
	cr_expect(cached(c, hash_of('c'), false, NULL));
	authcache_destroy(c);
}

Test(authcache, forgets_a_credential_a_user_or_everything)
{
	struct authcache *c = listening(5, 100);
	put(c, hash_of('a'), false, 1, INFINITY);
	put(c, hash_of('b'), false, 1, INFINITY);
	put(c, hash_of('c'), true, 2, INFINITY);
	put(c, hash_of('d'), false, 3, INFINITY);
	authcache_forget_credential(c, hash_of('a'));
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	cr_expect(cached(c, hash_of('b'), false, NULL));
	authcache_forget_user(c, 1);
	cr_expect_not(cached(c, hash_of('b'), false, NULL));
	cr_expect(cached(c, hash_of('c'), true, NULL));
	cr_expect(cached(c, hash_of('d'), false, NULL));
	authcache_clear(c);
	cr_expect_not(cached(c, hash_of('c'), true, NULL));
	cr_expect_not(cached(c, hash_of('d'), false, NULL));
	cr_expect_eq(authcache_stats(c).entries, 0);
	authcache_destroy(c);
}

Test(authcache, notices_name_what_to_forget)
{
	struct authcache *c = listening(5, 100);
	put(c, hash_of('a'), false, 1, INFINITY);
	put(c, hash_of('b'), true, 2, INFINITY);
	put(c, hash_of('c'), false, 3, INFINITY);
	char notice[80];
	snprintf(notice, sizeof notice, "c:%s", hash_of('b'));
	authcache_notified(c, notice);
	cr_expect_not(cached(c, hash_of('b'), true, NULL), "a revoked token");
	cr_expect(cached(c, hash_of('a'), false, NULL));
	authcache_notified(c, "u:3");
	cr_expect_not(cached(c, hash_of('c'), false, NULL), "a changed user");
	cr_expect(cached(c, hash_of('a'), false, NULL));
	authcache_notified(c, "u:3x"); /* not understood: forget everything */
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	put(c, hash_of('a'), false, 1, INFINITY);
	authcache_notified(c, "c:short");
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	put(c, hash_of('a'), false, 1, INFINITY);
	authcache_notified(c, "*");
	cr_expect_not(cached(c, hash_of('a'), false, NULL));
	cr_expect_eq(authcache_stats(c).invalidations, 5);
	authcache_destroy(c);
}

Test(authcache, never_outlives_the_ttl_or_the_credential)
{
	struct authcache *c = listening(1, 100);
	put(c, hash_of('a'), false, 1, INFINITY);
	put(c, hash_of('b'), false, 2, 0);     /* expires (or goes idle) right now */
	put(c, hash_of('c'), false, 3, -1);    /* already expired */
	put(c, hash_of('d'), false, 4, 0.3);   /* expires unused in 0.3 s */
	put(c, hash_of('e'), false, 5, 3600);
	cr_expect(cached(c, hash_of('a'), false, NULL));
	cr_expect_not(cached(c, hash_of('b'), false, NULL));
	cr_expect_not(cached(c, hash_of('c'), false, NULL));
	cr_expect(cached(c, hash_of('d'), false, NULL));
	cr_expect(cached(c, hash_of('e'), false, NULL));
	usleep(400 * 1000);
	cr_expect_not(cached(c, hash_of('d'), false, NULL), "past the credential's own limit");
	cr_expect(cached(c, hash_of('a'), false, NULL));
	usleep(700 * 1000);
	cr_expect_not(cached(c, hash_of('a'), false, NULL), "older than the ttl");
	cr_expect_not(cached(c, hash_of('e'), false, NULL), "older than the ttl");
	authcache_destroy(c);
}

Test(authcache, asks_for_the_last_use_to_be_written_once_a_minute)
{
	struct authcache *c = listening(5, 100);
	struct principal p = user(1), who;
	bool touch;
	authcache_put(c, authcache_ticket(c), hash_of('a'), false, &p, INFINITY, 59);
	cr_assert(authcache_get(c, hash_of('a'), false, &who, &touch));
	cr_expect_not(touch, "written 59 s ago");
	authcache_put(c, authcache_ticket(c), hash_of('b'), false, &p, INFINITY, AUTHCACHE_TOUCH_SECONDS);
	cr_assert(authcache_get(c, hash_of('b'), false, &who, &touch));
	cr_expect(touch, "written a minute ago");
	cr_assert(authcache_get(c, hash_of('b'), false, &who, &touch));
	cr_expect_not(touch, "the first hit wrote it");
	authcache_put(c, authcache_ticket(c), hash_of('c'), true, &p, INFINITY, 1e9); /* a token never used */
	cr_assert(authcache_get(c, hash_of('c'), true, &who, &touch));
	cr_expect(touch);
	authcache_destroy(c);
}

Test(authcache, stays_within_its_capacity)
{
	struct authcache *c = listening(5, 2);
	put(c, hash_of('a'), false, 1, INFINITY);
	put(c, hash_of('b'), false, 2, INFINITY);
	put(c, hash_of('c'), false, 3, INFINITY);
	cr_expect_leq(authcache_stats(c).entries, 2);
	cr_expect(cached(c, hash_of('c'), false, NULL), "the newest answer is kept");
	put(c, hash_of('c'), false, 3, INFINITY); /* the same credential again replaces its entry */
	cr_expect_leq(authcache_stats(c).entries, 2);
	authcache_destroy(c);
}

Test(authcache, refuses_a_malformed_hash)
{
	struct authcache *c = listening(5, 100);
	put(c, "abc", false, 1, INFINITY);
	cr_expect_eq(authcache_stats(c).entries, 0);
	authcache_destroy(c);
}
