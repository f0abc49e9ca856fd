/* Integration: admin endpoints for orgs, users and tokens; role and org scope. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct server_proc srv;

static void start(void)
{
	server_start(&srv, NULL);
}

static void stop(void)
{
	server_stop_clean(&srv);
}

TestSuite(admin, .init = start, .fini = stop, .timeout = 60);

static int call(const struct session *s, const char *method, const char *path, const char *body, json_t **out)
{
	return api_call(srv.port, s, method, path, body, out);
}

static const char *code_of(json_t *j)
{
	return json_string_value(json_object_get(j, "code"));
}

static long long org_id(const char *name)
{
	PGconn *db = test_db();
	const char *p[] = { name };
	long long id = db_scalar(db, "SELECT id FROM orgs WHERE name = $1", 1, p);
	PQfinish(db);
	return id;
}

Test(admin, non_admin_roles_are_refused_admin_endpoints)
{
	static const char *users[] = { "zhuanyuan", "shichang", "shichang_lead", "duban", "lingdao", "xinzhuang", NULL };
	for (int i = 0; users[i]; i++) {
		struct session s;
		cr_assert_eq(login(srv.port, users[i], DEMO_PASSWORD, &s), 200);
		json_t *j;
		cr_assert_eq(call(&s, "GET", "/api/v1/users", NULL, &j), 403, "%s lists users", users[i]);
		json_decref(j);
		cr_assert_eq(call(&s, "GET", "/api/v1/tokens", NULL, &j), 403, "%s lists tokens", users[i]);
		json_decref(j);
		cr_assert_eq(call(&s, "POST", "/api/v1/orgs", "{\"parent_id\":1,\"kind\":\"bureau\",\"name\":\"x\"}", &j), 403,
			     "%s creates orgs", users[i]);
		json_decref(j);
		cr_assert_eq(call(&s, "POST", "/api/v1/users/1/disable", NULL, &j), 403, "%s disables users", users[i]);
		cr_assert_str_eq(code_of(j), "forbidden");
		json_decref(j);
	}
	PGconn *db = test_db();
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM users WHERE username = 'admin' AND disabled_at IS NOT NULL", 0, NULL), 0);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM orgs WHERE name = 'x'", 0, NULL), 0);
	PQfinish(db);
}

Test(admin, bureau_leader_sees_own_org_users_but_not_another_org)
{
	struct session s;
	cr_assert_eq(login(srv.port, "shichang_lead", DEMO_PASSWORD, &s), 200);
	char own[64], other[64];
	snprintf(own, sizeof own, "/api/v1/orgs/%lld/users", org_id("区市场监管局"));
	snprintf(other, sizeof other, "/api/v1/orgs/%lld/users", org_id("区规划资源局"));
	json_t *j;
	cr_assert_eq(call(&s, "GET", own, NULL, &j), 200);
	bool found = false;
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(j, "items"), i, u)
		found |= strcmp(json_string_value(json_object_get(u, "username")), "shichang") == 0;
	cr_assert(found, "the leader's own handler is listed");
	json_decref(j);
	cr_assert_eq(call(&s, "GET", other, NULL, &j), 403);
	cr_assert_str_eq(code_of(j), "out_of_scope");
	json_decref(j);
	/* a handler may not list users at all, and learns nothing about unknown orgs */
	struct session h;
	cr_assert_eq(login(srv.port, "shichang", DEMO_PASSWORD, &h), 200);
	cr_assert_eq(call(&h, "GET", own, NULL, &j), 403);
	cr_assert_str_eq(code_of(j), "forbidden");
	json_decref(j);
	cr_assert_eq(call(&h, "GET", "/api/v1/orgs/999999/users", NULL, &j), 403);
	json_decref(j);
}

Test(admin, staff_read_the_org_tree_enterprise_style_paths_hold)
{
	struct session s;
	cr_assert_eq(login(srv.port, "guihua", DEMO_PASSWORD, &s), 200);
	json_t *j;
	cr_assert_eq(call(&s, "GET", "/api/v1/orgs", NULL, &j), 200);
	json_t *items = json_object_get(j, "items");
	cr_assert(json_array_size(items) >= 1 + 1 + 8 + 6, "district, center, 8 bureaus, 6 towns");
	int bureaus = 0, towns = 0;
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) {
		const char *kind = json_string_value(json_object_get(o, "kind"));
		bureaus += strcmp(kind, "bureau") == 0;
		towns += strcmp(kind, "town") == 0;
	}
	cr_assert(bureaus >= 8 && towns >= 6);
	json_decref(j);
	cr_assert_eq(call(&s, "GET", "/api/v1/orgs/1", NULL, &j), 200);
	cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "闵行区");
	json_decref(j);
	cr_assert_eq(call(&s, "GET", "/api/v1/orgs/987654", NULL, &j), 404);
	json_decref(j);
	cr_assert_eq(call(&s, "GET", "/api/v1/orgs/abc", NULL, &j), 404);
	json_decref(j);
}

