/* Unit tests for core/stats: the metrics' periods, trend buckets and rates. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/stats.h"
#include "core/timefmt.h"

/* An instant from RFC 3339 text. */
static int64_t at(const char *s)
{
	int64_t t;
	cr_assert(timefmt_parse_rfc3339(s, &t), "%s", s);
	return t;
}

static const char *show(int64_t t)
{
	static char buf[4][TIMEFMT_LEN];
	static int i;
	i = (i + 1) % 4;
	timefmt_rfc3339(t, 0, buf[i]);
	return buf[i];
}

/* 2026-12-05 15:30 Shanghai, a Saturday */
#define NOW at("2026-12-05T15:30:00+08:00")

static struct stats_period ok(const char *from, const char *to, enum stats_granularity g)
{
	struct stats_period p;
	char err[160] = "";
	cr_assert(stats_period_parse(from, to, g, NOW, &p, err, sizeof err), "%s..%s: %s", from, to, err);
	return p;
}

Test(stats, defaults_current_month_and_trend_windows)
{
	struct stats_period p = ok(NULL, NULL, STATS_NONE_G);
	cr_assert_str_eq(show(p.from), "2026-12-01T00:00:00.000+08:00");
	cr_assert_str_eq(show(p.to), "2027-01-01T00:00:00.000+08:00");
	p = ok(NULL, NULL, STATS_WEEK); /* 12 weeks, this one (Mon 11-30) included */
	cr_assert_str_eq(show(p.from), "2026-09-14T00:00:00.000+08:00");
	cr_assert_str_eq(show(p.to), "2026-12-07T00:00:00.000+08:00");
	p = ok(NULL, NULL, STATS_DAY);
	cr_assert_str_eq(show(p.from), "2026-11-06T00:00:00.000+08:00");
	cr_assert_str_eq(show(p.to), "2026-12-06T00:00:00.000+08:00");
	p = ok(NULL, NULL, STATS_MONTH);
	cr_assert_str_eq(show(p.from), "2026-01-01T00:00:00.000+08:00");
	cr_assert_str_eq(show(p.to), "2027-01-01T00:00:00.000+08:00");
}

Test(stats, dates_are_shanghai_days_and_to_is_inclusive)
{
	struct stats_period p = ok("2026-01-01", "2026-01-31", STATS_NONE_G);
	cr_assert_str_eq(show(p.from), "2026-01-01T00:00:00.000+08:00");
	cr_assert_str_eq(show(p.to), "2026-02-01T00:00:00.000+08:00");
	p = ok("2026-01-01T00:00:00Z", "2026-01-02T00:00:00+08:00", STATS_NONE_G); /* instants as they are */
	cr_assert_str_eq(show(p.from), "2026-01-01T08:00:00.000+08:00");
	cr_assert_str_eq(show(p.to), "2026-01-02T00:00:00.000+08:00");
	p = ok("2026-03-01", "2026-03-01", STATS_NONE_G); /* one whole day */
	cr_assert_eq(p.to - p.from, 86400);
	p = ok("2026-11-01", NULL, STATS_NONE_G); /* to the end of the current month */
	cr_assert_str_eq(show(p.to), "2027-01-01T00:00:00.000+08:00");
	p = ok(NULL, "2026-06-30", STATS_NONE_G); /* the default length before it */
	cr_assert_str_eq(show(p.from), "2026-05-31T00:00:00.000+08:00");
	p = ok("2024-01-01", "2026-12-31", STATS_NONE_G); /* three years, one leap day: 1096 days */
	cr_assert_eq(p.to - p.from, 1096LL * 86400);
}

