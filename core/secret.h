/*
 * secret: passwords, session/API tokens and CSRF tokens.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str). Tokens
 * are 32 random bytes handed to the client as base64url text; the database
 * keeps only their SHA-256, so a stolen table cannot be replayed. The CSRF
 * token of a session is an HMAC of its session token, so it needs no
 * storage and cannot be derived without the HttpOnly cookie.
 *
 * Call secret_init() once before anything else here (it is idempotent).
 */
#ifndef SUQIU_CORE_SECRET_H
#define SUQIU_CORE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/xalloc.h"

#define SECRET_TOKEN_BYTES 32
/* base64url without padding of 32 bytes is 43 characters */
#define SECRET_TOKEN_TEXT_LEN 43
/* lower-case hex of a SHA-256 digest */
#define SECRET_HASH_HEX_LEN 64
/* argon2id encoded hash incl. NUL (crypto_pwhash_STRBYTES) */
#define SECRET_PWHASH_LEN 128

bool secret_init(void) MUSTCHECK;

/* Hashes password into out (SECRET_PWHASH_LEN bytes). Costs ~0.1 s of CPU
 * and 64 MiB of memory: never call it on the event loop thread. */
bool secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN]) MUSTCHECK;

/* True when password matches the encoded hash. Same cost as hashing. */
bool secret_password_verify(const char *password, const char *encoded);

/* Why a new password is refused, or NULL when it is acceptable. The answer
 * is a zh-CN sentence for the user. */
const char *secret_password_weakness(const char *password, const char *username);

/* Fills text with a new random token (SECRET_TOKEN_TEXT_LEN chars + NUL),
 * prefixed by nothing; prefix tokens yourself if you want them recognisable. */
void secret_token_new(char text[SECRET_TOKEN_TEXT_LEN + 1]);

/* SHA-256 of s in lower-case hex (SECRET_HASH_HEX_LEN chars + NUL). */
void secret_hash_hex(const char *s, size_t len, char hex[SECRET_HASH_HEX_LEN + 1]);

/* CSRF token belonging to a session token (base64url, 43 chars + NUL). */
void secret_csrf_for(const char *session_token, char out[SECRET_TOKEN_TEXT_LEN + 1]);

/* Constant-time comparison of two NUL-terminated strings. */
bool secret_equal(const char *a, const char *b);

/* True when s looks like a token we issued: 43 base64url characters. */
bool secret_token_wellformed(const char *s);

#endif