Test(admin, admin_creates_orgs_within_the_tree_rules)
{
	struct session s;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &s), 200);
	char body[256], name[64];
	snprintf(name, sizeof name, "区测试局%s", unique_suffix());
	snprintf(body, sizeof body, "{\"parent_id\":1,\"kind\":\"bureau\",\"name\":\"%s\",\"short_name\":\"测试\"}", name);
	json_t *j;
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", body, &j), 201);
	long long bureau = json_integer_value(json_object_get(j, "id"));
	char expect_path[32];
	snprintf(expect_path, sizeof expect_path, "1.%lld", bureau);
	cr_assert_str_eq(json_string_value(json_object_get(j, "path")), expect_path);
	json_decref(j);
	/* the same name twice under one parent */
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", body, &j), 409);
	json_decref(j);
	/* an office under the new bureau is fine; a bureau under a bureau is not */
	snprintf(body, sizeof body, "{\"parent_id\":%lld,\"kind\":\"office\",\"name\":\"综合科\"}", bureau);
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", body, &j), 201);
	json_decref(j);
	snprintf(body, sizeof body, "{\"parent_id\":%lld,\"kind\":\"bureau\",\"name\":\"子局\"}", bureau);
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", body, &j), 422);
	cr_assert_str_eq(code_of(j), "unprocessable");
	json_decref(j);
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", "{\"parent_id\":1,\"kind\":\"district\",\"name\":\"二区\"}", &j), 400);
	json_decref(j);
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", "{\"parent_id\":999999,\"kind\":\"bureau\",\"name\":\"孤儿\"}", &j), 422);
	json_decref(j);
	cr_assert_eq(call(&s, "POST", "/api/v1/orgs", "{\"parent_id\":1,\"kind\":\"bureau\",\"name\":\"x\",\"colour\":\"red\"}", &j), 400);
	cr_assert_str_eq(code_of(j), "unknown_field");
	json_decref(j);
}

Test(admin, admin_creates_lists_disables_and_enables_users)
{
	struct session s;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &s), 200);
	char user[64], body[512];
	snprintf(user, sizeof user, "newbie%s", unique_suffix());
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"display_name\":\"新同事\",\"role\":\"bureau_handler\","
				    "\"org_id\":%lld,\"password\":\"Start@2026\",\"phone\":\"13800138000\"}",
		 user, org_id("区人社局"));
	json_t *j;
	cr_assert_eq(call(&s, "POST", "/api/v1/users", body, &j), 201);
	long long id = json_integer_value(json_object_get(j, "id"));
	cr_assert_str_eq(json_string_value(json_object_get(j, "role")), "bureau_handler");
	json_decref(j);
	cr_assert_eq(call(&s, "POST", "/api/v1/users", body, &j), 409, "duplicate username");
	json_decref(j);

	struct session u;
	cr_assert_eq(login(srv.port, user, "Start@2026", &u), 200);

	char path[64];
	snprintf(path, sizeof path, "/api/v1/users/%lld/disable", id);
	cr_assert_eq(call(&s, "POST", path, NULL, &j), 200);
	cr_assert(json_is_true(json_object_get(j, "disabled")));
	json_decref(j);
	/* the live session ended, and the password no longer works */
	cr_assert_eq(call(&u, "GET", "/api/v1/me", NULL, &j), 401);
	json_decref(j);
	struct session again;
	cr_assert_eq(login(srv.port, user, "Start@2026", &again), 401);

	snprintf(path, sizeof path, "/api/v1/users/%lld/enable", id);
	cr_assert_eq(call(&s, "POST", path, NULL, &j), 200);
	json_decref(j);
	cr_assert_eq(login(srv.port, user, "Start@2026", &again), 200);

	/* keyset pagination walks every user exactly once */
	char next[64] = "/api/v1/users?limit=3";
	long long last = 0;
	int pages = 0, seen = 0;
	for (;;) {
		cr_assert_eq(call(&s, "GET", next, NULL, &j), 200);
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(j, "items"), i, it) {
			long long uid = json_integer_value(json_object_get(it, "id"));
			cr_assert_gt(uid, last, "ids ascend across pages");
			last = uid;
			seen++;
		}
		pages++;
		json_t *cursor = json_object_get(j, "next_cursor");
		if (json_is_null(cursor)) {
			json_decref(j);
			break;
		}
		snprintf(next, sizeof next, "/api/v1/users?limit=3&cursor=%s", json_string_value(cursor));
		json_decref(j);
	}
	PGconn *db = test_db();
	/* up to the last id listed: other suites may add users meanwhile */
	char lastid[24];
	snprintf(lastid, sizeof lastid, "%lld", last);
	const char *lp[] = { lastid };
	cr_assert_eq(seen, db_scalar(db, "SELECT count(*) FROM users WHERE id <= $1", 1, lp));
	PQfinish(db);
	cr_assert_gt(pages, 2);
	cr_assert_eq(call(&s, "GET", "/api/v1/users?limit=0", NULL, &j), 400);
	json_decref(j);
	cr_assert_eq(call(&s, "GET", "/api/v1/users?cursor=-5", NULL, &j), 400);
	json_decref(j);
	cr_assert_eq(call(&s, "GET", "/api/v1/users?role=boss", NULL, &j), 400);
	json_decref(j);
}

