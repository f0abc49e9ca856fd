/*
 * Unit tests for core/workcal: working time in Asia/Shanghai (DESIGN.md §4).
 *
 * The calendar is the State Council's 2025 and 2026 arrangements, typed in
 * again below from ../shared/data/cn-holidays.json (2025: 国办发明电〔2024〕12号;
 * 2026: the notice of 2025-11-04). Expected instants were worked out by hand
 * from the day charts next to each table, not by calling the module; a
 * minute-by-minute model written here from the same data checks random
 * cases, and property checks tie the functions to each other.
 *
 * Default hours 09:00-12:00 and 13:00-17:00: 180 + 240 = 420 minutes a day.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timefmt.h"
#include "core/workcal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MIN 420

/* ---- the calendar ---- */

static const char *const holidays[] = {
	/* 2025 */
	"2025-01-01",                                                        /* 元旦 */
	"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", /* 春节 */
	"2025-02-02", "2025-02-03", "2025-02-04",
	"2025-04-04", "2025-04-05", "2025-04-06",                             /* 清明节 */
	"2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05", /* 劳动节 */
	"2025-05-31", "2025-06-01", "2025-06-02",                             /* 端午节 */
	"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", /* 国庆节、中秋节 */
	"2025-10-06", "2025-10-07", "2025-10-08",
	/* 2026 */
	"2026-01-01", "2026-01-02", "2026-01-03",                             /* 元旦 */
	"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", /* 春节 */
	"2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
	"2026-04-04", "2026-04-05", "2026-04-06",                             /* 清明节 */
	"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", /* 劳动节 */
	"2026-06-19", "2026-06-20", "2026-06-21",                             /* 端午节 */
	"2026-09-25", "2026-09-26", "2026-09-27",                             /* 中秋节 */
	"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", /* 国庆节 */
	"2026-10-06", "2026-10-07",
};

/* 调休: weekend days that are working days */
static const char *const workdays[] = {
	"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11", /* Sun Sat Sun Sun Sat */
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10", /* Sun Sat Sat Sat Sun Sat */
};

static struct workcal *cal;

static void list_days(struct workcal *c, const char *const *dates, size_t n, enum workcal_day kind)
{
	for (size_t i = 0; i < n; i++) {
		int y, m, d;
		cr_assert_eq(sscanf(dates[i], "%d-%d-%d", &y, &m, &d), 3);
		cr_assert(workcal_set_day(c, y, m, d, kind), "%s", dates[i]);
	}
}

static void setup(void)
{
	cal = workcal_new();
	list_days(cal, holidays, N(holidays), WORKCAL_HOLIDAY);
	list_days(cal, workdays, N(workdays), WORKCAL_WORKDAY);
	workcal_cover_year(cal, 2025);
	workcal_cover_year(cal, 2026);
}

static void teardown(void)
{
	workcal_free(cal);
}

TestSuite(workcal, .init = setup, .fini = teardown);

/* ---- instants written as local time ---- */

/* "2025-01-27 16:30" or "2025-01-27 16:30:15", Beijing time. */
static int64_t at(const char *local)
{
	char s[64];
	snprintf(s, sizeof s, "%.10sT%s%s+08:00", local, local + 11, strlen(local) == 16 ? ":00" : "");
	int64_t t;
	cr_assert(timefmt_parse_rfc3339(s, &t), "bad test instant \"%s\"", local);
	return t;
}

/* t as "2025-01-27 16:30:00", for messages. */
static const char *show(int64_t t, char out[TIMEFMT_LEN])
{
	timefmt_rfc3339(t, 0, out);
	out[10] = ' ';
	out[19] = '\0';
	return out;
}

static void expect_instant(int64_t got, const char *want, const char *what)
{
	char g[TIMEFMT_LEN];
	cr_expect_eq(got, at(want), "%s: %s, expected %s", what, show(got, g), want);
}

/* ---- working days ---- */

static const struct {
	const char *date;
	bool working;
} days_2025_2026[] = {
	/* 2025 春节: Fri 24 | Sat 25 off | Sun 26 调休 | Mon 27 | Tue 28 .. Tue 02-04 off |
	 * Wed 5, Thu 6, Fri 7 | Sat 8 调休 | Sun 9 off | Mon 10 */
	{ "2025-01-24", true }, { "2025-01-25", false }, { "2025-01-26", true }, { "2025-01-27", true },
	{ "2025-01-28", false }, { "2025-01-31", false }, { "2025-02-01", false }, { "2025-02-03", false },
	{ "2025-02-04", false }, { "2025-02-05", true }, { "2025-02-07", true }, { "2025-02-08", true },
	{ "2025-02-09", false }, { "2025-02-10", true },
	/* 2025 国庆: Fri 09-26 | Sat 27 off | Sun 28 调休 | Mon 29, Tue 30 | Wed 10-01 .. Wed 08 off |
	 * Thu 9, Fri 10 | Sat 11 调休 | Sun 12 off | Mon 13 */
	{ "2025-09-26", true }, { "2025-09-27", false }, { "2025-09-28", true }, { "2025-09-30", true },
	{ "2025-10-01", false }, { "2025-10-04", false }, { "2025-10-08", false }, { "2025-10-09", true },
	{ "2025-10-10", true }, { "2025-10-11", true }, { "2025-10-12", false }, { "2025-10-13", true },
	/* 2026 春节: Fri 02-13 | Sat 14 调休 | Sun 15 .. Mon 23 off | Tue 24 .. Fri 27 | Sat 28 调休 |
	 * Sun 03-01 off | Mon 2 */
	{ "2026-02-13", true }, { "2026-02-14", true }, { "2026-02-15", false }, { "2026-02-16", false },
	{ "2026-02-23", false }, { "2026-02-24", true }, { "2026-02-28", true }, { "2026-03-01", false },
	{ "2026-03-02", true },
	/* 2026 中秋 and 国庆: Sat 09-19 off | Sun 20 调休 | Fri 25 .. Sun 27 off | Mon 28 .. Wed 30 |
	 * Thu 10-01 .. Wed 07 off | Thu 8, Fri 9 | Sat 10 调休 | Sun 11 off */
	{ "2026-09-19", false }, { "2026-09-20", true }, { "2026-09-24", true }, { "2026-09-25", false },
	{ "2026-09-27", false }, { "2026-09-28", true }, { "2026-10-01", false }, { "2026-10-07", false },
	{ "2026-10-08", true }, { "2026-10-09", true }, { "2026-10-10", true }, { "2026-10-11", false },
	/* 元旦 2026: Wed 2025-12-31 | Thu 01-01 .. Sat 03 off | Sun 4 调休 */
	{ "2025-12-31", true }, { "2026-01-01", false }, { "2026-01-02", false }, { "2026-01-03", false },
	{ "2026-01-04", true },
	/* plain weeks */
	{ "2025-03-14", true }, { "2025-03-15", false }, { "2025-03-16", false }, { "2026-07-01", true },
	{ "2026-12-31", true },
};

Test(workcal, working_days_around_spring_festival_and_national_day)
{
	for (size_t i = 0; i < N(days_2025_2026); i++) {
		int y, m, d;
		cr_assert_eq(sscanf(days_2025_2026[i].date, "%d-%d-%d", &y, &m, &d), 3);
		bool flagged = false;
		cr_expect_eq(workcal_is_working_day(cal, y, m, d, &flagged), days_2025_2026[i].working, "%s",
			     days_2025_2026[i].date);
		cr_expect(!flagged, "%s flagged", days_2025_2026[i].date);
	}
}

