/* calendar: the server's working-time calendar and its API; see calendar.h. */
#include "server/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "server/api.h"
#include "server/http.h"

#define RELOAD_SECONDS 60

struct calendar {
	struct event_base *base;
	struct pgpool *pool;
	struct workcal_span spans[WORKCAL_MAX_SPANS];
	int nspans;
	struct workcal *cal;
	struct event *ev_reload;
	bool loading; /* a load is in flight */
	bool again;   /* ... and another must follow it (asked for while it ran) */
	struct reload_waiter *waiting; /* told when the load in flight ends */
	struct reload_waiter *queued;  /* told when the load after it ends */
};

/* Someone who waits for a load that started after they asked: a PUT's
 * answer, which must show the calendar with the notice it just saved. */
struct reload_waiter {
	void (*done)(void *arg);
	void *arg;
	struct reload_waiter *next;
};

static struct pgstmt STMT_CALENDAR_LOAD = PGSTMT_READ("calendar_load",
	"SELECT (SELECT coalesce(json_agg(year ORDER BY year), '[]') FROM calendar_years),"
	" (SELECT coalesce(json_agg(json_build_array(to_char(day, 'YYYY-MM-DD'), kind) ORDER BY day), '[]')"
	"  FROM calendar_days)");

/* ---- loading --------------------------------------------------------- */

static void tell(struct reload_waiter *w)
{
	while (w) {
		struct reload_waiter *next = w->next;
		w->done(w->arg);
		free(w);
		w = next;
	}
}

static void free_waiters(struct reload_waiter *w)
{
	while (w) {
		struct reload_waiter *next = w->next;
		free(w);
		w = next;
	}
}

static void on_loaded(enum pgpool_status st, PGresult *res, void *arg);

/* Starts a load; when none can start, its waiters are told at once. */
static void start_load(struct calendar *c)
{
	c->loading = pgpool_query(c->pool, &STMT_CALENDAR_LOAD, 0, NULL, on_loaded, c);
	if (!c->loading) {
		struct reload_waiter *w = c->waiting;
		c->waiting = NULL;
		tell(w);
	}
}

/* The load ended: its waiters are told, and the one asked for meanwhile starts. */
static void load_ended(struct calendar *c)
{
	c->loading = false;
	struct reload_waiter *w = c->waiting;
	c->waiting = NULL;
	if (c->again) {
		c->again = false;
		c->waiting = c->queued;
		c->queued = NULL;
		start_load(c);
	}
	tell(w);
}

static void apply_loaded(struct calendar *c, PGresult *res);

static void on_loaded(enum pgpool_status st, PGresult *res, void *arg)
{
	struct calendar *c = arg;
	if (st == PGPOOL_OK)
		apply_loaded(c, res);
	else
		logj("warn", "calendar_load_failed", "{s:s}", "error", res ? PQresultErrorMessage(res) : "unavailable");
	load_ended(c);
}

static void apply_loaded(struct calendar *c, PGresult *res)
{
	json_t *years = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	json_t *days = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
	struct workcal *cal = workcal_new();
	size_t i;
	bool ok = workcal_set_hours(cal, c->spans, c->nspans); /* checked in calendar_create */
	json_t *v;
	json_array_foreach(years, i, v)
		workcal_cover_year(cal, (int)json_integer_value(v));
	json_array_foreach(days, i, v) {
		int y, m, d;
		const char *date = json_string_value(json_array_get(v, 0));
		const char *kind = json_string_value(json_array_get(v, 1));
		if (date && kind && sscanf(date, "%d-%d-%d", &y, &m, &d) == 3)
			ok &= workcal_set_day(cal, y, m, d, strcmp(kind, "holiday") == 0 ? WORKCAL_HOLIDAY : WORKCAL_WORKDAY);
	}
	if (!ok)
		logj("warn", "calendar_day_refused", "{s:s}", "error", "a stored day or the office hours were refused");
	json_decref(years);
	json_decref(days);
	workcal_free(c->cal);
	c->cal = cal;
}