Test(stats, bad_periods_are_refused_with_a_reason)
{
	static const struct {
		const char *from, *to, *why;
	} bad[] = {
		{ "2026-13-01", NULL, "from must be" },
		{ "2026-02-30", NULL, "from must be" },
		{ "2026-2-3", NULL, "from must be" },
		{ "yesterday", NULL, "from must be" },
		{ "2026-01-01T00:00:00", NULL, "from must be" }, /* no offset */
		{ "", NULL, "from must be" },
		{ NULL, "2026-01-0x", "to must be" },
		{ "2026-02-01", "2026-01-31", "before" },
		{ "2026-02-01T00:00:00+08:00", "2026-02-01T00:00:00+08:00", "before" },
		{ "2023-01-01", "2026-12-31", "at most 1096 days" },
		{ "2027-01-02", NULL, "before" }, /* after the default end */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct stats_period p;
		char err[160] = "";
		cr_assert_not(stats_period_parse(bad[i].from, bad[i].to, STATS_NONE_G, NOW, &p, err, sizeof err),
			      "case %zu accepted", i);
		cr_assert(strstr(err, bad[i].why), "case %zu: %s", i, err);
	}
}

Test(stats, buckets_in_shanghai_time)
{
	/* 2026-03-01 is a Sunday; 23:30 UTC on 02-28 is already 03-01 in Shanghai */
	int64_t t = at("2026-02-28T23:30:00Z");
	cr_assert_str_eq(show(stats_bucket_start(t, STATS_DAY)), "2026-03-01T00:00:00.000+08:00");
	cr_assert_str_eq(show(stats_bucket_start(t, STATS_WEEK)), "2026-02-23T00:00:00.000+08:00");
	cr_assert_str_eq(show(stats_bucket_start(t, STATS_MONTH)), "2026-03-01T00:00:00.000+08:00");
	int64_t monday = at("2026-03-02T00:00:00+08:00");
	cr_assert_eq(stats_bucket_start(monday, STATS_WEEK), monday);
	cr_assert_eq(stats_bucket_start(monday - 1, STATS_WEEK), at("2026-02-23T00:00:00+08:00"));
	cr_assert_str_eq(show(stats_bucket_next(monday, STATS_WEEK)), "2026-03-09T00:00:00.000+08:00");
	cr_assert_str_eq(show(stats_bucket_next(at("2026-12-01T00:00:00+08:00"), STATS_MONTH)),
			 "2027-01-01T00:00:00.000+08:00");
	cr_assert_str_eq(show(stats_bucket_next(at("2024-02-29T00:00:00+08:00"), STATS_DAY)),
			 "2024-03-01T00:00:00.000+08:00");
	/* before 1970 too */
	cr_assert_str_eq(show(stats_bucket_start(at("1969-12-31T12:00:00+08:00"), STATS_DAY)),
			 "1969-12-31T00:00:00.000+08:00");
}

Test(stats, granularities)
{
	enum stats_granularity g;
	cr_assert(stats_granularity_parse(NULL, &g));
	cr_assert_eq(g, STATS_WEEK);
	cr_assert(stats_granularity_parse("month", &g));
	cr_assert_eq(g, STATS_MONTH);
	cr_assert(stats_granularity_parse("day", &g));
	cr_assert_str_eq(stats_granularity_name(g), "day");
	cr_assert_not(stats_granularity_parse("year", &g));
	cr_assert_not(stats_granularity_parse("none", &g));
	cr_assert_not(stats_granularity_parse("", &g));
}

Test(stats, rates_are_rounded_and_undefined_without_a_denominator)
{
	double r = -1;
	cr_assert_not(stats_rate(0, 0, &r));
	cr_assert_eq(r, -1);
	cr_assert(stats_rate(0, 5, &r));
	cr_assert_float_eq(r, 0.0, 1e-12);
	cr_assert(stats_rate(2, 3, &r));
	cr_assert_float_eq(r, 0.6667, 1e-12);
	cr_assert(stats_rate(1, 8, &r));
	cr_assert_float_eq(r, 0.125, 1e-12);
	cr_assert(stats_rate(7, 7, &r));
	cr_assert_float_eq(r, 1.0, 1e-12);
}