Test(workcal, tiaoxiu_saturday_and_sunday_are_working_days)
{
	cr_expect(workcal_is_working_day(cal, 2025, 2, 8, NULL));   /* Sat */
	cr_expect(workcal_is_working_day(cal, 2025, 9, 28, NULL));  /* Sun */
	cr_expect(workcal_is_working_day(cal, 2026, 1, 4, NULL));   /* Sun */
	cr_expect(workcal_is_working_day(cal, 2026, 10, 10, NULL)); /* Sat */
	/* the weekend days next to them are not */
	cr_expect(!workcal_is_working_day(cal, 2025, 2, 9, NULL));
	cr_expect(!workcal_is_working_day(cal, 2025, 9, 27, NULL));
	cr_expect(!workcal_is_working_day(cal, 2026, 10, 11, NULL));
}

Test(workcal, a_date_that_does_not_exist_is_not_a_working_day)
{
	static const int bad[][3] = { { 2025, 2, 29 }, { 2026, 2, 29 }, { 2025, 4, 31 }, { 2025, 13, 1 },
				      { 2025, 0, 10 },  { 2025, 1, 0 },   { 2025, 1, 32 }, { 2025, -1, 1 } };
	for (size_t i = 0; i < N(bad); i++) {
		bool flagged = false;
		cr_expect(!workcal_is_working_day(cal, bad[i][0], bad[i][1], bad[i][2], &flagged), "%d-%d-%d",
			  bad[i][0], bad[i][1], bad[i][2]);
		cr_expect(!workcal_set_day(cal, bad[i][0], bad[i][1], bad[i][2], WORKCAL_HOLIDAY));
		cr_expect(!flagged);
	}
	cr_expect(workcal_is_working_day(cal, 2024, 2, 29, NULL)); /* a Thursday */
	cr_expect(!workcal_set_day(cal, 2025, 3, 3, (enum workcal_day)7));
	cr_expect(workcal_is_working_day(cal, 2025, 3, 3, NULL));
}

Test(workcal, set_day_replaces_and_default_removes)
{
	cr_expect(!workcal_is_working_day(cal, 2025, 1, 28, NULL));
	cr_assert(workcal_set_day(cal, 2025, 1, 28, WORKCAL_DEFAULT)); /* back to a plain Tuesday */
	cr_expect(workcal_is_working_day(cal, 2025, 1, 28, NULL));
	cr_assert(workcal_set_day(cal, 2025, 1, 28, WORKCAL_HOLIDAY));
	cr_expect(!workcal_is_working_day(cal, 2025, 1, 28, NULL));
	cr_assert(workcal_set_day(cal, 2025, 1, 26, WORKCAL_HOLIDAY)); /* the 调休 Sunday, taken back */
	cr_expect(!workcal_is_working_day(cal, 2025, 1, 26, NULL));
	cr_assert(workcal_set_day(cal, 2025, 3, 8, WORKCAL_DEFAULT)); /* never listed: no change */
	cr_expect(!workcal_is_working_day(cal, 2025, 3, 8, NULL));
	/* the change moves deadlines: Fri 01-24 16:00 + 61 min skips Sunday now */
	expect_instant(workcal_add_minutes(cal, at("2025-01-24 16:00"), 61, NULL), "2025-01-27 09:01", "+61");
}

/* ---- years without a notice ---- */

Test(workcal, covered_years)
{
	cr_expect(workcal_year_covered(cal, 2025));
	cr_expect(workcal_year_covered(cal, 2026));
	cr_expect(!workcal_year_covered(cal, 2024));
	cr_expect(!workcal_year_covered(cal, 2027));
	workcal_cover_year(cal, 2027);
	workcal_cover_year(cal, 2027); /* twice is once */
	workcal_cover_year(cal, 2020);
	cr_expect(workcal_year_covered(cal, 2027));
	cr_expect(workcal_year_covered(cal, 2020));
	cr_expect(!workcal_year_covered(cal, 2021));
	struct workcal *empty = workcal_new();
	cr_expect(!workcal_year_covered(empty, 2025));
	workcal_free(empty);
	workcal_free(NULL);
}

Test(workcal, an_uncovered_year_is_plain_weekdays_and_flagged)
{
	bool flagged = false;
	/* 2027-01-01 is a Friday: certainly 元旦, but there is no notice yet */
	cr_expect(workcal_is_working_day(cal, 2027, 1, 1, &flagged));
	cr_expect(flagged);
	flagged = false;
	cr_expect(!workcal_is_working_day(cal, 2027, 1, 2, &flagged)); /* Saturday */
	cr_expect(flagged);
	flagged = false;
	cr_expect(workcal_is_working_day(cal, 2024, 12, 31, &flagged)); /* Tuesday, 2024 not loaded */
	cr_expect(flagged);
	/* once the year is covered it is no longer a guess */
	workcal_cover_year(cal, 2027);
	flagged = false;
	cr_expect(workcal_is_working_day(cal, 2027, 1, 1, &flagged));
	cr_expect(!flagged);
}

Test(workcal, a_listed_day_in_an_uncovered_year_is_taken_as_listed)
{
	/* a notice may list the previous December (2022-12-31 in the 2023 one) */
	cr_assert(workcal_set_day(cal, 2027, 1, 1, WORKCAL_HOLIDAY));
	bool flagged = false;
	cr_expect(!workcal_is_working_day(cal, 2027, 1, 1, &flagged));
	cr_expect(!flagged);
	/* but the day after, unlisted, is a guess again */
	flagged = false;
	expect_instant(workcal_next_working_instant(cal, at("2026-12-31 17:00"), &flagged), "2027-01-04 09:00",
		       "next");
	cr_expect(flagged);
}

