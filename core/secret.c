/* secret: passwords and tokens; see secret.h. */
#include "core/secret.h"

#include <string.h>
#include <sodium.h>

#include "core/utf8.h"

bool secret_init(void)
{
	return sodium_init() >= 0;
}

bool secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN])
{
	_Static_assert(SECRET_PWHASH_LEN == crypto_pwhash_STRBYTES, "pwhash length");
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

bool secret_password_verify(const char *password, const char *encoded)
{
	if (!encoded || strlen(encoded) >= SECRET_PWHASH_LEN)
		return false;
	return crypto_pwhash_str_verify(encoded, password, strlen(password)) == 0;
}

const char *secret_password_weakness(const char *password, const char *username)
{
	size_t len = strlen(password);
	if (!utf8_valid((const unsigned char *)password, len, NULL))
		return "密码包含非法字符";
	size_t chars = utf8_length(password, len);
	if (chars < 8)
		return "密码至少需要 8 个字符";
	if (chars > 128)
		return "密码不能超过 128 个字符";
	int classes = 0, lower = 0, upper = 0, digit = 0, other = 0;
	for (const char *p = password; *p; p++) {
		if (*p >= 'a' && *p <= 'z') lower = 1;
		else if (*p >= 'A' && *p <= 'Z') upper = 1;
		else if (*p >= '0' && *p <= '9') digit = 1;
		else other = 1;
	}
	classes = lower + upper + digit + other;
	if (classes < 3)
		return "密码需包含大写字母、小写字母、数字、符号中的至少三类";
	if (username && *username && strcasestr(password, username))
		return "密码不能包含用户名";
	return NULL;
}

void secret_token_new(char text[SECRET_TOKEN_TEXT_LEN + 1])
{
	unsigned char raw[SECRET_TOKEN_BYTES];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(text, SECRET_TOKEN_TEXT_LEN + 1, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void secret_hash_hex(const char *s, size_t len, char hex[SECRET_HASH_HEX_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)s, len);
	sodium_bin2hex(hex, SECRET_HASH_HEX_LEN + 1, digest, sizeof digest);
}

void secret_csrf_for(const char *session_token, char out[SECRET_TOKEN_TEXT_LEN + 1])
{
	/* key = SHA-256(session token), message = a fixed label */
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	static const char label[] = "suqiu-csrf-v1";
	crypto_hash_sha256(key, (const unsigned char *)session_token, strlen(session_token));
	crypto_auth_hmacsha256(mac, (const unsigned char *)label, sizeof label - 1, key);
	sodium_bin2base64(out, SECRET_TOKEN_TEXT_LEN + 1, mac, sizeof mac,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(key, sizeof key);
}

bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

bool secret_token_wellformed(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_';
		if (!ok || n >= SECRET_TOKEN_TEXT_LEN)
			return false;
	}
	return n == SECRET_TOKEN_TEXT_LEN;
}
