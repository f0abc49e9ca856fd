/*
 * Unit tests for core/utf8: strict RFC 3629 validation and code point
 * counting.
 *
 * The table tests pin the named edge cases (overlong forms, surrogates,
 * code points above U+10FFFF, truncation, stray continuation bytes) and the
 * offset reported for each. The exhaustive tests then compare utf8_valid
 * with an independent, deliberately naive decoder on every 1-, 2- and
 * 3-byte input and on a large slice of the 4-byte space.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A byte string with explicit length, so cases may contain NUL bytes. */
#define B(lit) lit, sizeof(lit) - 1

struct valid_case {
	const char *what;
	const char *bytes;
	size_t len;
};

static const struct valid_case valid_cases[] = {
	{ "empty", B("") },
	{ "ascii", B("hello, world") },
	{ "nul byte is ascii", B("a\0b") },
	{ "delete 0x7f", B("\x7f") },
	{ "two-byte e-acute", B("\xc3\xa9") },
	{ "two-byte minimum U+0080", B("\xc2\x80") },
	{ "two-byte maximum U+07FF", B("\xdf\xbf") },
	{ "three-byte chinese", B("\xe4\xb8\xad\xe6\x96\x87") }, /* 中文 */
	{ "three-byte minimum U+0800", B("\xe0\xa0\x80") },
	{ "last before surrogates U+D7FF", B("\xed\x9f\xbf") },
	{ "first after surrogates U+E000", B("\xee\x80\x80") },
	{ "three-byte maximum U+FFFF", B("\xef\xbf\xbf") },
	{ "bom U+FEFF", B("\xef\xbb\xbf") },
	{ "four-byte emoji", B("\xf0\x9f\x98\x80") }, /* 😀 */
	{ "four-byte minimum U+10000", B("\xf0\x90\x80\x80") },
	{ "plane 4 lead f1", B("\xf1\x80\x80\x80") },
	{ "plane 15 lead f3", B("\xf3\xbf\xbf\xbf") },
	{ "maximum U+10FFFF", B("\xf4\x8f\xbf\xbf") },
	{ "mixed widths", B("a\xe4\xb8\xad\xf0\x9f\x98\x80\xc3\xa9z") },
	{ "chinese sentence", B("企业诉求闭环办理系统") },
};

Test(utf8, accepts_well_formed)
{
	for (size_t i = 0; i < N(valid_cases); i++) {
		const struct valid_case *c = &valid_cases[i];
		const unsigned char *b = (const unsigned char *)c->bytes;
		size_t bad = 12345;
		cr_expect(utf8_valid(b, c->len, &bad), "rejected: %s", c->what);
		cr_expect(utf8_valid(b, c->len, NULL), "rejected without offset: %s", c->what);
	}
}

struct invalid_case {
	const char *what;
	const char *bytes;
	size_t len;
	size_t bad_offset;
};