Test(workcal, deadlines_into_2027_are_flagged)
{
	bool flagged = false;
	/* Thu 2026-12-31 16:00: 60 min to 17:00 stays in 2026 */
	expect_instant(workcal_add_minutes(cal, at("2026-12-31 16:00"), 60, &flagged), "2026-12-31 17:00", "+60");
	cr_expect(!flagged);
	/* the 61st minute is on Fri 2027-01-01, a plain weekday for lack of data */
	expect_instant(workcal_add_minutes(cal, at("2026-12-31 16:00"), 61, &flagged), "2027-01-01 09:01", "+61");
	cr_expect(flagged);
	/* the flag is never reset by a later answer that needs no guess */
	expect_instant(workcal_add_minutes(cal, at("2026-06-01 09:00"), 1, &flagged), "2026-06-01 09:01", "+1");
	cr_expect(flagged);

	flagged = false;
	/* 15 working days from Thu 2026-12-24: Fri 25 (1), Mon 28 .. Thu 31 (2-5), Fri 01-01 (6),
	 * Mon 4 .. Fri 8 (7-11), Mon 11 .. Thu 14 (12-15) */
	expect_instant(workcal_add_days(cal, at("2026-12-24 10:00"), 15, &flagged), "2027-01-14 17:00", "+15 d");
	cr_expect(flagged);
	flagged = false;
	expect_instant(workcal_add_days(cal, at("2026-12-30 10:00"), 1, &flagged), "2026-12-31 17:00", "+1 d");
	cr_expect(!flagged);
	expect_instant(workcal_add_days(cal, at("2026-12-31 10:00"), 1, &flagged), "2027-01-01 17:00", "+1 d");
	cr_expect(flagged);

	flagged = false;
	/* Thu 12-31 420 + Fri 01-01 420, weekend 0 */
	cr_expect_eq(workcal_minutes_between(cal, at("2026-12-31 09:00"), at("2027-01-04 09:00"), &flagged), 840);
	cr_expect(flagged);
	flagged = false;
	/* an empty interval reads no day at all */
	cr_expect_eq(workcal_minutes_between(cal, at("2027-03-01 10:00"), at("2027-03-01 10:00"), &flagged), 0);
	cr_expect(!flagged);
	/* ending at midnight of 2027-01-01 reads nothing of 2027 */
	cr_expect_eq(workcal_minutes_between(cal, at("2026-12-31 09:00"), at("2027-01-01 00:00"), &flagged), 420);
	cr_expect(!flagged);
	/* starting in 2024: Tue 2024-12-31 is a guess, then 2025-01-01 is 元旦 */
	flagged = false;
	expect_instant(workcal_add_minutes(cal, at("2024-12-31 16:00"), 61, &flagged), "2025-01-02 09:01", "+61");
	cr_expect(flagged);
	flagged = false;
	expect_instant(workcal_add_minutes(cal, at("2027-01-08 16:00"), 61, &flagged), "2027-01-11 09:01", "+61");
	cr_expect(flagged);
}

Test(workcal, weeks_crossed_at_once_are_flagged_too)
{
	/* two plain weeks and a minute from Mon 2027-03-01 09:00: Mon 1 .. Fri 5,
	 * Mon 8 .. Fri 12, then Mon 15 */
	bool flagged = false;
	expect_instant(workcal_add_minutes(cal, at("2027-03-01 09:00"), 10 * DAY_MIN + 1, &flagged),
		       "2027-03-15 09:01", "+2 weeks");
	cr_expect(flagged);
	/* from 2026 across a quiet November (no listed day after 2026-10-10) into
	 * 2027, in whole weeks: Mon 11-09 .. Fri 12-18 are 30 working days, and
	 * Mon 12-28 .. Fri 01-01 are 36 to 40; flagged only when it gets there */
	flagged = false;
	expect_instant(workcal_add_days(cal, at("2026-11-06 12:00"), 30, &flagged), "2026-12-18 17:00", "+30 d");
	cr_expect(!flagged);
	expect_instant(workcal_add_days(cal, at("2026-11-06 12:00"), 45, &flagged), "2027-01-08 17:00", "+45 d");
	cr_expect(flagged);
	/* all of 2027 inside one run of weeks, between covered days: Dec 2026
	 * has 23 working days (from Tue 12-01), 2027 has 261 weekdays (52 weeks
	 * and Fri 12-31), 2028 Sat 01-01 .. Tue 02-29 has 42 */
	workcal_cover_year(cal, 2028);
	flagged = false;
	cr_expect_eq(workcal_minutes_between(cal, at("2026-12-01 00:00"), at("2028-03-01 00:00"), &flagged),
		     (23 + 261 + 42) * DAY_MIN);
	cr_expect(flagged);
	flagged = false;
	cr_expect_eq(workcal_minutes_between(cal, at("2026-12-01 00:00"), at("2027-01-01 00:00"), &flagged),
		     23 * DAY_MIN);
	cr_expect(!flagged);
}

/* ---- add_minutes ---- */

static const struct {
	const char *start;
	long minutes;
	const char *want;
} add_minutes_cases[] = {
	/* 2025 春节. Fri 01-24 | Sat 25 off | Sun 26 调休 | Mon 27 | 01-28 .. 02-04 off |
	 * Wed 02-05 .. Fri 07 | Sat 08 调休 | Sun 09 off | Mon 10 */
	/* Fri 16:00-17:00 is 60; Sat off; Sun 09:00 + 60 */
	{ "2025-01-24 16:00", 120, "2025-01-26 10:00" },
	{ "2025-01-24 16:00", 0, "2025-01-24 16:00" },
	{ "2025-01-25 10:00", 0, "2025-01-25 10:00" },  /* N = 0 is the start, even on a Saturday */
	{ "2025-01-25 10:00", 1, "2025-01-26 09:01" },  /* Saturday: counting starts Sunday 09:00 */
	{ "2025-01-26 12:00", 60, "2025-01-26 14:00" }, /* 调休 Sunday at 12:00: from 13:00 */
	{ "2025-01-27 16:30", 30, "2025-01-27 17:00" }, /* completes exactly at 17:00 */
	{ "2025-01-27 16:30", 31, "2025-02-05 09:01" }, /* the 31st minute after the holiday */
	{ "2025-01-27 17:00", 420, "2025-02-05 17:00" },
	{ "2025-01-27 17:00", 421, "2025-02-06 09:01" },
	{ "2025-01-28 03:00", 180, "2025-02-05 12:00" }, /* exactly 12:00, not 13:00 */
	{ "2025-01-28 03:00", 181, "2025-02-05 13:01" },
	/* Fri 15:00-17:00 is 120, then 180 on the 调休 Saturday morning */
	{ "2025-02-07 15:00", 300, "2025-02-08 12:00" },
	{ "2025-02-08 12:30", 240, "2025-02-08 17:00" }, /* lunch: from 13:00 */
	{ "2025-02-08 17:00", 1, "2025-02-10 09:01" },
	{ "2025-02-05 09:00", 1, "2025-02-05 09:01" },
	{ "2025-02-05 08:59:59", 1, "2025-02-05 09:01" },
	{ "2025-02-05 09:00:30", 1, "2025-02-05 09:01:30" }, /* seconds are kept */
	{ "2025-02-05 11:59:30", 1, "2025-02-05 13:00:30" }, /* 30 s before lunch, 30 s after */
	{ "2025-02-05 11:59", 1, "2025-02-05 12:00" },
	{ "2025-02-05 12:00", 1, "2025-02-05 13:01" },
	{ "2025-02-05 13:00", 240, "2025-02-05 17:00" },
	{ "2025-02-05 23:59:59", 1, "2025-02-06 09:01" },
	{ "2025-01-24 16:59:59", 1, "2025-01-26 09:00:59" }, /* 1 s on Friday, 59 on Sunday */
	/* five full working days from Fri 01-24 09:00: 24, 26, 27, 02-05, 02-06 */
	{ "2025-01-24 09:00", 2100, "2025-02-06 17:00" },
	{ "2025-01-24 09:00", 2101, "2025-02-07 09:01" },

	/* 2025 国庆. Fri 09-26 | Sat 27 off | Sun 28 调休 | Mon 29, Tue 30 | 10-01 .. 10-08 off |
	 * Thu 9, Fri 10 | Sat 11 调休 | Sun 12 off | Mon 13 */
	{ "2025-09-26 17:00", 420, "2025-09-28 17:00" }, /* Friday evening: the 调休 Sunday */
	{ "2025-09-27 10:00", 180, "2025-09-28 12:00" },
	{ "2025-09-30 11:00", 60, "2025-09-30 12:00" },
	/* 60 to 12:00 and 240 in the afternoon leave 120 for 10-09 */
	{ "2025-09-30 11:00", 420, "2025-10-09 11:00" },
	{ "2025-10-01 00:00", 1260, "2025-10-11 17:00" }, /* 9, 10, 11 */
	{ "2025-10-01 00:00", 1261, "2025-10-13 09:01" },
	/* nine days from Fri 09-26 17:00: 28, 29, 30, 10-09, 10, 11, 13, 14, 15 */
	{ "2025-09-26 17:00", 3780, "2025-10-15 17:00" },

	/* 2026 春节. Fri 02-13 | Sat 14 调休 | 02-15 .. 02-23 off | Tue 24 .. Fri 27 | Sat 28 调休 |
	 * Sun 03-01 off */
	{ "2026-02-13 16:00", 60, "2026-02-13 17:00" },
	{ "2026-02-13 16:00", 61, "2026-02-14 09:01" },
	{ "2026-02-14 17:00", 1, "2026-02-24 09:01" },
	/* the 调休 Saturday afternoon (240) and Tue .. Fri (4 × 420) */
	{ "2026-02-14 13:00", 1920, "2026-02-27 17:00" },
	{ "2026-02-14 13:00", 1921, "2026-02-28 09:01" },
	{ "2026-02-20 12:00", 2100, "2026-02-28 17:00" }, /* from inside the holiday: 24 .. 28 */
	{ "2026-02-28 16:00", 61, "2026-03-02 09:01" },

	/* 2026 中秋 and 国庆. Sat 09-19 off | Sun 20 调休 | Thu 24 | 25 .. 27 off | Mon 28 .. Wed 30 |
	 * 10-01 .. 10-07 off | Thu 8, Fri 9 | Sat 10 调休 */
	{ "2026-09-19 08:00", 420, "2026-09-20 17:00" },
	{ "2026-09-24 16:00", 61, "2026-09-28 09:01" },
	/* 60 on 09-30, 420 on 10-08 and on 10-09, the last minute on the 调休 Saturday */
	{ "2026-09-30 16:00", 901, "2026-10-10 09:01" },
	{ "2026-10-10 16:00", 61, "2026-10-12 09:01" },

	/* 2026 元旦: Wed 2025-12-31 | 01-01 .. 01-03 off | Sun 01-04 调休 */
	{ "2025-12-31 16:00", 61, "2026-01-04 09:01" },
	{ "2025-12-31 20:00", 420, "2026-01-04 17:00" },
};

