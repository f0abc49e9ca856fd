/*
 * Unit tests for core/sla: the SLA clock of one leg of a ticket (the rules
 * are in core/sla.h).
 *
 * The calendar is the State Council's 2025 and 2026 arrangements as the
 * notices state them (放假 from a date for so many days, 调休 working days),
 * checked against ../shared/data/cn-holidays.json. Office hours are the
 * default 09:00-12:00 and 13:00-17:00: 180 + 240 = 420 minutes a day.
 *
 * Every expected instant is written out as local time and was worked out by
 * hand from the day charts in the comments (a comment per case says how),
 * never by calling the module.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sla.h"
#include "core/timefmt.h"
#include "core/workcal.h"
#include "zh.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the calendar ---- */

/* Days off: first day and how many (放假调休, 共 n 天). */
static const struct {
	const char *from;
	int days;
} days_off[] = {
	/* 2025 (国办发明电〔2024〕12号) */
	{ "2025-01-01", 1 }, /* 元旦 Wed */
	{ "2025-01-28", 8 }, /* 春节 Tue 01-28 .. Tue 02-04 */
	{ "2025-04-04", 3 }, /* 清明节 */
	{ "2025-05-01", 5 }, /* 劳动节 */
	{ "2025-05-31", 3 }, /* 端午节 */
	{ "2025-10-01", 8 }, /* 国庆节、中秋节 Wed 10-01 .. Wed 10-08 */
	/* 2026 (the notice of 2025-11-04) */
	{ "2026-01-01", 3 }, /* 元旦 Thu .. Sat */
	{ "2026-02-15", 9 }, /* 春节 Sun 02-15 .. Mon 02-23 */
	{ "2026-04-04", 3 }, /* 清明节 */
	{ "2026-05-01", 5 }, /* 劳动节 */
	{ "2026-06-19", 3 }, /* 端午节 */
	{ "2026-09-25", 3 }, /* 中秋节 Fri .. Sun */
	{ "2026-10-01", 7 }, /* 国庆节 Thu 10-01 .. Wed 10-07 */
};

/* 调休: weekend days that are working days. */
static const char *const tiaoxiu[] = {
	"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",               /* Sun Sat Sun Sun Sat */
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10", /* Sun Sat Sat Sat Sun Sat */
};

static struct workcal *cal;

static void list_day(int64_t day, enum workcal_day kind)
{
	int64_t y;
	int m, d;
	timefmt_civil_from_days(day, &y, &m, &d);
	cr_assert(workcal_set_day(cal, (int)y, m, d, kind), "%lld-%d-%d", (long long)y, m, d);
}

static int64_t day_number(const char *date)
{
	int y, m, d;
	cr_assert_eq(sscanf(date, "%d-%d-%d", &y, &m, &d), 3, "%s", date);
	return timefmt_days_from_civil(y, m, d);
}

static void setup(void)
{
	cal = workcal_new();
	for (size_t i = 0; i < N(days_off); i++)
		for (int k = 0; k < days_off[i].days; k++)
			list_day(day_number(days_off[i].from) + k, WORKCAL_HOLIDAY);
	for (size_t i = 0; i < N(tiaoxiu); i++)
		list_day(day_number(tiaoxiu[i]), WORKCAL_WORKDAY);
	workcal_cover_year(cal, 2025);
	workcal_cover_year(cal, 2026);
}

static void teardown(void)
{
	workcal_free(cal);
}

TestSuite(sla, .init = setup, .fini = teardown);

Test(sla, the_calendar_is_the_notices)
{
	/* a few days of the charts below, so that a typo in the tables shows here */
	static const struct {
		int y, m, d;
		bool working;
	} days[] = {
		{ 2025, 1, 26, true },  { 2025, 1, 27, true },  { 2025, 1, 28, false }, { 2025, 2, 4, false },
		{ 2025, 2, 5, true },   { 2025, 9, 28, true },  { 2025, 10, 8, false }, { 2025, 10, 9, true },
		{ 2025, 10, 11, true }, { 2025, 10, 12, false }, { 2026, 2, 14, true }, { 2026, 2, 23, false },
		{ 2026, 2, 24, true },  { 2026, 10, 7, false }, { 2026, 10, 8, true },  { 2026, 10, 10, true },
		{ 2026, 10, 11, false }, { 2026, 1, 3, false }, { 2026, 1, 4, true },   { 2025, 3, 15, false },
	};
	for (size_t i = 0; i < N(days); i++)
		cr_expect_eq(workcal_is_working_day(cal, days[i].y, days[i].m, days[i].d, NULL), days[i].working,
			     "%d-%02d-%02d", days[i].y, days[i].m, days[i].d);
}

/* ---- instants ---- */

/* "2026-10-09T17:00:00+08:00" as unix seconds; NULL is 0 (no instant). */
static int64_t at(const char *rfc3339)
{
	int64_t t = 0;
	if (rfc3339)
		cr_assert(timefmt_parse_rfc3339(rfc3339, &t), "bad test instant \"%s\"", rfc3339);
	return t;
}

static void expect_instant(int64_t got, const char *want, const char *what, const char *case_name)
{
	char g[TIMEFMT_LEN] = "0";
	if (got)
		timefmt_rfc3339(got, 0, g);
	cr_expect_eq(got, at(want), "%s: %s is %s, expected %s", case_name, what, g, want ? want : "0");
}

/* The working or wall minutes from a to b, straight from the calendar. */
static long gap(enum sla_clock clock, int64_t a, int64_t b)
{
	return clock == SLA_WORKING ? workcal_minutes_between(cal, a, b, NULL) : (long)((b - a) / 60);
}

/* ---- sla_start ---- */

#define WORK SLA_WORKING
#define CAL24 SLA_CALENDAR
#define MINUTES(n) { n, false }
#define DAYS(n) { n, true }

