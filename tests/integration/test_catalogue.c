/*
 * Integration: the records tickets refer to: enterprises (credit codes,
 * de-identified contacts, ticket history), categories and the knowledge
 * base, with their permissions and bad input.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tickets_util.h"

WORLD_SUITE(catalogue, 120);

static const char *code_of(json_t *j)
{
	return json_string_value(json_object_get(j, "code"));
}

/* A valid credit code for Minhang unique to this run (check character computed here). */
static void fresh_credit_code(char out[19])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
	unsigned long seed = strtoul(unique_suffix(), NULL, 10) * 2654435761u + (unsigned long)rand();
	snprintf(out, 19, "91310112");
	for (int i = 8; i < 17; i++) {
		out[i] = alphabet[seed % 31];
		seed = seed / 31 + (unsigned long)i * 7919u;
	}
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (int)(strchr(alphabet, out[i]) - alphabet) * weights[i];
	out[17] = alphabet[(31 - sum % 31) % 31];
	out[18] = '\0';
}

Test(catalogue, an_enterprise_is_registered_only_with_a_valid_credit_code)
{
	char code[19], body[512];
	fresh_credit_code(code);
	long long town = org_named("七宝镇");
	static const struct {
		const char *code;
		const char *detail_has;
	} bad[] = {
		{ "91310112MA1D5HH9N", "18位" },
		{ "91310112MA1D5HH9NPX", "18位" },
		{ "91310112ma1D5HH9NP", "大写" },
		{ "91310112MA1D5HH9NI", "字符" },
		{ "9131O112MA1D5HH9NP", "字符" },
		{ "913101A2MA1D5HH9NP", "行政区划" },
		{ "91310112MA1D5HH9NQ", "校验位" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(body, sizeof body, "{\"credit_code\":\"%s\",\"name\":\"测试企业\",\"town_id\":%lld}", bad[i].code, town);
		json_t *j = NULL;
		cr_expect_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/enterprises", body, &j), 400, "%s",
			     bad[i].code);
		cr_expect_str_eq(code_of(j), "invalid_credit_code", "%s", bad[i].code);
		cr_expect_not_null(strstr(json_string_value(json_object_get(j, "detail")), bad[i].detail_has),
				   "%s: %s", bad[i].code, json_string_value(json_object_get(j, "detail")));
		json_decref(j);
	}
	snprintf(body, sizeof body, "{\"credit_code\":\"%s\",\"name\":\"上海测试科技有限公司\",\"town_id\":%lld,"
		 "\"industry\":\"软件\",\"size\":\"small\",\"contacts\":[{\"name\":\"赵敏\",\"phone\":\"13911112222\","
		 "\"is_primary\":true}]}", code, town);
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/enterprises", body, &j), 201);
	long long id = (long long)json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/enterprises", body, &j), 409, "registered twice");
	json_decref(j);
	/* the wrong people, the wrong town, the wrong shapes */
	cr_assert_eq(api_call(w.port, &w.s[SHICHANG], "POST", "/api/v1/enterprises", body, NULL), 403);
	snprintf(body, sizeof body, "{\"credit_code\":\"%s\",\"name\":\"x\",\"town_id\":%lld}", code,
		 org_named("区市场监管局"));
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/enterprises", body, NULL), 422);
	snprintf(body, sizeof body, "{\"credit_code\":\"%s\",\"name\":\"x\",\"town_id\":%lld,\"size\":\"huge\"}", code,
		 town);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/enterprises", body, NULL), 400);
	snprintf(body, sizeof body, "{\"credit_code\":\"%s\",\"name\":\"x\",\"town_id\":%lld,\"contacts\":[{\"name\":\"a\"}]}",
		 code, town);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/enterprises", body, NULL), 400);

	/* reading: contacts masked for a town viewer of another town? not even visible */
	char path[64];
	snprintf(path, sizeof path, "/api/v1/enterprises/%lld", id);
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", path, NULL, &j), 200);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "contacts"), 0), "phone")),
			 "13911112222");
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[XINZHUANG], "GET", path, NULL, NULL), 404, "a 莘庄 viewer and a 七宝 enterprise");
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", path, NULL, NULL), 404);
}