Test(workcal, add_minutes_around_the_holidays)
{
	for (size_t i = 0; i < N(add_minutes_cases); i++) {
		bool flagged = false;
		int64_t got = workcal_add_minutes(cal, at(add_minutes_cases[i].start), add_minutes_cases[i].minutes,
						  &flagged);
		char what[64];
		snprintf(what, sizeof what, "%s + %ld min", add_minutes_cases[i].start, add_minutes_cases[i].minutes);
		expect_instant(got, add_minutes_cases[i].want, what);
		cr_expect(!flagged, "%s flagged", what);
	}
}

Test(workcal, negative_minutes_are_zero)
{
	int64_t t = at("2025-01-25 10:00");
	cr_expect_eq(workcal_add_minutes(cal, t, -1, NULL), t);
	cr_expect_eq(workcal_add_minutes(cal, t, LONG_MIN, NULL), t);
	cr_expect_eq(workcal_add_days(cal, t, -1, NULL), t);
	cr_expect_eq(workcal_add_days(cal, t, INT_MIN, NULL), t);
	cr_expect_eq(workcal_add_days(cal, t, 0, NULL), t);
}

/* ---- add_days ---- */

static const struct {
	const char *start;
	int days;
	const char *want;
} add_days_cases[] = {
	/* 2025 春节, from Friday evening before the holiday: Sun 01-26 (1), Mon 27 (2),
	 * Wed 02-05 (3), Thu 6 (4), Fri 7 (5), Sat 8 调休 (6), Mon 10 (7) */
	{ "2025-01-24 18:00", 1, "2025-01-26 17:00" },
	{ "2025-01-24 18:00", 2, "2025-01-27 17:00" },
	{ "2025-01-24 18:00", 3, "2025-02-05 17:00" },
	{ "2025-01-24 18:00", 5, "2025-02-07 17:00" },
	{ "2025-01-24 18:00", 6, "2025-02-08 17:00" },
	{ "2025-01-24 18:00", 7, "2025-02-10 17:00" },
	{ "2025-01-24 08:00", 1, "2025-01-26 17:00" }, /* early on Friday: Friday still does not count */
	{ "2025-01-24 00:00", 1, "2025-01-26 17:00" },
	{ "2025-01-24 23:59:59", 1, "2025-01-26 17:00" },
	{ "2025-01-25 12:00", 1, "2025-01-26 17:00" }, /* from the Saturday off */
	{ "2025-01-26 10:00", 1, "2025-01-27 17:00" }, /* from the 调休 Sunday itself */
	{ "2025-01-27 10:00", 1, "2025-02-05 17:00" }, /* the eve of the holiday */
	{ "2025-01-30 10:00", 1, "2025-02-05 17:00" }, /* inside the holiday */
	{ "2025-02-08 10:00", 1, "2025-02-10 17:00" }, /* the 调休 Saturday itself (开始的当日不计入) */
	{ "2025-02-07 16:00", 1, "2025-02-08 17:00" },
	/* 2025 国庆 */
	{ "2025-09-26 20:00", 1, "2025-09-28 17:00" },
	{ "2025-09-30 09:00", 1, "2025-10-09 17:00" },
	{ "2025-09-30 09:00", 5, "2025-10-14 17:00" }, /* 9, 10, 11, 13, 14 */
	{ "2025-10-11 10:00", 1, "2025-10-13 17:00" }, /* the 调休 Saturday itself */
	/* 2026 春节: Sat 02-14 (1), Tue 24 (2) .. Fri 27 (5), Sat 28 (6), Mon 03-02 (7) */
	{ "2026-02-13 18:00", 1, "2026-02-14 17:00" },
	{ "2026-02-13 18:00", 2, "2026-02-24 17:00" },
	{ "2026-02-13 18:00", 6, "2026-02-28 17:00" },
	{ "2026-02-13 18:00", 7, "2026-03-02 17:00" },
	{ "2026-02-14 10:00", 1, "2026-02-24 17:00" },
	/* 2026 中秋 and 国庆 */
	{ "2026-09-24 10:00", 1, "2026-09-28 17:00" },
	{ "2026-09-30 10:00", 1, "2026-10-08 17:00" },
	{ "2026-09-30 10:00", 3, "2026-10-10 17:00" },
	{ "2026-09-19 10:00", 1, "2026-09-20 17:00" },
	/* 元旦 2026 */
	{ "2025-12-31 10:00", 1, "2026-01-04 17:00" },
};

Test(workcal, add_days_around_the_holidays)
{
	for (size_t i = 0; i < N(add_days_cases); i++) {
		bool flagged = false;
		int64_t got = workcal_add_days(cal, at(add_days_cases[i].start), add_days_cases[i].days, &flagged);
		char what[64];
		snprintf(what, sizeof what, "%s + %d d", add_days_cases[i].start, add_days_cases[i].days);
		expect_instant(got, add_days_cases[i].want, what);
		cr_expect(!flagged, "%s flagged", what);
	}
}

