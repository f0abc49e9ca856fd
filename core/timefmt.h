/*
 * timefmt: RFC 3339 timestamps in Asia/Shanghai (+08:00, no DST).
 *
 * China has observed a fixed UTC+8 offset since 1991, so local time is
 * computed by arithmetic instead of through the process's TZ setting.
 */
#ifndef SUQIU_CORE_TIMEFMT_H
#define SUQIU_CORE_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define TIMEFMT_LEN 48 /* "2026-01-02T03:04:05.123+08:00" + NUL, with room */
#define TIMEFMT_OFFSET_SECONDS (8 * 3600)

/* Formats unix seconds + milliseconds as "YYYY-MM-DDTHH:MM:SS.mmm+08:00". */
void timefmt_rfc3339(int64_t unix_seconds, int millis, char out[TIMEFMT_LEN]);
/* The current time, formatted as above. */
void timefmt_now(char out[TIMEFMT_LEN]);
/* Parses a strict RFC 3339 timestamp with an explicit offset
 * ("2026-05-01T09:00:00+08:00", "...T01:00:00.5Z"; a fraction is dropped)
 * into unix seconds. False on anything else, including impossible dates. */
bool timefmt_parse_rfc3339(const char *s, int64_t *unix_seconds);
/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (negative before 1970). m and d are not checked: out-of-range values are
 * not meaningful; timefmt_civil_from_days() round-trips only real dates. */
int64_t timefmt_days_from_civil(int64_t y, int m, int d);
/* The inverse: the date of the day that many days after 1970-01-01. */
void timefmt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* Monotonic clock in nanoseconds, for durations. */
uint64_t timefmt_mono_ns(void);

#endif
