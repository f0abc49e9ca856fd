/* webhook: signatures and backoff of notification delivery; see webhook.h. */
#include "core/webhook.h"

#include <sodium.h>
#include <string.h>

void webhook_sign(const char *secret, const char *timestamp, const char *body, size_t body_len,
		  char out[WEBHOOK_SIGNATURE_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, WEBHOOK_SIGNATURE_LEN + 1 - 7, mac, sizeof mac);
	sodium_memzero(&st, sizeof st); /* the state holds the padded key */
}

long webhook_backoff_ms(int attempts, long base_ms, uint32_t random)
{
	if (base_ms < 1)
		base_ms = 1;
	long wait = base_ms;
	for (int i = 1; i < attempts && wait < WEBHOOK_BACKOFF_CAP_MS; i++)
		wait *= 2;
	if (wait > WEBHOOK_BACKOFF_CAP_MS)
		wait = WEBHOOK_BACKOFF_CAP_MS;
	/* 0.75 .. 1.25 times the wait: random / 2^32 of half the wait, plus three quarters */
	long spread = (long)(((uint64_t)(wait / 2) * random) >> 32);
	long jittered = wait - wait / 4 + spread;
	if (jittered > WEBHOOK_BACKOFF_CAP_MS)
		jittered = WEBHOOK_BACKOFF_CAP_MS;
	return jittered < 1 ? 1 : jittered;
}
