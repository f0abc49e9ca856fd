/* workcal: working time in Asia/Shanghai; the rules are in workcal.h. */
#include "core/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

#define DAY_SECONDS 86400

/* minutes_between can count some 10^13 minutes between the limits */
_Static_assert(sizeof(long) >= 8, "workcal needs a 64-bit long");

/* A listed day: days after 1970-01-01, and what it is. */
struct listed_day {
	int64_t day;
	enum workcal_day kind;
};

struct workcal {
	struct workcal_span spans[WORKCAL_MAX_SPANS];
	int nspans;
	int64_t day_seconds; /* working seconds in a working day */
	struct listed_day *days; /* ascending by day, no WORKCAL_DEFAULT */
	size_t ndays, days_cap;
	int *years; /* covered years, ascending */
	size_t nyears, years_cap;
};

static const struct workcal_span default_spans[] = { { 9 * 60, 12 * 60 }, { 13 * 60, 17 * 60 } };

struct workcal *workcal_new(void)
{
	struct workcal *c = xcalloc(1, sizeof *c);
	if (!workcal_set_hours(c, default_spans, 2))
		abort(); /* the defaults are valid */
	return c;
}

void workcal_free(struct workcal *c)
{
	if (!c)
		return;
	free(c->days);
	free(c->years);
	free(c);
}

/* ---- office hours ---- */

static bool valid_spans(const struct workcal_span *spans, int n)
{
	if (!spans || n < 1 || n > WORKCAL_MAX_SPANS)
		return false;
	for (int i = 0; i < n; i++) {
		int floor_min = i == 0 ? 0 : spans[i - 1].end_min;
		if (spans[i].start_min < floor_min || spans[i].start_min >= spans[i].end_min ||
		    spans[i].end_min > 24 * 60)
			return false;
	}
	return true;
}

bool workcal_set_hours(struct workcal *c, const struct workcal_span *spans, int n)
{
	if (!valid_spans(spans, n))
		return false;
	memcpy(c->spans, spans, (size_t)n * sizeof *spans);
	c->nspans = n;
	c->day_seconds = 0;
	for (int i = 0; i < n; i++)
		c->day_seconds += (int64_t)(spans[i].end_min - spans[i].start_min) * 60;
	return true;
}

int workcal_get_hours(const struct workcal *c, struct workcal_span spans[WORKCAL_MAX_SPANS])
{
	memcpy(spans, c->spans, (size_t)c->nspans * sizeof *spans);
	return c->nspans;
}

/* Reads "HH:MM" at s into minutes after midnight; 24:00 only when end. */
static bool parse_clock(const char *s, bool end, int *minutes)
{
	for (int i = 0; i < 5; i++) {
		if (i == 2 ? s[i] != ':' : !(s[i] >= '0' && s[i] <= '9'))
			return false;
	}
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !end)))
		return false;
	*minutes = h * 60 + m;
	return true;
}

bool workcal_parse_hours(const char *text, struct workcal_span spans[WORKCAL_MAX_SPANS], int *n)
{
	struct workcal_span got[WORKCAL_MAX_SPANS];
	int count = 0;
	const char *p = text;
	if (!p)
		return false;
	for (;;) {
		/* parse_clock stops at the first wrong character, so nothing
		 * past the terminating NUL is read */
		if (count == WORKCAL_MAX_SPANS || !parse_clock(p, false, &got[count].start_min) || p[5] != '-' ||
		    !parse_clock(p + 6, true, &got[count].end_min))
			return false;
		count++;
		p += 11;
		if (*p == '\0')
			break;
		if (*p != ',')
			return false;
		p++;
	}
	if (!valid_spans(got, count))
		return false;
	memcpy(spans, got, (size_t)count * sizeof *got);
	*n = count;
	return true;
}

void workcal_format_hours(const struct workcal_span *spans, int n, char out[WORKCAL_HOURS_LEN])
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < n && i < WORKCAL_MAX_SPANS; i++)
		len += (size_t)snprintf(out + len, WORKCAL_HOURS_LEN - len, "%s%02d:%02d-%02d:%02d", i ? "," : "",
					spans[i].start_min / 60, spans[i].start_min % 60, spans[i].end_min / 60,
					spans[i].end_min % 60);
}

/* ---- listed days and covered years ---- */

