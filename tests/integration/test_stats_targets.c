/*
 * Integration: the leadership dashboard's KPI targets (GET and PUT
 * /api/v1/stats/targets, migration 0012): read by every role that reads
 * the metrics, changed by admins only, partially, and refused as a whole
 * when any entry is wrong.
 *
 * Other suites read the targets (browser-dashboard compares the page with
 * them; browser-admin edits on_time.accept in the UI and restores it), so
 * every test here ends with the shipped defaults back in place (the
 * suite's .fini puts them back even after a failure), and the checks that
 * nothing changed leave on_time.accept aside.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct server_proc srv;

/* The shipped defaults (migration 0012), as SQL VALUES. */
#define DEFAULTS "('response_rate', 95), ('resolution_rate', 90), ('satisfaction_rate', 90), ('on_time.accept', 95)," \
	" ('on_time.resolve', 90), ('overdue_now', 0), ('supervisions.total', 10), ('resolve_hours.mean', 35)"

static void restore_defaults(void)
{
	PGconn *db = test_db();
	PQclear(PQexec(db, "UPDATE stats_targets s SET value = d.value, updated_at = now(), updated_by = NULL"
			   " FROM (VALUES " DEFAULTS ") AS d (metric, value) WHERE s.metric = d.metric AND s.value <> d.value"));
	PQfinish(db);
}

static void start(void)
{
	server_start(&srv, NULL);
}

static void stop(void)
{
	server_stop_clean(&srv);
	restore_defaults();
}

TestSuite(targets, .init = start, .fini = stop, .timeout = 60);

static const char *code_of(json_t *j)
{
	return json_string_value(json_object_get(j, "code"));
}

/* The target of metric in a {"targets": [...]} answer, or NULL. */
static json_t *target(json_t *answer, const char *metric)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(answer, "targets"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "metric")), metric) == 0)
			return t;
	}
	return NULL;
}

static double value_of(json_t *answer, const char *metric)
{
	json_t *t = target(answer, metric);
	cr_assert_not_null(t, "no target for %s", metric);
	return json_number_value(json_object_get(t, "value"));
}

/* Every target but on_time.accept (browser-admin's), with who changed it
 * when, as one text: equal texts mean nothing changed. Free it. */
static char *snapshot(void)
{
	PGconn *db = test_db();
	PGresult *res = PQexec(db, "SELECT string_agg(metric || '=' || value || '@' || updated_at || '/' || coalesce(updated_by, 0),"
				   " ',' ORDER BY position) FROM stats_targets WHERE metric <> 'on_time.accept'");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
	char *text = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(db);
	return text;
}

static void login_as(const char *user, struct session *s)
{
	cr_assert_eq(login(srv.port, user, DEMO_PASSWORD, s), 200, "login %s", user);
}

Test(targets, every_stats_reader_gets_the_targets_in_the_dashboards_order)
{
	static const char *const readers[] = { "lingdao", "duban", "zhuanyuan", "shichang", "xinzhuang", "admin" };
	static const char *const order[] = { "response_rate", "resolution_rate", "satisfaction_rate", "on_time.accept",
					     "on_time.resolve", "overdue_now", "supervisions.total", "resolve_hours.mean" };
	for (size_t u = 0; u < sizeof readers / sizeof readers[0]; u++) {
		struct session s;
		json_t *j;
		login_as(readers[u], &s);
		cr_assert_eq(api_call(srv.port, &s, "GET", "/api/v1/stats/targets", NULL, &j), 200, "%s", readers[u]);
		json_t *list = json_object_get(j, "targets");
		cr_assert_eq(json_array_size(list), 8, "%s", readers[u]);
		for (size_t i = 0; i < 8; i++) {
			json_t *t = json_array_get(list, i);
			cr_expect_str_eq(json_string_value(json_object_get(t, "metric")), order[i]);
			cr_expect_str_eq(json_string_value(json_object_get(t, "kind")), i < 5 ? "min" : "max");
			cr_expect(json_is_number(json_object_get(t, "value")));
			cr_expect_not_null(strstr(json_string_value(json_object_get(t, "updated_at")), "+08:00"));
		}
		cr_expect_eq(value_of(j, "resolution_rate"), 90);
		cr_expect(json_is_integer(json_object_get(target(j, "resolution_rate"), "value")), "whole values are integers");
		cr_expect_eq(value_of(j, "resolve_hours.mean"), 35);
		cr_expect_eq(value_of(j, "overdue_now"), 0);
		json_decref(j);
	}
	struct session e;
	json_t *j;
	login_as("qiye1", &e);
	cr_assert_eq(api_call(srv.port, &e, "GET", "/api/v1/stats/targets", NULL, &j), 403);
	cr_expect_str_eq(code_of(j), "forbidden");
	json_decref(j);
	cr_assert_eq(api_call(srv.port, NULL, "GET", "/api/v1/stats/targets", NULL, &j), 401);
	json_decref(j);
}

