/* stats: periods, buckets and rates of the metrics; see stats.h. */
#include "core/stats.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"

#define DAY 86400

static const char *const names[] = { [STATS_NONE_G] = "none", [STATS_DAY] = "day", [STATS_WEEK] = "week",
				     [STATS_MONTH] = "month" };

bool stats_granularity_parse(const char *s, enum stats_granularity *out)
{
	if (!s) {
		*out = STATS_WEEK;
		return true;
	}
	for (int g = STATS_DAY; g <= STATS_MONTH; g++) {
		if (strcmp(s, names[g]) == 0) {
			*out = (enum stats_granularity)g;
			return true;
		}
	}
	return false;
}

const char *stats_granularity_name(enum stats_granularity g)
{
	return (unsigned)g <= STATS_MONTH ? names[g] : "none";
}

/* Local (Asia/Shanghai) midnight starting day number d (days since 1970-01-01, local). */
static int64_t midnight(int64_t d)
{
	return d * DAY - TIMEFMT_OFFSET_SECONDS;
}

static int64_t local_day(int64_t t)
{
	int64_t s = t + TIMEFMT_OFFSET_SECONDS;
	return (s >= 0 ? s : s - (DAY - 1)) / DAY;
}

/* A strict YYYY-MM-DD date as its local day number. */
static bool parse_date(const char *s, int64_t *day)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int64_t days = timefmt_days_from_civil(y, m, d), yy;
	int mm, dd;
	timefmt_civil_from_days(days, &yy, &mm, &dd);
	if (m < 1 || m > 12 || yy != y || mm != m || dd != d)
		return false; /* 2026-02-30 */
	*day = days;
	return true;
}

/* A bound: an instant, or a date (its start, or with end the start of the next day). */
static bool parse_bound(const char *s, bool end, int64_t *out)
{
	int64_t day;
	if (parse_date(s, &day)) {
		*out = midnight(day + (end ? 1 : 0));
		return true;
	}
	return timefmt_parse_rfc3339(s, out);
}

int64_t stats_bucket_start(int64_t t, enum stats_granularity g)
{
	int64_t day = local_day(t), y;
	int m, d;
	switch (g) {
	case STATS_WEEK: {
		int64_t weekday = ((day % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: Monday = 0 */
		return midnight(day - weekday);
	}
	case STATS_MONTH:
		timefmt_civil_from_days(day, &y, &m, &d);
		return midnight(timefmt_days_from_civil(y, m, 1));
	case STATS_DAY:
	case STATS_NONE_G:
		break;
	}
	return midnight(day);
}

int64_t stats_bucket_next(int64_t start, enum stats_granularity g)
{
	int64_t day = local_day(start), y;
	int m, d;
	switch (g) {
	case STATS_WEEK:
		return midnight(day + 7);
	case STATS_MONTH:
	case STATS_NONE_G:
		timefmt_civil_from_days(day, &y, &m, &d);
		return midnight(m == 12 ? timefmt_days_from_civil(y + 1, 1, 1) : timefmt_days_from_civil(y, m + 1, 1));
	case STATS_DAY:
		break;
	}
	return midnight(day + 1);
}

/* The default period ending with the bucket (or month) holding now. */
static void default_period(enum stats_granularity g, int64_t now, int64_t *from, int64_t *to)
{
	enum stats_granularity unit = g == STATS_NONE_G ? STATS_MONTH : g;
	int count = g == STATS_NONE_G ? 1 : g == STATS_DAY ? 30 : 12;
	int64_t start = stats_bucket_start(now, unit);
	*to = stats_bucket_next(start, unit);
	for (int i = 1; i < count; i++)
		start = stats_bucket_start(start - 1, unit);
	*from = start;
}

bool stats_period_parse(const char *from, const char *to, enum stats_granularity g, int64_t now,
			struct stats_period *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->granularity = g;
	int64_t dfrom, dto;
	default_period(g, now, &dfrom, &dto);
	out->from = dfrom;
	out->to = dto;
	if (from && !parse_bound(from, false, &out->from)) {
		snprintf(err, errlen, "from must be an RFC 3339 instant or a date YYYY-MM-DD, not \"%.40s\"", from);
		return false;
	}
	if (to && !parse_bound(to, true, &out->to)) {
		snprintf(err, errlen, "to must be an RFC 3339 instant or a date YYYY-MM-DD, not \"%.40s\"", to);
		return false;
	}
	/* a start alone runs to the end of the default period, an end alone has the default length */
	if (to && !from)
		out->from = out->to - (dto - dfrom);
	if (out->from >= out->to) {
		snprintf(err, errlen, "from must be before to");
		return false;
	}
	if (out->to - out->from > (int64_t)STATS_MAX_DAYS * DAY) {
		snprintf(err, errlen, "the period may span at most %d days", STATS_MAX_DAYS);
		return false;
	}
	return true;
}

bool stats_rate(long long numerator, long long denominator, double *rate)
{
	if (denominator <= 0)
		return false;
	double r = (double)numerator / (double)denominator * 10000.0;
	*rate = (double)(long long)(r + (r < 0 ? -0.5 : 0.5)) / 10000.0;
	return true;
}