/* ---- minutes_between ---- */

static const struct {
	const char *from, *to;
	long minutes;
} between_cases[] = {
	/* Mon 01-27 full day, 01-28 .. 02-04 nothing, 02-05 before 09:00 nothing */
	{ "2025-01-27 09:00", "2025-02-05 09:00", 420 },
	/* Fri 60 + Sun 420 + Mon 420 + 02-05 .. 07 1260 + Sat 02-08 60 */
	{ "2025-01-24 16:00", "2025-02-08 10:00", 2220 },
	/* 30 s + 240 min on 09-30, 29 s on 10-09: 240 min 59 s, rounded down */
	{ "2025-09-30 11:59:30", "2025-10-09 09:00:29", 240 },
	{ "2025-09-30 11:59:30", "2025-10-09 09:00:30", 241 },
	{ "2025-10-01 00:00", "2025-10-09 00:00", 0 }, /* the whole holiday */
	{ "2025-09-27 00:00", "2025-09-28 00:00", 0 }, /* the Saturday off */
	{ "2025-09-28 00:00", "2025-09-29 00:00", 420 }, /* the 调休 Sunday */
	{ "2025-02-05 12:00", "2025-02-05 13:00", 0 }, /* lunch */
	{ "2025-02-05 11:00", "2025-02-05 14:00", 120 },
	{ "2025-02-05 17:00", "2025-02-06 09:00", 0 }, /* night */
	{ "2025-02-05 16:59:01", "2025-02-05 17:00", 0 }, /* 59 s */
	{ "2025-02-05 10:00", "2025-02-05 10:00", 0 },
	/* 2026 春节: 13, 14, 24 .. 27, 28 are seven days */
	{ "2026-02-13 09:00", "2026-03-02 09:00", 2940 },
	/* Fri 09-18, Sun 20, Mon 21 .. Thu 24, Mon 28 .. Wed 30, Thu 10-08, Fri 9, Sat 10: twelve */
	{ "2026-09-18 00:00", "2026-10-12 00:00", 5040 },
	/* the whole years: 261 weekdays, less 18 (2025) and 19 (2026) weekday holidays,
	 * plus 5 and 6 调休 days, are 248 working days each */
	{ "2025-01-01 00:00", "2026-01-01 00:00", 248 * DAY_MIN },
	{ "2026-01-01 00:00", "2027-01-01 00:00", 248 * DAY_MIN },
};

Test(workcal, minutes_between_across_the_holidays_and_back)
{
	for (size_t i = 0; i < N(between_cases); i++) {
		int64_t from = at(between_cases[i].from), to = at(between_cases[i].to);
		bool flagged = false;
		cr_expect_eq(workcal_minutes_between(cal, from, to, &flagged), between_cases[i].minutes, "%s .. %s: %ld",
			     between_cases[i].from, between_cases[i].to, workcal_minutes_between(cal, from, to, NULL));
		cr_expect_eq(workcal_minutes_between(cal, to, from, &flagged), -between_cases[i].minutes,
			     "%s .. %s backwards", between_cases[i].from, between_cases[i].to);
		cr_expect(!flagged, "%s .. %s flagged", between_cases[i].from, between_cases[i].to);
	}
}

/* ---- next_working_instant ---- */

static const struct {
	const char *t, *want;
} next_cases[] = {
	{ "2025-01-27 12:00", "2025-01-27 13:00" }, /* 12:00 is lunch */
	{ "2025-01-27 11:59:59", "2025-01-27 11:59:59" },
	{ "2025-01-27 12:59:59", "2025-01-27 13:00" },
	{ "2025-01-27 13:00", "2025-01-27 13:00" },
	{ "2025-01-27 09:00", "2025-01-27 09:00" },
	{ "2025-01-27 08:59:59", "2025-01-27 09:00" },
	{ "2025-01-27 00:00", "2025-01-27 09:00" },
	{ "2025-01-27 16:59:59", "2025-01-27 16:59:59" },
	{ "2025-01-27 17:00", "2025-02-05 09:00" }, /* the eve of 春节 2025 */
	{ "2025-01-24 17:00", "2025-01-26 09:00" }, /* Friday: the 调休 Sunday */
	{ "2025-01-25 10:00", "2025-01-26 09:00" },
	{ "2025-01-31 10:00", "2025-02-05 09:00" },
	{ "2025-09-30 17:00", "2025-10-09 09:00" }, /* the eve of 国庆 2025 */
	{ "2025-10-10 17:00", "2025-10-11 09:00" },
	{ "2025-10-11 12:00", "2025-10-11 13:00" }, /* lunch on the 调休 Saturday */
	{ "2025-10-11 17:00", "2025-10-13 09:00" },
	{ "2026-02-13 23:00", "2026-02-14 09:00" },
	{ "2026-02-14 17:00", "2026-02-24 09:00" }, /* the eve of 春节 2026 */
	{ "2026-09-30 17:00", "2026-10-08 09:00" }, /* the eve of 国庆 2026 */
	{ "2026-10-09 17:00", "2026-10-10 09:00" },
	{ "2025-12-31 17:00", "2026-01-04 09:00" },
};

Test(workcal, next_working_instant_at_lunch_night_and_holiday_eves)
{
	for (size_t i = 0; i < N(next_cases); i++) {
		bool flagged = false;
		expect_instant(workcal_next_working_instant(cal, at(next_cases[i].t), &flagged), next_cases[i].want,
			       next_cases[i].t);
		cr_expect(!flagged, "%s flagged", next_cases[i].t);
	}
	bool flagged = false;
	expect_instant(workcal_next_working_instant(cal, at("2026-12-31 12:00"), &flagged), "2026-12-31 13:00",
		       "12-31 lunch");
	cr_expect(!flagged);
	expect_instant(workcal_next_working_instant(cal, at("2026-12-31 17:00"), &flagged), "2027-01-01 09:00",
		       "12-31 evening");
	cr_expect(flagged);
}

/* ---- office hours ---- */

Test(workcal, default_hours)
{
	struct workcal_span s[WORKCAL_MAX_SPANS];
	cr_assert_eq(workcal_get_hours(cal, s), 2);
	cr_expect(s[0].start_min == 540 && s[0].end_min == 720 && s[1].start_min == 780 && s[1].end_min == 1020);
	char text[WORKCAL_HOURS_LEN];
	workcal_format_hours(s, 2, text);
	cr_expect_str_eq(text, "09:00-12:00,13:00-17:00");
}