Test(catalogue, an_enterprise_record_shows_its_history_within_the_readers_scope)
{
	long long id = ticket_new(&w, QIYE1, "企业档案历史测试");
	char path[64];
	snprintf(path, sizeof path, "/api/v1/enterprises/%lld", enterprise_of(QIYE1));
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[XINZHUANG], "GET", path, NULL, &j), 200);
	json_t *contact = json_array_get(json_object_get(j, "contacts"), 0);
	cr_assert_not_null(strstr(json_string_value(json_object_get(contact, "phone")), "****"), "masked for a viewer");
	bool found = false;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(j, "tickets"), i, t)
		found |= json_integer_value(json_object_get(t, "id")) == id;
	cr_assert(found, "the new ticket is in the enterprise's history");
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", path, NULL, &j), 200, "an enterprise reads its own record");
	json_decref(j);
	/* a bureau never involved sees the record but none of its tickets */
	cr_assert_eq(api_call(w.port, &w.s[GUIHUA], "GET", path, NULL, &j), 200);
	found = false;
	json_array_foreach(json_object_get(j, "tickets"), i, t)
		found |= json_integer_value(json_object_get(t, "id")) == id;
	cr_assert_not(found);
	json_decref(j);
}

Test(catalogue, categories_are_managed_by_admins_only)
{
	char body[256];
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", "/api/v1/categories", NULL, &j), 200);
	cr_assert_gt(json_array_size(json_object_get(j, "items")), 12);
	json_decref(j);
	snprintf(body, sizeof body, "{\"code\":\"T%.8s\",\"name\":\"测试分类%s\",\"parent_id\":null,\"lead_org_ids\":[%lld]}",
		 unique_suffix(), unique_suffix(), org_named("区人社局"));
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/categories", body, NULL), 403);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/categories", body, &j), 201);
	long long id = (long long)json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/categories", body, NULL), 409);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/categories",
			      "{\"code\":\"bad code\",\"name\":\"x\"}", NULL), 400);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/categories",
			      "{\"code\":\"OK1\",\"name\":\"x\",\"default_urgency\":\"asap\"}", NULL), 400);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/categories/%lld", id);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "PATCH", path, "{\"lead_org_ids\":null,\"disabled\":true}", &j), 200);
	cr_assert_eq(json_array_size(json_object_get(j, "lead_org_ids")), 1, "null leaves the list alone");
	cr_assert(json_is_true(json_object_get(j, "disabled")));
	json_decref(j);
	/* a disabled category takes no new tickets */
	snprintf(body, sizeof body, "{\"category_id\":%lld,\"title\":\"停用分类\",\"description\":\"d\"}", id);
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "POST", "/api/v1/tickets", body, &j), 422);
	cr_assert_str_eq(code_of(j), "unknown_category");
	json_decref(j);
}

Test(catalogue, the_knowledge_base_is_searched_by_chinese_substrings)
{
	char body[512];
	snprintf(body, sizeof body, "{\"question\":\"如何申请稳岗补贴%s?\",\"answer\":\"通过一网通办提交申请。\","
		 "\"tags\":null,\"category_id\":null}", unique_suffix());
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/kb", body, &j), 201, "nulls are absent fields");
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[SHICHANG], "POST", "/api/v1/kb", body, NULL), 403);
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/kb",
			      "{\"question\":\"q\",\"answer\":\"a\",\"tags\":[\"一\",2]}", NULL), 400);
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", "/api/v1/kb?q=%E7%A8%B3%E5%B2%97%E8%A1%A5%E8%B4%B4", NULL, &j),
		     200); /* 稳岗补贴 */
	cr_assert_gt(json_array_size(json_object_get(j, "items")), 0);
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(j, "items"), i, a)
		cr_assert(strstr(json_string_value(json_object_get(a, "question")), "稳岗补贴") ||
			  strstr(json_string_value(json_object_get(a, "answer")), "稳岗补贴"));
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", "/api/v1/kb?limit=0", NULL, NULL), 400);
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", "/api/v1/kb?category_id=x", NULL, NULL), 400);
}
