/*
 * Unit tests for core/secret: passwords, tokens, hashes and CSRF tokens.
 *
 * Password hashing costs ~0.1 s and 64 MiB per call, so only a handful of
 * tests hash; everything else is cheap and table-driven.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "core/utf8.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void setup(void)
{
	cr_assert(secret_init(), "secret_init failed");
}

TestSuite(secret, .init = setup);

static bool is_url_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

/* ---- passwords ---- */

Test(secret, init_is_idempotent)
{
	cr_assert(secret_init());
	cr_assert(secret_init());
}

Test(secret, password_hash_verifies_and_rejects_wrong_passwords)
{
	char h[SECRET_PWHASH_LEN];
	cr_assert(secret_password_hash("Demo@2026", h));
	cr_assert_lt(strlen(h), SECRET_PWHASH_LEN);
	cr_assert_eq(strncmp(h, "$argon2id$", 10), 0, "not argon2id: %s", h);
	cr_assert(secret_password_verify("Demo@2026", h));
	cr_assert_not(secret_password_verify("demo@2026", h), "case must matter");
	cr_assert_not(secret_password_verify("Demo@2026 ", h));
	cr_assert_not(secret_password_verify("Demo@202", h));
	cr_assert_not(secret_password_verify("", h));
}

Test(secret, password_hashes_are_salted)
{
	char a[SECRET_PWHASH_LEN], b[SECRET_PWHASH_LEN];
	cr_assert(secret_password_hash("密码Ab1!汉字", a));
	cr_assert(secret_password_hash("密码Ab1!汉字", b));
	cr_assert_str_neq(a, b, "two hashes of one password must differ");
	cr_assert(secret_password_verify("密码Ab1!汉字", a));
	cr_assert(secret_password_verify("密码Ab1!汉字", b));
}

Test(secret, password_verify_rejects_garbage_hashes)
{
	char long_hash[300];
	memset(long_hash, 'a', sizeof long_hash - 1);
	long_hash[sizeof long_hash - 1] = '\0';
	memcpy(long_hash, "$argon2id$", 10);
	static const char *const garbage[] = {
		"",
		"not a hash",
		"$argon2id$",
		"$argon2id$v=19$m=65536,t=2,p=1$garbage",
		"$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
		"$2b$10$abcdefghijklmnopqrstuuJ5c6bq3YjJ0hPfeUXnYf5qvO0lJp6iK", /* bcrypt */
		"5f4dcc3b5aa765d61d8327deb882cf99",                             /* md5 */
	};
	for (size_t i = 0; i < N(garbage); i++)
		cr_expect_not(secret_password_verify("password", garbage[i]), "accepted \"%s\"", garbage[i]);
	cr_expect_not(secret_password_verify("password", long_hash));
	cr_expect_not(secret_password_verify("password", NULL));
}

/* ---- password rules ---- */

#define TOO_SHORT "至少需要 8 个字符"
#define TOO_LONG "不能超过 128 个字符"
#define FEW_CLASSES "至少三类"
#define HAS_USERNAME "不能包含用户名"
#define BAD_UTF8 "非法字符"

static const struct {
	const char *password, *username;
	const char *why; /* substring of the answer; NULL = acceptable */
} weakness_cases[] = {
	{ "Demo@2026", "zhangsan", NULL },
	{ "Demo@2026", NULL, NULL },
	{ "Demo@2026", "", NULL },
	{ "Demo@2026", "demo2", NULL },
	/* length, in code points */
	{ "", "u", TOO_SHORT },
	{ "Ab1!", "u", TOO_SHORT },
	{ "Ab1!xyz", "u", TOO_SHORT },  /* 7 */
	{ "Ab1!xyzw", "u", NULL },      /* 8 */
	{ "密码Ab1!汉", "u", TOO_SHORT },   /* 7 code points, 13 bytes */
	{ "密码Ab1!汉字", "u", NULL },      /* 8 code points */
	/* character classes: lower, upper, digit, anything else */
	{ "abcdefgh", "u", FEW_CLASSES },
	{ "abcd1234", "u", FEW_CLASSES },
	{ "ABCD1234", "u", FEW_CLASSES },
	{ "abcdEFGH", "u", FEW_CLASSES },
	{ "abcd!@#$", "u", FEW_CLASSES },
	{ "12345678", "u", FEW_CLASSES },
	{ "密码密码密码密码", "u", FEW_CLASSES },
	{ "abcD1234", "u", NULL },
	{ "abcd12!@", "u", NULL },
	{ "ABCD12!@", "u", NULL },
	{ "abcdEF!@", "u", NULL },
	{ "密码密码Ab密码", "u", NULL }, /* chinese counts as "other" */
	{ "pass word1", "u", NULL },      /* a space is a symbol */
	/* the username, case-insensitively */
	{ "Zhangsan@2026", "zhangsan", HAS_USERNAME },
	{ "x@ZHANGSAN2026", "zhangsan", HAS_USERNAME },
	{ "Demo@2026", "DEMO", HAS_USERNAME },
	{ "Demo@2026", "mo@2", HAS_USERNAME },
	{ "Demo@2026", "Demo@2026", HAS_USERNAME },
	{ "张三Abc@2026", "张三", HAS_USERNAME },
	{ "Demo@2026", "demo@20266", NULL },
	/* not UTF-8 */
	{ "Abc@1234\xff", "u", BAD_UTF8 },
	{ "Abc@1234\xc0\xaf", "u", BAD_UTF8 },
	{ "\xed\xa0\x80" "Abc@1234", "u", BAD_UTF8 },
};