/* Loads the notices again. done(arg), when given, runs once a load that
 * started after this call has ended (whether it worked or not). */
static void reload(struct calendar *c, void (*done)(void *arg), void *arg)
{
	if (done) {
		struct reload_waiter *w = xcalloc(1, sizeof *w);
		w->done = done;
		w->arg = arg;
		struct reload_waiter **list = c->loading ? &c->queued : &c->waiting;
		w->next = *list;
		*list = w;
	}
	if (c->loading)
		c->again |= done != NULL; /* the load in flight may have read the tables before the change */
	else
		start_load(c);
}

static void on_reload_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	reload(arg, NULL, NULL);
}

struct calendar *calendar_create(struct event_base *base, struct pgpool *pool, const char *hours)
{
	struct calendar *c = xcalloc(1, sizeof *c);
	if (!workcal_parse_hours(hours, c->spans, &c->nspans)) {
		free(c);
		return NULL;
	}
	c->base = base;
	c->pool = pool;
	c->cal = workcal_new();
	if (!workcal_set_hours(c->cal, c->spans, c->nspans)) {
		workcal_free(c->cal);
		free(c);
		return NULL;
	}
	c->ev_reload = event_new(base, -1, EV_PERSIST, on_reload_timer, c);
	struct timeval every = { RELOAD_SECONDS, 0 };
	event_add(c->ev_reload, &every);
	reload(c, NULL, NULL);
	return c;
}

void calendar_destroy(struct calendar *c)
{
	if (!c)
		return;
	event_free(c->ev_reload);
	/* no request waits any more: the server has answered them all by now */
	free_waiters(c->waiting);
	free_waiters(c->queued);
	workcal_free(c->cal);
	free(c);
}

const struct workcal *calendar_current(const struct calendar *c)
{
	return c->cal;
}

