/*
 * Unit tests for core/creditcode: the unified social credit code
 * (统一社会信用代码, GB 32100-2015).
 *
 * Real codes from business licences pin the check character; the rest is
 * checked against an independent implementation written here from the
 * standard (weights 3^(i-1) mod 31, check = (31 - sum mod 31) mod 31), on
 * every single-character change of the real codes and on generated codes.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/creditcode.h"
#include "zh.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the reference implementation ---- */

/* 31 characters: the digits and the capitals without I, O, S, V, Z. */
static const char ref_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int ref_value(char c)
{
	for (int i = 0; i < 31; i++)
		if (ref_alphabet[i] == c)
			return i;
	return -1;
}

static char ref_check_char(const char *first17)
{
	int sum = 0, weight = 1;
	for (int i = 0; i < 17; i++) {
		sum += ref_value(first17[i]) * weight;
		weight = weight * 3 % 31;
	}
	return ref_alphabet[(31 - sum % 31) % 31];
}

/* ---- real codes ---- */

static const char *const real_codes[] = {
	"91350100M000100Y43", "9144030071526726XG", "914403001922038216", "91310112MA1D5HH9NP", "91310112526728231C",
};

static const char *verdict_name(enum creditcode_verdict v)
{
	switch (v) {
	case CREDITCODE_OK: return "OK";
	case CREDITCODE_LENGTH: return "LENGTH";
	case CREDITCODE_LOWERCASE: return "LOWERCASE";
	case CREDITCODE_ALPHABET: return "ALPHABET";
	case CREDITCODE_DIVISION: return "DIVISION";
	case CREDITCODE_CHECK: return "CHECK";
	}
	return "?";
}

/* Checks code; expects verdict want and, for the verdicts that report
 * one, the 1-based position want_pos. */
static void expect_verdict(const char *code, enum creditcode_verdict want, int want_pos)
{
	int pos = -7;
	enum creditcode_verdict got = creditcode_check(code, &pos);
	bool positional = want == CREDITCODE_LOWERCASE || want == CREDITCODE_ALPHABET || want == CREDITCODE_DIVISION;
	if (got != want || (positional && pos != want_pos))
		cr_expect_fail("\"%s\": %s at %d, expected %s at %d", code ? code : "(null)", verdict_name(got), pos,
			       verdict_name(want), want_pos);
	if (creditcode_check(code, NULL) != want)
		cr_expect_fail("\"%s\" without pos: not %s", code ? code : "(null)", verdict_name(want));
}

/* code with the character at 1-based position pos replaced by c. */
static void substitute(char out[CREDITCODE_LEN + 1], const char *code, int pos, char c)
{
	memcpy(out, code, CREDITCODE_LEN + 1);
	out[pos - 1] = c;
}

Test(creditcode, real_codes_are_valid)
{
	for (size_t i = 0; i < N(real_codes); i++) {
		int pos = -7;
		cr_expect_eq(creditcode_check(real_codes[i], &pos), CREDITCODE_OK, "%s", real_codes[i]);
		cr_expect_eq(pos, 0, "%s: pos %d", real_codes[i], pos);
		cr_expect_eq(creditcode_check(real_codes[i], NULL), CREDITCODE_OK, "%s", real_codes[i]);
		cr_expect_eq(creditcode_check_char(real_codes[i]), real_codes[i][17], "%s", real_codes[i]);
		cr_expect_eq(ref_check_char(real_codes[i]), real_codes[i][17], "reference on %s", real_codes[i]);
	}
}

Test(creditcode, every_other_check_character_fails)
{
	char code[CREDITCODE_LEN + 1];
	for (size_t i = 0; i < N(real_codes); i++) {
		for (const char *c = ref_alphabet; *c; c++) {
			substitute(code, real_codes[i], 18, *c);
			expect_verdict(code, *c == real_codes[i][17] ? CREDITCODE_OK : CREDITCODE_CHECK, 0);
		}
		/* outside the alphabet it is not a check failure but a bad character */
		static const char others[] = "IOSVZ-. *";
		for (const char *c = others; *c; c++) {
			substitute(code, real_codes[i], 18, *c);
			expect_verdict(code, CREDITCODE_ALPHABET, 18);
		}
	}
	/* a lower-case check letter */
	expect_verdict("9144030071526726Xg", CREDITCODE_LOWERCASE, 18);
	expect_verdict("91310112MA1D5HH9Np", CREDITCODE_LOWERCASE, 18);
}

