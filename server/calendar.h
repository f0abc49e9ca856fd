/*
 * calendar: the working-time calendar as the server holds it, and its API.
 *
 * The holiday notices live in calendar_years / calendar_days (migration
 * 0007). Each server loads them into a core/workcal.h calendar at start,
 * every minute (so that another server's PUT reaches it), and after its
 * own PUT, before answering it (so the answer and every request after it
 * count with the new notice). Office hours come from SUQIU_OFFICE_HOURS.
 *
 *   GET /api/v1/calendar/add-working-time?from=<RFC 3339>&minutes=<n>  {"at", "flagged"}
 *   GET /api/v1/calendar/add-working-days?from=<RFC 3339>&days=<n>     {"at", "flagged"}
 *   GET /api/v1/calendar/working-time?from=&to=                        {"minutes", "flagged"}
 *   GET /api/v1/calendar/{year}    the year's notice: holidays and 调休 workdays (admin)
 *   PUT /api/v1/calendar/{year}    replace it (admin)
 * "flagged": the answer crossed a year whose notice is not loaded, and
 * plain weekdays were used there.
 */
#ifndef SUQIU_SERVER_CALENDAR_H
#define SUQIU_SERVER_CALENDAR_H

#include <event2/event.h>
#include <jansson.h>

#include "core/workcal.h"

struct calendar;
struct pgpool;
struct reqctx;

/* hours: "09:00-12:00,13:00-17:00"; NULL when invalid. */
struct calendar *calendar_create(struct event_base *base, struct pgpool *pool, const char *hours);
void calendar_destroy(struct calendar *c);
/* The current calendar (holidays not yet loaded: plain weekdays, flagged). */
const struct workcal *calendar_current(const struct calendar *c);
/* Warnings for /readyz and the admin API: the current or next year (in
 * Asia/Shanghai) has no notice loaded. A new reference (an array). */
json_t *calendar_warnings(const struct calendar *c);

void api_calendar_add_time(struct reqctx *ctx);
void api_calendar_add_days(struct reqctx *ctx);
void api_calendar_working_time(struct reqctx *ctx);
void api_calendar_year_get(struct reqctx *ctx);
void api_calendar_year_put(struct reqctx *ctx);

#endif
