/*
 * Unit tests for core/timefmt: RFC 3339 in Asia/Shanghai (+08:00) by
 * arithmetic, independent of TZ; the strict RFC 3339 parser, against
 * timegm and the formatter; and the monotonic clock.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timefmt.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	int64_t seconds;
	int millis;
	const char *want;
} instants[] = {
	{ 0, 0, "1970-01-01T08:00:00.000+08:00" },
	{ -28800, 0, "1970-01-01T00:00:00.000+08:00" },
	{ -1, 999, "1970-01-01T07:59:59.999+08:00" },
	{ 1771257600, 0, "2026-02-17T00:00:00.000+08:00" },    /* 2026-02-16T16:00:00Z */
	{ 1771257599, 999, "2026-02-16T23:59:59.999+08:00" },
	{ 1771257600, 5, "2026-02-17T00:00:00.005+08:00" },    /* millis padded to three digits */
	{ 1771257600, 42, "2026-02-17T00:00:00.042+08:00" },
	{ 1771257600, 100, "2026-02-17T00:00:00.100+08:00" },
	{ 951753600, 0, "2000-02-29T00:00:00.000+08:00" },     /* leap day */
	{ 1735660799, 0, "2024-12-31T23:59:59.000+08:00" },
	{ 1735660800, 0, "2025-01-01T00:00:00.000+08:00" },    /* new year in Beijing, still 2024 in UTC */
	{ 2147483647, 0, "2038-01-19T11:14:07.000+08:00" },    /* the 32-bit limit */
	{ 2147483648, 1, "2038-01-19T11:14:08.001+08:00" },
	{ 253402271999LL, 999, "9999-12-31T23:59:59.999+08:00" },   /* 15:59:59Z */
};

Test(timefmt, formats_known_instants)
{
	for (size_t i = 0; i < N(instants); i++) {
		char out[TIMEFMT_LEN];
		memset(out, '#', sizeof out);
		timefmt_rfc3339(instants[i].seconds, instants[i].millis, out);
		cr_expect_str_eq(out, instants[i].want, "%lld.%03d: %s", (long long)instants[i].seconds,
				 instants[i].millis, out);
	}
}

Test(timefmt, ignores_the_process_time_zone)
{
	static const char *const zones[] = { "UTC", "America/New_York", "Europe/London", "Asia/Tokyo", "XYZ+5" };
	for (size_t i = 0; i < N(zones); i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		char out[TIMEFMT_LEN];
		timefmt_rfc3339(1771257600, 0, out);
		cr_expect_str_eq(out, "2026-02-17T00:00:00.000+08:00", "TZ=%s", zones[i]);
	}
}

static bool has_rfc3339_shape(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddd+08:00";
	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	}
	return true;
}

Test(timefmt, now_is_the_current_time)
{
	struct timespec before, after;
	clock_gettime(CLOCK_REALTIME, &before);
	char now[TIMEFMT_LEN];
	timefmt_now(now);
	clock_gettime(CLOCK_REALTIME, &after);
	cr_assert(has_rfc3339_shape(now), "shape: %s", now);
	/* equal, to the second, to a reading taken just before or just after */
	char a[TIMEFMT_LEN], b[TIMEFMT_LEN];
	timefmt_rfc3339(before.tv_sec, 0, a);
	timefmt_rfc3339(after.tv_sec, 0, b);
	cr_assert(strncmp(now, a, 19) == 0 || strncmp(now, b, 19) == 0, "now %s, before %s, after %s", now, a,
		  b);
}

Test(timefmt, known_instants_have_rfc3339_shape)
{
	for (size_t i = 0; i < N(instants); i++)
		cr_expect(has_rfc3339_shape(instants[i].want), "%s", instants[i].want);
}

Test(timefmt, mono_ns_increases)
{
	uint64_t a = timefmt_mono_ns();
	struct timespec pause = { 0, 2 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	uint64_t b = timefmt_mono_ns();
	cr_assert_gt(b, a);
	cr_assert_geq(b - a, 2 * 1000 * 1000, "slept 2 ms, clock moved %llu ns", (unsigned long long)(b - a));
	cr_assert_lt(b - a, 10ULL * 1000 * 1000 * 1000, "clock jumped %llu ns", (unsigned long long)(b - a));
	uint64_t prev = b;
	for (int i = 0; i < 10000; i++) {
		uint64_t t = timefmt_mono_ns();
		cr_assert_geq(t, prev, "went backwards at call %d", i);
		prev = t;
	}
}

Test(timefmt, mono_ns_matches_clock_monotonic)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t before = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	uint64_t t = timefmt_mono_ns();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t after = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	cr_assert(before <= t && t <= after, "%llu not within [%llu, %llu]", (unsigned long long)t,
		  (unsigned long long)before, (unsigned long long)after);
}

/* ---- timefmt_parse_rfc3339 ---- */