static const struct start_case {
	enum sla_leg leg;
	bool rectify;
	enum sla_clock clock; /* the policy's */
	struct sla_amount amount;
	int warning_percent, supervision_delay;
	const char *start;
	const char *deadline;
	long allowed;
	const char *warn_at, *supervise_at;
} start_cases[] = {
	/* ---- working clock, minutes ---- */
	/* Mon 2025-03-10 (a plain week): 09:00 + 30; warn 30 × 0.8 = 24; supervise 09:30 + 60 */
	{ SLA_ACCEPT, false, WORK, MINUTES(30), 80, 60, "2025-03-10T09:00:00+08:00",
	  "2025-03-10T09:30:00+08:00", 30, "2025-03-10T09:24:00+08:00", "2025-03-10T10:30:00+08:00" },
	/* 11:00: 60 to 12:00, 60 after lunch; warn 96 = 60 + 36; supervise 14:00 + 60 */
	{ SLA_CONTACT, false, WORK, MINUTES(120), 80, 60, "2025-03-10T11:00:00+08:00",
	  "2025-03-10T14:00:00+08:00", 120, "2025-03-10T13:36:00+08:00", "2025-03-10T15:00:00+08:00" },
	/* at lunch: counting starts at 13:00 */
	{ SLA_ACCEPT, false, WORK, MINUTES(30), 80, 60, "2025-03-11T12:30:00+08:00",
	  "2025-03-11T13:30:00+08:00", 30, "2025-03-11T13:24:00+08:00", "2025-03-11T14:30:00+08:00" },
	/* at night: Wed 09:00 + 120; warn 09:00 + 96; supervise 11:00 + 60 completes at 12:00 */
	{ SLA_CONTACT, false, WORK, MINUTES(120), 80, 60, "2025-03-11T20:00:00+08:00",
	  "2025-03-12T11:00:00+08:00", 120, "2025-03-12T10:36:00+08:00", "2025-03-12T12:00:00+08:00" },
	/* Saturday: Mon 03-17 420, Tue 180 to 12:00; warn 480 = Mon 420 + Tue 60; supervise 13:00 + 60 */
	{ SLA_RESOLVE, false, WORK, MINUTES(600), 80, 60, "2025-03-15T10:00:00+08:00",
	  "2025-03-18T12:00:00+08:00", 600, "2025-03-18T10:00:00+08:00", "2025-03-18T14:00:00+08:00" },
	/* Fri 16:30: 30 on Friday, 60 on Monday; warn floor(90 × 0.75 = 67.5) = 67 = 30 + 37; delay 30 */
	{ SLA_FEEDBACK, false, WORK, MINUTES(90), 75, 30, "2025-03-14T16:30:00+08:00",
	  "2025-03-17T10:00:00+08:00", 90, "2025-03-17T09:37:00+08:00", "2025-03-17T10:30:00+08:00" },
	/* warning_percent 99: floor(29.7) = 29 */
	{ SLA_ACCEPT, false, WORK, MINUTES(30), 99, 60, "2025-03-10T09:00:00+08:00",
	  "2025-03-10T09:30:00+08:00", 30, "2025-03-10T09:29:00+08:00", "2025-03-10T10:30:00+08:00" },
	/* warning_percent 1 at night: floor(0.3) = 0 minutes, warn_at is the start itself */
	{ SLA_ACCEPT, false, WORK, MINUTES(30), 1, 60, "2025-03-11T20:00:00+08:00",
	  "2025-03-12T09:30:00+08:00", 30, "2025-03-11T20:00:00+08:00", "2025-03-12T10:30:00+08:00" },
	/* 11:50: 10 to 12:00, 15 after; warn floor(12.5) = 12 = 10 + 2 */
	{ SLA_CONTACT, false, WORK, MINUTES(25), 50, 60, "2025-03-10T11:50:00+08:00",
	  "2025-03-10T13:15:00+08:00", 25, "2025-03-10T13:02:00+08:00", "2025-03-10T14:15:00+08:00" },
	/* nothing allowed: everything at the start, supervise 60 working minutes on (Wed 10:00) */
	{ SLA_ACCEPT, false, WORK, MINUTES(0), 80, 60, "2025-03-11T20:00:00+08:00",
	  "2025-03-11T20:00:00+08:00", 0, "2025-03-11T20:00:00+08:00", "2025-03-12T10:00:00+08:00" },
	/* rectification: the rectify amount, 240 = 180 + 60; warn 192 = 180 + 12 */
	{ SLA_RESOLVE, true, WORK, MINUTES(240), 80, 60, "2025-03-10T09:00:00+08:00",
	  "2025-03-10T14:00:00+08:00", 240, "2025-03-10T13:12:00+08:00", "2025-03-10T15:00:00+08:00" },
	/* rectify means nothing on another leg */
	{ SLA_ACCEPT, true, WORK, MINUTES(30), 80, 60, "2025-03-10T09:00:00+08:00",
	  "2025-03-10T09:30:00+08:00", 30, "2025-03-10T09:24:00+08:00", "2025-03-10T10:30:00+08:00" },
	/* eve of 国庆 2025 (Tue 09-30): 15 to 17:00, 10-01 .. 10-08 off, 15 on Thu 10-09; warn 24 = 15 + 9 */
	{ SLA_ACCEPT, false, WORK, MINUTES(30), 80, 60, "2025-09-30T16:45:00+08:00",
	  "2025-10-09T09:15:00+08:00", 30, "2025-10-09T09:09:00+08:00", "2025-10-09T10:15:00+08:00" },
	/* eve of 国庆 2026 (Wed 09-30): 30 + 15 on Thu 10-08; warn 36 = 30 + 6 */
	{ SLA_ACCEPT, false, WORK, MINUTES(45), 80, 60, "2026-09-30T16:30:00+08:00",
	  "2026-10-08T09:15:00+08:00", 45, "2026-10-08T09:06:00+08:00", "2026-10-08T10:15:00+08:00" },
	/* eve of 春节 2025 (Mon 01-27 14:00): 180 to 17:00, 01-28 .. 02-04 off, 300 = 180 + 120 on Wed
	 * 02-05; warn 384 = 180 + 180 + 24 */
	{ SLA_RESOLVE, false, WORK, MINUTES(480), 80, 60, "2025-01-27T14:00:00+08:00",
	  "2025-02-05T15:00:00+08:00", 480, "2025-02-05T13:24:00+08:00", "2025-02-05T16:00:00+08:00" },
	/* Fri 2026-02-13 16:00: 60, then the 调休 Saturday 02-14 from 09:00; warn 96 = 60 + 36 */
	{ SLA_CONTACT, false, WORK, MINUTES(120), 80, 60, "2026-02-13T16:00:00+08:00",
	  "2026-02-14T10:00:00+08:00", 120, "2026-02-14T09:36:00+08:00", "2026-02-14T11:00:00+08:00" },
	/* on the 调休 Saturday 2026-02-14, eve of 春节 2026: 120 to 17:00, 02-15 .. 02-23 off, 180 on Tue
	 * 02-24; warn 240 = 120 + 120 */
	{ SLA_RESOLVE, false, WORK, MINUTES(300), 80, 60, "2026-02-14T15:00:00+08:00",
	  "2026-02-24T12:00:00+08:00", 300, "2026-02-24T11:00:00+08:00", "2026-02-24T14:00:00+08:00" },
	/* on the 调休 Sunday 2025-09-28: 30 to 12:00, 30 after; warn 48 = 30 + 18 */
	{ SLA_FEEDBACK, false, WORK, MINUTES(60), 80, 60, "2025-09-28T11:30:00+08:00",
	  "2025-09-28T13:30:00+08:00", 60, "2025-09-28T13:18:00+08:00", "2025-09-28T14:30:00+08:00" },

	/* ---- working clock, days (the start's date does not count; a day ends at 17:00) ---- */
	/* Mon 03-10 10:00: Tue (1) .. Fri (4), Mon 03-17 (5); allowed 360 today + 5 × 420 = 2460;
	 * warn 1968 = 360 + 3 × 420 + 348, Fri 180 + 168 = 15:48; supervise Tue 10:00 */
	{ SLA_RESOLVE, false, WORK, DAYS(5), 80, 60, "2025-03-10T10:00:00+08:00",
	  "2025-03-17T17:00:00+08:00", 2460, "2025-03-14T15:48:00+08:00", "2025-03-18T10:00:00+08:00" },
	/* at lunch Tue: Wed (1); 240 + 420 = 660; warn 528 = 240 + 180 + 108 = Wed 14:48 */
	{ SLA_FEEDBACK, false, WORK, DAYS(1), 80, 60, "2025-03-11T12:30:00+08:00",
	  "2025-03-12T17:00:00+08:00", 660, "2025-03-12T14:48:00+08:00", "2025-03-13T10:00:00+08:00" },
	/* at night Tue: Wed (1); 420; warn 336 = 180 + 156 = 15:36 */
	{ SLA_CONTACT, false, WORK, DAYS(1), 80, 60, "2025-03-11T22:00:00+08:00",
	  "2025-03-12T17:00:00+08:00", 420, "2025-03-12T15:36:00+08:00", "2025-03-13T10:00:00+08:00" },
	/* warning_percent 99: floor(415.8) = 415 = 180 + 235 = 16:55 */
	{ SLA_CONTACT, false, WORK, DAYS(1), 99, 60, "2025-03-11T22:00:00+08:00",
	  "2025-03-12T17:00:00+08:00", 420, "2025-03-12T16:55:00+08:00", "2025-03-13T10:00:00+08:00" },
	/* Saturday: Mon (1) */
	{ SLA_ACCEPT, false, WORK, DAYS(1), 80, 60, "2025-03-15T10:00:00+08:00",
	  "2025-03-17T17:00:00+08:00", 420, "2025-03-17T15:36:00+08:00", "2025-03-18T10:00:00+08:00" },
	/* eve of 国庆 2025, Tue 09-30 10:00: Thu 10-09 (1), Fri (2), Sat 10-11 调休 (3), Mon 13 (4),
	 * Tue 14 (5); 360 + 2100 = 2460; warn 1968 = 360 + 3 × 420 + 348 = Mon 15:48; supervise Wed */
	{ SLA_RESOLVE, false, WORK, DAYS(5), 80, 60, "2025-09-30T10:00:00+08:00",
	  "2025-10-14T17:00:00+08:00", 2460, "2025-10-13T15:48:00+08:00", "2025-10-15T10:00:00+08:00" },
	/* inside 国庆 2025 (Fri 10-03): Thu 10-09 (1) */
	{ SLA_FEEDBACK, false, WORK, DAYS(1), 80, 60, "2025-10-03T10:00:00+08:00",
	  "2025-10-09T17:00:00+08:00", 420, "2025-10-09T15:36:00+08:00", "2025-10-10T10:00:00+08:00" },
	/* on the 调休 Saturday 2025-10-11 16:00: Mon 13 (1); 60 + 420 = 480; warn 384 = 60 + 180 + 144 */
	{ SLA_CONTACT, false, WORK, DAYS(1), 80, 60, "2025-10-11T16:00:00+08:00",
	  "2025-10-13T17:00:00+08:00", 480, "2025-10-13T15:24:00+08:00", "2025-10-14T10:00:00+08:00" },
	/* eve of 国庆 2026, Wed 09-30 16:00: Thu 10-08 (1), Fri 10-09 (2); 60 + 840 = 900; warn 720 =
	 * 60 + 420 + 240 = Fri 14:00; supervise on the 调休 Saturday 10-10 */
	{ SLA_FEEDBACK, false, WORK, DAYS(2), 80, 60, "2026-09-30T16:00:00+08:00",
	  "2026-10-09T17:00:00+08:00", 900, "2026-10-09T14:00:00+08:00", "2026-10-10T10:00:00+08:00" },
	/* the same with a delay of a whole working day: the 420th minute completes Sat 17:00 */
	{ SLA_FEEDBACK, false, WORK, DAYS(2), 80, 420, "2026-09-30T16:00:00+08:00",
	  "2026-10-09T17:00:00+08:00", 900, "2026-10-09T14:00:00+08:00", "2026-10-10T17:00:00+08:00" },
	/* on the 调休 Saturday 2026-10-10, a rectification: Mon 12 (1), Tue 13 (2); 420 + 840 = 1260;
	 * warn 1008 = 420 + 420 + 168 = Tue 11:48 */
	{ SLA_RESOLVE, true, WORK, DAYS(2), 80, 60, "2026-10-10T09:00:00+08:00",
	  "2026-10-13T17:00:00+08:00", 1260, "2026-10-13T11:48:00+08:00", "2026-10-14T10:00:00+08:00" },
	/* eve of 春节 2025, Mon 01-27 10:00: Wed 02-05 (1); 360 + 420 = 780; warn 624 = 360 + 180 + 84 */
	{ SLA_CONTACT, false, WORK, DAYS(1), 80, 60, "2025-01-27T10:00:00+08:00",
	  "2025-02-05T17:00:00+08:00", 780, "2025-02-05T14:24:00+08:00", "2025-02-06T10:00:00+08:00" },
	/* the same, warning_percent 33: floor(257.4) = 257 = 120 + 137 on Monday; no delay: supervise
	 * at the deadline */
	{ SLA_CONTACT, false, WORK, DAYS(1), 33, 0, "2025-01-27T10:00:00+08:00",
	  "2025-02-05T17:00:00+08:00", 780, "2025-01-27T15:17:00+08:00", "2025-02-05T17:00:00+08:00" },
	/* on the 调休 Sunday 2025-01-26 14:00: Mon 27 (1); 180 + 420 = 600; warn 480 = 180 + 180 + 120;
	 * supervise after 春节, Wed 02-05 10:00 */
	{ SLA_ACCEPT, false, WORK, DAYS(1), 80, 60, "2025-01-26T14:00:00+08:00",
	  "2025-01-27T17:00:00+08:00", 600, "2025-01-27T15:00:00+08:00", "2025-02-05T10:00:00+08:00" },
	/* before 春节 2026, Fri 02-13 09:00: Sat 02-14 调休 (1), Tue 02-24 (2), Wed 25 (3); 4 × 420 = 1680;
	 * warn 1344 = 3 × 420 + 84 = Wed 10:24 */
	{ SLA_RESOLVE, false, WORK, DAYS(3), 80, 60, "2026-02-13T09:00:00+08:00",
	  "2026-02-25T17:00:00+08:00", 1680, "2026-02-25T10:24:00+08:00", "2026-02-26T10:00:00+08:00" },
	/* inside 春节 2026 (Fri 02-20): Tue 02-24 (1) */
	{ SLA_RESOLVE, false, WORK, DAYS(1), 80, 60, "2026-02-20T10:00:00+08:00",
	  "2026-02-24T17:00:00+08:00", 420, "2026-02-24T15:36:00+08:00", "2026-02-25T10:00:00+08:00" },
	/* on the 调休 Saturday 2026-02-28 10:00 (a working day itself): Mon 03-02 (1); 360 + 420 = 780;
	 * warn 624 = 360 + 180 + 84 = Mon 14:24 */
	{ SLA_ACCEPT, false, WORK, DAYS(1), 80, 60, "2026-02-28T10:00:00+08:00",
	  "2026-03-02T17:00:00+08:00", 780, "2026-03-02T14:24:00+08:00", "2026-03-03T10:00:00+08:00" },

	/* ---- calendar clock (24×7): wall minutes and 24-hour days, holidays or not ---- */
	/* Sat 23:50 + 30 past midnight; warn 24; supervise 60 wall minutes on */
	{ SLA_ACCEPT, false, CAL24, MINUTES(30), 80, 60, "2025-03-15T23:50:00+08:00",
	  "2025-03-16T00:20:00+08:00", 30, "2025-03-16T00:14:00+08:00", "2025-03-16T01:20:00+08:00" },
	/* into 国庆 2025: 5 × 1440 = 7200; warn 5760 = 4 days */
	{ SLA_RESOLVE, false, CAL24, DAYS(5), 80, 60, "2025-09-30T10:00:00+08:00",
	  "2025-10-05T10:00:00+08:00", 7200, "2025-10-04T10:00:00+08:00", "2025-10-05T11:00:00+08:00" },
	/* at lunch: 1440; warn 1080 = 18 h; delay 120 */
	{ SLA_FEEDBACK, false, CAL24, DAYS(1), 75, 120, "2026-02-14T12:30:00+08:00",
	  "2026-02-15T12:30:00+08:00", 1440, "2026-02-15T06:30:00+08:00", "2026-02-15T14:30:00+08:00" },
	/* warn floor(29.7) = 29 */
	{ SLA_CONTACT, false, CAL24, MINUTES(90), 33, 60, "2026-09-30T16:00:00+08:00",
	  "2026-09-30T17:30:00+08:00", 90, "2026-09-30T16:29:00+08:00", "2026-09-30T18:30:00+08:00" },
	/* rectification, 2 days = 2880; warn 2304 = 38 h 24 min */
	{ SLA_RESOLVE, true, CAL24, DAYS(2), 80, 60, "2026-02-13T16:00:00+08:00",
	  "2026-02-15T16:00:00+08:00", 2880, "2026-02-15T06:24:00+08:00", "2026-02-15T17:00:00+08:00" },
	/* seconds are kept: warn 1152 = 19 h 12 min */
	{ SLA_ACCEPT, false, CAL24, DAYS(1), 80, 60, "2025-01-27T10:00:30+08:00",
	  "2025-01-28T10:00:30+08:00", 1440, "2025-01-28T05:12:30+08:00", "2025-01-28T11:00:30+08:00" },
	/* eve of 春节 2025: 2 × 1440 = 2880; warn 2304 = 38 h 24 min; supervise 60 wall minutes on */
	{ SLA_CONTACT, false, CAL24, DAYS(2), 80, 60, "2025-01-27T17:00:00+08:00",
	  "2025-01-29T17:00:00+08:00", 2880, "2025-01-29T07:24:00+08:00", "2025-01-29T18:00:00+08:00" },
	/* the 调休 Saturday 2026-10-10 20:00 + 10 h; warn 480 = 8 h */
	{ SLA_RESOLVE, false, CAL24, MINUTES(600), 80, 60, "2026-10-10T20:00:00+08:00",
	  "2026-10-11T06:00:00+08:00", 600, "2026-10-11T04:00:00+08:00", "2026-10-11T07:00:00+08:00" },
	/* at night: 23:30 + 45; warn 36 */
	{ SLA_FEEDBACK, false, CAL24, MINUTES(45), 80, 60, "2025-03-11T23:30:00+08:00",
	  "2025-03-12T00:15:00+08:00", 45, "2025-03-12T00:06:00+08:00", "2025-03-12T01:15:00+08:00" },
	/* on a holiday at lunch (2025-02-02): warn 96 */
	{ SLA_CONTACT, false, CAL24, MINUTES(120), 80, 60, "2025-02-02T12:15:00+08:00",
	  "2025-02-02T14:15:00+08:00", 120, "2025-02-02T13:51:00+08:00", "2025-02-02T15:15:00+08:00" },

	/* ---- the rating window: calendar days whatever the policy's clock, no supervision ---- */
	/* 7 × 1440 = 10080; warn 8064 = 5 d 14 h 24 min after Fri 09-26 17:00 */
	{ SLA_RATING, false, WORK, DAYS(7), 80, 60, "2025-09-26T17:00:00+08:00",
	  "2025-10-03T17:00:00+08:00", 10080, "2025-10-02T07:24:00+08:00", NULL },
	/* warn 2160 = 36 h */
	{ SLA_RATING, false, CAL24, DAYS(3), 50, 60, "2026-02-14T09:00:00+08:00",
	  "2026-02-17T09:00:00+08:00", 4320, "2026-02-15T21:00:00+08:00", NULL },
	/* rectify means nothing; into 2027 on a calendar clock needs no notice; warn 1152 = 19 h 12 min */
	{ SLA_RATING, true, WORK, DAYS(1), 80, 60, "2026-12-31T20:00:00+08:00",
	  "2027-01-01T20:00:00+08:00", 1440, "2027-01-01T15:12:00+08:00", NULL },
};