static int local_year(int64_t unix_seconds)
{
	time_t t = (time_t)(unix_seconds + TIMEFMT_OFFSET_SECONDS);
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

json_t *calendar_warnings(const struct calendar *c)
{
	json_t *out = json_array();
	int year = local_year((int64_t)time(NULL));
	for (int y = year; y <= year + 1; y++) {
		if (!workcal_year_covered(c->cal, y)) {
			char text[160];
			snprintf(text, sizeof text, "%d年节假日安排尚未录入:该年的期限按普通工作日计算", y);
			json_array_append_new(out, json_pack("{s:i, s:s}", "year", y, "message", text));
		}
	}
	return out;
}

/* ---- computations ------------------------------------------------------ */

static bool query_instant(struct reqctx *ctx, const char *name, int64_t *out)
{
	const char *v = http_query_param(ctx, name);
	if (!v || !timefmt_parse_rfc3339(v, out)) {
		http_reply_problem(ctx, "invalid_query", "%s must be an RFC 3339 timestamp with an offset", name);
		return false;
	}
	return true;
}

static bool query_count(struct reqctx *ctx, const char *name, long max, long *out)
{
	const char *v = http_query_param(ctx, name);
	char *end = NULL;
	long n = v && *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1;
	if (!v || !end || *end || n < 0 || n > max) {
		http_reply_problem(ctx, "invalid_query", "%s must be a whole number from 0 to %ld", name, max);
		return false;
	}
	*out = n;
	return true;
}

static void reply_at(struct reqctx *ctx, int64_t at, bool flagged)
{
	char text[TIMEFMT_LEN];
	timefmt_rfc3339(at, 0, text);
	http_reply_json(ctx, 200, json_pack("{s:s, s:b}", "at", text, "flagged", flagged));
}

void api_calendar_add_time(struct reqctx *ctx)
{
	int64_t from;
	long minutes;
	if (!query_instant(ctx, "from", &from) || !query_count(ctx, "minutes", 10L * 365 * 24 * 60, &minutes))
		return;
	bool flagged = false;
	int64_t at = workcal_add_minutes(calendar_current(ctx->srv->calendar), from, minutes, &flagged);
	reply_at(ctx, at, flagged);
}

void api_calendar_add_days(struct reqctx *ctx)
{
	int64_t from;
	long days;
	if (!query_instant(ctx, "from", &from) || !query_count(ctx, "days", 3650, &days))
		return;
	bool flagged = false;
	int64_t at = workcal_add_days(calendar_current(ctx->srv->calendar), from, (int)days, &flagged);
	reply_at(ctx, at, flagged);
}

void api_calendar_working_time(struct reqctx *ctx)
{
	int64_t from, to;
	if (!query_instant(ctx, "from", &from) || !query_instant(ctx, "to", &to))
		return;
	if (to - from > (int64_t)20 * 366 * 86400 || from - to > (int64_t)20 * 366 * 86400) {
		http_reply_problem(ctx, "invalid_query", "from and to may be at most 20 years apart");
		return;
	}
	bool flagged = false;
	long minutes = workcal_minutes_between(calendar_current(ctx->srv->calendar), from, to, &flagged);
	http_reply_json(ctx, 200, json_pack("{s:I, s:b}", "minutes", (json_int_t)minutes, "flagged", flagged));
}

/* ---- a year's notice (admin) ---------------------------------------- */

static struct pgstmt STMT_YEAR_GET = PGSTMT_READ("calendar_year_get",
	"SELECT y.year, y.notice, " SQL_TIME("y.updated_at") ","
	" (SELECT coalesce(json_agg(json_build_object('date', to_char(d.day, 'YYYY-MM-DD'), 'name', d.name)"
	"   ORDER BY d.day) FILTER (WHERE d.kind = 'holiday'), '[]') FROM calendar_days d WHERE d.year = y.year),"
	" (SELECT coalesce(json_agg(json_build_object('date', to_char(d.day, 'YYYY-MM-DD'), 'name', d.name)"
	"   ORDER BY d.day) FILTER (WHERE d.kind = 'workday'), '[]') FROM calendar_days d WHERE d.year = y.year)"
	" FROM calendar_years y WHERE y.year = $1");

/* Replaces a year: its row and its days, in one statement. (A DELETE and an
 * INSERT of the same days in one statement would conflict: both see the
 * old rows. So the new days are upserted and only the others deleted.) */
static struct pgstmt STMT_YEAR_PUT = PGSTMT("calendar_year_put",
	"WITH y AS (INSERT INTO calendar_years (year, notice, updated_by) VALUES ($1, $2, $3)"
	"   ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, updated_at = now(), updated_by = excluded.updated_by"
	"   RETURNING year),"
	" x AS (SELECT x.date::date AS day, x.kind, btrim(x.name) AS name"
	"   FROM jsonb_to_recordset($4::jsonb) AS x (date text, kind text, name text)),"
	" gone AS (DELETE FROM calendar_days d USING y WHERE d.year = y.year AND d.day NOT IN (SELECT day FROM x)),"
	" ins AS (INSERT INTO calendar_days (day, year, kind, name) SELECT x.day, y.year, x.kind, x.name FROM y, x"
	"   ON CONFLICT (day) DO UPDATE SET year = excluded.year, kind = excluded.kind, name = excluded.name"
	"   RETURNING day)"
	" SELECT year, (SELECT count(*) FROM ins) FROM y");

static void on_year(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "not_found", "no notice is loaded for %s", ctx->params[0]);
		return;
	}
	json_t *holidays = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
	json_t *workdays = json_loads(PQgetvalue(res, 0, 4), 0, NULL);
	http_reply_json(ctx, 200,
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "year", api_cell_int(res, 0, 0),
				  "notice", api_cell_str(res, 0, 1), "updated_at", api_cell_time(res, 0, 2),
				  "holidays", holidays ? holidays : json_array(), "workdays", workdays ? workdays : json_array(),
				  "warnings", calendar_warnings(ctx->srv->calendar)));
}

static bool path_year(struct reqctx *ctx, int *year)
{
	char *end = NULL;
	long y = strtol(ctx->params[0], &end, 10);
	if (!end || *end || end == ctx->params[0] || y < 2000 || y > 2100) {
		http_reply_problem(ctx, "not_found", "\"%.20s\" is not a year from 2000 to 2100", ctx->params[0]);
		return false;
	}
	*year = (int)y;
	return true;
}