Test(creditcode, wrong_length_or_null)
{
	static const char *const cases[] = {
		"", "9", "91350100M000100Y4", /* 17 */ "91350100M000100Y430", /* 19 */
		"91350100M000100Y4391350100M000100Y43", " 91350100M000100Y43", "91350100M000100Y43\n",
	};
	for (size_t i = 0; i < N(cases); i++)
		expect_verdict(cases[i], CREDITCODE_LENGTH, 0);
	expect_verdict(NULL, CREDITCODE_LENGTH, 0);
	int pos = -7;
	cr_expect_eq(creditcode_check(NULL, &pos), CREDITCODE_LENGTH);
	cr_expect_eq(pos, 0);
}

Test(creditcode, lower_case_letters_at_every_position)
{
	char code[CREDITCODE_LEN + 1];
	for (size_t i = 0; i < N(real_codes); i++) {
		for (int p = 1; p <= CREDITCODE_LEN; p++) {
			/* the code's own letter in lower case, or an 'a' in place of a digit */
			char c = real_codes[i][p - 1];
			char lower = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : 'a';
			substitute(code, real_codes[i], p, lower);
			expect_verdict(code, CREDITCODE_LOWERCASE, p);
			/* lower case of a letter the alphabet leaves out is a bad character */
			for (const char *x = "iosvz"; *x; x++) {
				substitute(code, real_codes[i], p, *x);
				expect_verdict(code, CREDITCODE_ALPHABET, p);
			}
		}
	}
}

Test(creditcode, characters_outside_the_alphabet_at_every_position)
{
	static const char bad[] = "IOSVZ-. *_/#+:\t\x7f\x80\xe4\xff";
	char code[CREDITCODE_LEN + 1];
	for (size_t i = 0; i < N(real_codes); i++)
		for (int p = 1; p <= CREDITCODE_LEN; p++)
			for (const char *c = bad; *c; c++) {
				substitute(code, real_codes[i], p, *c);
				expect_verdict(code, CREDITCODE_ALPHABET, p);
			}
}

Test(creditcode, letters_only_outside_the_division_code)
{
	/* each letter at each of the first 17 positions: at 3-8 it breaks the
	 * division code; elsewhere, with its check character, it is fine */
	char code[CREDITCODE_LEN + 1];
	for (size_t i = 0; i < N(real_codes); i++) {
		for (int p = 1; p <= 17; p++) {
			bool division = p >= 3 && p <= 8;
			for (const char *c = ref_alphabet + 10; *c; c++) {
				substitute(code, real_codes[i], p, *c);
				code[17] = ref_check_char(code);
				expect_verdict(code, division ? CREDITCODE_DIVISION : CREDITCODE_OK, division ? p : 0);
			}
		}
	}
}

/* Particular cases, spelt out. */
static const struct {
	const char *code;
	enum creditcode_verdict want;
	int pos;
} spelt_out[] = {
	/* one character replaced by 中 (three bytes): twenty bytes */
	{ "913501中0M000100Y43", CREDITCODE_LENGTH, 0 },
	/* three characters replaced: eighteen bytes, the first of 中 is bad */
	{ "913501中000100Y43", CREDITCODE_ALPHABET, 7 },
	{ "91350100M000100中", CREDITCODE_ALPHABET, 16 },
	/* full-width Ａ (U+FF21) and Ｙ likewise */
	{ "9135Ａ0M000100Y43", CREDITCODE_ALPHABET, 5 },
	{ "91350100M000100ＹＹ", CREDITCODE_LENGTH, 0 },
	/* the first bad digit of the division code is reported */
	{ "91A5B100M000100Y43", CREDITCODE_DIVISION, 3 },
	{ "913501X0M000100YX3", CREDITCODE_DIVISION, 7 },
	/* a bad character anywhere is reported before the division code */
	{ "91A50100M00010OY43", CREDITCODE_ALPHABET, 15 },
	{ "91A50100M00010aY43", CREDITCODE_LOWERCASE, 15 },
	/* and the leftmost of several */
	{ "9a350100M0001I0Y43", CREDITCODE_LOWERCASE, 2 },
	{ "9I350100M0001a0Y43", CREDITCODE_ALPHABET, 2 },
};

Test(creditcode, spelt_out_cases)
{
	for (size_t i = 0; i < N(spelt_out); i++)
		expect_verdict(spelt_out[i].code, spelt_out[i].want, spelt_out[i].pos);
}

