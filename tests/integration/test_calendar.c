/*
 * Integration: the calendar API answers what core/workcal answers for the
 * calendar in the database, and admins load a year's notice through it.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/workcal.h"
#include "tickets_util.h"

WORLD_SUITE(calendar, 120);

static json_t *ask(const char *path)
{
	json_t *j = NULL;
	int status = api_call(w.port, &w.s[QIYE1], "GET", path, NULL, &j);
	cr_assert_eq(status, 200, "%s: %d", path, status);
	return j;
}

/* "+08:00" as it goes in a query string */
static void encode(const char *stamp, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = stamp; *p && o + 4 < len; p++)
		o += (size_t)(*p == '+' ? snprintf(out + o, len - o, "%%2B") : snprintf(out + o, len - o, "%c", *p));
	out[o] = '\0';
}

Test(calendar, the_api_answers_what_the_module_answers)
{
	struct workcal *c = db_calendar();
	/* around 春节 and 国庆 of 2025 and 2026, at night, at lunch, on 调休 days, on boundaries */
	static const char *const starts[] = {
		"2025-01-24T16:30:00+08:00", "2025-01-26T10:00:00+08:00", "2025-01-27T12:00:00+08:00",
		"2025-02-05T08:59:59+08:00", "2025-02-08T17:00:00+08:00", "2025-09-28T13:00:00+08:00",
		"2025-09-30T11:45:00+08:00", "2025-10-08T23:00:00+08:00", "2025-10-11T09:00:00+08:00",
		"2026-02-13T15:00:00+08:00", "2026-02-14T12:30:00+08:00", "2026-02-24T09:00:00+08:00",
		"2026-09-30T16:59:00+08:00", "2026-10-09T00:00:00+08:00", "2026-12-31T16:00:00+08:00",
	};
	static const long minutes[] = { 0, 1, 59, 180, 181, 420, 480, 2400, 9600 };
	static const int days[] = { 0, 1, 2, 5, 15 };
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		int64_t from;
		cr_assert(timefmt_parse_rfc3339(starts[i], &from));
		char enc[64], path[256], want[TIMEFMT_LEN];
		encode(starts[i], enc, sizeof enc);
		for (size_t k = 0; k < sizeof minutes / sizeof minutes[0]; k++) {
			bool flagged = false;
			timefmt_rfc3339(workcal_add_minutes(c, from, minutes[k], &flagged), 0, want);
			snprintf(path, sizeof path, "/api/v1/calendar/add-working-time?from=%s&minutes=%ld", enc, minutes[k]);
			json_t *j = ask(path);
			cr_expect_str_eq(json_string_value(json_object_get(j, "at")), want, "%s", path);
			cr_expect_eq(json_is_true(json_object_get(j, "flagged")), flagged, "%s", path);
			json_decref(j);
		}
		for (size_t k = 0; k < sizeof days / sizeof days[0]; k++) {
			bool flagged = false;
			timefmt_rfc3339(workcal_add_days(c, from, days[k], &flagged), 0, want);
			snprintf(path, sizeof path, "/api/v1/calendar/add-working-days?from=%s&days=%d", enc, days[k]);
			json_t *j = ask(path);
			cr_expect_str_eq(json_string_value(json_object_get(j, "at")), want, "%s", path);
			cr_expect_eq(json_is_true(json_object_get(j, "flagged")), flagged, "%s", path);
			json_decref(j);
		}
		for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
			int64_t to;
			cr_assert(timefmt_parse_rfc3339(starts[k], &to));
			char enc2[64];
			encode(starts[k], enc2, sizeof enc2);
			bool flagged = false;
			long want_min = workcal_minutes_between(c, from, to, &flagged);
			snprintf(path, sizeof path, "/api/v1/calendar/working-time?from=%s&to=%s", enc, enc2);
			json_t *j = ask(path);
			cr_expect_eq(json_integer_value(json_object_get(j, "minutes")), want_min, "%s", path);
			json_decref(j);
		}
	}
	workcal_free(c);
	/* hand-checked: 2025-09-30 (Tue) 16:00 + 5 working days skips 国庆 (10-01..10-08);
	 * day 1 is Thu 10-09, then 10-10, Sat 10-11 (调休), Mon 10-13, Tue 10-14 */
	json_t *j = ask("/api/v1/calendar/add-working-days?from=2025-09-30T16:00:00%2B08:00&days=5");
	cr_assert_str_eq(json_string_value(json_object_get(j, "at")), "2025-10-14T17:00:00.000+08:00");
	json_decref(j);
}