/* A policy with amount on leg (or on rectify) and 40 days on every other,
 * so that taking the wrong leg's amount shows. */
static struct sla_policy policy_for(const struct start_case *c)
{
	struct sla_amount other = DAYS(40);
	struct sla_policy p = {
		.clock = c->clock,
		.accept = other,
		.contact = other,
		.resolve = other,
		.feedback = other,
		.rectify = other,
		.rating_window_days = 40,
		.warning_percent = c->warning_percent,
		.supervision_delay_minutes = c->supervision_delay,
		.extension_cap = 2,
	};
	switch (c->leg) {
	case SLA_ACCEPT: p.accept = c->amount; break;
	case SLA_CONTACT: p.contact = c->amount; break;
	case SLA_RESOLVE: *(c->rectify ? &p.rectify : &p.resolve) = c->amount; break;
	case SLA_FEEDBACK: p.feedback = c->amount; break;
	case SLA_RATING: p.rating_window_days = c->amount.amount; break;
	case SLA__LEGS: break;
	}
	return p;
}

static void check_start(const struct workcal *c, const struct start_case *s, const char *name)
{
	struct sla_policy p = policy_for(s);
	bool flagged = false;
	struct sla_instants k = sla_start(c, &p, s->leg, s->rectify, at(s->start), &flagged);
	cr_expect_eq(k.clock, s->leg == SLA_RATING ? SLA_CALENDAR : s->clock, "%s: clock", name);
	expect_instant(k.started, s->start, "started", name);
	expect_instant(k.deadline, s->deadline, "deadline", name);
	cr_expect_eq(k.allowed_minutes, s->allowed, "%s: allowed %ld, expected %ld", name, k.allowed_minutes,
		     s->allowed);
	expect_instant(k.warn_at, s->warn_at, "warn_at", name);
	expect_instant(k.supervise_at, s->supervise_at, "supervise_at", name);
	cr_expect(!flagged, "%s: flagged", name);
}

