/*
 * Unit tests for core/webhook: the signature of a webhook POST and the
 * wait between failed attempts.
 *
 * The expected signatures were computed independently, with Python's hmac
 * module: hmac.new(key, timestamp + b"." + body, hashlib.sha256).hexdigest().
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/webhook.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *secret, *timestamp, *body, *want;
} signatures[] = {
	{ "suqiu-test-secret-0123456789", "1767225600", "{\"id\":1,\"title\":\"诉求已受理\"}",
	  "sha256=339e49655c3d9baa72d4cffe6c0a37caf2bf82af6a000d68d8e238117f98a7a3" },
	/* a key longer than SHA-256's block is hashed first (RFC 2104) */
	{ "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa"
	  "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa"
	  "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa"
	  "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa"
	  "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa",
	  "1767225600", "Test Using Larger Than Block-Size Key - Hash Key First",
	  "sha256=36197bd6961accbdd7a7cf40cad6db6d566cf141f220e29c29a92c73d12454b0" },
};

Test(webhook, signature_is_hmac_sha256_of_timestamp_dot_body)
{
	for (size_t i = 0; i < N(signatures); i++) {
		cr_assert_eq(strlen(signatures[i].secret), i == 0 ? 28 : 131);
		char sig[WEBHOOK_SIGNATURE_LEN + 1];
		memset(sig, '#', sizeof sig);
		webhook_sign(signatures[i].secret, signatures[i].timestamp, signatures[i].body,
			     strlen(signatures[i].body), sig);
		cr_expect_str_eq(sig, signatures[i].want, "case %zu", i);
	}
}

Test(webhook, signature_covers_timestamp_and_every_body_byte)
{
	const char *secret = "suqiu-test-secret-0123456789", *body = "{\"id\":1}";
	char a[WEBHOOK_SIGNATURE_LEN + 1], b[WEBHOOK_SIGNATURE_LEN + 1];
	webhook_sign(secret, "1767225600", body, strlen(body), a);
	webhook_sign(secret, "1767225601", body, strlen(body), b);
	cr_expect_str_neq(a, b, "the timestamp is not signed");
	webhook_sign(secret, "1767225600", body, strlen(body) - 1, b);
	cr_expect_str_neq(a, b, "the last byte is not signed");
	webhook_sign("suqiu-test-secret-0123456780", "1767225600", body, strlen(body), b);
	cr_expect_str_neq(a, b, "the key does not matter");
	/* "12" + "." + "3.4" and "12.3" + "." + "4" sign the same bytes: the
	 * timestamp is digits only, so a receiver never meets this */
	webhook_sign(secret, "12", "3.4", 3, a);
	webhook_sign(secret, "12.3", "4", 1, b);
	cr_expect_str_eq(a, b);
}

/* random = 2^31 is the middle of the jitter: the plain doubled wait */
#define MID 0x80000000u

static const struct {
	int attempts;
	long base_ms;
	uint32_t random;
	long want;
} backoffs[] = {
	{ 1, 1000, MID, 1000 },
	{ 2, 1000, MID, 2000 },
	{ 3, 1000, MID, 4000 },
	{ 8, 1000, MID, 128000 },
	{ 12, 1000, MID, 2048000 },
	{ 13, 1000, MID, 3600000 },   /* 4,096,000 capped at an hour */
	{ 100, 1000, MID, 3600000 },
	{ 1, 1000, 0, 750 },          /* jitter: -25% ... */
	{ 1, 1000, UINT32_MAX, 1249 },/* ... +25% (just under) */
	{ 13, 1000, 0, 2700000 },     /* the cap jitters down ... */
	{ 13, 1000, UINT32_MAX, 3600000 }, /* ... never up */
	{ 1, 1, 0, 1 },               /* never below 1 ms */
	{ 1, 0, MID, 1 },
	{ 0, 1000, MID, 1000 },       /* attempt 0 is treated as the first */
	{ 3, 3600000, MID, 3600000 },
};

Test(webhook, backoff_doubles_from_the_base_up_to_an_hour_with_jitter)
{
	for (size_t i = 0; i < N(backoffs); i++) {
		long got = webhook_backoff_ms(backoffs[i].attempts, backoffs[i].base_ms, backoffs[i].random);
		cr_expect_eq(got, backoffs[i].want, "attempts %d, base %ld, random %u: %ld, expected %ld",
			     backoffs[i].attempts, backoffs[i].base_ms, backoffs[i].random, got, backoffs[i].want);
	}
}

Test(webhook, backoff_jitter_stays_within_a_quarter)
{
	for (int a = 1; a <= 20; a++) {
		long plain = webhook_backoff_ms(a, 1000, MID);
		for (uint32_t r = 0; r < 0xF0000000u; r += 0x0F000000u) {
			long got = webhook_backoff_ms(a, 1000, r);
			cr_expect(got >= plain - plain / 4 && got <= plain + plain / 4 && got <= WEBHOOK_BACKOFF_CAP_MS,
				  "attempt %d random %u: %ld around %ld", a, r, got, plain);
		}
	}
}