Test(creditcode, check_value_31_is_written_0)
{
	/* weighted sum 0: 31 - 0 = 31, written '0' */
	cr_expect_eq(creditcode_check_char("00000000000000000"), '0');
	expect_verdict("000000000000000000", CREDITCODE_OK, 0);
	/* vary the 17th character of a real code until the sum is ≡ 0 mod 31 */
	char code[CREDITCODE_LEN + 1];
	int found = 0;
	for (const char *c = ref_alphabet; *c; c++) {
		substitute(code, real_codes[3], 17, *c);
		int sum = 0, weight = 1;
		for (int i = 0; i < 17; i++, weight = weight * 3 % 31)
			sum += ref_value(code[i]) * weight;
		if (sum % 31 != 0)
			continue;
		found++;
		cr_expect_eq(creditcode_check_char(code), '0', "%.17s", code);
		code[17] = '0';
		expect_verdict(code, CREDITCODE_OK, 0);
	}
	cr_expect_eq(found, 1, "the 17th weight (28) is invertible mod 31: exactly one character fits");
}

Test(creditcode, every_check_character_occurs)
{
	/* the 17th character runs through all 31 values, so does the check */
	bool seen[31] = { false };
	char code[CREDITCODE_LEN + 1];
	for (const char *c = ref_alphabet; *c; c++) {
		substitute(code, real_codes[0], 17, *c);
		char check = creditcode_check_char(code);
		cr_expect_eq(check, ref_check_char(code), "%.17s", code);
		int v = ref_value(check);
		cr_assert_geq(v, 0, "%.17s: check character %#x outside the alphabet", code, (unsigned char)check);
		cr_expect(!seen[v], "%.17s: check %c twice", code, check);
		seen[v] = true;
	}
}

/* A small deterministic generator (64-bit LCG, Knuth's MMIX constants). */
static uint64_t lcg_state = 20260101;

static unsigned lcg_below(unsigned n)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((lcg_state >> 33) % n);
}

/* A random valid code: any alphabet character, digits at 3-8. */
static void random_code(char out[CREDITCODE_LEN + 1])
{
	for (int i = 0; i < 17; i++)
		out[i] = i >= 2 && i < 8 ? (char)('0' + lcg_below(10)) : ref_alphabet[lcg_below(31)];
	out[17] = ref_check_char(out);
	out[18] = '\0';
}

Test(creditcode, generated_codes_agree_with_the_reference)
{
	char code[CREDITCODE_LEN + 1], changed[CREDITCODE_LEN + 1];
	for (int n = 0; n < 1000; n++) {
		random_code(code);
		cr_expect_eq(creditcode_check_char(code), code[17], "%s", code);
		expect_verdict(code, CREDITCODE_OK, 0);
		/* any single change of the first 17 characters is caught: every
		 * weight is invertible mod 31 */
		int p = 1 + (int)lcg_below(17);
		bool division = p >= 3 && p <= 8;
		char c;
		do
			c = division ? (char)('0' + lcg_below(10)) : ref_alphabet[lcg_below(31)];
		while (c == code[p - 1]);
		substitute(changed, code, p, c);
		expect_verdict(changed, CREDITCODE_CHECK, 0);
	}
}

Test(creditcode, check_char_of_bad_input_is_0)
{
	static const char *const cases[] = {
		"", "9", "9131011", "9131011252672823", /* 16 */ "I1310112526728231", "9131011252672823O",
		"9131011252672823s", "91310112a26728231", "913101125267-8231", "91310112 26728231", "91310112中6728231",
	};
	for (size_t i = 0; i < N(cases); i++)
		cr_expect_eq(creditcode_check_char(cases[i]), 0, "\"%s\"", cases[i]);
	/* only the first 17 characters count */
	cr_expect_eq(creditcode_check_char("91310112526728231C"), 'C');
	cr_expect_eq(creditcode_check_char("91310112526728231Cxyz"), 'C');
}

Test(creditcode, messages_are_distinct_chinese)
{
	static const enum creditcode_verdict verdicts[] = {
		CREDITCODE_OK, CREDITCODE_LENGTH, CREDITCODE_LOWERCASE, CREDITCODE_ALPHABET, CREDITCODE_DIVISION,
		CREDITCODE_CHECK,
	};
	for (size_t i = 0; i < N(verdicts); i++) {
		const char *m = creditcode_message(verdicts[i]);
		cr_expect(zh_has_han(m), "%s: \"%s\"", verdict_name(verdicts[i]), m);
		for (size_t j = 0; j < i; j++)
			cr_expect_str_neq(m, creditcode_message(verdicts[j]));
	}
	cr_expect(zh_has_han(creditcode_message((enum creditcode_verdict)99)));
}