static const char *case_name(const struct start_case *s, char out[96])
{
	snprintf(out, 96, "%s%s %s + %d %s", sla_leg_name(s->leg), s->rectify ? " (rectify)" : "",
		 s->start, s->amount.amount, s->amount.days ? "d" : "min");
	return out;
}

Test(sla, start_every_leg_on_both_clocks)
{
	for (size_t i = 0; i < N(start_cases); i++) {
		char name[96];
		check_start(cal, &start_cases[i], case_name(&start_cases[i], name));
	}
}

Test(sla, start_covers_every_leg_clock_and_unit)
{
	/* the table above has each leg with minutes and days on both clocks (rating: days only) */
	bool seen[SLA__LEGS][2][2] = { { { false } } };
	for (size_t i = 0; i < N(start_cases); i++)
		seen[start_cases[i].leg][start_cases[i].clock][start_cases[i].amount.days] = true;
	for (int leg = 0; leg < SLA__LEGS; leg++)
		for (int clock = 0; clock < 2; clock++)
			for (int days = leg == SLA_RATING; days < 2; days++)
				cr_expect(seen[leg][clock][days], "%s %s %s", sla_leg_name((enum sla_leg)leg),
					  clock ? "calendar" : "working", days ? "days" : "minutes");
}

Test(sla, a_calendar_clock_needs_no_calendar)
{
	/* "cal may be NULL for a calendar clock": every calendar case, and the rating window of a
	 * working policy, without one */
	for (size_t i = 0; i < N(start_cases); i++)
		if (start_cases[i].clock == SLA_CALENDAR || start_cases[i].leg == SLA_RATING) {
			char name[96];
			check_start(NULL, &start_cases[i], case_name(&start_cases[i], name));
		}
}

Test(sla, start_into_a_year_without_a_notice_is_flagged)
{
	struct sla_policy p = {
		.clock = SLA_WORKING,
		.accept = MINUTES(30),
		.contact = MINUTES(120),
		.resolve = DAYS(5),
		.feedback = DAYS(1),
		.rectify = DAYS(3),
		.rating_window_days = 7,
		.warning_percent = 80,
		.supervision_delay_minutes = 60,
	};
	/* Tue 2026-12-29 10:00 + 5 d: Wed 30 (1), Thu 31 (2), Fri 2027-01-01 (3, a guess), Mon 4 (4),
	 * Tue 5 (5) */
	bool flagged = false;
	struct sla_instants k = sla_start(cal, &p, SLA_RESOLVE, false, at("2026-12-29T10:00:00+08:00"), &flagged);
	expect_instant(k.deadline, "2027-01-05T17:00:00+08:00", "deadline", "resolve 12-29");
	cr_expect(flagged);

	/* Wed 12-30 10:00 + 1 d = Thu 12-31 17:00, inside 2026; only supervise_at, 60 minutes on,
	 * reaches Fri 2027-01-01 */
	flagged = false;
	k = sla_start(cal, &p, SLA_FEEDBACK, false, at("2026-12-30T10:00:00+08:00"), &flagged);
	expect_instant(k.deadline, "2026-12-31T17:00:00+08:00", "deadline", "feedback 12-30");
	expect_instant(k.supervise_at, "2027-01-01T10:00:00+08:00", "supervise_at", "feedback 12-30");
	cr_expect(flagged);

	/* 120 minutes from Thu 12-31 16:00: 60 in 2026, 60 on Fri 2027-01-01 */
	flagged = false;
	k = sla_start(cal, &p, SLA_CONTACT, false, at("2026-12-31T16:00:00+08:00"), &flagged);
	expect_instant(k.deadline, "2027-01-01T10:00:00+08:00", "deadline", "contact 12-31");
	cr_expect_eq(k.allowed_minutes, 120);
	cr_expect(flagged);

	/* inside 2026 nothing is flagged, and the flag is never cleared */
	flagged = false;
	k = sla_start(cal, &p, SLA_ACCEPT, false, at("2026-12-31T09:00:00+08:00"), &flagged);
	expect_instant(k.supervise_at, "2026-12-31T10:30:00+08:00", "supervise_at", "accept 12-31");
	cr_expect(!flagged);
	flagged = true;
	k = sla_start(cal, &p, SLA_ACCEPT, false, at("2026-12-31T09:00:00+08:00"), &flagged);
	cr_expect(flagged);
	k = sla_start(cal, &p, SLA_ACCEPT, false, at("2026-12-31T09:00:00+08:00"), NULL); /* NULL is fine */
	expect_instant(k.deadline, "2026-12-31T09:30:00+08:00", "deadline", "accept 12-31, NULL flag");

	/* a calendar clock is never a guess */
	p.clock = SLA_CALENDAR;
	flagged = false;
	k = sla_start(cal, &p, SLA_RESOLVE, false, at("2026-12-29T10:00:00+08:00"), &flagged);
	expect_instant(k.deadline, "2027-01-03T10:00:00+08:00", "deadline", "calendar resolve 12-29");
	cr_expect(!flagged);
}

/* ---- the clock's arithmetic ---- */

Test(sla, add_minutes_and_minutes_between_on_both_clocks)
{
	bool flagged = false;
	/* calendar: wall minutes; 0 and negative add nothing */
	expect_instant(sla_add_minutes(NULL, CAL24, at("2025-10-01T23:00:00+08:00"), 90, &flagged),
		       "2025-10-02T00:30:00+08:00", "calendar + 90", "add");
	expect_instant(sla_add_minutes(NULL, CAL24, at("2025-10-01T23:00:00+08:00"), 0, &flagged),
		       "2025-10-01T23:00:00+08:00", "calendar + 0", "add");
	expect_instant(sla_add_minutes(NULL, CAL24, at("2025-10-01T23:00:00+08:00"), -5, &flagged),
		       "2025-10-01T23:00:00+08:00", "calendar - 5", "add");
	/* working: eve of 国庆 2025, 60 to 17:00 then Thu 10-09 */
	expect_instant(sla_add_minutes(cal, WORK, at("2025-09-30T16:00:00+08:00"), 61, &flagged),
		       "2025-10-09T09:01:00+08:00", "working + 61", "add");
	expect_instant(sla_add_minutes(cal, WORK, at("2025-10-01T23:00:00+08:00"), -1, &flagged),
		       "2025-10-01T23:00:00+08:00", "working - 1", "add");
	/* calendar: seconds / 60 rounded toward zero either way */
	cr_expect_eq(sla_minutes_between(NULL, CAL24, at("2025-10-01T10:00:00+08:00"), at("2025-10-01T11:29:59+08:00"),
					 &flagged), 89);
	cr_expect_eq(sla_minutes_between(NULL, CAL24, at("2025-10-01T10:00:00+08:00"), at("2025-10-01T09:58:30+08:00"),
					 &flagged), -1);
	/* working: 60 on 09-30, 60 on 10-09; backwards negative */
	cr_expect_eq(sla_minutes_between(cal, WORK, at("2025-09-30T16:00:00+08:00"), at("2025-10-09T10:00:00+08:00"),
					 &flagged), 120);
	cr_expect_eq(sla_minutes_between(cal, WORK, at("2025-10-09T10:00:00+08:00"), at("2025-09-30T16:00:00+08:00"),
					 &flagged), -120);
	cr_expect(!flagged);
}