Test(calendar, bad_queries_are_refused)
{
	static const char *const bad[] = {
		"/api/v1/calendar/add-working-time?from=2025-01-01&minutes=5",
		"/api/v1/calendar/add-working-time?from=2025-01-01T09:00:00%2B08:00&minutes=-5",
		"/api/v1/calendar/add-working-time?from=2025-01-01T09:00:00%2B08:00&minutes=1e3",
		"/api/v1/calendar/add-working-time?from=2025-01-01T09:00:00%2B08:00",
		"/api/v1/calendar/add-working-days?from=2025-01-01T09:00:00%2B08:00&days=99999",
		"/api/v1/calendar/working-time?from=2025-01-01T09:00:00%2B08:00",
		"/api/v1/calendar/working-time?from=1990-01-01T09:00:00Z&to=2030-01-01T09:00:00Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = NULL;
		cr_expect_eq(api_call(w.port, &w.s[QIYE1], "GET", bad[i], NULL, &j), 400, "%s", bad[i]);
		cr_expect_str_eq(json_string_value(json_object_get(j, "code")), "invalid_query", "%s", bad[i]);
		json_decref(j);
	}
	cr_assert_eq(api_call(w.port, NULL, "GET", "/api/v1/calendar/working-time?from=2025-01-01T09:00:00Z&to=2025-01-02T09:00:00Z",
			      NULL, NULL), 401);
}