Test(secret, password_weakness_rules)
{
	for (size_t i = 0; i < N(weakness_cases); i++) {
		const char *got = secret_password_weakness(weakness_cases[i].password, weakness_cases[i].username);
		const char *want = weakness_cases[i].why;
		if (!want)
			cr_expect_null(got, "\"%s\" (user %s) refused: %s", weakness_cases[i].password,
				       weakness_cases[i].username, got);
		else
			cr_expect(got && strstr(got, want), "\"%s\" (user %s): %s, expected ...%s...",
				  weakness_cases[i].password, weakness_cases[i].username, got ? got : "accepted",
				  want);
	}
}

static char *repeat(const char *prefix, const char *unit, size_t times)
{
	size_t n = strlen(prefix) + strlen(unit) * times + 1;
	char *s = malloc(n);
	cr_assert_not_null(s);
	strcpy(s, prefix);
	for (size_t i = 0; i < times; i++)
		strcat(s, unit);
	return s;
}

Test(secret, password_of_128_code_points_is_acceptable)
{
	char *ascii = repeat("Aa1!", "x", 124);
	char *zh = repeat("Aa1", "中", 125); /* 378 bytes, 128 code points */
	cr_expect_null(secret_password_weakness(ascii, "u"));
	cr_expect_null(secret_password_weakness(zh, "u"), "counted bytes, not code points");
	free(ascii);
	free(zh);
}

Test(secret, password_of_129_code_points_is_too_long)
{
	char *ascii = repeat("Aa1!", "x", 125);
	char *zh = repeat("Aa1", "中", 126);
	const char *a = secret_password_weakness(ascii, "u");
	const char *z = secret_password_weakness(zh, "u");
	cr_expect(a && strstr(a, TOO_LONG), "ascii: %s", a ? a : "accepted");
	cr_expect(z && strstr(z, TOO_LONG), "chinese: %s", z ? z : "accepted");
	free(ascii);
	free(zh);
}

Test(secret, password_weakness_answers_are_valid_utf8_sentences)
{
	static const char *const probes[] = { "a", "abcdefgh", "Demo@2026", "\xff" };
	for (size_t i = 0; i < N(probes); i++) {
		const char *w = secret_password_weakness(probes[i], "demo");
		cr_assert_not_null(w, "%s", probes[i]);
		cr_expect(utf8_valid((const unsigned char *)w, strlen(w), NULL), "not UTF-8: %s", w);
		cr_expect_gt(strlen(w), 6);
		cr_expect(strstr(w, "密码") != NULL, "not a sentence about the password: %s", w);
	}
}

/* ---- tokens ---- */

Test(secret, token_new_gives_43_url_safe_characters_of_32_random_bytes)
{
	char t[SECRET_TOKEN_TEXT_LEN + 1];
	memset(t, '#', sizeof t);
	secret_token_new(t);
	cr_assert_eq(strlen(t), 43, "token \"%s\"", t);
	cr_assert(is_url_safe(t), "token \"%s\"", t);
	cr_assert(secret_token_wellformed(t));
	unsigned char raw[64];
	size_t raw_len = 0;
	cr_assert_eq(sodium_base642bin(raw, sizeof raw, t, strlen(t), NULL, &raw_len, NULL,
				       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	cr_assert_eq(raw_len, SECRET_TOKEN_BYTES);
}

Test(secret, token_new_differs_each_call)
{
	enum { COUNT = 64 };
	static char t[COUNT][SECRET_TOKEN_TEXT_LEN + 1];
	for (int i = 0; i < COUNT; i++) {
		secret_token_new(t[i]);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(t[i], t[j], "tokens %d and %d are equal", i, j);
	}
}

static const struct {
	const char *s;
	bool ok;
} wellformed_cases[] = {
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true },
	{ "abcdefghijklmnopqrstuvwxyz-_0123456789ABCDE", true },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false },   /* 42 */
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false }, /* 44 */
	{ "", false },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", false },  /* standard base64 */
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", false },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ", false },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.", false },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA中", false },    /* 40 + 3 bytes */
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false },
};

