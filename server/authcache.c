/* authcache: credentials to principals for a few seconds; see authcache.h. */
#include "server/authcache.h"

#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/xalloc.h"

#define BUCKETS 4096 /* a power of two */
#define NS 1000000000.0
#define TOUCH_EVERY_NS ((int64_t)AUTHCACHE_TOUCH_SECONDS * 1000000000)

struct entry {
	struct entry *next;
	char hash[SECRET_HASH_HEX_LEN + 1];
	bool bearer;
	struct principal who;
	uint64_t stale_ns;  /* monotonic: cached_at + ttl, or sooner when the credential expires */
	int64_t touched_ns; /* monotonic: when its last use was last written (may be < 0) */
};

struct authcache {
	uint64_t ttl_ns;
	long capacity, count;
	bool listening;
	uint64_t generation; /* moves on with every invalidation */
	struct authcache_stats stats;
	struct entry *bucket[BUCKETS];
};

struct authcache *authcache_create(long ttl_seconds, long capacity)
{
	struct authcache *c = xcalloc(1, sizeof *c);
	c->ttl_ns = (uint64_t)(ttl_seconds > 0 ? ttl_seconds : 0) * 1000000000u;
	c->capacity = capacity > 0 ? capacity : 1;
	c->generation = 1;
	return c;
}

/* The token hashes are uniformly random hex: their first digits will do. */
static struct entry **slot(struct authcache *c, const char *hash)
{
	unsigned h = 0;
	for (int i = 0; i < 8 && hash[i]; i++)
		h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
	return &c->bucket[h & (BUCKETS - 1)];
}

/* Removes the entries of one chain that drop() accepts. */
static void drop_in(struct authcache *c, struct entry **p, bool (*drop)(const struct entry *, const void *),
		    const void *arg)
{
	while (*p) {
		if (drop(*p, arg)) {
			struct entry *gone = *p;
			*p = gone->next;
			free(gone);
			c->count--;
		} else {
			p = &(*p)->next;
		}
	}
}

/* Removes every entry drop() accepts. */
static void sweep(struct authcache *c, bool (*drop)(const struct entry *, const void *), const void *arg)
{
	for (int b = 0; b < BUCKETS; b++)
		drop_in(c, &c->bucket[b], drop, arg);
}

static bool always(const struct entry *e, const void *arg)
{
	(void)e, (void)arg;
	return true;
}

static bool of_user(const struct entry *e, const void *arg)
{
	return e->who.user_id == *(const long long *)arg;
}

static bool with_hash(const struct entry *e, const void *arg)
{
	return strcmp(e->hash, arg) == 0;
}

static bool is_stale(const struct entry *e, const void *arg)
{
	return *(const uint64_t *)arg >= e->stale_ns;
}

static void invalidated(struct authcache *c)
{
	c->generation++;
	c->stats.invalidations++;
}

static void drop_all(struct authcache *c)
{
	c->generation++;
	sweep(c, always, NULL);
}

void authcache_destroy(struct authcache *c)
{
	if (!c)
		return;
	drop_all(c);
	free(c);
}

void authcache_clear(struct authcache *c)
{
	c->stats.invalidations++;
	drop_all(c);
}

void authcache_forget_user(struct authcache *c, long long user_id)
{
	invalidated(c);
	sweep(c, of_user, &user_id);
}

static void remove_hash(struct authcache *c, const char *hash)
{
	drop_in(c, slot(c, hash), with_hash, hash);
}

void authcache_forget_credential(struct authcache *c, const char *hash)
{
	invalidated(c);
	remove_hash(c, hash);
}

void authcache_set_listening(struct authcache *c, bool listening)
{
	drop_all(c);
	c->listening = listening;
}

uint64_t authcache_ticket(const struct authcache *c)
{
	return c->listening && c->ttl_ns ? c->generation : 0;
}

bool authcache_get(struct authcache *c, const char *hash, bool bearer, struct principal *who, bool *touch)
{
	*touch = false;
	if (!authcache_ticket(c)) {
		c->stats.misses++;
		return false;
	}
	uint64_t now = timefmt_mono_ns();
	for (struct entry *e = *slot(c, hash); e; e = e->next) {
		if (e->bearer != bearer || strcmp(e->hash, hash) != 0)
			continue;
		if (now >= e->stale_ns)
			break; /* the database decides again */
		*who = e->who;
		if ((int64_t)now - e->touched_ns >= TOUCH_EVERY_NS) {
			e->touched_ns = (int64_t)now;
			*touch = true;
		}
		c->stats.hits++;
		return true;
	}
	c->stats.misses++;
	return false;
}

void authcache_put(struct authcache *c, uint64_t ticket, const char *hash, bool bearer,
		   const struct principal *who, double valid_for_s, double last_use_age_s)
{
	if (!ticket || ticket != authcache_ticket(c) || strlen(hash) != SECRET_HASH_HEX_LEN || !(valid_for_s > 0))
		return;
	remove_hash(c, hash); /* an outdated entry of the same credential */
	uint64_t now = timefmt_mono_ns();
	if (c->count >= c->capacity) {
		sweep(c, is_stale, &now);
		if (c->count >= c->capacity)
			sweep(c, always, NULL);
	}
	struct entry *e = xcalloc(1, sizeof *e);
	memcpy(e->hash, hash, SECRET_HASH_HEX_LEN + 1);
	e->bearer = bearer;
	e->who = *who;
	/* monotonic time only: the database said how long, so neither clock
	 * skew between hosts nor rounding can stretch it */
	e->stale_ns = now + (valid_for_s * NS < (double)c->ttl_ns ? (uint64_t)(valid_for_s * NS) : c->ttl_ns);
	double age = last_use_age_s > 0 ? last_use_age_s : 0;
	e->touched_ns = (int64_t)now - (age * NS < 1e18 ? (int64_t)(age * NS) : (int64_t)1e18);
	struct entry **s = slot(c, hash);
	e->next = *s;
	*s = e;
	c->count++;
}

void authcache_notified(struct authcache *c, const char *payload)
{
	if (strncmp(payload, "c:", 2) == 0 && strlen(payload + 2) == SECRET_HASH_HEX_LEN) {
		authcache_forget_credential(c, payload + 2);
		return;
	}
	if (strncmp(payload, "u:", 2) == 0) {
		char *end;
		long long id = strtoll(payload + 2, &end, 10);
		if (end != payload + 2 && *end == '\0') {
			authcache_forget_user(c, id);
			return;
		}
	}
	authcache_clear(c); /* "*", or a notice this build does not know: be safe */
}

struct authcache_stats authcache_stats(const struct authcache *c)
{
	struct authcache_stats s = c->stats;
	s.entries = c->count;
	return s;
}