Test(targets, admin_changes_some_targets_and_puts_them_back)
{
	struct session a, l;
	json_t *j, *before;
	login_as("admin", &a);
	login_as("lingdao", &l);
	cr_assert_eq(api_call(srv.port, &l, "GET", "/api/v1/stats/targets", NULL, &before), 200);

	cr_assert_eq(api_call(srv.port, &a, "PUT", "/api/v1/stats/targets",
			      "{\"targets\":{\"resolution_rate\":92.5,\"resolve_hours.mean\":30,\"overdue_now\":3}}", &j), 200);
	cr_expect_eq(json_array_size(json_object_get(j, "targets")), 8, "the full list comes back");
	cr_expect_eq(value_of(j, "resolution_rate"), 92.5);
	cr_expect_eq(value_of(j, "resolve_hours.mean"), 30);
	cr_expect_eq(value_of(j, "overdue_now"), 3);
	cr_expect_eq(value_of(j, "satisfaction_rate"), 90, "a target not named keeps its value");
	cr_expect_str_eq(json_string_value(json_object_get(target(j, "satisfaction_rate"), "updated_at")),
			 json_string_value(json_object_get(target(before, "satisfaction_rate"), "updated_at")),
			 "and its time");
	cr_expect_str_neq(json_string_value(json_object_get(target(j, "resolution_rate"), "updated_at")),
			  json_string_value(json_object_get(target(before, "resolution_rate"), "updated_at")));
	json_decref(j);

	/* leadership sees the new values at once */
	cr_assert_eq(api_call(srv.port, &l, "GET", "/api/v1/stats/targets", NULL, &j), 200);
	cr_expect_eq(value_of(j, "resolution_rate"), 92.5);
	cr_expect_eq(value_of(j, "overdue_now"), 3);
	json_decref(j);
	PGconn *db = test_db();
	cr_expect_eq(db_scalar(db, "SELECT count(*) FROM stats_targets t JOIN users u ON u.id = t.updated_by"
				   " WHERE u.username = 'admin' AND t.metric IN ('resolution_rate', 'resolve_hours.mean', 'overdue_now')",
			       0, NULL), 3, "who changed them is kept");
	PQfinish(db);

	/* an empty set changes nothing and answers the list */
	char *same = snapshot();
	cr_assert_eq(api_call(srv.port, &a, "PUT", "/api/v1/stats/targets", "{\"targets\":{}}", &j), 200);
	cr_expect_eq(json_array_size(json_object_get(j, "targets")), 8);
	json_decref(j);
	char *after = snapshot();
	cr_expect_str_eq(after, same);
	free(after);
	free(same);

	/* the bounds themselves are allowed */
	cr_assert_eq(api_call(srv.port, &a, "PUT", "/api/v1/stats/targets",
			      "{\"targets\":{\"resolution_rate\":100,\"satisfaction_rate\":0,\"overdue_now\":0}}", &j), 200);
	cr_expect_eq(value_of(j, "resolution_rate"), 100);
	cr_expect_eq(value_of(j, "satisfaction_rate"), 0);
	json_decref(j);

	/* and back to the defaults */
	cr_assert_eq(api_call(srv.port, &a, "PUT", "/api/v1/stats/targets",
			      "{\"targets\":{\"resolution_rate\":90,\"satisfaction_rate\":90,\"resolve_hours.mean\":35,\"overdue_now\":0}}",
			      &j), 200);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(j, "targets"), i, t) {
		const char *m = json_string_value(json_object_get(t, "metric"));
		cr_expect_eq(json_number_value(json_object_get(t, "value")), value_of(before, m), "%s is back", m);
	}
	json_decref(j);
	json_decref(before);
}