static const struct invalid_case invalid_cases[] = {
	/* overlong encodings */
	{ "overlong two-byte slash c0 af", B("\xc0\xaf"), 0 },
	{ "overlong two-byte nul c0 80", B("\xc0\x80"), 0 },
	{ "overlong two-byte c1 bf", B("\xc1\xbf"), 0 },
	{ "overlong after ascii", B("ab\xc0\x80"), 2 },
	{ "overlong three-byte slash e0 80 af", B("\xe0\x80\xaf"), 0 },
	{ "overlong three-byte U+07FF e0 9f bf", B("\xe0\x9f\xbf"), 0 },
	{ "overlong four-byte slash f0 80 80 af", B("\xf0\x80\x80\xaf"), 0 },
	{ "overlong four-byte U+FFFF f0 8f bf bf", B("\xf0\x8f\xbf\xbf"), 0 },
	/* UTF-16 surrogates */
	{ "surrogate U+D800", B("\xed\xa0\x80"), 0 },
	{ "surrogate U+DBFF", B("\xed\xaf\xbf"), 0 },
	{ "surrogate U+DC00", B("\xed\xb0\x80"), 0 },
	{ "surrogate U+DFFF", B("\xed\xbf\xbf"), 0 },
	{ "surrogate pair as cesu-8", B("\xed\xa0\xbd\xed\xb8\x80"), 0 },
	{ "surrogate after chinese", B("\xe4\xb8\xad\xed\xa0\x80"), 3 },
	/* above U+10FFFF */
	{ "U+110000 f4 90", B("\xf4\x90\x80\x80"), 0 },
	{ "f4 bf", B("\xf4\xbf\xbf\xbf"), 0 },
	{ "lead f5", B("\xf5\x80\x80\x80"), 0 },
	{ "lead f7", B("\xf7\xbf\xbf\xbf"), 0 },
	{ "five-byte lead f8", B("\xf8\x88\x80\x80\x80"), 0 },
	{ "six-byte lead fc", B("\xfc\x84\x80\x80\x80\x80"), 0 },
	{ "byte fe", B("\xfe"), 0 },
	{ "byte ff", B("\xff"), 0 },
	{ "ff after chinese", B("\xe4\xb8\xad\xe6\x96\x87\xff"), 6 },
	/* truncated at the end */
	{ "lone two-byte lead at end", B("abc\xc3"), 3 },
	{ "three-byte with one continuation at end", B("\xe4\xb8"), 0 },
	{ "three-byte lead alone", B("\xe4"), 0 },
	{ "four-byte with two continuations at end", B("x\xf0\x9f\x98"), 1 },
	{ "four-byte with one continuation at end", B("\xf0\x9f"), 0 },
	{ "four-byte lead alone at end", B("ab\xf0"), 2 },
	/* truncated in the middle */
	{ "two-byte lead then ascii", B("\xc3\x41"), 0 },
	{ "three-byte cut by ascii", B("\xe4\xb8\x41"), 0 },
	{ "four-byte cut in third byte", B("\xf0\x9f\x41\x80"), 0 },
	{ "four-byte cut in fourth byte", B("\xf0\x9f\x98\x41"), 0 },
	{ "two-byte lead then lead", B("\xc3\xc3\xa9"), 0 },
	{ "second byte above bf", B("\xc3\xc0"), 0 },
	/* continuation bytes without a lead */
	{ "lone continuation 80", B("\x80"), 0 },
	{ "lone continuation bf between ascii", B("a\xbf" "b"), 1 },
	{ "extra continuation after chinese", B("\xe4\xb8\xad\x80"), 3 },
	{ "extra continuation after emoji", B("\xf0\x9f\x98\x80\x80"), 4 },
};

Test(utf8, rejects_ill_formed_at_offset)
{
	for (size_t i = 0; i < N(invalid_cases); i++) {
		const struct invalid_case *c = &invalid_cases[i];
		const unsigned char *b = (const unsigned char *)c->bytes;
		size_t bad = 12345;
		cr_expect_not(utf8_valid(b, c->len, &bad), "accepted: %s", c->what);
		cr_expect_eq(bad, c->bad_offset, "%s: bad offset %zu, expected %zu", c->what, bad,
			     c->bad_offset);
		cr_expect_not(utf8_valid(b, c->len, NULL), "accepted without offset: %s", c->what);
	}
}

Test(utf8, rejects_overlong_two_byte_slash)
{
	const unsigned char s[] = { '/', 0xC0, 0xAF, '/' };
	size_t bad = 0;
	cr_assert_not(utf8_valid(s, sizeof s, &bad));
	cr_assert_eq(bad, 1);
}

Test(utf8, length_limits_the_scan)
{
	/* the bad byte lies beyond len, so it is not looked at */
	const unsigned char s[] = { 'o', 'k', 0xFF };
	cr_assert(utf8_valid(s, 2, NULL));
	cr_assert(utf8_valid(s, 0, NULL));
	/* a sequence cut by len is truncated even if the buffer continues */
	const unsigned char zh[] = { 0xE4, 0xB8, 0xAD };
	size_t bad = 99;
	cr_assert_not(utf8_valid(zh, 2, &bad));
	cr_assert_eq(bad, 0);
}

Test(utf8, empty_buffer_may_be_null)
{
	cr_assert(utf8_valid(NULL, 0, NULL));
}