Test(secret, token_wellformed_accepts_only_43_base64url_characters)
{
	for (size_t i = 0; i < N(wellformed_cases); i++)
		cr_expect_eq(secret_token_wellformed(wellformed_cases[i].s), wellformed_cases[i].ok, "\"%s\"",
			     wellformed_cases[i].s);
}

/* ---- SHA-256 ---- */

static const struct {
	const char *s;
	size_t len;
	const char *hex;
} sha_cases[] = {
	{ "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* only len bytes are hashed: "abc" again, from a longer buffer */
	{ "abcdef", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
};

Test(secret, hash_hex_matches_known_sha256_vectors)
{
	for (size_t i = 0; i < N(sha_cases); i++) {
		char hex[SECRET_HASH_HEX_LEN + 1];
		memset(hex, '#', sizeof hex);
		secret_hash_hex(sha_cases[i].s, sha_cases[i].len, hex);
		cr_expect_str_eq(hex, sha_cases[i].hex, "sha256(\"%.*s\")", (int)sha_cases[i].len, sha_cases[i].s);
	}
}

Test(secret, hash_hex_hashes_embedded_nul_bytes)
{
	char a[SECRET_HASH_HEX_LEN + 1], b[SECRET_HASH_HEX_LEN + 1];
	secret_hash_hex("a\0b", 3, a);
	secret_hash_hex("a", 1, b);
	cr_assert_str_neq(a, b);
	cr_assert_eq(strlen(a), SECRET_HASH_HEX_LEN);
	for (const char *p = a; *p; p++)
		cr_expect((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'), "not lower-case hex: %s", a);
}

/* ---- CSRF ---- */

Test(secret, csrf_matches_pinned_vectors)
{
	/* HMAC-SHA256(key = SHA-256(token), "suqiu-csrf-v1"), base64url: computed
	 * independently (Python hmac). Changing the derivation logs out every
	 * open session's forms, so it must be deliberate. */
	char out[SECRET_TOKEN_TEXT_LEN + 1];
	secret_csrf_for("abc", out);
	cr_expect_str_eq(out, "Tvtgm9AvltSrguUum9BuzQwPeR-oBC5uZQssNQJirCo");
	secret_csrf_for("session-token-1", out);
	cr_expect_str_eq(out, "ErWfXWNmk7Tqy4VRsJZs2kOF0JXxiVFEwfT98iMknXs");
}

Test(secret, csrf_is_deterministic_per_token_and_differs_between_tokens)
{
	char t1[SECRET_TOKEN_TEXT_LEN + 1], t2[SECRET_TOKEN_TEXT_LEN + 1];
	char a[SECRET_TOKEN_TEXT_LEN + 1], b[SECRET_TOKEN_TEXT_LEN + 1], c[SECRET_TOKEN_TEXT_LEN + 1];
	secret_token_new(t1);
	secret_token_new(t2);
	secret_csrf_for(t1, a);
	secret_csrf_for(t1, b);
	secret_csrf_for(t2, c);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
	cr_assert_str_neq(a, t1, "the CSRF token must not be the session token");
	cr_assert(secret_token_wellformed(a), "csrf \"%s\"", a);
	cr_assert(secret_token_wellformed(c), "csrf \"%s\"", c);
}

/* ---- constant-time comparison ---- */

static const struct {
	const char *a, *b;
	bool equal;
} equal_cases[] = {
	{ "", "", true },
	{ "a", "a", true },
	{ "Tvtgm9AvltSrguUum9BuzQwPeR-oBC5uZQssNQJirCo", "Tvtgm9AvltSrguUum9BuzQwPeR-oBC5uZQssNQJirCo", true },
	{ "a", "b", false },
	{ "abc", "abd", false },
	{ "abc", "Abc", false },
	{ "abc", "ab", false },
	{ "ab", "abc", false },
	{ "", "a", false },
	{ "a", "", false },
};

Test(secret, equal_compares_whole_strings)
{
	for (size_t i = 0; i < N(equal_cases); i++)
		cr_expect_eq(secret_equal(equal_cases[i].a, equal_cases[i].b), equal_cases[i].equal,
			     "\"%s\" vs \"%s\"", equal_cases[i].a, equal_cases[i].b);
}