/* ---- sla_shift ---- */

static const struct shift_case {
	const char *name;
	enum sla_clock clock;
	const char *warn_at, *deadline, *supervise_at;
	const char *suspended_at, *resumed;
	long minutes;
	const char *warn_after, *deadline_after, *supervise_after;
} shift_cases[] = {
	/* Mon 16:00 .. Tue 10:00: 60 + 60. warn 15:00 + 120 completes at Mon 17:00; the deadline
	 * Tue 17:00 + 120 = Wed 11:00; supervise Wed 10:00 + 120 = 12:00 */
	{ "over a night", WORK, "2025-03-10T15:00:00+08:00", "2025-03-11T17:00:00+08:00",
	  "2025-03-12T10:00:00+08:00", "2025-03-10T16:00:00+08:00", "2025-03-11T10:00:00+08:00", 120,
	  "2025-03-10T17:00:00+08:00", "2025-03-12T11:00:00+08:00", "2025-03-12T12:00:00+08:00" },
	/* Fri 15:00 .. Mon 11:00: 120 + 120. warn Mon 14:00 + 240 = 180 + Tue 60; deadline Tue 17:00 +
	 * 240 = Wed 180 + 60 = 14:00; supervise Wed 10:00 + 240 = 120 + 120 = 15:00 */
	{ "over a weekend", WORK, "2025-03-17T14:00:00+08:00", "2025-03-18T17:00:00+08:00",
	  "2025-03-19T10:00:00+08:00", "2025-03-14T15:00:00+08:00", "2025-03-17T11:00:00+08:00", 240,
	  "2025-03-18T10:00:00+08:00", "2025-03-19T14:00:00+08:00", "2025-03-19T15:00:00+08:00" },
	/* Wed 2026-09-30 16:00 .. Fri 10-09 09:30 over 国庆 2026: 60 + 420 (Thu 10-08) + 30 = 510.
	 * warn Fri 10:00 + 510 = 360 + Sat 10-10 150 = 11:30; deadline Fri 17:00 + 510 = Sat 420 + Mon
	 * 10-12 90; supervise Sat 10:00 + 510 = 360 + Mon 150 */
	{ "over 国庆 2026", WORK, "2026-10-09T10:00:00+08:00", "2026-10-09T17:00:00+08:00",
	  "2026-10-10T10:00:00+08:00", "2026-09-30T16:00:00+08:00", "2026-10-09T09:30:00+08:00", 510,
	  "2026-10-10T11:30:00+08:00", "2026-10-12T10:30:00+08:00", "2026-10-12T11:30:00+08:00" },
	/* Mon 2025-01-27 16:00 .. Wed 02-05 09:10 over 春节 2025: 60 + 10 */
	{ "over 春节 2025", WORK, "2025-02-05T10:00:00+08:00", "2025-02-05T17:00:00+08:00",
	  "2025-02-06T10:00:00+08:00", "2025-01-27T16:00:00+08:00", "2025-02-05T09:10:00+08:00", 70,
	  "2025-02-05T11:10:00+08:00", "2025-02-06T10:10:00+08:00", "2025-02-06T11:10:00+08:00" },
	/* 90 seconds are one minute */
	{ "90 seconds", WORK, "2025-03-11T11:00:00+08:00", "2025-03-11T15:00:00+08:00",
	  "2025-03-11T16:00:00+08:00", "2025-03-11T10:00:30+08:00", "2025-03-11T10:02:00+08:00", 1,
	  "2025-03-11T11:01:00+08:00", "2025-03-11T15:01:00+08:00", "2025-03-11T16:01:00+08:00" },
	/* calendar: 22:00 .. 01:30:45 is 210 wall minutes (45 s dropped), no supervision to move */
	{ "calendar, rating", CAL24, "2025-10-02T07:24:00+08:00", "2025-10-03T17:00:00+08:00", NULL,
	  "2025-09-30T22:00:00+08:00", "2025-10-01T01:30:45+08:00", 210, "2025-10-02T10:54:00+08:00",
	  "2025-10-03T20:30:00+08:00", NULL },
	/* calendar: Sat 18:00 .. Mon 08:00 is 38 h = 2280, holidays or not */
	{ "calendar, over a weekend", CAL24, "2026-02-15T06:24:00+08:00", "2026-02-15T16:00:00+08:00",
	  "2026-02-15T17:00:00+08:00", "2026-02-14T18:00:00+08:00", "2026-02-16T08:00:00+08:00", 2280,
	  "2026-02-16T20:24:00+08:00", "2026-02-17T06:00:00+08:00", "2026-02-17T07:00:00+08:00" },
};

static struct sla_instants instants(enum sla_clock clock, const char *warn_at, const char *deadline,
				    const char *supervise_at, long allowed)
{
	return (struct sla_instants){ .clock = clock, .started = at("2025-01-02T09:00:00+08:00"),
				      .warn_at = at(warn_at), .deadline = at(deadline),
				      .supervise_at = at(supervise_at), .allowed_minutes = allowed };
}

/* k after a move: the instants as expected, gaps kept, started unchanged. */
static void check_moved(const struct sla_instants *before, const struct sla_instants *k, const char *warn_at,
			const char *deadline, const char *supervise_at, long allowed, const char *name)
{
	cr_expect_eq(k->clock, before->clock, "%s: clock", name);
	cr_expect_eq(k->started, before->started, "%s: started", name);
	cr_expect_eq(k->allowed_minutes, allowed, "%s: allowed %ld, expected %ld", name, k->allowed_minutes, allowed);
	expect_instant(k->warn_at, warn_at, "warn_at", name);
	expect_instant(k->deadline, deadline, "deadline", name);
	expect_instant(k->supervise_at, supervise_at, "supervise_at", name);
	cr_expect_eq(gap(k->clock, k->warn_at, k->deadline), gap(before->clock, before->warn_at, before->deadline),
		     "%s: warn_at .. deadline", name);
	if (before->supervise_at)
		cr_expect_eq(gap(k->clock, k->deadline, k->supervise_at),
			     gap(before->clock, before->deadline, before->supervise_at), "%s: deadline .. supervise_at",
			     name);
}

Test(sla, shift_pushes_every_instant_by_the_suspension)
{
	for (size_t i = 0; i < N(shift_cases); i++) {
		const struct shift_case *s = &shift_cases[i];
		struct sla_instants k = instants(s->clock, s->warn_at, s->deadline, s->supervise_at, 777);
		struct sla_instants before = k;
		bool flagged = false;
		const struct workcal *c = s->clock == SLA_CALENDAR ? NULL : cal;
		cr_expect_eq(sla_shift(c, &k, at(s->suspended_at), at(s->resumed), &flagged), s->minutes, "%s: minutes",
			     s->name);
		check_moved(&before, &k, s->warn_after, s->deadline_after, s->supervise_after, 777, s->name);
		cr_expect(!flagged, "%s: flagged", s->name);
	}
}

/* Suspensions of no working time: nothing moves. */
static const struct {
	const char *name, *suspended_at, *resumed;
} still_cases[] = {
	{ "zero length", "2025-03-11T10:00:00+08:00", "2025-03-11T10:00:00+08:00" },
	{ "a night", "2025-03-11T18:00:00+08:00", "2025-03-12T08:30:00+08:00" },
	{ "lunch", "2025-03-11T12:05:00+08:00", "2025-03-11T12:55:00+08:00" },
	{ "Saturday to Sunday night", "2025-03-15T09:00:00+08:00", "2025-03-16T18:00:00+08:00" },
	{ "all of 国庆 2025", "2025-10-01T00:00:00+08:00", "2025-10-08T23:00:00+08:00" },
	{ "all of 春节 2026", "2026-02-14T17:00:00+08:00", "2026-02-24T09:00:00+08:00" },
	{ "59 seconds", "2025-03-11T10:00:00+08:00", "2025-03-11T10:00:59+08:00" },
	{ "resumed before suspended", "2025-03-11T11:00:00+08:00", "2025-03-11T10:00:00+08:00" },
};