/*
 * Reference decoder for the exhaustive tests: decodes by bit pattern
 * without any range shortcuts, then applies RFC 3629's rules to the
 * decoded value (shortest form, no surrogates, at most U+10FFFF).
 */
static bool ref_valid(const unsigned char *s, size_t len, size_t *bad)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t extra;
		uint32_t cp, min;
		if ((c & 0x80) == 0) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			extra = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			extra = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			extra = 3, cp = c & 0x07, min = 0x10000;
		} else {
			goto fail;
		}
		if (i + extra >= len)
			goto fail;
		for (size_t k = 1; k <= extra; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			goto fail;
		i += extra + 1;
	}
	return true;
fail:
	*bad = i;
	return false;
}

static void compare_with_reference(const unsigned char *s, size_t len)
{
	size_t bad = 0, ref_bad = 0;
	bool got = utf8_valid(s, len, &bad);
	bool want = ref_valid(s, len, &ref_bad);
	if (got != want || (!got && bad != ref_bad))
		cr_assert_fail("bytes %02x %02x %02x %02x (len %zu): valid %d offset %zu, expected %d offset %zu",
			s[0], len > 1 ? s[1] : 0, len > 2 ? s[2] : 0, len > 3 ? s[3] : 0, len, got, bad,
			want, ref_bad);
}

Test(utf8, agrees_with_reference_on_every_short_input)
{
	unsigned char s[3];
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		compare_with_reference(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			compare_with_reference(s, 2);
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				compare_with_reference(s, 3);
			}
		}
	}
}

Test(utf8, agrees_with_reference_on_four_byte_inputs)
{
	/* every lead and second byte; the tail bytes at the edges of the
	 * continuation range, where off-by-one mistakes live */
	static const unsigned char tails[] = { 0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xF0, 0xFF };
	unsigned char s[4];
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++)
			for (size_t c = 0; c < sizeof tails; c++)
				for (size_t d = 0; d < sizeof tails; d++) {
					s[0] = (unsigned char)a, s[1] = (unsigned char)b;
					s[2] = tails[c], s[3] = tails[d];
					compare_with_reference(s, 4);
				}
}

Test(utf8, accepts_every_scalar_value_and_counts_it_once)
{
	/* encode every Unicode scalar value and check it is accepted as one
	 * code point, and every surrogate encoded the same way is refused */
	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		unsigned char s[4];
		size_t n;
		if (cp < 0x80) {
			s[0] = (unsigned char)cp, n = 1;
		} else if (cp < 0x800) {
			s[0] = (unsigned char)(0xC0 | (cp >> 6));
			s[1] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 2;
		} else if (cp < 0x10000) {
			s[0] = (unsigned char)(0xE0 | (cp >> 12));
			s[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			s[2] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 3;
		} else {
			s[0] = (unsigned char)(0xF0 | (cp >> 18));
			s[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
			s[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			s[3] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 4;
		}
		bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
		bool got = utf8_valid(s, n, NULL);
		if (got == surrogate)
			cr_assert_fail("U+%04X: valid = %d", (unsigned)cp, got);
		if (!surrogate && utf8_length((const char *)s, n) != 1)
			cr_assert_fail("U+%04X counted as %zu code points", (unsigned)cp,
				utf8_length((const char *)s, n));
	}
}

struct length_case {
	const char *s;
	size_t len;
	size_t code_points;
};

static const struct length_case length_cases[] = {
	{ "", 0, 0 },
	{ "abc", 3, 3 },
	{ "a\0b", 3, 3 },
	{ "\xc3\xa9", 2, 1 },
	{ "中文", 6, 2 },
	{ "中文", 3, 1 },   /* len bounds the count */
	{ "😀", 4, 1 },
	{ "a中😀é", 10, 4 },
	{ "企业诉求闭环办理系统", 30, 10 },
	{ "  空格  ", 10, 6 },
};

Test(utf8, length_counts_code_points)
{
	for (size_t i = 0; i < N(length_cases); i++) {
		const struct length_case *c = &length_cases[i];
		size_t got = utf8_length(c->s, c->len);
		cr_expect_eq(got, c->code_points, "\"%.*s\" (%zu bytes): %zu, expected %zu",
			     (int)c->len, c->s, c->len, got, c->code_points);
	}
}
