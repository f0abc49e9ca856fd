/*
 * Unit tests for core/problem: the catalogue of API error codes and the
 * RFC 9457 problem+json bodies built from it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/problem.h"
#include "core/utf8.h"

static size_t catalogue_size(void)
{
	size_t n = 0;
	while (problem_catalogue[n].code)
		n++;
	return n;
}

Test(problem, catalogue_is_terminated_and_not_empty)
{
	size_t n = catalogue_size();
	cr_assert_gt(n, 0);
	cr_assert_eq(problem_catalogue[n].status, 0);
	cr_assert_null(problem_catalogue[n].title);
}

Test(problem, codes_are_unique_snake_case)
{
	for (size_t i = 0; problem_catalogue[i].code; i++) {
		const char *c = problem_catalogue[i].code;
		cr_expect_gt(strlen(c), 0, "entry %zu has an empty code", i);
		cr_expect(c[0] >= 'a' && c[0] <= 'z', "%s must start with a letter", c);
		for (const char *p = c; *p; p++)
			cr_expect((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_',
				  "%s: bad character '%c'", c, *p);
		for (size_t j = 0; j < i; j++)
			cr_expect_str_neq(c, problem_catalogue[j].code, "%s appears twice", c);
	}
}

Test(problem, statuses_are_client_or_server_errors)
{
	for (size_t i = 0; problem_catalogue[i].code; i++) {
		int s = problem_catalogue[i].status;
		cr_expect(s >= 400 && s <= 599, "%s: status %d", problem_catalogue[i].code, s);
	}
}

Test(problem, titles_are_non_empty_valid_utf8)
{
	for (size_t i = 0; problem_catalogue[i].code; i++) {
		const char *t = problem_catalogue[i].title;
		cr_expect_not_null(t, "%s has no title", problem_catalogue[i].code);
		if (!t)
			continue;
		cr_expect_gt(strlen(t), 0, "%s has an empty title", problem_catalogue[i].code);
		cr_expect(utf8_valid((const unsigned char *)t, strlen(t), NULL), "%s: title not UTF-8",
			  problem_catalogue[i].code);
	}
}

Test(problem, lookup_finds_every_entry)
{
	for (size_t i = 0; problem_catalogue[i].code; i++)
		cr_expect_eq(problem_lookup(problem_catalogue[i].code), &problem_catalogue[i], "%s",
			     problem_catalogue[i].code);
}

Test(problem, known_codes_have_their_statuses)
{
	static const struct {
		const char *code;
		int status;
	} cases[] = {
		{ "invalid_json", 400 },  { "invalid_utf8", 400 },     { "unknown_field", 400 },
		{ "unauthenticated", 401 }, { "csrf_failed", 403 },    { "forbidden", 403 },
		{ "out_of_scope", 403 },  { "not_found", 404 },        { "version_conflict", 409 },
		{ "payload_too_large", 413 }, { "too_many_attempts", 429 }, { "internal", 500 },
		{ "overloaded", 503 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct problem_kind *k = problem_lookup(cases[i].code);
		cr_expect_str_eq(k->code, cases[i].code);
		cr_expect_eq(k->status, cases[i].status, "%s: %d", cases[i].code, k->status);
	}
}

Test(problem, unknown_code_is_internal_500)
{
	static const char *const unknown[] = { "no_such_code", "", "Invalid_json", "invalid_json ", "internal_" };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		const struct problem_kind *k = problem_lookup(unknown[i]);
		cr_assert_not_null(k);
		cr_expect_str_eq(k->code, "internal", "\"%s\"", unknown[i]);
		cr_expect_eq(k->status, 500);
	}
	const struct problem_kind *k = problem_lookup(NULL);
	cr_assert_not_null(k);
	cr_expect_str_eq(k->code, "internal");
}

Test(problem, body_has_type_title_status_code_and_detail)
{
	json_t *b = problem_body("version_conflict", "the ticket changed since version 3");
	cr_assert_not_null(b);
	const struct problem_kind *k = problem_lookup("version_conflict");
	cr_expect_str_eq(json_string_value(json_object_get(b, "type")),
			 "https://suqiu.invalid/problems/version_conflict");
	cr_expect_str_eq(json_string_value(json_object_get(b, "title")), k->title);
	cr_expect(json_is_integer(json_object_get(b, "status")));
	cr_expect_eq(json_integer_value(json_object_get(b, "status")), 409);
	cr_expect_str_eq(json_string_value(json_object_get(b, "code")), "version_conflict");
	cr_expect_str_eq(json_string_value(json_object_get(b, "detail")), "the ticket changed since version 3");
	cr_expect_eq(json_object_size(b), 5);
	json_decref(b);
}

Test(problem, body_without_detail_has_no_detail_member)
{
	json_t *b = problem_body("not_found", NULL);
	cr_assert_not_null(b);
	cr_expect_null(json_object_get(b, "detail"));
	cr_expect_eq(json_object_size(b), 4);
	cr_expect_str_eq(json_string_value(json_object_get(b, "code")), "not_found");
	cr_expect_eq(json_integer_value(json_object_get(b, "status")), 404);
	json_decref(b);
}

Test(problem, body_keeps_chinese_and_empty_details)
{
	json_t *b = problem_body("invalid_value", "字段 \"title\" 过长");
	cr_expect_str_eq(json_string_value(json_object_get(b, "detail")), "字段 \"title\" 过长");
	json_decref(b);
	b = problem_body("invalid_value", "");
	cr_expect_str_eq(json_string_value(json_object_get(b, "detail")), "");
	json_decref(b);
}

Test(problem, body_for_unknown_code_is_internal)
{
	json_t *b = problem_body("made_up", "x");
	cr_expect_str_eq(json_string_value(json_object_get(b, "code")), "internal");
	cr_expect_eq(json_integer_value(json_object_get(b, "status")), 500);
	cr_expect_str_eq(json_string_value(json_object_get(b, "type")), "https://suqiu.invalid/problems/internal");
	json_decref(b);
}

Test(problem, every_entry_builds_a_consistent_body)
{
	for (size_t i = 0; problem_catalogue[i].code; i++) {
		const struct problem_kind *k = &problem_catalogue[i];
		json_t *b = problem_body(k->code, NULL);
		cr_expect_str_eq(json_string_value(json_object_get(b, "code")), k->code);
		cr_expect_str_eq(json_string_value(json_object_get(b, "title")), k->title);
		cr_expect_eq(json_integer_value(json_object_get(b, "status")), k->status);
		char *text = json_dumps(b, JSON_COMPACT);
		cr_expect_not_null(text, "%s does not serialise", k->code);
		free(text);
		json_decref(b);
	}
}