Test(sla, shift_by_no_working_time_moves_nothing)
{
	for (size_t i = 0; i < N(still_cases); i++) {
		struct sla_instants k = instants(WORK, "2025-03-10T15:00:00+08:00", "2025-03-11T17:00:00+08:00",
						 "2025-03-12T10:00:00+08:00", 777);
		bool flagged = false;
		cr_expect_eq(sla_shift(cal, &k, at(still_cases[i].suspended_at), at(still_cases[i].resumed), &flagged), 0,
			     "%s", still_cases[i].name);
		check_moved(&k, &k, "2025-03-10T15:00:00+08:00", "2025-03-11T17:00:00+08:00",
			    "2025-03-12T10:00:00+08:00", 777, still_cases[i].name);
		cr_expect(!flagged, "%s: flagged", still_cases[i].name);
	}
	/* on a calendar clock only a backwards or sub-minute one */
	struct sla_instants k = instants(CAL24, "2026-02-15T06:24:00+08:00", "2026-02-15T16:00:00+08:00",
					 "2026-02-15T17:00:00+08:00", 2880);
	cr_expect_eq(sla_shift(NULL, &k, at("2026-02-14T18:00:00+08:00"), at("2026-02-14T17:00:00+08:00"), NULL), 0);
	cr_expect_eq(sla_shift(NULL, &k, at("2026-02-14T18:00:00+08:00"), at("2026-02-14T18:00:59+08:00"), NULL), 0);
	check_moved(&k, &k, "2026-02-15T06:24:00+08:00", "2026-02-15T16:00:00+08:00", "2026-02-15T17:00:00+08:00",
		    2880, "calendar");
}

Test(sla, shift_into_a_year_without_a_notice_is_flagged)
{
	/* 30 minutes push Thu 2026-12-31 17:00 to Fri 2027-01-01 09:30 */
	struct sla_instants k = instants(WORK, "2026-12-31T10:00:00+08:00", "2026-12-31T17:00:00+08:00",
					 "2027-01-01T10:00:00+08:00", 420);
	bool flagged = false;
	cr_expect_eq(sla_shift(cal, &k, at("2026-12-31T16:00:00+08:00"), at("2026-12-31T16:30:00+08:00"), &flagged),
		     30);
	expect_instant(k.warn_at, "2026-12-31T10:30:00+08:00", "warn_at", "12-31");
	expect_instant(k.deadline, "2027-01-01T09:30:00+08:00", "deadline", "12-31");
	expect_instant(k.supervise_at, "2027-01-01T10:30:00+08:00", "supervise_at", "12-31");
	cr_expect(flagged);
}

/* ---- sla_extend ---- */

static const struct extend_case {
	const char *name;
	enum sla_clock clock;
	const char *warn_at, *deadline, *supervise_at;
	long allowed;
	int days;
	long minutes;
	const char *warn_after, *deadline_after, *supervise_after;
} extend_cases[] = {
	/* from Wed 2026-09-30 17:00 over 国庆 2026: Thu 10-08 (1), Fri 10-09 (2), 840 minutes. warn 11:00
	 * + 840 = 300 + 420 + 120 = Fri 11:00; supervise Thu 10:00 + 840 = 360 + 420 + Sat 10-10 60 */
	{ "2 d over 国庆 2026", WORK, "2026-09-30T11:00:00+08:00", "2026-09-30T17:00:00+08:00",
	  "2026-10-08T10:00:00+08:00", 1260, 2, 840, "2026-10-09T11:00:00+08:00", "2026-10-09T17:00:00+08:00",
	  "2026-10-10T10:00:00+08:00" },
	/* from Mon 2025-01-27 17:00 over 春节 2025: Wed 02-05 (1); warn 14:00 + 420 = 180 + 240;
	 * supervise (no delay) at the deadline moves with it */
	{ "1 d over 春节 2025", WORK, "2025-01-27T14:00:00+08:00", "2025-01-27T17:00:00+08:00",
	  "2025-01-27T17:00:00+08:00", 780, 1, 420, "2025-02-05T14:00:00+08:00", "2025-02-05T17:00:00+08:00",
	  "2025-02-05T17:00:00+08:00" },
	/* from Fri 2026-02-13 17:00 over 春节 2026: Sat 02-14 (1), Tue 24 (2), Wed 25 (3), 1260. warn
	 * Fri 15:00 + 1260 = 120 + 420 + 420 + 300 = Wed 15:00; supervise Sat 10:00 + 1260 = 360 + 420 +
	 * 420 + Thu 60 */
	{ "3 d over 春节 2026", WORK, "2026-02-13T15:00:00+08:00", "2026-02-13T17:00:00+08:00",
	  "2026-02-14T10:00:00+08:00", 420, 3, 1260, "2026-02-25T15:00:00+08:00", "2026-02-25T17:00:00+08:00",
	  "2026-02-26T10:00:00+08:00" },
	/* a deadline inside office hours (Tue 10:30) moves to the end of the next working day: 90 + 240
	 * + 420 = 750; warn 10:00 + 750 = 360 + 390 = Wed 16:30; supervise 11:30 + 750 = 270 + 420 + 60 */
	{ "1 d from 10:30", WORK, "2025-03-11T10:00:00+08:00", "2025-03-11T10:30:00+08:00",
	  "2025-03-11T11:30:00+08:00", 30, 1, 750, "2025-03-12T16:30:00+08:00", "2025-03-12T17:00:00+08:00",
	  "2025-03-13T10:00:00+08:00" },
	/* calendar: 24-hour days, 2 × 1440; no supervision to move */
	{ "calendar, rating", CAL24, "2025-10-02T07:24:00+08:00", "2025-10-03T17:00:00+08:00", NULL, 10080, 2, 2880,
	  "2025-10-04T07:24:00+08:00", "2025-10-05T17:00:00+08:00", NULL },
	{ "calendar", CAL24, "2026-02-15T06:24:00+08:00", "2026-02-15T16:00:00+08:00", "2026-02-15T17:00:00+08:00",
	  2880, 1, 1440, "2026-02-16T06:24:00+08:00", "2026-02-16T16:00:00+08:00", "2026-02-16T17:00:00+08:00" },
};

Test(sla, extend_moves_the_deadline_by_days)
{
	for (size_t i = 0; i < N(extend_cases); i++) {
		const struct extend_case *e = &extend_cases[i];
		struct sla_instants k = instants(e->clock, e->warn_at, e->deadline, e->supervise_at, e->allowed);
		struct sla_instants before = k;
		bool flagged = false;
		const struct workcal *c = e->clock == SLA_CALENDAR ? NULL : cal;
		cr_expect_eq(sla_extend(c, &k, e->days, &flagged), e->minutes, "%s: minutes", e->name);
		check_moved(&before, &k, e->warn_after, e->deadline_after, e->supervise_after, e->allowed + e->minutes,
			    e->name);
		cr_expect(!flagged, "%s: flagged", e->name);
	}
}

Test(sla, extend_by_no_days_moves_nothing)
{
	static const int none[] = { 0, -1, INT_MIN };
	for (size_t i = 0; i < N(none); i++)
		for (int clock = 0; clock < 2; clock++) {
			struct sla_instants k = instants((enum sla_clock)clock, "2025-01-27T14:00:00+08:00",
							 "2025-01-27T17:00:00+08:00", "2025-01-27T18:00:00+08:00", 780);
			cr_expect_eq(sla_extend(cal, &k, none[i], NULL), 0, "%d", none[i]);
			check_moved(&k, &k, "2025-01-27T14:00:00+08:00", "2025-01-27T17:00:00+08:00",
				    "2025-01-27T18:00:00+08:00", 780, sla_clock_name((enum sla_clock)clock));
		}
}

Test(sla, extend_into_a_year_without_a_notice_is_flagged)
{
	/* Thu 2026-12-31 17:00 + 1 working day = Fri 2027-01-01 (a guess) 17:00 */
	struct sla_instants k = instants(WORK, "2026-12-31T14:00:00+08:00", "2026-12-31T17:00:00+08:00",
					 "2027-01-04T10:00:00+08:00", 420);
	bool flagged = false;
	cr_expect_eq(sla_extend(cal, &k, 1, &flagged), 420);
	expect_instant(k.deadline, "2027-01-01T17:00:00+08:00", "deadline", "12-31");
	cr_expect_eq(k.allowed_minutes, 840);
	cr_expect(flagged);
}

/* ---- measuring a stopped leg ---- */

Test(sla, met_at_or_before_the_deadline)
{
	int64_t d = at("2026-10-09T17:00:00+08:00");
	cr_expect(sla_met(d, at("2026-10-09T16:59:59+08:00")));
	cr_expect(sla_met(d, at("2026-10-09T17:00:00+08:00")));
	cr_expect(!sla_met(d, at("2026-10-09T17:00:01+08:00")));
	cr_expect(sla_met(d, at("2025-01-01T00:00:00+08:00")));
	cr_expect(!sla_met(d, at("2026-10-10T09:00:00+08:00")));
}

