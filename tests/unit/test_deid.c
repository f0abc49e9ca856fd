/*
 * Unit tests for core/deid: de-identification (脱敏) of phone numbers and
 * personal names for roles that need not see them (DESIGN.md §7).
 *
 * Besides the expected masks, every result must stay valid UTF-8 with as
 * many code points as its input: it goes into JSON, and the UI lays it out
 * in place of the real value.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/deid.h"
#include "core/utf8.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct mask_case {
	const char *in, *want;
};

static const struct mask_case phones[] = {
	/* mobile length and longer: first three and last four kept */
	{ "13812345678", "138****5678" },
	{ "15900001111", "159****1111" },
	{ "013812345678", "013*****5678" },
	{ "021-12345678", "021*****5678" },
	{ "0571-88889999", "057******9999" },
	{ "12345678901234567890", "123*************7890" },
	/* international forms: the prefix counts as the head, so less is shown */
	{ "+8613812345678", "+86*******5678" },
	{ "+86-13812345678", "+86********5678" },
	{ "+86-138-1234-5678", "+86**********5678" },
	{ "008613812345678", "008********5678" },
	/* shorter numbers: the last two kept */
	{ "1381234567", "********67" },
	{ "62345678", "******78" },
	{ "12345", "***45" },
	/* four characters or fewer: nothing kept */
	{ "1234", "****" },
	{ "123", "***" },
	{ "12", "**" },
	{ "1", "*" },
	{ "", "" },
	/* not what the database lets in ([0-9+-]{5,20}), but valid UTF-8: whole
	 * characters are masked, so the result stays valid UTF-8 */
	{ "１３８１２３４５６７８", "１３８****５６７８" },
	{ "021-12345678转808", "021*********转808" },
	{ "电话12345", "*****45" },
	{ "电话", "**" },
};

static const struct mask_case names[] = {
	{ "张三", "张*" },
	{ "李小龙", "李**" },
	{ "欧阳娜娜", "欧***" },
	{ "阿卜杜热合曼·买买提", "阿*********" },
	{ "王", "王" },
	{ "𠮷野家", "𠮷**" },     /* a four-byte first character */
	{ "John Smith", "J*********" },
	{ "Zoë", "Z**" },
	{ "A", "A" },
	{ "éa", "é*" },
	{ "", "" },
};

/* out is valid UTF-8 with as many code points as in. */
static void expect_same_shape(const char *in, const char *out)
{
	size_t in_len = strlen(in), out_len = strlen(out);
	cr_expect(utf8_valid((const unsigned char *)out, out_len, NULL), "\"%s\" -> \"%s\": not UTF-8", in, out);
	cr_expect_eq(utf8_length(out, out_len), utf8_length(in, in_len), "\"%s\" -> \"%s\": %zu code points, not %zu",
		     in, out, utf8_length(out, out_len), utf8_length(in, in_len));
}

static void expect_masks(char *(*mask)(const char *), const struct mask_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = mask(cases[i].in);
		cr_assert_not_null(got, "\"%s\"", cases[i].in);
		cr_expect_str_eq(got, cases[i].want, "\"%s\" -> \"%s\", expected \"%s\"", cases[i].in, got, cases[i].want);
		expect_same_shape(cases[i].in, got);
		cr_expect_neq(got, cases[i].in, "a new string, not the input");
		free(got);
	}
}

Test(deid, phone_numbers)
{
	expect_masks(deid_phone, phones, N(phones));
}

Test(deid, names)
{
	expect_masks(deid_name, names, N(names));
}

Test(deid, null_gives_null)
{
	cr_expect_null(deid_phone(NULL));
	cr_expect_null(deid_name(NULL));
}

Test(deid, mobile_numbers_never_show_the_middle)
{
	/* every 11-digit number of a range: the middle four are starred */
	char phone[32], want[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(phone, sizeof phone, "139%04d%04d", i, 9999 - i);
		snprintf(want, sizeof want, "139****%04d", 9999 - i);
		char *got = deid_phone(phone);
		if (strcmp(got, want) != 0)
			cr_expect_fail("%s -> %s, expected %s", phone, got, want);
		free(got);
	}
}

Test(deid, input_is_left_alone)
{
	char phone[] = "13812345678", name[] = "欧阳娜娜";
	free(deid_phone(phone));
	free(deid_name(name));
	cr_expect_str_eq(phone, "13812345678");
	cr_expect_str_eq(name, "欧阳娜娜");
}