/* The index of the first listed day >= day. */
static size_t first_listed(const struct workcal *c, int64_t day)
{
	size_t lo = 0, hi = c->ndays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index of the first covered year >= year. */
static size_t first_year(const struct workcal *c, int64_t year)
{
	size_t lo = 0, hi = c->nyears;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->years[mid] < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* y-m-d as a day number, false when it is not a date. */
static bool day_of_date(int y, int m, int d, int64_t *day)
{
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*day = timefmt_days_from_civil(y, m, d);
	int64_t yy;
	int mm, dd;
	timefmt_civil_from_days(*day, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d; /* 2026-02-30 comes back as 03-02 */
}

bool workcal_set_day(struct workcal *c, int y, int m, int d, enum workcal_day kind)
{
	int64_t day;
	if (kind != WORKCAL_DEFAULT && kind != WORKCAL_HOLIDAY && kind != WORKCAL_WORKDAY)
		return false;
	if (!day_of_date(y, m, d, &day))
		return false;
	size_t i = first_listed(c, day);
	bool present = i < c->ndays && c->days[i].day == day;
	if (kind == WORKCAL_DEFAULT) {
		if (present) {
			memmove(c->days + i, c->days + i + 1, (c->ndays - i - 1) * sizeof *c->days);
			c->ndays--;
		}
		return true;
	}
	if (!present) {
		if (c->ndays == c->days_cap) {
			c->days_cap = c->days_cap ? 2 * c->days_cap : 64;
			c->days = xrealloc(c->days, c->days_cap * sizeof *c->days);
		}
		memmove(c->days + i + 1, c->days + i, (c->ndays - i) * sizeof *c->days);
		c->ndays++;
	}
	c->days[i] = (struct listed_day){ day, kind };
	return true;
}

void workcal_cover_year(struct workcal *c, int year)
{
	size_t i = first_year(c, year);
	if (i < c->nyears && c->years[i] == year)
		return;
	if (c->nyears == c->years_cap) {
		c->years_cap = c->years_cap ? 2 * c->years_cap : 16;
		c->years = xrealloc(c->years, c->years_cap * sizeof *c->years);
	}
	memmove(c->years + i + 1, c->years + i, (c->nyears - i) * sizeof *c->years);
	c->years[i] = year;
	c->nyears++;
}

bool workcal_year_covered(const struct workcal *c, int year)
{
	size_t i = first_year(c, year);
	return i < c->nyears && c->years[i] == year;
}

static int64_t year_of_day(int64_t day)
{
	int64_t y;
	int m, d;
	timefmt_civil_from_days(day, &y, &m, &d);
	return y;
}

/* Sets *flagged when a year of the unlisted days [first, last] is not
 * covered (the covered years are distinct, so counting them suffices). */
static void flag_unlisted(const struct workcal *c, int64_t first, int64_t last, bool *flagged)
{
	if (!flagged || *flagged)
		return;
	int64_t y0 = year_of_day(first), y1 = year_of_day(last);
	if ((int64_t)(first_year(c, y1 + 1) - first_year(c, y0)) != y1 - y0 + 1)
		*flagged = true;
}

/* Monday to Friday: 1970-01-01, day 0, was a Thursday. */
static bool is_weekday(int64_t day)
{
	int64_t dow = ((day + 3) % 7 + 7) % 7; /* 0 = Monday */
	return dow < 5;
}

/* Whether day is a working day; *next is the index of the first listed day
 * >= day and moves past day when day is listed. */
static bool working(const struct workcal *c, int64_t day, size_t *next, bool *flagged)
{
	if (*next < c->ndays && c->days[*next].day == day)
		return c->days[(*next)++].kind == WORKCAL_WORKDAY;
	flag_unlisted(c, day, day, flagged);
	return is_weekday(day);
}

static bool working_day(const struct workcal *c, int64_t day, bool *flagged)
{
	size_t next = first_listed(c, day);
	return working(c, day, &next, flagged);
}

/*
 * Walks the days from *day up to end (exclusive), counting working days,
 * and stops early on the budget-th working day (budget >= 1), leaving *day
 * on it; otherwise *day ends at end. Returns the working days passed (not
 * counting the one it stops on). Between listed days it crosses whole
 * weeks at once: 5 working days in every 7 unlisted days.
 */
static int64_t walk(const struct workcal *c, int64_t *day, int64_t end, int64_t budget, bool *flagged)
{
	size_t next = first_listed(c, *day);
	int64_t count = 0;
	while (*day < end) {
		/* whole weeks before the next listed day, or end, and before
		 * the budget is spent (end may be INT64_MAX: no subtraction) */
		int64_t stop = next < c->ndays && c->days[next].day < end ? c->days[next].day : end;
		int64_t weeks = (budget - 1 - count) / 5;
		if (stop != INT64_MAX && (stop - *day) / 7 < weeks)
			weeks = (stop - *day) / 7;
		if (weeks > 0) {
			flag_unlisted(c, *day, *day + 7 * weeks - 1, flagged);
			*day += 7 * weeks;
			count += 5 * weeks;
			continue;
		}
		if (working(c, *day, &next, flagged)) {
			if (count + 1 >= budget)
				return count;
			count++;
		}
		(*day)++;
	}
	return count;
}

/* ---- within one day ---- */

/* Working seconds in [from, to) of a working day (seconds after midnight). */
static int64_t overlap(const struct workcal *c, int64_t from, int64_t to)
{
	int64_t sum = 0;
	for (int i = 0; i < c->nspans; i++) {
		int64_t lo = (int64_t)c->spans[i].start_min * 60, hi = (int64_t)c->spans[i].end_min * 60;
		if (from > lo)
			lo = from;
		if (to < hi)
			hi = to;
		if (hi > lo)
			sum += hi - lo;
	}
	return sum;
}

/* The second of a working day at which need (1 <= need <= overlap(from,
 * day end)) working seconds counted from second `from` complete. */
static int64_t locate(const struct workcal *c, int64_t from, int64_t need)
{
	for (int i = 0; i < c->nspans; i++) {
		int64_t lo = (int64_t)c->spans[i].start_min * 60, hi = (int64_t)c->spans[i].end_min * 60;
		if (from > lo)
			lo = from;
		if (hi <= lo)
			continue;
		if (need <= hi - lo)
			return lo + need;
		need -= hi - lo;
	}
	abort(); /* the caller checked that the day has room */
}

/* ---- instants ---- */

static int64_t clamp(int64_t t)
{
	return t < -WORKCAL_INSTANT_LIMIT ? -WORKCAL_INSTANT_LIMIT : t > WORKCAL_INSTANT_LIMIT ? WORKCAL_INSTANT_LIMIT : t;
}

/* Splits t into its local day and second of that day. */
static void split(int64_t t, int64_t *day, int64_t *second)
{
	int64_t local = clamp(t) + TIMEFMT_OFFSET_SECONDS;
	*day = local / DAY_SECONDS - (local % DAY_SECONDS < 0);
	*second = local - *day * DAY_SECONDS;
}

static int64_t instant(int64_t day, int64_t second)
{
	return day * DAY_SECONDS + second - TIMEFMT_OFFSET_SECONDS;
}

bool workcal_is_working_day(const struct workcal *c, int y, int m, int d, bool *flagged)
{
	int64_t day;
	return day_of_date(y, m, d, &day) && working_day(c, day, flagged);
}

int64_t workcal_add_minutes(const struct workcal *c, int64_t start, long minutes, bool *flagged)
{
	if (minutes <= 0)
		return start;
	if (minutes > WORKCAL_MAX_MINUTES)
		minutes = WORKCAL_MAX_MINUTES;
	int64_t day, second, need = (int64_t)minutes * 60;
	split(start, &day, &second);
	if (working_day(c, day, flagged)) {
		int64_t room = overlap(c, second, DAY_SECONDS);
		if (need <= room)
			return instant(day, locate(c, second, need));
		need -= room;
	}
	/* the need completes on the k-th working day after start's date */
	int64_t k = (need + c->day_seconds - 1) / c->day_seconds;
	day++;
	walk(c, &day, INT64_MAX, k, flagged);
	return instant(day, locate(c, 0, need - (k - 1) * c->day_seconds));
}

int64_t workcal_add_days(const struct workcal *c, int64_t start, int days, bool *flagged)
{
	if (days <= 0)
		return start;
	int64_t day, second;
	split(start, &day, &second);
	day++; /* 开始的当日不计入 */
	walk(c, &day, INT64_MAX, days, flagged);
	return instant(day, (int64_t)c->spans[c->nspans - 1].end_min * 60);
}

long workcal_minutes_between(const struct workcal *c, int64_t from, int64_t to, bool *flagged)
{
	if (to < from)
		return -workcal_minutes_between(c, to, from, flagged);
	int64_t d0, s0, d1, s1, sum = 0;
	split(from, &d0, &s0);
	split(to, &d1, &s1);
	if (d0 == d1) {
		if (s1 > s0 && working_day(c, d0, flagged))
			sum = overlap(c, s0, s1);
	} else {
		if (working_day(c, d0, flagged))
			sum += overlap(c, s0, DAY_SECONDS);
		int64_t day = d0 + 1;
		sum += walk(c, &day, d1, INT64_MAX, flagged) * c->day_seconds;
		if (s1 > 0 && working_day(c, d1, flagged))
			sum += overlap(c, 0, s1);
	}
	return (long)(sum / 60);
}

int64_t workcal_next_working_instant(const struct workcal *c, int64_t t, bool *flagged)
{
	int64_t day, second;
	split(t, &day, &second);
	if (working_day(c, day, flagged)) {
		for (int i = 0; i < c->nspans; i++) {
			if (second < (int64_t)c->spans[i].end_min * 60) {
				int64_t lo = (int64_t)c->spans[i].start_min * 60;
				return second >= lo ? clamp(t) : instant(day, lo);
			}
		}
	}
	day++;
	walk(c, &day, INT64_MAX, 1, flagged);
	return instant(day, (int64_t)c->spans[0].start_min * 60);
}