Test(sla, duration_less_the_suspension_never_negative)
{
	bool flagged = false;
	/* Mon 03-10 10:00 .. Tue 10:00: 360 + 60 */
	int64_t mon = at("2025-03-10T10:00:00+08:00"), tue = at("2025-03-11T10:00:00+08:00");
	cr_expect_eq(sla_duration(cal, WORK, mon, tue, 0, &flagged), 420);
	cr_expect_eq(sla_duration(cal, WORK, mon, tue, 100, &flagged), 320);
	cr_expect_eq(sla_duration(cal, WORK, mon, tue, 420, &flagged), 0);
	cr_expect_eq(sla_duration(cal, WORK, mon, tue, 500, &flagged), 0);
	cr_expect_eq(sla_duration(cal, WORK, tue, mon, 0, &flagged), 0); /* stopped before it started */
	cr_expect_eq(sla_duration(cal, WORK, mon, mon, 0, &flagged), 0);
	/* eve of 国庆 2025: 60 on Tue 09-30, 60 on Thu 10-09 */
	cr_expect_eq(sla_duration(cal, WORK, at("2025-09-30T16:00:00+08:00"), at("2025-10-09T10:00:00+08:00"), 30,
				  &flagged), 90);
	/* calendar: 1530 wall minutes over a holiday, less 30 */
	cr_expect_eq(sla_duration(NULL, CAL24, at("2025-10-01T00:00:00+08:00"), at("2025-10-02T01:30:00+08:00"), 30,
				  &flagged), 1500);
	cr_expect_eq(sla_duration(NULL, CAL24, tue, mon, 0, &flagged), 0);
	cr_expect(!flagged);
	/* Thu 2026-12-31 16:00 .. Mon 2027-01-04 10:00: 60 + Fri 01-01 (a guess) 420 + 60 */
	cr_expect_eq(sla_duration(cal, WORK, at("2026-12-31T16:00:00+08:00"), at("2027-01-04T10:00:00+08:00"), 0,
				  &flagged), 540);
	cr_expect(flagged);
}

/* ---- the escalation ladder ---- */

/* Per leg and stage from: the stage after it, and which instant is due
 * ("w" warn_at, "d" deadline, "s" supervise_at, "-" none). */
static const struct {
	enum sla_leg leg;
	const char *next; /* one letter per stage from: r w o s */
	const char *due;
} ladders[] = {
	{ SLA_ACCEPT, "woss", "wds-" },   { SLA_CONTACT, "woss", "wds-" }, { SLA_RESOLVE, "woss", "wds-" },
	{ SLA_FEEDBACK, "woss", "wds-" }, { SLA_RATING, "woos", "wd--" },
};

static enum sla_stage stage_letter(char c)
{
	return c == 'r' ? SLA_RUNNING : c == 'w' ? SLA_WARNED : c == 'o' ? SLA_OVERDUE : SLA_SUPERVISED;
}

Test(sla, next_stage_and_due_for_every_leg_and_stage)
{
	/* instants that all differ */
	struct sla_instants k = instants(WORK, "2026-10-09T14:00:00+08:00", "2026-10-09T17:00:00+08:00",
					 "2026-10-10T10:00:00+08:00", 900);
	cr_assert_eq(N(ladders), SLA__LEGS);
	for (size_t i = 0; i < N(ladders); i++) {
		enum sla_leg leg = ladders[i].leg;
		for (int from = 0; from < SLA__STAGES; from++) {
			enum sla_stage next = sla_next_stage(leg, (enum sla_stage)from);
			cr_expect_eq(next, stage_letter(ladders[i].next[from]), "%s from %s: next %s", sla_leg_name(leg),
				     sla_stage_name((enum sla_stage)from), sla_stage_name(next));
			char d = ladders[i].due[from];
			int64_t want = d == 'w' ? k.warn_at : d == 'd' ? k.deadline : d == 's' ? k.supervise_at : 0;
			cr_expect_eq(sla_due(leg, (enum sla_stage)from, &k), want, "%s from %s: due",
				     sla_leg_name(leg), sla_stage_name((enum sla_stage)from));
		}
	}
}

Test(sla, walking_the_ladder_ends)
{
	/* from running, following next_stage: three steps on a handling leg, two on the rating window */
	for (int leg = 0; leg < SLA__LEGS; leg++) {
		enum sla_stage s = SLA_RUNNING;
		int steps = 0;
		while (sla_next_stage((enum sla_leg)leg, s) != s && steps < 10) {
			s = sla_next_stage((enum sla_leg)leg, s);
			steps++;
		}
		cr_expect_eq(steps, leg == SLA_RATING ? 2 : 3, "%s", sla_leg_name((enum sla_leg)leg));
		cr_expect_eq(s, leg == SLA_RATING ? SLA_OVERDUE : SLA_SUPERVISED, "%s", sla_leg_name((enum sla_leg)leg));
	}
}

/* What reaching each stage does, per leg: "" for no step. */
static const struct {
	enum sla_leg leg;
	enum sla_stage stage;
	const char *action, *label;
	bool closes;
	int n_to;
	enum sla_to to0, to1;
} steps[] = {
#define HANDLING(leg)                                                                                      \
	{ leg, SLA_WARNED, "sla_warning", "预警", false, 1, SLA_TO_HANDLER, 0 },                                \
	{ leg, SLA_OVERDUE, "sla_overdue", "超期催办", false, 1, SLA_TO_ORG_LEADERS, 0 },                       \
	{ leg, SLA_SUPERVISED, "sla_supervision", "督办", false, 2, SLA_TO_SUPERVISORS, SLA_TO_ORG_LEADERS }
	HANDLING(SLA_ACCEPT),
	HANDLING(SLA_CONTACT),
	HANDLING(SLA_RESOLVE),
#undef HANDLING
	{ SLA_FEEDBACK, SLA_WARNED, "sla_warning", "预警", false, 1, SLA_TO_SPECIALIST, 0 },
	{ SLA_FEEDBACK, SLA_OVERDUE, "sla_overdue", "超期催办", false, 2, SLA_TO_SPECIALIST, SLA_TO_ORG_LEADERS },
	{ SLA_FEEDBACK, SLA_SUPERVISED, "sla_supervision", "督办", false, 2, SLA_TO_SUPERVISORS, SLA_TO_ORG_LEADERS },
	{ SLA_RATING, SLA_WARNED, "rating_invite", "邀请评价", false, 1, SLA_TO_ENTERPRISE, 0 },
	{ SLA_RATING, SLA_OVERDUE, "close_unrated", "逾期未评价关闭", true, 1, SLA_TO_ENTERPRISE, 0 },
};

Test(sla, step_for_every_leg_and_stage)
{
	for (int leg = 0; leg < SLA__LEGS; leg++)
		for (int stage = 0; stage < SLA__STAGES; stage++) {
			const struct sla_step *s = sla_step((enum sla_leg)leg, (enum sla_stage)stage);
			const char *what = sla_stage_name((enum sla_stage)stage);
			size_t i = 0;
			while (i < N(steps) && !(steps[i].leg == (enum sla_leg)leg && steps[i].stage == (enum sla_stage)stage))
				i++;
			if (i == N(steps)) { /* running, and the rating window's supervised */
				cr_expect_null(s, "%s %s", sla_leg_name((enum sla_leg)leg), what);
				continue;
			}
			cr_assert_not_null(s, "%s %s", sla_leg_name((enum sla_leg)leg), what);
			cr_expect_str_eq(s->action, steps[i].action, "%s %s", sla_leg_name((enum sla_leg)leg), what);
			cr_expect_str_eq(s->label, steps[i].label, "%s %s", sla_leg_name((enum sla_leg)leg), what);
			cr_expect(zh_all_han(s->label));
			cr_expect_eq(s->closes, steps[i].closes, "%s %s", sla_leg_name((enum sla_leg)leg), what);
			cr_expect_eq(s->n_to, steps[i].n_to, "%s %s", sla_leg_name((enum sla_leg)leg), what);
			cr_expect_eq(s->to[0], steps[i].to0, "%s %s", sla_leg_name((enum sla_leg)leg), what);
			if (steps[i].n_to == 2)
				cr_expect_eq(s->to[1], steps[i].to1, "%s %s", sla_leg_name((enum sla_leg)leg), what);
		}
	/* the ladder's stages all have a step */
	for (int leg = 0; leg < SLA__LEGS; leg++)
		for (enum sla_stage s = SLA_RUNNING; sla_next_stage((enum sla_leg)leg, s) != s;
		     s = sla_next_stage((enum sla_leg)leg, s))
			cr_expect_not_null(sla_step((enum sla_leg)leg, sla_next_stage((enum sla_leg)leg, s)));
	/* out of range */
	cr_expect_null(sla_step(SLA__LEGS, SLA_WARNED));
	cr_expect_null(sla_step((enum sla_leg)-1, SLA_WARNED));
	cr_expect_null(sla_step(SLA_ACCEPT, SLA__STAGES));
	cr_expect_null(sla_step(SLA_ACCEPT, (enum sla_stage)-1));
}

