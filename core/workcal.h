/*
 * workcal: working time in Asia/Shanghai (DESIGN.md §4), the clock of every
 * SLA deadline. Pure: no database, no I/O; the caller loads the State
 * Council's arrangements (calendar_days, calendar_years) into it.
 *
 * Rules
 * -----
 * Local time is UTC+8 with no DST, so an instant t (unix seconds) falls on
 * the local day floor((t + 8 h) / 1 day) at second (t + 8 h) mod 1 day.
 *
 * Working day: Monday to Friday unless listed as WORKCAL_HOLIDAY, plus any
 * day listed as WORKCAL_WORKDAY (a 调休 Saturday or Sunday). A listed day is
 * always taken as listed. An unlisted day in a year whose notice is not
 * loaded (workcal_cover_year) is taken as a plain weekday or weekend day
 * and sets *flagged: the answer is a guess to be recomputed once the notice
 * is published.
 *
 * Office hours: up to WORKCAL_MAX_SPANS spans of local time, each half-open
 * [start, end) in minutes after midnight, ascending, non-overlapping (one
 * may end where the next starts), within 00:00..24:00; the same on every
 * working day. Default 09:00-12:00 and 13:00-17:00 (7 h a day). A working
 * instant is one inside a span of a working day: 09:00:00 and 11:59:59 are,
 * 12:00:00 and 17:00:00 are not.
 *
 * add_minutes(t, n): the earliest instant at which n minutes of working time
 * have elapsed since t. Counting starts at t when t is a working instant,
 * else at the next working instant. The result is where the n-th minute
 * completes, so it may be the end of a span (12:00, 17:00: never 13:00 or
 * the next morning for a deadline that completes at 12:00 or 17:00), and
 * seconds carry over (09:00:30 + 1 min = 09:01:30; 11:59:30 + 1 min =
 * 13:00:30). n = 0 returns t itself, even outside office hours; n < 0 is
 * taken as 0.
 *
 * add_days(t, n): the end of office hours (the end of the last span) on the
 * n-th working day after t's local date. Day 1 is the first working day
 * after that date, whatever the time of day and whether or not that date is
 * itself a working day (开始的当日不计入): from Friday 08:00 or Friday
 * 23:00, 1 working day is the next working day at 17:00. n = 0 returns t
 * itself; n < 0 is taken as 0.
 *
 * minutes_between(from, to): the working seconds in [from, to), divided by
 * 60 and rounded down. Antisymmetric: when to < from it is
 * -minutes_between(to, from). For any t and n >= 0 (working instant or
 * not, whole minute or not), minutes_between(t, add_minutes(t, n)) == n.
 *
 * next_working_instant(t): t when it is a working instant, else the start
 * of the next span of a working day (t at 12:00 gives 13:00; at 17:00 or at
 * night, the next working day's first span).
 *
 * Limits: instants are clamped to [-WORKCAL_INSTANT_LIMIT,
 * WORKCAL_INSTANT_LIMIT] before use (except that n = 0 returns t as
 * given), and minute counts above WORKCAL_MAX_MINUTES are taken as that,
 * so no arithmetic can overflow.
 * Every function runs in time proportional to the listed days it passes
 * plus a constant: runs of unlisted days are crossed a week (5 working
 * days) at a time, so a year of minutes costs microseconds.
 *
 * *flagged (may be NULL) is set to true when the answer depended on an
 * unlisted day in a year not covered; no function sets it to false, so one
 * flag can collect a whole computation. A calendar is not changed by the
 * queries, so several threads may query one calendar that no one changes.
 */
#ifndef SUQIU_CORE_WORKCAL_H
#define SUQIU_CORE_WORKCAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/xalloc.h"

#define WORKCAL_MAX_SPANS 4
/* About 9,500 years of default office hours: no deadline needs more. */
#define WORKCAL_MAX_MINUTES 1000000000L
/* 2^50 seconds, some 35 million years either side of 1970: far beyond any
 * date, and far inside int64_t even after the largest addition. */
#define WORKCAL_INSTANT_LIMIT (INT64_C(1) << 50)
/* Enough for "09:00-12:00,13:00-17:00,18:00-20:00,21:00-24:00" + NUL. */
#define WORKCAL_HOURS_LEN (WORKCAL_MAX_SPANS * 12)

/* Office hours: [start_min, end_min) in minutes after local midnight. */
struct workcal_span {
	int start_min, end_min;
};

enum workcal_day {
	WORKCAL_DEFAULT, /* as the weekday says (removes a listing) */
	WORKCAL_HOLIDAY, /* a day off (节假日), on any day of the week */
	WORKCAL_WORKDAY, /* a working day (调休上班), normally a weekend day */
};

struct workcal;

/* A calendar with the default hours, no listed day and no covered year.
 * The caller frees it with workcal_free. */
struct workcal *workcal_new(void);
/* Frees c; NULL is a no-op. */
void workcal_free(struct workcal *c);

/* Replaces the office hours with spans[0..n-1]. False, and nothing changes,
 * unless 1 <= n <= WORKCAL_MAX_SPANS and the spans are as described above. */
bool workcal_set_hours(struct workcal *c, const struct workcal_span *spans, int n) MUSTCHECK;
/* The office hours: writes them to spans and returns how many. */
int workcal_get_hours(const struct workcal *c, struct workcal_span spans[WORKCAL_MAX_SPANS]);
/* Parses "09:00-12:00,13:00-17:00": one to WORKCAL_MAX_SPANS spans
 * "HH:MM-HH:MM" separated by commas, no spaces, two digits each, 24:00 only
 * as an end, valid as for workcal_set_hours. Writes spans and *n only on
 * success. */
bool workcal_parse_hours(const char *text, struct workcal_span spans[WORKCAL_MAX_SPANS], int *n) MUSTCHECK;
/* Writes hours in the form workcal_parse_hours reads. */
void workcal_format_hours(const struct workcal_span *spans, int n, char out[WORKCAL_HOURS_LEN]);

/* Lists y-m-d as kind (WORKCAL_DEFAULT removes it). False, and nothing
 * changes, when y-m-d is not a date. */
bool workcal_set_day(struct workcal *c, int y, int m, int d, enum workcal_day kind) MUSTCHECK;
/* Marks the year's notice as loaded: its unlisted days are plain weekdays
 * and weekend days, and not flagged. */
void workcal_cover_year(struct workcal *c, int year);
bool workcal_year_covered(const struct workcal *c, int year);

/* Whether y-m-d is a working day; false for a date that does not exist. */
bool workcal_is_working_day(const struct workcal *c, int y, int m, int d, bool *flagged);
/* The rules above; minutes and days are counts of working minutes and days. */
int64_t workcal_add_minutes(const struct workcal *c, int64_t start, long minutes, bool *flagged);
int64_t workcal_add_days(const struct workcal *c, int64_t start, int days, bool *flagged);
long workcal_minutes_between(const struct workcal *c, int64_t from, int64_t to, bool *flagged);
int64_t workcal_next_working_instant(const struct workcal *c, int64_t t, bool *flagged);

#endif