Test(calendar, an_admin_loads_the_next_years_notice)
{
	/* a far year no run has loaded yet (the server loaded the calendar when it started) */
	PGconn *db = test_db();
	int year = (int)db_scalar(db, "SELECT min(y) FROM generate_series(2060, 2100) y"
				      " WHERE y NOT IN (SELECT year FROM calendar_years)", 0, NULL);
	PQfinish(db);
	cr_assert_gt(year, 2059, "every year up to 2100 is loaded: reset the test database");
	/* find its first Thursday, 1 to 7 January */
	int thursday = 0;
	for (int d = 1; d <= 7 && !thursday; d++) {
		char stamp[40];
		int64_t t;
		snprintf(stamp, sizeof stamp, "%d-01-%02dT12:00:00Z", year, d);
		cr_assert(timefmt_parse_rfc3339(stamp, &t));
		if (((t / 86400) % 7 + 7) % 7 == 0) /* 1970-01-01 was a Thursday */
			thursday = d;
	}
	char path[256], want[64], notice[512], put[64];
	snprintf(path, sizeof path, "/api/v1/calendar/add-working-days?from=%d-01-%02dT09:00:00%%2B08:00&days=1", year,
		 thursday);
	snprintf(put, sizeof put, "/api/v1/calendar/%d", year);
	json_t *j = ask(path);
	cr_assert(json_is_true(json_object_get(j, "flagged")), "no notice for %d yet: plain weekdays, flagged", year);
	snprintf(want, sizeof want, "%d-01-%02dT17:00:00.000+08:00", year, thursday + 1); /* the Friday */
	cr_assert_str_eq(json_string_value(json_object_get(j, "at")), want);
	json_decref(j);
	/* the Friday becomes a holiday, the Saturday a 调休 working day */
	snprintf(notice, sizeof notice, "{\"notice\":\"测试通知\",\"holidays\":[{\"date\":\"%d-01-%02d\",\"name\":\"元旦\"}],"
		 "\"workdays\":[{\"date\":\"%d-01-%02d\",\"name\":\"元旦\"}]}", year, thursday + 1, year, thursday + 2);
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "PUT", put, notice, NULL), 403);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "PUT", put, notice, &j), 200);
	cr_assert_eq(json_array_size(json_object_get(j, "holidays")), 1);
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "PUT", put, notice, &j), 200, "the same notice again replaces it");
	cr_assert_eq(json_array_size(json_object_get(j, "holidays")), 1);
	json_decref(j);
	/* the answering server reloads at once */
	j = ask(path);
	cr_assert_not(json_is_true(json_object_get(j, "flagged")));
	snprintf(want, sizeof want, "%d-01-%02dT17:00:00.000+08:00", year, thursday + 2); /* the Saturday */
	cr_assert_str_eq(json_string_value(json_object_get(j, "at")), want);
	json_decref(j);
	/* bad notices change nothing */
	char bad[6][256];
	snprintf(bad[0], sizeof bad[0], "{\"holidays\":[{\"date\":\"%d-05-01\",\"name\":\"x\"}],\"workdays\":[]}", year - 2);
	snprintf(bad[1], sizeof bad[1], "{\"holidays\":[],\"workdays\":[{\"date\":\"%d-01-%02d\",\"name\":\"x\"}]}", year,
		 thursday); /* a Thursday is no 调休 day */
	snprintf(bad[2], sizeof bad[2], "{\"holidays\":[{\"date\":\"%d-02-30\",\"name\":\"x\"}],\"workdays\":[]}", year);
	snprintf(bad[3], sizeof bad[3], "{\"holidays\":[{\"date\":\"%d-03-02\",\"name\":\"x\"},{\"date\":\"%d-03-02\","
		 "\"name\":\"y\"}],\"workdays\":[]}", year, year);
	snprintf(bad[4], sizeof bad[4], "{\"holidays\":[{\"date\":\"%d-03-02\"}],\"workdays\":[]}", year);
	snprintf(bad[5], sizeof bad[5], "{\"holidays\":[]}");
	for (size_t i = 0; i < 6; i++) {
		cr_expect_eq(api_call(w.port, &w.s[ADMIN], "PUT", put, bad[i], NULL), 400, "%s", bad[i]);
	}
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "GET", put, NULL, &j), 200);
	cr_assert_eq(json_array_size(json_object_get(j, "workdays")), 1, "the notice is as loaded");
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "GET", "/api/v1/calendar/1999", NULL, NULL), 404);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "GET", "/api/v1/calendar/2101", NULL, NULL), 404);
}

/* ---- SLA policies -------------------------------------------------------- */

static json_t *effective(const char *code, const char *urgency)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/sla-policies/effective?category_id=%lld&urgency=%s", category_coded(code),
		 urgency);
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[SHICHANG], "GET", path, NULL, &j), 200, "%s", path);
	return j;
}

static long long leg_amount(json_t *policy, const char *leg)
{
	return (long long)json_integer_value(json_object_get(json_object_get(policy, leg), "amount"));
}

Test(calendar, the_governing_sla_policy_is_the_categorys_its_parents_or_the_districts)
{
	json_t *j = effective("RS01", "normal"); /* no policy of its own or its parent's */
	cr_assert(json_is_null(json_object_get(j, "category")), "the district default");
	cr_assert_eq(leg_amount(j, "resolve"), 5);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "accept"), "unit")), "days");
	json_decref(j);
	j = effective("GH01", "normal"); /* 规划土地's child: its parent's 15 days (demo seed) */
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "category"), "code")), "GH");
	cr_assert_eq(leg_amount(j, "resolve"), 15);
	json_decref(j);
	j = effective("GH01", "urgent"); /* no urgent policy for GH: the district's urgent one */
	cr_assert(json_is_null(json_object_get(j, "category")));
	cr_assert_eq(leg_amount(j, "accept"), 120);
	json_decref(j);
	j = effective("SD01", "critical");
	cr_assert_str_eq(json_string_value(json_object_get(j, "clock")), "calendar", "24×7 for critical demands");
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", "/api/v1/sla-policies", NULL, NULL), 403);
	cr_assert_eq(api_call(w.port, &w.s[SHICHANG], "GET", "/api/v1/sla-policies/effective?urgency=normal", NULL, NULL),
		     400);
}