Test(workcal, custom_hours_0830_to_1730)
{
	struct workcal_span s[WORKCAL_MAX_SPANS];
	int n = 0;
	cr_assert(workcal_parse_hours("08:30-11:30,13:30-17:30", s, &n));
	cr_assert_eq(n, 2);
	cr_assert(workcal_set_hours(cal, s, n));
	/* still 180 + 240 = 420 a day */
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 17:00"), 30, NULL), "2025-02-07 17:30", "17:00 + 30");
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 17:00"), 31, NULL), "2025-02-08 08:31", "17:00 + 31");
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 11:30"), 1, NULL), "2025-02-07 13:31", "11:30 + 1");
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 11:00"), 30, NULL), "2025-02-07 11:30", "11:00 + 30");
	expect_instant(workcal_add_minutes(cal, at("2025-01-27 17:00"), 30, NULL), "2025-01-27 17:30", "eve + 30");
	expect_instant(workcal_add_minutes(cal, at("2025-01-27 17:00"), 60, NULL), "2025-02-05 09:00", "eve + 60");
	expect_instant(workcal_add_minutes(cal, at("2025-01-27 17:00"), 90, NULL), "2025-02-05 09:30", "eve + 90");
	expect_instant(workcal_add_minutes(cal, at("2025-01-27 17:00"), 450, NULL), "2025-02-05 17:30", "eve + 450");
	expect_instant(workcal_add_days(cal, at("2025-02-07 09:00"), 1, NULL), "2025-02-08 17:30", "+1 d");
	expect_instant(workcal_next_working_instant(cal, at("2025-02-07 08:00"), NULL), "2025-02-07 08:30", "08:00");
	expect_instant(workcal_next_working_instant(cal, at("2025-02-07 12:00"), NULL), "2025-02-07 13:30", "12:00");
	expect_instant(workcal_next_working_instant(cal, at("2025-02-07 17:00"), NULL), "2025-02-07 17:00", "17:00");
	expect_instant(workcal_next_working_instant(cal, at("2025-02-07 17:30"), NULL), "2025-02-08 08:30", "17:30");
	/* Fri 08:30-17:30 is 420 and Sat 08:30-08:31 is 1 */
	cr_expect_eq(workcal_minutes_between(cal, at("2025-02-07 08:00"), at("2025-02-08 08:31"), NULL), 421);
}

Test(workcal, one_span_and_touching_spans)
{
	struct workcal_span one[] = { { 0, 24 * 60 } };
	cr_assert(workcal_set_hours(cal, one, 1));
	/* the whole working day: 1,440 minutes; Fri 2025-02-07 00:00 + 1 day's worth */
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 00:00"), 1440, NULL), "2025-02-08 00:00", "+1440");
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 00:00"), 1441, NULL), "2025-02-08 00:01", "+1441");
	/* Sat 02-08 (调休) ends at 24:00, which is Sunday 00:00 */
	expect_instant(workcal_add_days(cal, at("2025-02-07 09:00"), 1, NULL), "2025-02-09 00:00", "+1 d");
	expect_instant(workcal_next_working_instant(cal, at("2025-02-09 10:00"), NULL), "2025-02-10 00:00", "Sun");

	struct workcal_span touching[] = { { 9 * 60, 12 * 60 }, { 12 * 60, 17 * 60 } };
	cr_assert(workcal_set_hours(cal, touching, 2));
	expect_instant(workcal_next_working_instant(cal, at("2025-02-07 12:00"), NULL), "2025-02-07 12:00", "12:00");
	expect_instant(workcal_add_minutes(cal, at("2025-02-07 11:30"), 60, NULL), "2025-02-07 12:30", "+60");
	cr_expect_eq(workcal_minutes_between(cal, at("2025-02-07 00:00"), at("2025-02-08 00:00"), NULL), 480);
}

Test(workcal, invalid_hours_change_nothing)
{
	static const struct {
		struct workcal_span s[WORKCAL_MAX_SPANS + 1];
		int n;
	} bad[] = {
		{ { { 540, 720 } }, 0 },
		{ { { 540, 720 } }, -1 },
		{ { { 60, 120 }, { 180, 240 }, { 300, 360 }, { 420, 480 }, { 540, 600 } }, 5 },
		{ { { 540, 540 } }, 1 },                   /* empty */
		{ { { 720, 540 } }, 1 },                   /* backwards */
		{ { { -60, 540 } }, 1 },                   /* before midnight */
		{ { { 540, 1441 } }, 1 },                  /* after 24:00 */
		{ { { 540, 720 }, { 700, 1020 } }, 2 },    /* overlapping */
		{ { { 780, 1020 }, { 540, 720 } }, 2 },    /* descending */
		{ { { 540, 720 }, { 780, 780 } }, 2 },     /* an empty second span */
	};
	for (size_t i = 0; i < N(bad); i++)
		cr_expect(!workcal_set_hours(cal, bad[i].s, bad[i].n), "case %zu", i);
	cr_expect(!workcal_set_hours(cal, NULL, 1));
	struct workcal_span s[WORKCAL_MAX_SPANS];
	cr_expect_eq(workcal_get_hours(cal, s), 2);
	cr_expect(s[0].start_min == 540 && s[0].end_min == 720 && s[1].start_min == 780 && s[1].end_min == 1020);
	expect_instant(workcal_add_minutes(cal, at("2025-02-05 11:59"), 1, NULL), "2025-02-05 12:00", "unchanged");
}

static const struct {
	const char *text;
	int n;
	struct workcal_span s[WORKCAL_MAX_SPANS];
} parse_ok[] = {
	{ "09:00-12:00,13:00-17:00", 2, { { 540, 720 }, { 780, 1020 } } },
	{ "08:30-11:30,13:30-17:30", 2, { { 510, 690 }, { 810, 1050 } } },
	{ "09:00-17:00", 1, { { 540, 1020 } } },
	{ "00:00-24:00", 1, { { 0, 1440 } } },
	{ "23:59-24:00", 1, { { 1439, 1440 } } },
	{ "09:00-12:00,12:00-17:00", 2, { { 540, 720 }, { 720, 1020 } } },
	{ "06:00-08:00,09:00-12:00,13:00-17:00,18:00-24:00", 4,
	  { { 360, 480 }, { 540, 720 }, { 780, 1020 }, { 1080, 1440 } } },
};

Test(workcal, parses_hours)
{
	for (size_t i = 0; i < N(parse_ok); i++) {
		struct workcal_span s[WORKCAL_MAX_SPANS];
		int n = -1;
		cr_assert(workcal_parse_hours(parse_ok[i].text, s, &n), "refused %s", parse_ok[i].text);
		cr_assert_eq(n, parse_ok[i].n, "%s", parse_ok[i].text);
		for (int k = 0; k < n; k++)
			cr_expect(s[k].start_min == parse_ok[i].s[k].start_min && s[k].end_min == parse_ok[i].s[k].end_min,
				  "%s span %d: %d-%d", parse_ok[i].text, k, s[k].start_min, s[k].end_min);
		char back[WORKCAL_HOURS_LEN];
		workcal_format_hours(s, n, back);
		cr_expect_str_eq(back, parse_ok[i].text);
	}
}

static const char *const parse_bad[] = {
	"", "9:00-12:00", "09:0-12:00", "0900-1200", "09:00-12:00,", ",09:00-12:00", "09:00-12:00,,13:00-17:00",
	" 09:00-12:00", "09:00-12:00 ", "09:00-12:00, 13:00-17:00", "09:00 -12:00", "09:00\xe2\x80\x93" "12:00",
	"09:00-12:00;13:00-17:00", "09:00-12:00/13:00-17:00", "09:00~12:00", "09.00-12.00", "09:00-12:00x",
	"09:60-12:00", "09:00-12:60", "25:00-26:00", "24:00-24:00", "24:00-23:00", "09:00-24:01", "09:00-25:00",
	"12:00-09:00", "09:00-09:00", "09:00-12:00,11:00-17:00", "13:00-17:00,09:00-12:00",
	"01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00", "-1:00-12:00", "+9:00-12:00",
	"０９:00-12:00", "09:00-12:00\n",
};

