/*
 * Unit tests for core/jsonin: untrusted request bodies become checked JSON
 * objects or a problem code with a detail naming what was wrong.
 *
 * Tables of cases are looped with cr_expect so one run reports every
 * failing case, each labelled with what it tried.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonin.h"
#include "core/problem.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a literal body (length from sizeof, so it may hold NUL bytes). */
#define PARSE(lit, err) jsonin_parse((lit), sizeof(lit) - 1, (err))

static bool contains(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

/* ---- jsonin_parse ---- */

Test(jsonin, parses_an_object)
{
	struct jsonin_error err = { 0 };
	json_t *o = PARSE("{\"title\":\"中文标题\",\"n\":1,\"nested\":{\"a\":[1,2]}}", &err);
	cr_assert_not_null(o, "rejected: %s %s", err.code, err.detail);
	cr_assert(json_is_object(o));
	cr_assert_eq(json_object_size(o), 3);
	cr_assert_str_eq(json_string_value(json_object_get(o, "title")), "中文标题");
	json_decref(o);
}

Test(jsonin, parses_an_empty_object_with_whitespace)
{
	struct jsonin_error err = { 0 };
	json_t *o = PARSE(" \n\t{ }\r\n ", &err);
	cr_assert_not_null(o, "rejected: %s %s", err.code, err.detail);
	cr_assert_eq(json_object_size(o), 0);
	json_decref(o);
}

Test(jsonin, empty_body_is_invalid_json)
{
	struct jsonin_error err = { 0 };
	cr_assert_null(jsonin_parse("", 0, &err));
	cr_assert_str_eq(err.code, "invalid_json");
	cr_assert(contains(err.detail, "empty"), "detail: %s", err.detail);
}

Test(jsonin, empty_body_may_be_a_null_buffer)
{
	struct jsonin_error err = { 0 };
	cr_assert_null(jsonin_parse(NULL, 0, &err));
	cr_assert_str_eq(err.code, "invalid_json");
}

Test(jsonin, whitespace_only_body_is_invalid_json)
{
	struct jsonin_error err = { 0 };
	cr_assert_null(PARSE("  \n ", &err));
	cr_assert_str_eq(err.code, "invalid_json");
}

Test(jsonin, invalid_utf8_names_the_byte_offset)
{
	struct jsonin_error err = { 0 };
	/* {"a":" is 6 bytes, so the stray 0xFF is at offset 6 */
	cr_assert_null(PARSE("{\"a\":\"\xff\"}", &err));
	cr_assert_str_eq(err.code, "invalid_utf8");
	cr_assert(contains(err.detail, "byte 6"), "detail: %s", err.detail);
}

Test(jsonin, invalid_utf8_wins_over_malformed_json)
{
	struct jsonin_error err = { 0 };
	cr_assert_null(PARSE("{\"a\":\xed\xa0\x80", &err)); /* a surrogate, and unterminated */
	cr_assert_str_eq(err.code, "invalid_utf8");
	cr_assert(contains(err.detail, "byte 5"), "detail: %s", err.detail);
}

Test(jsonin, overlong_slash_is_invalid_utf8)
{
	struct jsonin_error err = { 0 };
	cr_assert_null(PARSE("{\"path\":\"..\xc0\xaf..\"}", &err));
	cr_assert_str_eq(err.code, "invalid_utf8");
}

static const struct {
	const char *what;
	const char *body;
	size_t len;
} malformed[] = {
#define M(what, lit) { what, lit, sizeof(lit) - 1 }
	M("unterminated object", "{"),
	M("missing value", "{\"a\":}"),
	M("trailing comma", "{\"a\":1,}"),
	M("single quotes", "{'a':1}"),
	M("unquoted key", "{a:1}"),
	M("trailing garbage", "{\"a\":1} x"),
	M("two objects", "{\"a\":1}{\"b\":2}"),
	M("leading zero", "{\"a\":01}"),
	M("NaN", "{\"a\":NaN}"),
	M("comment", "{\"a\":1 /* no */}"),
	M("escaped NUL", "{\"a\":\"x\\u0000y\"}"),
	M("lone surrogate escape", "{\"a\":\"\\ud800\"}"),
	M("raw NUL after object", "{\"a\":1}\0"),
	M("raw control char in string", "{\"a\":\"x\ny\"}"),
	M("bare word", "nul"),
	M("duplicate key", "{\"a\":1,\"a\":2}"),
	M("duplicate key with other value type", "{\"a\":1,\"b\":0,\"a\":\"x\"}"),
	M("duplicate key in nested object", "{\"o\":{\"k\":1,\"k\":1}}"),
#undef M
};

Test(jsonin, malformed_bodies_are_invalid_json)
{
	for (size_t i = 0; i < N(malformed); i++) {
		struct jsonin_error err = { 0 };
		json_t *o = jsonin_parse(malformed[i].body, malformed[i].len, &err);
		cr_expect_null(o, "accepted: %s", malformed[i].what);
		if (o) {
			json_decref(o);
			continue;
		}
		cr_expect_str_eq(err.code, "invalid_json", "%s: code %s", malformed[i].what, err.code);
		cr_expect(contains(err.detail, "line"), "%s: detail %s", malformed[i].what, err.detail);
	}
}

Test(jsonin, duplicate_key_detail_names_the_key)
{
	struct jsonin_error err = { 0 };
	cr_assert_null(PARSE("{\"title\":\"a\",\"title\":\"b\"}", &err));
	cr_assert_str_eq(err.code, "invalid_json");
	cr_assert(contains(err.detail, "title"), "detail: %s", err.detail);
}

static const char *const non_objects[] = {
	"[]", "[1,2]", "[{\"a\":1}]", "\"text\"", "\"中文\"", "42", "-1", "3.5", "true", "false", "null",
};

Test(jsonin, non_object_top_level_is_invalid_type)
{
	for (size_t i = 0; i < N(non_objects); i++) {
		struct jsonin_error err = { 0 };
		json_t *o = jsonin_parse(non_objects[i], strlen(non_objects[i]), &err);
		cr_expect_null(o, "accepted: %s", non_objects[i]);
		if (o) {
			json_decref(o);
			continue;
		}
		cr_expect_str_eq(err.code, "invalid_type", "%s: code %s (%s)", non_objects[i], err.code,
				 err.detail);
		cr_expect(contains(err.detail, "JSON object"), "%s: detail %s", non_objects[i], err.detail);
	}
}

Test(jsonin, every_code_it_answers_is_in_the_problem_catalogue)
{
	static const char *const codes[] = {
		"invalid_json", "invalid_utf8", "invalid_type", "unknown_field", "missing_field", "invalid_value",
	};
	for (size_t i = 0; i < N(codes); i++) {
		const struct problem_kind *k = problem_lookup(codes[i]);
		cr_expect_str_eq(k->code, codes[i]);
		cr_expect_eq(k->status, 400, "%s: status %d", codes[i], k->status);
	}
}

/* ---- jsonin_check ---- */

static const struct jsonin_field fields[] = {
	{ "title", JT_STRING, true, 1, 10 },
	{ "note", JT_STRING, false, 0, 0 },
	{ "nick", JT_STRING, false, 2, 4 },
	{ "code", JT_STRING, true, 3, 0 },
	{ "count", JT_INTEGER, false, 0, 0 },
	{ "urgent", JT_BOOLEAN, false, 0, 0 },
	{ "extra", JT_OBJECT, false, 0, 0 },
	{ "tags", JT_ARRAY, false, 0, 0 },
	{ "org_id", JT_ID, false, 0, 0 },
	JSONIN_END,
};

struct check_case {
	const char *what;
	const char *json;
	const char *code;   /* NULL = accepted */
	const char *detail; /* substring of the detail, or NULL */
	const char *detail2;
};

/* A valid base: the two required fields. */
#define BASE "\"title\":\"t\",\"code\":\"abc\""

static const struct check_case check_cases[] = {
	{ "required fields only", "{" BASE "}", NULL, NULL, NULL },
	{ "every field valid",
	  "{" BASE ",\"note\":\"\",\"nick\":\"ab\",\"count\":-5,\"urgent\":false,\"extra\":{\"k\":1},"
	  "\"tags\":[\"a\",1],\"org_id\":9007199254740993}",
	  NULL, NULL, NULL },
	{ "integer zero", "{" BASE ",\"count\":0}", NULL, NULL, NULL },
	{ "empty object and array", "{" BASE ",\"extra\":{},\"tags\":[]}", NULL, NULL, NULL },
	{ "id one", "{" BASE ",\"org_id\":1}", NULL, NULL, NULL },
	/* unknown fields */
	{ "unknown field", "{" BASE ",\"bogus\":1}", "unknown_field", "\"bogus\"", NULL },
	{ "unknown null field", "{" BASE ",\"bogus\":null}", "unknown_field", "bogus", NULL },
	{ "unknown field differing in case", "{" BASE ",\"Title\":\"x\"}", "unknown_field", "Title", NULL },
	{ "unknown chinese field", "{" BASE ",\"标题\":\"x\"}", "unknown_field", "标题", NULL },
	{ "unknown field before missing field", "{\"bogus\":1}", "unknown_field", "bogus", NULL },
	/* missing required fields; null counts as absent */
	{ "empty object", "{}", "missing_field", "\"title\"", NULL },
	{ "title missing", "{\"code\":\"abc\"}", "missing_field", "title", NULL },
	{ "code missing", "{\"title\":\"t\"}", "missing_field", "code", NULL },
	{ "required null", "{\"title\":null,\"code\":\"abc\"}", "missing_field", "title", NULL },
	{ "optional nulls", "{" BASE ",\"note\":null,\"count\":null,\"urgent\":null,\"extra\":null,"
	  "\"tags\":null,\"org_id\":null,\"nick\":null}", NULL, NULL, NULL },
	/* wrong types, for every type */
	{ "string given a number", "{\"title\":1,\"code\":\"abc\"}", "invalid_type", "title", "a string" },
	{ "string given a boolean", "{\"title\":true,\"code\":\"abc\"}", "invalid_type", "title", "a string" },
	{ "string given an array", "{\"title\":[\"t\"],\"code\":\"abc\"}", "invalid_type", "title", "a string" },
	{ "string given an object", "{\"title\":{},\"code\":\"abc\"}", "invalid_type", "title", "a string" },
	{ "integer given a string", "{" BASE ",\"count\":\"1\"}", "invalid_type", "count", "an integer" },
	{ "integer given a fraction", "{" BASE ",\"count\":1.5}", "invalid_type", "count", "an integer" },
	{ "integer given 1.0", "{" BASE ",\"count\":1.0}", "invalid_type", "count", "an integer" },
	{ "integer given an exponent", "{" BASE ",\"count\":1e3}", "invalid_type", "count", "an integer" },
	{ "integer given a boolean", "{" BASE ",\"count\":true}", "invalid_type", "count", "an integer" },
	{ "boolean given a number", "{" BASE ",\"urgent\":1}", "invalid_type", "urgent", "a boolean" },
	{ "boolean given a string", "{" BASE ",\"urgent\":\"true\"}", "invalid_type", "urgent", "a boolean" },
	{ "object given an array", "{" BASE ",\"extra\":[]}", "invalid_type", "extra", "an object" },
	{ "object given a string", "{" BASE ",\"extra\":\"{}\"}", "invalid_type", "extra", "an object" },
	{ "array given an object", "{" BASE ",\"tags\":{}}", "invalid_type", "tags", "an array" },
	{ "array given a string", "{" BASE ",\"tags\":\"a,b\"}", "invalid_type", "tags", "an array" },
	{ "id zero", "{" BASE ",\"org_id\":0}", "invalid_type", "org_id", "a positive integer id" },
	{ "id negative", "{" BASE ",\"org_id\":-1}", "invalid_type", "org_id", "a positive integer id" },
	{ "id float", "{" BASE ",\"org_id\":1.5}", "invalid_type", "org_id", "a positive integer id" },
	{ "id float with zero fraction", "{" BASE ",\"org_id\":7.0}", "invalid_type", "org_id", NULL },
	{ "id string", "{" BASE ",\"org_id\":\"7\"}", "invalid_type", "org_id", "a positive integer id" },
	{ "id boolean", "{" BASE ",\"org_id\":true}", "invalid_type", "org_id", NULL },
	/* string lengths: min_len after trimming, max_len in code points */
	{ "required string of spaces", "{\"title\":\"   \",\"code\":\"abc\"}", "missing_field", "title",
	  "at least 1" },
	{ "required string of whitespace", "{\"title\":\" \\t\\r\\n \",\"code\":\"abc\"}", "missing_field",
	  "title", NULL },
	{ "required empty string", "{\"title\":\"\",\"code\":\"abc\"}", "missing_field", "title", NULL },
	{ "required string short after trimming", "{\"title\":\"t\",\"code\":\"  ab  \"}", "invalid_value",
	  "code", "at least 3" },
	{ "inner spaces count", "{\"title\":\"t\",\"code\":\"a b\"}", NULL, NULL, NULL },
	{ "min_len in code points, short", "{\"title\":\"t\",\"code\":\"中文\"}", "invalid_value", "code",
	  "at least 3" },
	{ "min_len in code points, enough", "{\"title\":\"t\",\"code\":\"中文字\"}", NULL, NULL, NULL },
	{ "optional string short", "{" BASE ",\"nick\":\" a \"}", "invalid_value", "nick", "at least 2" },
	{ "optional string of spaces", "{" BASE ",\"nick\":\"   \"}", "invalid_value", "nick", NULL },
	{ "optional empty string without min", "{" BASE ",\"note\":\"\"}", NULL, NULL, NULL },
	{ "max_len exactly, chinese", "{\"title\":\"一二三四五六七八九十\",\"code\":\"abc\"}", NULL, NULL, NULL },
	{ "max_len exceeded, chinese", "{\"title\":\"一二三四五六七八九十一\",\"code\":\"abc\"}",
	  "invalid_value", "title", "at most 10" },
	{ "max_len exactly, emoji", "{\"title\":\"😀😀😀😀😀😀😀😀😀😀\",\"code\":\"abc\"}", NULL, NULL, NULL },
	{ "max_len exceeded, ascii", "{\"title\":\"abcdefghijk\",\"code\":\"abc\"}", "invalid_value",
	  "title", "at most 10" },
	{ "max_len counts escaped characters once", "{\"title\":\"\\u4e2d\\u6587\",\"code\":\"abc\"}", NULL,
	  NULL, NULL },
	{ "max_len counts surrounding spaces", "{\"title\":\"  abcdefghi\",\"code\":\"abc\"}",
	  "invalid_value", "title", "at most 10" },
	{ "max_len of optional field", "{" BASE ",\"nick\":\"中文中文中\"}", "invalid_value", "nick",
	  "at most 4" },
	{ "no max_len", "{" BASE ",\"note\":\"" "0123456789012345678901234567890123456789" "\"}", NULL, NULL,
	  NULL },
};

Test(jsonin, check_accepts_and_rejects_per_table)
{
	for (size_t i = 0; i < N(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		json_error_t jerr;
		json_t *o = json_loads(c->json, JSON_REJECT_DUPLICATES, &jerr);
		cr_assert_not_null(o, "%s: fixture does not parse: %s", c->what, jerr.text);
		struct jsonin_error err = { 0 };
		bool ok = jsonin_check(o, fields, &err);
		if (!c->code) {
			cr_expect(ok, "%s: rejected with %s: %s", c->what, err.code, err.detail);
		} else {
			cr_expect_not(ok, "%s: accepted", c->what);
			if (!ok) {
				cr_expect_str_eq(err.code, c->code, "%s: code %s, expected %s (%s)", c->what,
						 err.code, c->code, err.detail);
				if (c->detail)
					cr_expect(contains(err.detail, c->detail), "%s: detail \"%s\" lacks \"%s\"",
						  c->what, err.detail, c->detail);
				if (c->detail2)
					cr_expect(contains(err.detail, c->detail2), "%s: detail \"%s\" lacks \"%s\"",
						  c->what, err.detail, c->detail2);
			}
		}
		json_decref(o);
	}
}

Test(jsonin, check_rejects_nul_inside_a_string)
{
	/* the parser refuses \u0000, but objects built elsewhere may carry it */
	json_t *o = json_object();
	json_object_set_new(o, "title", json_stringn("a\0b", 3));
	json_object_set_new(o, "code", json_string("abc"));
	struct jsonin_error err = { 0 };
	cr_assert_not(jsonin_check(o, fields, &err));
	cr_assert_str_eq(err.code, "invalid_value");
	cr_assert(contains(err.detail, "title") && contains(err.detail, "NUL"), "detail: %s", err.detail);
	json_decref(o);
}

Test(jsonin, check_with_empty_table_accepts_only_the_empty_object)
{
	static const struct jsonin_field none[] = { JSONIN_END };
	struct jsonin_error err = { 0 };
	json_t *empty = json_object();
	cr_assert(jsonin_check(empty, none, &err));
	json_t *one = json_pack("{s:i}", "a", 1);
	cr_assert_not(jsonin_check(one, none, &err));
	cr_assert_str_eq(err.code, "unknown_field");
	json_decref(empty);
	json_decref(one);
}

Test(jsonin, unknown_field_detail_is_bounded)
{
	/* a huge key must not overflow the detail buffer */
	char key[1000];
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	json_t *o = json_object();
	json_object_set_new(o, key, json_true());
	struct jsonin_error err = { 0 };
	cr_assert_not(jsonin_check(o, fields, &err));
	cr_assert_str_eq(err.code, "unknown_field");
	cr_assert_lt(strlen(err.detail), sizeof err.detail);
	cr_assert(contains(err.detail, "kkkk"), "detail: %s", err.detail);
	json_decref(o);
}

/* ---- jsonin_parse_checked ---- */

Test(jsonin, parse_checked_returns_the_checked_object)
{
	static const char body[] = "{\"title\":\"标题\",\"code\":\"abc\",\"count\":3}";
	struct jsonin_error err = { 0 };
	json_t *o = jsonin_parse_checked(body, sizeof body - 1, fields, &err);
	cr_assert_not_null(o, "rejected: %s %s", err.code, err.detail);
	cr_assert_eq(jsonin_int(o, "count", 0), 3);
	json_decref(o);
}

Test(jsonin, parse_checked_reports_parse_errors)
{
	static const char body[] = "[1]";
	struct jsonin_error err = { 0 };
	cr_assert_null(jsonin_parse_checked(body, sizeof body - 1, fields, &err));
	cr_assert_str_eq(err.code, "invalid_type");
}

Test(jsonin, parse_checked_reports_check_errors)
{
	static const char body[] = "{\"title\":\"t\"}";
	struct jsonin_error err = { 0 };
	cr_assert_null(jsonin_parse_checked(body, sizeof body - 1, fields, &err));
	cr_assert_str_eq(err.code, "missing_field");
	cr_assert(contains(err.detail, "code"), "detail: %s", err.detail);
}

/* ---- accessors ---- */

Test(jsonin, accessors_read_present_values)
{
	json_t *o = json_pack("{s:s, s:I, s:b, s:b}", "s", "中文", "i", (json_int_t)-9007199254740993LL,
			      "t", 1, "f", 0);
	cr_assert_str_eq(jsonin_str(o, "s", "fb"), "中文");
	cr_assert_eq(jsonin_int(o, "i", 0), -9007199254740993LL);
	cr_assert(jsonin_bool(o, "t", false));
	cr_assert_not(jsonin_bool(o, "f", true), "false must not fall back to true");
	json_decref(o);
}

Test(jsonin, accessors_fall_back_when_absent_null_or_mistyped)
{
	json_t *o = json_pack("{s:n, s:i, s:s, s:b}", "null", "int", 5, "str", "x", "bool", 1);
	const char *fb = "fallback";
	cr_assert_eq(jsonin_str(o, "missing", fb), fb);
	cr_assert_eq(jsonin_str(o, "null", fb), fb);
	cr_assert_eq(jsonin_str(o, "int", fb), fb);
	cr_assert_null(jsonin_str(o, "missing", NULL));
	cr_assert_eq(jsonin_int(o, "missing", 77), 77);
	cr_assert_eq(jsonin_int(o, "null", 77), 77);
	cr_assert_eq(jsonin_int(o, "str", 77), 77);
	cr_assert_eq(jsonin_int(o, "bool", 77), 77);
	cr_assert(jsonin_bool(o, "missing", true));
	cr_assert_not(jsonin_bool(o, "missing", false));
	cr_assert(jsonin_bool(o, "null", true));
	cr_assert(jsonin_bool(o, "int", true), "an integer is not a boolean");
	cr_assert_not(jsonin_bool(o, "int", false));
	json_decref(o);
}

Test(jsonin, int_accessor_ignores_reals)
{
	json_t *o = json_pack("{s:f}", "r", 2.5);
	cr_assert_eq(jsonin_int(o, "r", -1), -1);
	json_decref(o);
}

/* ---- jsonin_id_text ---- */

static const struct {
	const char *text;
	bool ok;
	long long value;
} id_cases[] = {
	{ "1", true, 1 },
	{ "42", true, 42 },
	{ "007", true, 7 }, /* digits only: leading zeros are digits */
	{ "123456789012345678", true, 123456789012345678LL },
	{ "999999999999999999", true, 999999999999999999LL }, /* 18 digits */
	{ "1000000000000000000", false, 0 },                  /* 19 digits */
	{ "9223372036854775807", false, 0 },                  /* LLONG_MAX, 19 digits */
	{ "99999999999999999999", false, 0 },
	{ "", false, 0 },
	{ "0", false, 0 },
	{ "000", false, 0 },
	{ "-1", false, 0 },
	{ "+1", false, 0 },
	{ " 1", false, 0 },
	{ "1 ", false, 0 },
	{ "1a", false, 0 },
	{ "a1", false, 0 },
	{ "abc", false, 0 },
	{ "0x10", false, 0 },
	{ "1.0", false, 0 },
	{ "1e3", false, 0 },
	{ "１", false, 0 }, /* fullwidth digit one */
	{ "12/3", false, 0 },
};

Test(jsonin, id_text_accepts_only_short_positive_decimals)
{
	for (size_t i = 0; i < N(id_cases); i++) {
		long long v = -12345;
		bool ok = jsonin_id_text(id_cases[i].text, &v);
		cr_expect_eq(ok, id_cases[i].ok, "\"%s\": ok = %d", id_cases[i].text, ok);
		if (id_cases[i].ok)
			cr_expect_eq(v, id_cases[i].value, "\"%s\": %lld", id_cases[i].text, v);
		else
			cr_expect_eq(v, -12345, "\"%s\": output written on failure (%lld)", id_cases[i].text, v);
	}
}

Test(jsonin, id_text_rejects_null)
{
	long long v = -1;
	cr_assert_not(jsonin_id_text(NULL, &v));
	cr_assert_eq(v, -1);
}

Test(jsonin, optional_null_fields_are_removed_and_required_ones_refused)
{
	static const struct jsonin_field f[] = {
		{ "name", JT_STRING, true, 1, 10 },
		{ "tags", JT_ARRAY, false, 0, 0 },
		{ "note", JT_STRING, false, 1, 10 },
		JSONIN_END,
	};
	struct jsonin_error err;
	json_t *o = json_loads("{\"name\":\"a\",\"tags\":null,\"note\":null}", 0, NULL);
	cr_assert(jsonin_check(o, f, &err), "%s", err.detail);
	cr_assert_null(json_object_get(o, "tags"), "null means absent");
	cr_assert_null(json_object_get(o, "note"));
	cr_assert_str_eq(jsonin_str(o, "name", ""), "a");
	json_decref(o);
	o = json_loads("{\"name\":null}", 0, NULL);
	cr_assert_not(jsonin_check(o, f, &err));
	cr_assert_str_eq(err.code, "missing_field");
	json_decref(o);
}