Test(admin, user_creation_refuses_bad_input_and_changes_nothing)
{
	struct session s;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &s), 200);
	PGconn *db = test_db();
	long long bureau = org_id("区税务局"), town = org_id("莘庄镇");
	struct {
		const char *body;
		int status;
		const char *code;
	} cases[8];
	char b[8][512];
	snprintf(b[0], 512, "{\"username\":\"Bad Name\",\"display_name\":\"x\",\"role\":\"admin\",\"org_id\":1,\"password\":\"Good@Pass1\"}");
	snprintf(b[1], 512, "{\"username\":\"weakpw%s\",\"display_name\":\"x\",\"role\":\"admin\",\"org_id\":1,\"password\":\"password\"}", unique_suffix());
	snprintf(b[2], 512, "{\"username\":\"nobody%s\",\"display_name\":\"x\",\"role\":\"king\",\"org_id\":1,\"password\":\"Good@Pass1\"}", unique_suffix());
	snprintf(b[3], 512, "{\"username\":\"misfit%s\",\"display_name\":\"x\",\"role\":\"town_viewer\",\"org_id\":%lld,\"password\":\"Good@Pass1\"}", unique_suffix(), bureau);
	snprintf(b[4], 512, "{\"username\":\"lost%s\",\"display_name\":\"x\",\"role\":\"admin\",\"org_id\":999999,\"password\":\"Good@Pass1\"}", unique_suffix());
	snprintf(b[5], 512, "{\"username\":\"typed%s\",\"display_name\":\"x\",\"role\":\"admin\",\"org_id\":\"1\",\"password\":\"Good@Pass1\"}", unique_suffix());
	snprintf(b[6], 512, "{\"username\":\"phone%s\",\"display_name\":\"x\",\"role\":\"town_viewer\",\"org_id\":%lld,\"password\":\"Good@Pass1\",\"phone\":\"call me\"}", unique_suffix(), town);
	snprintf(b[7], 512, "{\"username\":\"empty%s\",\"display_name\":\"   \",\"role\":\"admin\",\"org_id\":1,\"password\":\"Good@Pass1\"}", unique_suffix());
	const int statuses[] = { 400, 400, 400, 422, 422, 400, 400, 400 };
	const char *codes[] = { "invalid_value", "invalid_value", "invalid_value", "unprocessable", "unprocessable",
				"invalid_type", "invalid_value", "missing_field" };
	for (int i = 0; i < 8; i++) {
		cases[i].body = b[i], cases[i].status = statuses[i], cases[i].code = codes[i];
		json_t *j;
		cr_assert_eq(call(&s, "POST", "/api/v1/users", cases[i].body, &j), cases[i].status, "case %d: %s", i, cases[i].body);
		cr_assert_str_eq(code_of(j), cases[i].code, "case %d", i);
		cr_assert_not_null(json_object_get(j, "detail"));
		json_decref(j);
	}
	/* none of the refused users exists (other suites may add users meanwhile) */
	json_t *names = json_array();
	for (int i = 0; i < 8; i++) {
		json_t *body = json_loads(b[i], 0, NULL);
		json_array_append(names, json_object_get(body, "username"));
		json_decref(body);
	}
	char *list = json_dumps(names, JSON_COMPACT);
	const char *np[] = { list };
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM users WHERE username IN"
				   " (SELECT lower(n) FROM jsonb_array_elements_text($1::jsonb) n)", 1, np), 0);
	free(list);
	json_decref(names);
	PQfinish(db);
}

Test(admin, admin_cannot_disable_itself)
{
	struct session s;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &s), 200);
	json_t *j;
	cr_assert_eq(call(&s, "POST", "/api/v1/users/1/disable", NULL, &j), 422);
	json_decref(j);
	cr_assert_eq(call(&s, "POST", "/api/v1/users/999999/disable", NULL, &j), 404);
	json_decref(j);
}