Test(workcal, refuses_bad_hours_and_writes_nothing)
{
	for (size_t i = 0; i < N(parse_bad); i++) {
		struct workcal_span s[WORKCAL_MAX_SPANS] = { { 1, 2 } };
		int n = 42;
		cr_expect(!workcal_parse_hours(parse_bad[i], s, &n), "accepted \"%s\"", parse_bad[i]);
		cr_expect(n == 42 && s[0].start_min == 1 && s[0].end_min == 2, "\"%s\" wrote", parse_bad[i]);
	}
	int n;
	struct workcal_span s[WORKCAL_MAX_SPANS];
	cr_expect(!workcal_parse_hours(NULL, s, &n));
}

Test(workcal, refuses_every_truncation_of_hours)
{
	/* each prefix in a buffer of its own size, so that reading past the
	 * end shows up under a sanitizer; whole spans are valid prefixes */
	const char *text = "08:30-11:30,13:30-17:30";
	for (size_t len = 0; len < strlen(text); len++) {
		char *prefix = malloc(len + 1);
		cr_assert_not_null(prefix);
		memcpy(prefix, text, len);
		prefix[len] = '\0';
		struct workcal_span s[WORKCAL_MAX_SPANS];
		int n;
		cr_expect_eq(workcal_parse_hours(prefix, s, &n), len == 11, "\"%s\"", prefix);
		free(prefix);
	}
}

/* ---- absurd inputs ---- */

Test(workcal, absurd_instants_are_clamped)
{
	const int64_t limit = WORKCAL_INSTANT_LIMIT;
	bool flagged = false;
	int64_t far = workcal_add_minutes(cal, INT64_MAX, 1, &flagged);
	cr_expect(flagged);
	cr_expect_eq(far, workcal_add_minutes(cal, limit, 1, NULL));
	cr_expect(far > limit && far < limit + 4 * 86400, "%lld", (long long)far);
	cr_expect_eq(workcal_add_minutes(cal, INT64_MIN, 0, NULL), INT64_MIN); /* N = 0: as given */
	cr_expect_eq(workcal_add_days(cal, INT64_MAX, INT_MAX, NULL), workcal_add_days(cal, limit, INT_MAX, NULL));
	cr_expect_eq(workcal_minutes_between(cal, INT64_MIN, INT64_MAX, NULL),
		     workcal_minutes_between(cal, -limit, limit, NULL));
	cr_expect_eq(workcal_minutes_between(cal, INT64_MAX, INT64_MIN, NULL),
		     -workcal_minutes_between(cal, -limit, limit, NULL));
	int64_t next = workcal_next_working_instant(cal, INT64_MIN, NULL);
	cr_expect(next >= -limit && next < -limit + 4 * 86400, "%lld", (long long)next);
	cr_expect_eq(workcal_next_working_instant(cal, next, NULL), next);
}

Test(workcal, whole_millennia)
{
	/* 0001-01-01 (a Monday) to 9999-12-31 (a Friday), whole local days:
	 * 3,652,059 days, 521,722 weeks and Mon .. Fri, so 2,608,615 days
	 * Monday to Friday; 2025 and 2026 have 13 fewer working days each */
	const int64_t first = -62135596800LL - TIMEFMT_OFFSET_SECONDS, end = 253402300800LL - TIMEFMT_OFFSET_SECONDS;
	bool flagged = false;
	cr_expect_eq(workcal_minutes_between(cal, first, end, &flagged), 2608589L * DAY_MIN);
	cr_expect(flagged);
	cr_expect_eq(workcal_minutes_between(cal, end, first, NULL), -2608589L * DAY_MIN);
	/* the Friday 9999-12-31 23:59:59 plus a minute is Monday 10000-01-03
	 * 09:01 local: (2,932,899 days × 86,400 + 09:01) − 8 h */
	cr_expect_eq(workcal_add_minutes(cal, end - 1, 1, NULL), 253402477260LL);
	/* and 2,608,589 working days from the day before 0001-01-01 end there */
	cr_expect_eq(workcal_add_days(cal, first - 1, 2608589, NULL), end - 7 * 3600);
	/* that many minutes are more than WORKCAL_MAX_MINUTES, which is taken instead */
	cr_expect_eq(workcal_add_minutes(cal, first, 2608589L * DAY_MIN, NULL),
		     workcal_add_minutes(cal, first, WORKCAL_MAX_MINUTES, NULL));
	cr_expect_lt(workcal_add_minutes(cal, first, WORKCAL_MAX_MINUTES, NULL), end - 7 * 3600);
}

Test(workcal, huge_counts_take_microseconds, .timeout = 20)
{
	/* one week's worth of minutes is 2,100; WORKCAL_MAX_MINUTES is
	 * 476,190 weeks and 100 minutes: a loop per day would take seconds here */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		bool flagged = false;
		int64_t t = at("2025-01-01 00:00") + i * 3607;
		int64_t end = workcal_add_minutes(cal, t, WORKCAL_MAX_MINUTES, &flagged);
		cr_assert(flagged);
		cr_assert_eq(workcal_minutes_between(cal, t, end, NULL), WORKCAL_MAX_MINUTES, "from %lld", (long long)t);
		cr_assert_gt(workcal_add_days(cal, t, INT_MAX, NULL), end);
		cr_assert_eq(workcal_minutes_between(cal, t, workcal_add_minutes(cal, t, 100000, NULL), NULL), 100000);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_expect_lt(seconds, 2.0, "4,000 huge computations took %.3f s", seconds);
	/* beyond the cap, the cap */
	int64_t t = at("2025-01-01 00:00");
	cr_expect_eq(workcal_add_minutes(cal, t, LONG_MAX, NULL), workcal_add_minutes(cal, t, WORKCAL_MAX_MINUTES, NULL));
}

/* ---- a minute-by-minute model, from the tables above ---- */

static int64_t local_day(int64_t t)
{
	int64_t local = t + TIMEFMT_OFFSET_SECONDS;
	return local / 86400 - (local % 86400 < 0);
}

/* Whether the day of t works, from the tables and the weekday alone. */
static bool model_working_day(int64_t t)
{
	char s[TIMEFMT_LEN];
	timefmt_rfc3339(t, 0, s);
	for (size_t i = 0; i < N(holidays); i++)
		if (strncmp(s, holidays[i], 10) == 0)
			return false;
	for (size_t i = 0; i < N(workdays); i++)
		if (strncmp(s, workdays[i], 10) == 0)
			return true;
	return (local_day(t) + 3) % 7 < 5; /* 1970-01-01 was a Thursday */
}

