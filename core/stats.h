/*
 * stats: the pure parts of the leadership metrics (/api/v1/stats, README
 * "Metrics"): the reporting period a request asks for, trend buckets and
 * rates.
 *
 * A period is a half-open interval [from, to) of instants. The API takes
 * each bound as RFC 3339 (an instant, used as it is) or as a date
 * YYYY-MM-DD in Asia/Shanghai: a date as `from` is the start of that day,
 * a date as `to` is inclusive, i.e. the period ends at the start of the
 * next day. Without bounds the period is the current month (overview,
 * orgs, categories) or the last buckets of the trend (30 days, 12 weeks
 * or 12 months, the current one included). from must be before to, and a
 * period spans at most STATS_MAX_DAYS days.
 */
#ifndef SUQIU_CORE_STATS_H
#define SUQIU_CORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATS_MAX_DAYS 1096 /* three years, a leap day included */

enum stats_granularity {
	STATS_NONE_G,  /* not a trend: the default period is the current month */
	STATS_DAY,
	STATS_WEEK,    /* ISO weeks, Monday to Sunday */
	STATS_MONTH,
};

struct stats_period {
	int64_t from, to; /* unix seconds, from < to */
	enum stats_granularity granularity;
};

/* Parses "day", "week" or "month"; NULL gives week (the trend's default). */
bool stats_granularity_parse(const char *s, enum stats_granularity *out);
const char *stats_granularity_name(enum stats_granularity g);

/* The period of from and to (either may be NULL) for granularity g at
 * instant now. False with a message in err (for the API's detail) when a
 * bound is malformed, from is not before to or the span is too long. */
bool stats_period_parse(const char *from, const char *to, enum stats_granularity g, int64_t now,
			struct stats_period *out, char *err, size_t errlen);

/* The start of the bucket of granularity g holding instant t, in
 * Asia/Shanghai (day: midnight; week: Monday's midnight; month: the 1st's). */
int64_t stats_bucket_start(int64_t t, enum stats_granularity g);
/* The start of the next bucket after the one starting at start. */
int64_t stats_bucket_next(int64_t start, enum stats_granularity g);

/* numerator / denominator rounded to 4 decimals; false (no rate: the
 * API's null) when the denominator is 0. */
bool stats_rate(long long numerator, long long denominator, double *rate);

#endif
