/* Unit tests for core/csv: RFC 4180 records for the 12345 import. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/csv.h"

static struct csv_table parse_ok(const char *text, size_t len)
{
	struct csv_table t;
	char err[160] = "";
	cr_assert(csv_parse(text, len, 100, 20, &t, err, sizeof err), "%s: %s", text, err);
	return t;
}

#define PARSE(text) parse_ok(text, sizeof(text) - 1)

Test(csv, fields_records_and_quotes)
{
	struct csv_table t = PARSE("a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n\"multi\nline\",,end");
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.records[0].n, 3);
	cr_assert_str_eq(t.records[1].fields[1], "x,y");
	cr_assert_str_eq(t.records[1].fields[2], "say \"hi\"");
	cr_assert_str_eq(t.records[2].fields[0], "multi\nline");
	cr_assert_str_eq(t.records[2].fields[1], "");
	cr_assert_eq(t.records[2].line, 3);
	csv_free(&t);
}

Test(csv, blank_lines_anywhere_are_skipped)
{
	/* a blank line in the middle once left a stale capacity behind: the next field crashed */
	struct csv_table t = PARSE("h1,h2\n\nr1,x\n\n\nr2,y\n\n");
	cr_assert_eq(t.n, 3);
	cr_assert_str_eq(t.records[1].fields[0], "r1");
	cr_assert_str_eq(t.records[2].fields[1], "y");
	csv_free(&t);
	t = PARSE("\n\n\nonly,one\r\n\r\n");
	cr_assert_eq(t.n, 1);
	csv_free(&t);
}

Test(csv, a_bom_and_a_missing_final_newline)
{
	struct csv_table t = PARSE("\xEF\xBB\xBFname,城市\n张三,上海");
	cr_assert_str_eq(t.records[0].fields[0], "name");
	cr_assert_str_eq(t.records[1].fields[1], "上海");
	csv_free(&t);
}

Test(csv, malformed_input_is_refused)
{
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
		{ "a,\"open\n", 8 },
		{ "a,\"x\"y\n", 7 },
		{ "a,b\"c\n", 6 },
		{ "a,b\0c\n", 6 },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21\n", 52 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct csv_table t;
		char err[160] = "";
		cr_expect_not(csv_parse(bad[i].text, bad[i].len, 100, 20, &t, err, sizeof err), "case %zu", i);
		cr_expect_neq(err[0], '\0', "case %zu says why", i);
		csv_free(&t);
	}
	struct csv_table t;
	char err[160];
	cr_assert_not(csv_parse("a\nb\nc\n", 6, 2, 20, &t, err, sizeof err), "more records than allowed");
	csv_free(&t);
}

/* ---- writing ---------------------------------------------------------- */

Test(csv_out, bom_quoting_and_crlf)
{
	struct csv_out o;
	csv_out_init(&o, true);
	csv_text(&o, "机构");
	csv_text(&o, "a,b");
	csv_text(&o, "say \"hi\"");
	csv_raw(&o, NULL);
	csv_end_record(&o);
	csv_text(&o, "two\nlines");
	csv_raw(&o, "0.75");
	csv_end_record(&o);
	cr_assert_str_eq(o.buf, "\xEF\xBB\xBF" "机构,\"a,b\",\"say \"\"hi\"\"\",\r\n\"two\nlines\",0.75\r\n");
	cr_assert_eq(o.len, strlen(o.buf));
	csv_out_finish(&o);
	csv_out_finish(&o); /* twice is harmless */
	csv_out_init(&o, false);
	csv_text(&o, "");
	csv_text(&o, "");
	csv_end_record(&o);
	cr_assert_str_eq(o.buf, ",\r\n");
	csv_out_finish(&o);
}

Test(csv_out, formulas_are_neutralised_in_text_cells_only)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "=1+2", "'=1+2" },
		{ "+86 138", "'+86 138" },
		{ "-5", "'-5" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "'\tx" },
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "=a,b", "\"'=a,b\"" },
		{ "a=b", "a=b" },
		{ "正常", "正常" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct csv_out o;
		csv_out_init(&o, false);
		csv_text(&o, cases[i].in);
		cr_assert_str_eq(o.buf, cases[i].out, "%s", cases[i].in);
		csv_out_finish(&o);
	}
	struct csv_out o;
	csv_out_init(&o, false);
	csv_raw(&o, "-0.5");
	cr_assert_str_eq(o.buf, "-0.5");
	csv_out_finish(&o);
	cr_assert(csv_formula_like("=x"));
	cr_assert_not(csv_formula_like("x="));
	cr_assert_not(csv_formula_like(NULL));
}

Test(csv_out, what_is_written_parses_back)
{
	struct csv_out o;
	csv_out_init(&o, true);
	csv_text(&o, "a,\"b\"\nc");
	csv_text(&o, "莘庄镇");
	csv_end_record(&o);
	struct csv_table t = parse_ok(o.buf, o.len);
	cr_assert_eq(t.n, 1);
	cr_assert_str_eq(t.records[0].fields[0], "a,\"b\"\nc");
	cr_assert_str_eq(t.records[0].fields[1], "莘庄镇");
	csv_free(&t);
	csv_out_finish(&o);
}