/* Whether the minute starting at t (a whole minute) is working time. */
static bool model_working_minute(int64_t t, int64_t *cached_day, bool *cached)
{
	int64_t day = local_day(t);
	if (day != *cached_day) {
		*cached_day = day;
		*cached = model_working_day(t);
	}
	int64_t m = (t + TIMEFMT_OFFSET_SECONDS - day * 86400) / 60;
	return *cached && ((m >= 540 && m < 720) || (m >= 780 && m < 1020));
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(uint64_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % bound;
}

Test(workcal, agrees_with_a_minute_by_minute_model)
{
	const int64_t first = at("2025-01-01 00:00"), span_minutes = (at("2026-11-20 00:00") - first) / 60;
	for (int i = 0; i < 400; i++) {
		int64_t t = first + (int64_t)rnd((uint64_t)span_minutes) * 60;
		long n = (long)rnd(i % 4 == 0 ? 6000 : 500);
		/* the model's answer: count whole working minutes from t */
		int64_t day = INT64_MIN, x = t;
		bool works = false;
		long counted = 0;
		while (counted < n) {
			if (model_working_minute(x, &day, &works))
				counted++;
			x += 60;
		}
		bool flagged = false;
		int64_t got = workcal_add_minutes(cal, t, n, &flagged);
		char a[TIMEFMT_LEN], b[TIMEFMT_LEN], c[TIMEFMT_LEN];
		cr_expect_eq(got, x, "%s + %ld: %s, model %s", show(t, a), n, show(got, b), show(x, c));
		cr_expect(!flagged);
		/* and the working minutes between t and a random later instant */
		int64_t to = t + (int64_t)rnd(20 * 24 * 60) * 60;
		long model = 0;
		day = INT64_MIN;
		for (int64_t m = t; m < to; m += 60)
			model += model_working_minute(m, &day, &works);
		cr_expect_eq(workcal_minutes_between(cal, t, to, NULL), model, "%s .. %s", show(t, a), show(to, b));
		/* and the next working instant */
		day = INT64_MIN;
		x = t;
		while (!model_working_minute(x, &day, &works))
			x += 60;
		cr_expect_eq(workcal_next_working_instant(cal, t, NULL), x, "next %s", show(t, a));
	}
}

/* ---- properties ---- */

static int64_t second_of_day(int64_t t)
{
	return t + TIMEFMT_OFFSET_SECONDS - local_day(t) * 86400;
}

/* Whether t is at the end of a default span (12:00:00 or 17:00:00 local). */
static bool at_span_end(int64_t t)
{
	return second_of_day(t) == 12 * 3600 || second_of_day(t) == 17 * 3600;
}

Test(workcal, add_minutes_and_minutes_between_are_inverses)
{
	const int64_t first = at("2025-01-01 00:00"), range = at("2026-11-20 00:00") - first;
	for (int i = 0; i < 3000; i++) {
		int64_t t = first + (int64_t)rnd((uint64_t)range); /* any second, working or not */
		long n = (long)rnd(i % 3 == 0 ? 10000 : 900);
		bool flagged = false;
		int64_t end = workcal_add_minutes(cal, t, n, &flagged);
		int64_t next = workcal_next_working_instant(cal, t, &flagged);
		char a[TIMEFMT_LEN], b[TIMEFMT_LEN];
		cr_assert_eq(workcal_minutes_between(cal, t, end, &flagged), n, "%s + %ld = %s", show(t, a), n,
			     show(end, b));
		cr_assert_eq(workcal_minutes_between(cal, end, t, &flagged), -n);
		/* monotonic in n, strictly */
		cr_assert_gt(workcal_add_minutes(cal, t, n + 1, &flagged), end, "%s + %ld", show(t, a), n);
		/* counting starts at the next working instant */
		cr_assert(next >= t);
		cr_assert_eq(workcal_minutes_between(cal, t, next, &flagged), 0);
		cr_assert_eq(workcal_next_working_instant(cal, next, &flagged), next);
		if (n > 0) {
			cr_assert_eq(workcal_add_minutes(cal, next, n, &flagged), end, "%s + %ld", show(t, a), n);
			/* the result is working time, or exactly the end of a span */
			int64_t after = workcal_next_working_instant(cal, end, &flagged);
			cr_assert(after == end || at_span_end(end), "%s + %ld = %s", show(t, a), n, show(end, b));
			cr_assert(after >= end);
		}
		/* additive: a then b minutes is a + b minutes */
		long k = (long)rnd((uint64_t)n + 1);
		cr_assert_eq(workcal_add_minutes(cal, workcal_add_minutes(cal, t, k, &flagged), n - k, &flagged), end,
			     "%s + %ld + %ld", show(t, a), k, n - k);
		cr_assert(!flagged, "%s + %ld flagged", show(t, a), n);
	}
}

Test(workcal, add_days_properties)
{
	const int64_t first = at("2025-01-01 00:00"), range = at("2026-10-31 00:00") - first;
	for (int i = 0; i < 2000; i++) {
		int64_t t = first + (int64_t)rnd((uint64_t)range);
		int k = 1 + (int)rnd(30);
		bool flagged = false;
		int64_t dk = workcal_add_days(cal, t, k, &flagged), dk1 = workcal_add_days(cal, t, k + 1, &flagged);
		char a[TIMEFMT_LEN], b[TIMEFMT_LEN];
		cr_assert_gt(dk1, dk, "%s + %d", show(t, a), k);
		cr_assert_gt(workcal_add_days(cal, t, 1, &flagged), t);
		/* a deadline is 17:00 on a working day, one working day after the previous one */
		cr_assert_eq(second_of_day(dk), 17 * 3600, "%s + %d = %s", show(t, a), k, show(dk, b));
		cr_assert(model_working_day(dk), "%s + %d = %s", show(t, a), k, show(dk, b));
		cr_assert_eq(workcal_minutes_between(cal, dk, dk1, &flagged), DAY_MIN, "%s + %d", show(t, a), k);
		/* k working days lie between the end of the start's date and the deadline */
		int64_t midnight = (local_day(t) + 1) * 86400 - TIMEFMT_OFFSET_SECONDS;
		cr_assert_eq(workcal_minutes_between(cal, midnight, dk, &flagged), (long)k * DAY_MIN, "%s + %d = %s",
			     show(t, a), k, show(dk, b));
		/* and it is where k days' minutes from that midnight complete */
		cr_assert_eq(workcal_add_minutes(cal, midnight, (long)k * DAY_MIN, &flagged), dk);
		cr_assert(!flagged);
	}
}

/* The day numbers workcal takes from timefmt. */
Test(workcal, civil_day_numbers)
{
	cr_expect_eq(timefmt_days_from_civil(1970, 1, 1), 0);
	cr_expect_eq(timefmt_days_from_civil(2025, 1, 1), 20089); /* 2025-01-01T00:00Z is 1735689600 */
	cr_expect_eq(timefmt_days_from_civil(2000, 3, 1), 11017);
	cr_expect_eq(timefmt_days_from_civil(1969, 12, 31), -1);
	cr_expect_eq(timefmt_days_from_civil(1, 1, 1), -719162);
	for (int64_t day = -800000; day < 3000000; day += 997) {
		int64_t y;
		int m, d;
		timefmt_civil_from_days(day, &y, &m, &d);
		cr_assert_eq(timefmt_days_from_civil(y, m, d), day, "%lld: %lld-%d-%d", (long long)day, (long long)y, m,
			     d);
		char s[TIMEFMT_LEN], want[16];
		timefmt_rfc3339(day * 86400 - TIMEFMT_OFFSET_SECONDS, 0, s);
		snprintf(want, sizeof want, "%04lld-%02d-%02d", (long long)y, m, d);
		if (y >= 1 && y <= 9999)
			cr_assert(strncmp(s, want, 10) == 0, "%lld: %s, formatter %s", (long long)day, want, s);
	}
}