/* Answers with the year of the path as stored, warnings included. */
static void answer_year(void *arg)
{
	struct reqctx *ctx = arg;
	const char *params[] = { ctx->params[0] };
	http_query(ctx, &STMT_YEAR_GET, 1, params, on_year);
}

void api_calendar_year_get(struct reqctx *ctx)
{
	int year;
	if (!http_authorize(ctx, AUTHZ_CALENDAR_MANAGE, NULL) || !path_year(ctx, &year))
		return;
	answer_year(ctx);
}

static void on_year_put(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	/* the answer's warnings come from the calendar that holds the new notice */
	reload(ctx->srv->calendar, answer_year, ctx);
}

static const struct jsonin_field year_fields[] = {
	{ "notice", JT_STRING, false, 1, 500 },
	{ "holidays", JT_ARRAY, true, 0, 0 },
	{ "workdays", JT_ARRAY, true, 0, 0 },
	JSONIN_END,
};

static const struct jsonin_field day_fields[] = {
	{ "date", JT_STRING, true, 10, 10 },
	{ "name", JT_STRING, true, 1, 20 },
	JSONIN_END,
};

/* Checks one list of {date, name}: dates of year, distinct, workdays on
 * weekends; appends them to rows with their kind. */
static bool take_days(struct reqctx *ctx, int year, const char *key, const char *kind, json_t *rows)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(ctx->body, key), i, v) {
		struct jsonin_error err;
		if (!json_is_object(v) || !jsonin_check(v, day_fields, &err)) {
			http_reply_problem(ctx, json_is_object(v) ? err.code : "invalid_type", "%s[%zu]: %s", key, i,
					   json_is_object(v) ? err.detail : "must be an object {date, name}");
			return false;
		}
		const char *date = jsonin_str(v, "date", "");
		int64_t t;
		char stamp[40];
		snprintf(stamp, sizeof stamp, "%sT12:00:00+08:00", date);
		int y = atoi(date);
		/* the notice of year Y may reach into the last days of Y-1 (e.g. 2022-12-31 under 2023) */
		if (!timefmt_parse_rfc3339(stamp, &t) || (y != year && y != year - 1)) {
			http_reply_problem(ctx, "invalid_value", "%s[%zu].date must be a date (YYYY-MM-DD) of %d", key, i, year);
			return false;
		}
		time_t tt = (time_t)(t + TIMEFMT_OFFSET_SECONDS);
		struct tm tm;
		gmtime_r(&tt, &tm);
		if (strcmp(kind, "workday") == 0 && tm.tm_wday != 0 && tm.tm_wday != 6) {
			http_reply_problem(ctx, "invalid_value", "%s[%zu]: %s is not a Saturday or Sunday", key, i, date);
			return false;
		}
		size_t j;
		json_t *other;
		json_array_foreach(rows, j, other) {
			if (strcmp(json_string_value(json_object_get(other, "date")), date) == 0) {
				http_reply_problem(ctx, "invalid_value", "%s is listed twice", date);
				return false;
			}
		}
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "date", date, "kind", kind, "name",
						      json_object_get(v, "name")));
	}
	return true;
}

void api_calendar_year_put(struct reqctx *ctx)
{
	int year;
	if (!http_authorize(ctx, AUTHZ_CALENDAR_MANAGE, NULL) || !path_year(ctx, &year))
		return;
	if (!api_body_ok(ctx, year_fields))
		return;
	json_t *rows = json_array();
	if (!take_days(ctx, year, "holidays", "holiday", rows) || !take_days(ctx, year, "workdays", "workday", rows)) {
		json_decref(rows);
		return;
	}
	char user[24];
	snprintf(user, sizeof user, "%lld", ctx->who.user_id);
	char *text = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	const char *params[] = { ctx->params[0], jsonin_str(ctx->body, "notice", NULL), user, text };
	http_query(ctx, &STMT_YEAR_PUT, 4, params, on_year_put);
	free(text);
}