/* ---- the zh-CN texts ---- */

static void expect_text(char *got, const char *want)
{
	cr_expect_str_eq(got, want);
	free(got);
}

Test(sla, step_summaries_and_notices)
{
	const char *d = "11月23日 17:00";
	const struct sla_step *warn = sla_step(SLA_ACCEPT, SLA_WARNED), *over = sla_step(SLA_RESOLVE, SLA_OVERDUE),
			     *sup = sla_step(SLA_FEEDBACK, SLA_SUPERVISED), *invite = sla_step(SLA_RATING, SLA_WARNED),
			     *close = sla_step(SLA_RATING, SLA_OVERDUE);
	cr_assert(warn && over && sup && invite && close);

	expect_text(sla_step_summary(warn, SLA_ACCEPT, d), "系统预警:签收时限将于11月23日 17:00到期");
	expect_text(sla_step_summary(over, SLA_RESOLVE, d), "系统:办结已超期(时限11月23日 17:00),已催办");
	expect_text(sla_step_summary(sup, SLA_FEEDBACK, d), "系统督办:反馈超期未办(时限11月23日 17:00),计入单位考核");
	expect_text(sla_step_summary(invite, SLA_RATING, d), "系统:邀请企业评价,评价期限至11月23日 17:00");
	expect_text(sla_step_summary(close, SLA_RATING, d),
		    "系统:评价期限(11月23日 17:00)已过,企业未评价,工单按未评价关闭(不计入满意)");

	const char *no = "SQ20261123001", *t = "厂区道路积水";
	expect_text(sla_step_notice(warn, SLA_CONTACT, SLA_TO_HANDLER, no, t, d),
		    "【预警】工单SQ20261123001《厂区道路积水》的首次联系时限将于11月23日 17:00到期,请抓紧办理。");
	expect_text(sla_step_notice(over, SLA_RESOLVE, SLA_TO_ORG_LEADERS, no, t, d),
		    "【催办】工单SQ20261123001《厂区道路积水》的办结已超过时限(11月23日 17:00),请督促承办人员尽快办理。");
	expect_text(sla_step_notice(over, SLA_FEEDBACK, SLA_TO_SPECIALIST, no, t, d),
		    "【催办】工单SQ20261123001《厂区道路积水》的反馈已超过时限(11月23日 17:00),请督促尽快办理。");
	expect_text(sla_step_notice(sup, SLA_ACCEPT, SLA_TO_SUPERVISORS, no, t, d),
		    "【督办】工单SQ20261123001《厂区道路积水》的签收超期未办(时限11月23日 17:00),请督促承办单位办理。");
	expect_text(sla_step_notice(sup, SLA_ACCEPT, SLA_TO_ORG_LEADERS, no, t, d),
		    "【督办】工单SQ20261123001《厂区道路积水》的签收超期未办(时限11月23日 17:00),请立即组织办理并说明原因。");
	expect_text(sla_step_notice(invite, SLA_RATING, SLA_TO_ENTERPRISE, no, t, d),
		    "您的诉求《厂区道路积水》已办结,请于11月23日 17:00前对办理结果进行评价。");
	expect_text(sla_step_notice(close, SLA_RATING, SLA_TO_ENTERPRISE, no, t, d),
		    "您的诉求《厂区道路积水》评价期已过,工单已关闭。如有问题可再次提出诉求。");
}

Test(sla, format_local)
{
	static const struct {
		const char *t, *want;
	} cases[] = {
		{ "2026-11-23T17:00:00+08:00", "11月23日 17:00" },
		{ "2026-11-23T17:00:59+08:00", "11月23日 17:00" }, /* seconds dropped, not rounded */
		{ "2026-01-01T00:00:00+08:00", "1月1日 00:00" },   /* midnight */
		{ "2025-12-31T23:59:59+08:00", "12月31日 23:59" },
		{ "2026-10-08T16:00:00Z", "10月9日 00:00" },       /* UTC 16:00 is the next local day */
		{ "2026-10-09T15:59:00Z", "10月9日 23:59" },
		{ "2024-02-29T08:05:00+08:00", "2月29日 08:05" },
		{ "1970-01-01T00:00:00Z", "1月1日 08:00" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		char out[32];
		memset(out, 'x', sizeof out);
		sla_format_local(at(cases[i].t), out);
		cr_expect_str_eq(out, cases[i].want, "%s", cases[i].t);
	}
}

/* ---- names ---- */

static const struct {
	const char *kind;
	int n;
	const char *names[SLA__LEGS];
} name_sets[] = {
	{ "leg", SLA__LEGS, { "accept", "contact", "resolve", "feedback", "rating" } },
	{ "stage", SLA__STAGES, { "running", "warned", "overdue", "supervised" } },
	{ "clock", 2, { "working", "calendar" } },
};

/* The name of value v of kind set, and parsing name back. */
static const char *name_of(size_t set, int v)
{
	return set == 0 ? sla_leg_name((enum sla_leg)v)
		: set == 1 ? sla_stage_name((enum sla_stage)v)
			   : sla_clock_name((enum sla_clock)v);
}

static bool parse(size_t set, const char *name, int *v)
{
	enum sla_leg leg;
	enum sla_stage stage;
	enum sla_clock clock;
	bool ok = set == 0 ? sla_leg_parse(name, &leg) : set == 1 ? sla_stage_parse(name, &stage)
								     : sla_clock_parse(name, &clock);
	if (ok)
		*v = set == 0 ? (int)leg : set == 1 ? (int)stage : (int)clock;
	return ok;
}

Test(sla, names_round_trip_and_unknown_names_are_refused)
{
	static const char *const unknown[] = { "", "Accept", "accept ", " rating", "supervise", "24x7", "?",
					       "running\n", "overdu", "calendars" };
	for (size_t set = 0; set < N(name_sets); set++) {
		for (int v = 0; v < name_sets[set].n; v++) {
			cr_expect_str_eq(name_of(set, v), name_sets[set].names[v], "%s %d", name_sets[set].kind, v);
			int back = -1;
			cr_expect(parse(set, name_sets[set].names[v], &back), "%s", name_sets[set].names[v]);
			cr_expect_eq(back, v, "%s", name_sets[set].names[v]);
		}
		for (size_t u = 0; u < N(unknown); u++) {
			int untouched = 42;
			cr_expect(!parse(set, unknown[u], &untouched), "%s \"%s\"", name_sets[set].kind, unknown[u]);
			cr_expect_eq(untouched, 42);
		}
		int untouched = 42;
		cr_expect(!parse(set, NULL, &untouched), "%s NULL", name_sets[set].kind);
	}
	/* a leg name is not a stage or a clock, and so on */
	int v;
	cr_expect(!parse(1, "accept", &v));
	cr_expect(!parse(0, "warned", &v));
	cr_expect(!parse(2, "rating", &v));
	/* out of range */
	cr_expect_str_eq(sla_leg_name(SLA__LEGS), "?");
	cr_expect_str_eq(sla_leg_name((enum sla_leg)-1), "?");
	cr_expect_str_eq(sla_stage_name(SLA__STAGES), "?");
	cr_expect_str_eq(sla_leg_label(SLA__LEGS), "?");
}

Test(sla, recipient_names)
{
	/* the recipients' names */
	static const char *const names[] = { "handler", "specialist", "org_leaders", "supervisors", "enterprise" };
	cr_assert_eq(SLA_TO_ENTERPRISE + 1, (int)N(names));
	for (int to = SLA_TO_HANDLER; to <= SLA_TO_ENTERPRISE; to++)
		cr_expect_str_eq(sla_to_name((enum sla_to)to), names[to]);
	cr_expect_str_eq(sla_to_name((enum sla_to)(SLA_TO_ENTERPRISE + 1)), "?");
	cr_expect_str_eq(sla_to_name((enum sla_to)-1), "?");
}

Test(sla, leg_labels)
{
	static const char *const labels[SLA__LEGS] = { "签收", "首次联系", "办结", "反馈", "评价" };
	for (int leg = 0; leg < SLA__LEGS; leg++) {
		cr_expect_str_eq(sla_leg_label((enum sla_leg)leg), labels[leg], "%s", sla_leg_name((enum sla_leg)leg));
		cr_expect(zh_all_han(sla_leg_label((enum sla_leg)leg)));
	}
}