static const struct {
	const char *s;
	int64_t want;
} parse_ok[] = {
	{ "2026-01-01T00:00:00+08:00", 1767196800 },
	{ "2025-12-31T16:00:00Z", 1767196800 },
	{ "2025-12-31t16:00:00z", 1767196800 },          /* lower-case t and z */
	{ "2025-12-31T16:00:00.5Z", 1767196800 },        /* a fraction is dropped */
	{ "2025-12-31T16:00:00.999999999Z", 1767196800 },
	{ "2026-01-01T00:00:00.0+08:00", 1767196800 },
	{ "2026-01-01T00:00:00.000+08:00", 1767196800 }, /* as timefmt_rfc3339 writes it */
	{ "2025-12-31T11:00:00-05:00", 1767196800 },     /* negative offset */
	{ "2025-12-31T16:00:00+00:00", 1767196800 },
	{ "2025-12-31T16:00:00-00:00", 1767196800 },
	{ "2026-01-01T13:45:00+13:45", 1767225600 },
	{ "2026-01-01T23:59:00+23:59", 1767225600 },     /* the largest offsets */
	{ "2025-12-31T00:01:00-23:59", 1767225600 },
	{ "2026-05-01T09:00:00+08:00", 1777597200 },     /* the header's example */
	{ "2026-05-01T01:00:00.5Z", 1777597200 },
	{ "2026-02-17T00:00:00.000+08:00", 1771257600 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T08:00:00+08:00", 0 },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "1970-01-01T07:59:59.999+08:00", -1 },
	{ "1900-01-01T00:00:00Z", -2208988800LL },
	{ "2000-02-29T00:00:00+08:00", 951753600 },      /* leap day, divisible by 400 */
	{ "2024-02-29T12:00:00Z", 1709208000 },          /* leap day */
	{ "2038-01-19T03:14:08Z", 2147483648LL },        /* past the 32-bit limit */
	{ "9999-12-31T23:59:59Z", 253402300799LL },
	{ "0001-01-01T00:00:00Z", -62135596800LL },
	{ "0000-01-01T00:00:00Z", -62167219200LL },      /* year 0 is a leap year */
	{ "0000-02-29T00:00:00Z", -62162121600LL },
};

Test(timefmt, parses_valid_timestamps)
{
	for (size_t i = 0; i < N(parse_ok); i++) {
		int64_t got = 42;
		cr_expect(timefmt_parse_rfc3339(parse_ok[i].s, &got), "refused %s", parse_ok[i].s);
		cr_expect_eq(got, parse_ok[i].want, "%s: %lld, expected %lld", parse_ok[i].s, (long long)got,
			     (long long)parse_ok[i].want);
	}
}

static const char *const parse_bad[] = {
	/* the offset is required, complete and last */
	"2026-01-01T00:00:00", "2026-01-01T00:00:00.5", "2026-01-01T00:00:00+08", "2026-01-01T00:00:00+0800",
	"2026-01-01T00:00:00+8:00", "2026-01-01T00:00:00+08:0", "2026-01-01T00:00:00 +08:00",
	"2026-01-01T00:00:00+08:00:00", "2026-01-01T00:00:00UTC", "2026-01-01T00:00:00GMT+8",
	/* trailing garbage */
	"2026-01-01T00:00:00+08:00x", "2026-01-01T00:00:00Z ", "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00Z\n",
	"2026-01-01T00:00:00+08:00Z", "2026-01-01T00:00:00Z+08:00",
	/* the fraction */
	"2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.+08:00", "2026-01-01T00:00:00,5Z", "2026-01-01T00:00:00.5.5Z",
	"2026-01-01T00:00:00.aZ",
	/* the shape */
	"", " 2026-01-01T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01_00:00:00Z", "2026-01-01", "2026",
	"26-01-01T00:00:00Z", "+2026-01-01T00:00:00Z", "-2026-01-01T00:00:00Z", "12026-01-01T00:00:00Z",
	"2026/01/01T00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-1T00:00:00Z", "2026-01-01T0:00:00Z",
	"2026-01-01T00:0:00Z", "2026-01-01T00:00:0Z", "2026-01-01T00:00Z", "2026-01-01T00-00-00Z",
	"2026-0a-01T00:00:00Z", "2026-01-01T00:00:0aZ", "2026-01-01T00:00:00+0a:00", "２０２６-01-01T00:00:00Z",
	"2026-01-01T00:00:00\xef\xbc\xba",
	/* out-of-range fields */
	"2026-00-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-99-01T00:00:00Z", "2026-01-00T00:00:00Z",
	"2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z", "2026-06-31T00:00:00Z", "2026-09-31T00:00:00Z",
	"2026-11-31T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T99:00:00Z",
	"2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", /* no leap seconds */
	"2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00-24:00", "2026-01-01T00:00:00+08:60",
	/* 29 February outside leap years */
	"2026-02-29T00:00:00+08:00", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
};

Test(timefmt, refuses_invalid_timestamps)
{
	for (size_t i = 0; i < N(parse_bad); i++) {
		int64_t got = 42;
		cr_expect(!timefmt_parse_rfc3339(parse_bad[i], &got), "accepted \"%s\" as %lld", parse_bad[i],
			  (long long)got);
	}
	int64_t got = 42;
	cr_expect(!timefmt_parse_rfc3339(NULL, &got));
}

Test(timefmt, refuses_every_truncation)
{
	/* each prefix in a buffer of its own size, so that reading past the
	 * end shows up under a sanitizer or valgrind */
	for (size_t i = 0; i < N(parse_ok); i++) {
		size_t len = strlen(parse_ok[i].s);
		for (size_t n = 0; n < len; n++) {
			char *prefix = malloc(n + 1);
			cr_assert_not_null(prefix);
			memcpy(prefix, parse_ok[i].s, n);
			prefix[n] = '\0';
			int64_t got;
			cr_expect(!timefmt_parse_rfc3339(prefix, &got), "accepted the prefix \"%s\"", prefix);
			free(prefix);
		}
	}
}

static bool is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

Test(timefmt, every_day_of_sample_years_against_timegm)
{
	static const int years[] = { 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2026, 2100, 2400 };
	for (size_t i = 0; i < N(years); i++) {
		for (int m = 0; m <= 13; m++) {
			for (int d = 0; d <= 32; d++) {
				char s[64];
				snprintf(s, sizeof s, "%04d-%02d-%02dT12:34:56Z", years[i], m, d);
				bool valid = m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(years[i], m);
				int64_t got = 0;
				bool ok = timefmt_parse_rfc3339(s, &got);
				if (ok != valid) {
					cr_expect_fail("%s: %s", s, ok ? "accepted" : "refused");
					continue;
				}
				if (!valid)
					continue;
				struct tm tm = { .tm_year = years[i] - 1900, .tm_mon = m - 1, .tm_mday = d,
						 .tm_hour = 12, .tm_min = 34, .tm_sec = 56 };
				int64_t want = (int64_t)timegm(&tm);
				if (got != want)
					cr_expect_fail("%s: %lld, timegm says %lld", s, (long long)got, (long long)want);
			}
		}
	}
}

Test(timefmt, every_time_of_day_and_offset)
{
	/* 2026-03-01 (after a non-leap February) at every minute, at offsets
	 * from -23:59 to +23:59 in steps of 7 minutes, against arithmetic */
	const int64_t midnight_utc = 1772323200; /* 2026-03-01T00:00:00Z */
	for (int h = 0; h <= 24; h++) {
		for (int mi = 0; mi <= 60; mi++) {
			for (int off = -(23 * 60 + 59); off <= 23 * 60 + 59; off += 7) {
				int a = off < 0 ? -off : off;
				char s[64];
				snprintf(s, sizeof s, "2026-03-01T%02d:%02d:%02d%c%02d:%02d", h, mi, (h + mi) % 60,
					 off < 0 ? '-' : '+', a / 60, a % 60);
				bool valid = h < 24 && mi < 60;
				int64_t got = 0;
				bool ok = timefmt_parse_rfc3339(s, &got);
				int64_t want = midnight_utc + h * 3600 + mi * 60 + (h + mi) % 60 - off * 60;
				if (ok != valid || (valid && got != want))
					cr_expect_fail("%s: %s %lld, expected %s %lld", s, ok ? "accepted" : "refused",
						       (long long)got, valid ? "accepted" : "refused", (long long)want);
			}
		}
	}
}

/* Formats t and parses it back. */
static void expect_round_trip(int64_t t, int millis)
{
	char s[TIMEFMT_LEN];
	timefmt_rfc3339(t, millis, s);
	int64_t back = 0;
	if (!timefmt_parse_rfc3339(s, &back) || back != t)
		cr_expect_fail("%lld.%03d -> %s -> %lld", (long long)t, millis, s, (long long)back);
}

Test(timefmt, round_trips_through_the_formatter)
{
	for (size_t i = 0; i < N(instants); i++)
		expect_round_trip(instants[i].seconds, instants[i].millis);
	/* from 0001-01-01 to 9999-12-31 (local time) in uneven steps */
	const int64_t first = -62135596800LL, last = 253402271999LL;
	for (int64_t t = first; t <= last; t += 7777777)
		expect_round_trip(t, (int)(t % 1000 + 1000) % 1000);
	expect_round_trip(first, 0);
	expect_round_trip(last, 999);
	/* every minute around the 2024 leap day and a Beijing new year */
	for (int64_t t = 1709136000 - 86400; t < 1709136000 + 2 * 86400; t += 60)
		expect_round_trip(t, 0);
	for (int64_t t = 1735660800 - 86400; t < 1735660800 + 86400; t += 59)
		expect_round_trip(t, 500);
}