Test(targets, only_admins_change_targets)
{
	static const char *const users[] = { "lingdao", "duban", "zhuanyuan", "shichang_lead", "xinzhuang", "qiye1" };
	char *before = snapshot();
	for (size_t u = 0; u < sizeof users / sizeof users[0]; u++) {
		struct session s;
		json_t *j;
		login_as(users[u], &s);
		cr_assert_eq(api_call(srv.port, &s, "PUT", "/api/v1/stats/targets", "{\"targets\":{\"resolution_rate\":50}}", &j),
			     403, "%s", users[u]);
		cr_expect_str_eq(code_of(j), "forbidden", "%s", users[u]);
		json_decref(j);
	}
	char *after = snapshot();
	cr_expect_str_eq(after, before);
	free(after);
	free(before);
}

Test(targets, bad_input_of_any_kind_changes_nothing)
{
	static const struct {
		const char *body;
		const char *code;
	} cases[] = {
		{ "{\"targets\":{\"resolution_rate\":93,\"no_such_metric\":1}}", "unknown_field" },
		{ "{\"targets\":{\"tickets\":5}}", "unknown_field" },
		{ "{\"targets\":{\"resolution_rate\":\"93\"}}", "invalid_type" },
		{ "{\"targets\":{\"resolution_rate\":true}}", "invalid_type" },
		{ "{\"targets\":{\"resolution_rate\":null}}", "invalid_type" },
		{ "{\"targets\":{\"resolution_rate\":[93]}}", "invalid_type" },
		{ "{\"targets\":{\"resolution_rate\":93,\"satisfaction_rate\":100.5}}", "invalid_value" },
		{ "{\"targets\":{\"resolution_rate\":-1}}", "invalid_value" },
		{ "{\"targets\":{\"resolution_rate\":93,\"overdue_now\":-1}}", "invalid_value" },
		{ "{\"targets\":{\"resolve_hours.mean\":1000001}}", "invalid_value" },
		{ "{\"targets\":[[\"resolution_rate\",93]]}", "invalid_type" },
		{ "{\"targets\":93}", "invalid_type" },
		{ "{}", "missing_field" },
		{ "{\"targets\":{\"resolution_rate\":93},\"extra\":1}", "unknown_field" },
		{ "{\"targets\":{\"resolution_rate\":93,\"resolution_rate\":94}}", "invalid_json" },
		{ "{\"targets\":{\"resolution_rate\":93", "invalid_json" },
		{ "not json", "invalid_json" },
		{ "[]", "invalid_type" },
	};
	struct session a;
	login_as("admin", &a);
	char *before = snapshot();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j;
		cr_assert_eq(api_call(srv.port, &a, "PUT", "/api/v1/stats/targets", cases[i].body, &j), 400, "%s", cases[i].body);
		cr_expect_str_eq(code_of(j), cases[i].code, "%s", cases[i].body);
		cr_expect_not_null(json_object_get(j, "detail"), "%s", cases[i].body);
		json_decref(j);
		char *after = snapshot();
		cr_expect_str_eq(after, before, "after %s", cases[i].body);
		free(after);
	}
	free(before);
}
