/*
 * webhook: the pure parts of notification delivery (worker/delivery.c):
 * the signature every POST carries and the wait between failed attempts.
 *
 * A receiver verifies a POST by computing
 *   hex(HMAC-SHA256(secret, X-Suqiu-Timestamp + "." + raw body))
 * and comparing it, in constant time, with the X-Suqiu-Signature header
 * after its "sha256=" prefix; it also refuses timestamps far from its own
 * clock (the README says how far), so that a captured request cannot be
 * replayed later.
 */
#ifndef SUQIU_CORE_WEBHOOK_H
#define SUQIU_CORE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

/* "sha256=" and 64 hex digits */
#define WEBHOOK_SIGNATURE_LEN (7 + 64)

/* The longest wait between attempts, however many failed. */
#define WEBHOOK_BACKOFF_CAP_MS (3600L * 1000)

/* Writes the X-Suqiu-Signature value of body sent at timestamp (the
 * decimal Unix seconds of the X-Suqiu-Timestamp header) into out. */
void webhook_sign(const char *secret, const char *timestamp, const char *body, size_t body_len,
		  char out[WEBHOOK_SIGNATURE_LEN + 1]);

/* The wait after attempt number `attempts` (1 = the first) failed:
 * base_ms doubled for each attempt after the first, capped at
 * WEBHOOK_BACKOFF_CAP_MS, then spread by ±25% with `random` (any 32-bit
 * value; uniform values give uniform jitter) so that messages that failed
 * together are not retried together. Never more than the cap, at least 1. */
long webhook_backoff_ms(int attempts, long base_ms, uint32_t random);

#endif