Test(calendar, admins_set_a_categorys_sla_policy)
{
	/* a category of this run's own, so reruns and other tests are not disturbed */
	char body[1024];
	snprintf(body, sizeof body, "{\"code\":\"S%.8s\",\"name\":\"时限测试%s\"}", unique_suffix(), unique_suffix());
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/categories", body, &j), 201);
	long long category = (long long)json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	snprintf(body, sizeof body, "{\"category_id\":%lld,\"urgency\":\"normal\",\"accept\":{\"amount\":2,\"unit\":\"days\"},"
		 "\"contact\":{\"amount\":240,\"unit\":\"minutes\"},\"resolve\":{\"amount\":10,\"unit\":\"days\"},"
		 "\"feedback\":{\"amount\":1,\"unit\":\"days\"},\"warning_share\":0.75,\"extension_cap\":1}", category);
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/sla-policies", body, NULL), 403);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/sla-policies", body, &j), 201);
	long long id = (long long)json_integer_value(json_object_get(j, "id"));
	cr_assert_eq(leg_amount(j, "rectify"), 15, "rectification has a default of 15 working days");
	cr_assert(json_real_value(json_object_get(j, "warning_share")) > 0.74 &&
		  json_real_value(json_object_get(j, "warning_share")) < 0.76);
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/sla-policies", body, NULL), 409, "one per category × urgency");
	char path[64];
	snprintf(path, sizeof path, "/api/v1/sla-policies/%lld", id);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "PATCH", path, "{\"resolve\":{\"amount\":20,\"unit\":\"days\"},\"clock\":null}",
			      &j), 200);
	cr_assert_eq(leg_amount(j, "resolve"), 20);
	cr_assert_eq(leg_amount(j, "accept"), 2, "what the edit does not name stays");
	json_decref(j);
	/* bad policies change nothing */
	static const char *const bad[] = {
		"{\"resolve\":{\"amount\":0,\"unit\":\"days\"}}",
		"{\"resolve\":{\"amount\":3,\"unit\":\"weeks\"}}",
		"{\"resolve\":{\"amount\":400,\"unit\":\"days\"}}",
		"{\"resolve\":{\"amount\":3}}",
		"{\"resolve\":3}",
		"{\"warning_share\":1.5}",
		"{\"warning_share\":\"80%\"}",
		"{\"clock\":\"lunar\"}",
		"{\"extension_cap\":11}",
		"{\"rating_window_days\":0}",
		"{\"colour\":\"red\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(api_call(w.port, &w.s[ADMIN], "PATCH", path, bad[i], NULL), 400, "%s", bad[i]);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "PATCH", "/api/v1/sla-policies/999999", "{\"extension_cap\":1}", NULL), 404);
	snprintf(path, sizeof path, "/api/v1/sla-policies/effective?category_id=%lld&urgency=normal", category);
	cr_assert_eq(api_call(w.port, &w.s[LINGDAO], "GET", path, NULL, &j), 200);
	cr_assert_eq(leg_amount(j, "resolve"), 20);
	cr_assert_eq(json_integer_value(json_object_get(j, "extension_cap")), 1);
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/sla-policies",
			      "{\"urgency\":\"normal\",\"accept\":{\"amount\":1,\"unit\":\"days\"}}", NULL), 400,
		     "contact, resolve and feedback are required");
}
