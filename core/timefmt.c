/* timefmt: RFC 3339 in +08:00; see timefmt.h. */
#include "core/timefmt.h"

#include <stdio.h>

void timefmt_rfc3339(int64_t unix_seconds, int millis, char out[TIMEFMT_LEN])
{
	time_t local = (time_t)(unix_seconds + TIMEFMT_OFFSET_SECONDS);
	struct tm tm;
	gmtime_r(&local, &tm);
	snprintf(out, TIMEFMT_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis % 1000);
}

void timefmt_now(char out[TIMEFMT_LEN])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	timefmt_rfc3339(ts.tv_sec, (int)(ts.tv_nsec / 1000000), out);
}

uint64_t timefmt_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
