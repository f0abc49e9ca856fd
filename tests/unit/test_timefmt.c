/*
 * Unit tests for core/timefmt: RFC 3339 in Asia/Shanghai (+08:00) by
 * arithmetic, independent of TZ, and the monotonic clock.
 */
#include <criterion/criterion.h>
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
