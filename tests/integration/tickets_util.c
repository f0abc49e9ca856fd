/* tickets_util: helpers of the ticket suites; see tickets_util.h. */
#include "tickets_util.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/workcal.h"

const char *const who_names[WHO__COUNT] = {
	"qiye1", "qiye2", "zhuanyuan", "shichang", "shichang_lead", "renshe", "xinzhuang_ban", "guihua",
	"duban", "lingdao", "xinzhuang", "admin",
};

void world_login(struct world *w, int port)
{
	w->port = port;
	for (int i = 0; i < WHO__COUNT; i++)
		cr_assert_eq(login(port, who_names[i], DEMO_PASSWORD, &w->s[i]), 200, "login %s", who_names[i]);
}

/* One connection per test process (Criterion forks each test). */
static PGconn *db(void)
{
	static PGconn *conn;
	if (!conn)
		conn = test_db();
	return conn;
}

void world_open(struct server_proc *srv, struct world *w)
{
	server_start(srv, NULL);
	world_login(w, srv->port);
}

void world_close(struct server_proc *srv)
{
	server_stop_clean(srv);
}

static long long lookup(const char *sql, const char *arg)
{
	const char *p[] = { arg };
	long long id = db_scalar(db(), sql, 1, p);
	cr_assert_gt(id, 0, "%s [%s]", sql, arg);
	return id;
}

PGresult *db_sql(const char *query, int n, const char *const *params)
{
	PGresult *res = PQexecParams(db(), query, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s", query, PQresultErrorMessage(res));
	return res;
}

long long db_scalar_of(const char *query, long long a, const char *b)
{
	char x[24];
	snprintf(x, sizeof x, "%lld", a);
	const char *p[] = { x, b };
	PGresult *res = db_sql(query, b ? 2 : 1, p);
	long long v = PQntuples(res) && !PQgetisnull(res, 0, 0) ? atoll(PQgetvalue(res, 0, 0)) : -1;
	PQclear(res);
	return v;
}

void clock_elapse(long long id, int seconds)
{
	char x[24], s[24];
	snprintf(x, sizeof x, "%lld", id);
	snprintf(s, sizeof s, "%d", seconds);
	const char *p[] = { x, s };
	PQclear(db_sql("UPDATE sla_clocks SET started_at = started_at - make_interval(secs => $2::int),"
		       " warn_at = warn_at - make_interval(secs => $2::int), deadline = deadline - make_interval(secs => $2::int),"
		       " supervise_at = supervise_at - make_interval(secs => $2::int),"
		       " due_at = due_at - make_interval(secs => $2::int) WHERE id = $1", 2, p));
	PQclear(db_sql("NOTIFY suqiu_worker", 0, NULL));
}

static long long events(long long ticket, const char *action)
{
	return db_scalar_of("SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND action = $2", ticket, action);
}

void await_event(long long ticket, const char *action)
{
	for (int i = 0; i < 200 && events(ticket, action) == 0; i++)
		usleep(50000);
	cr_assert_eq(events(ticket, action), 1, "no %s event on ticket %lld", action, ticket);
}

long long org_named(const char *name)
{
	return lookup("SELECT id FROM orgs WHERE name = $1", name);
}

long long enterprise_of(enum who w)
{
	return lookup("SELECT enterprise_id FROM users WHERE username = $1", who_names[w]);
}

long long assignment_of(long long ticket, const char *org)
{
	char text[24];
	snprintf(text, sizeof text, "%lld", ticket);
	const char *p[] = { text, org };
	return db_scalar(db(), "SELECT max(a.id) FROM assignments a JOIN orgs o ON o.id = a.org_id"
			       " WHERE a.ticket_id = $1 AND o.name = $2", 2, p);
}

long long user_named(const char *username)
{
	return lookup("SELECT id FROM users WHERE username = $1", username);
}

long long category_coded(const char *code)
{
	return lookup("SELECT id FROM categories WHERE code = $1", code);
}

long long ticket_new(struct world *w, enum who as, const char *title)
{
	char body[1024];
	if (as == ZHUANYUAN)
		snprintf(body, sizeof body, "{\"enterprise_id\":%lld,\"channel\":\"visit\",\"category_id\":%lld,"
			 "\"title\":\"%s\",\"description\":\"走访中企业反映:%s,请协调解决。\",\"contact_name\":\"刘洋\","
			 "\"contact_phone\":\"13812345678\"}", enterprise_of(QIYE1), category_coded("RS"), title, title);
	else
		snprintf(body, sizeof body, "{\"category_id\":%lld,\"title\":\"%s\",\"description\":\"%s,希望尽快办理。\","
			 "\"contact_name\":\"刘洋\",\"contact_phone\":\"13812345678\"}", category_coded("RS"), title, title);
	json_t *j = NULL;
	int status = api_call(w->port, &w->s[as], "POST", "/api/v1/tickets", body, &j);
	cr_assert_eq(status, 201, "create as %s: %d", who_names[as], status);
	long long id = (long long)json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

long long ticket_in_category(struct world *w, enum who as, long long category, const char *title)
{
	char body[512];
	snprintf(body, sizeof body, "{\"category_id\":%lld,\"title\":\"%s\",\"description\":\"%s,请尽快办理。\","
		 "\"contact_name\":\"刘洋\",\"contact_phone\":\"13812345678\"}", category, title, title);
	json_t *j = NULL;
	cr_assert_eq(api_call(w->port, &w->s[as], "POST", "/api/v1/tickets", body, &j), 201);
	long long id = (long long)json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

long long calendar_category(const char *code, const char *name, int accept, int contact, int resolve, int feedback,
			    int delay)
{
	char legs[5][16];
	snprintf(legs[0], sizeof legs[0], "%d", accept);
	snprintf(legs[1], sizeof legs[1], "%d", contact);
	snprintf(legs[2], sizeof legs[2], "%d", resolve);
	snprintf(legs[3], sizeof legs[3], "%d", feedback);
	snprintf(legs[4], sizeof legs[4], "%d", delay);
	const char *p[] = { code, name, legs[0], legs[1], legs[2], legs[3], legs[4] };
	PGresult *res = db_sql("WITH c AS (INSERT INTO categories (code, name) VALUES ($1, $2 || $1) RETURNING id),"
			       " p AS (INSERT INTO sla_policies (category_id, urgency, clock, accept_amount, accept_unit,"
			       "   contact_amount, contact_unit, resolve_amount, resolve_unit, feedback_amount, feedback_unit,"
			       "   warning_share, supervision_delay_minutes)"
			       "  SELECT id, 'normal', 'calendar', $3::int, 'minutes', $4::int, 'minutes', $5::int, 'minutes',"
			       "   $6::int, 'minutes', 0.50, $7::int FROM c)"
			       " SELECT id FROM c", 7, p);
	long long id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return id;
}

int ticket_version(long long id)
{
	char text[24];
	snprintf(text, sizeof text, "%lld", id);
	const char *p[] = { text };
	return (int)db_scalar(db(), "SELECT version FROM tickets WHERE id = $1", 1, p);
}

const char *ticket_state(long long id)
{
	static char state[32];
	char text[24];
	snprintf(text, sizeof text, "%lld", id);
	const char *p[] = { text };
	PGresult *res = PQexecParams(db(), "SELECT state FROM tickets WHERE id = $1", 1, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQntuples(res), 1);
	snprintf(state, sizeof state, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return state;
}

int act(struct world *w, enum who as, long long id, const char *action, const char *extra, json_t **out)
{
	char path[128], body[4096];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/actions/%s", id, action);
	snprintf(body, sizeof body, "{\"version\":%d%s%s}", ticket_version(id), extra && *extra ? "," : "",
		 extra ? extra : "");
	return api_call(w->port, &w->s[as], "POST", path, body, out);
}

void act_ok(struct world *w, enum who as, long long id, const char *action, const char *extra)
{
	json_t *j = NULL;
	int status = act(w, as, id, action, extra, &j);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	cr_assert_eq(status, 200, "%s %s on ticket %lld: %d %s", who_names[as], action, id, status, text ? text : "");
	free(text);
	json_decref(j);
}

char *ticket_snapshot(long long id)
{
	char text[24];
	snprintf(text, sizeof text, "%lld", id);
	const char *p[] = { text };
	PGresult *res = PQexecParams(db(),
		"SELECT concat_ws(' | ',"
		" (SELECT row_to_json(t)::text FROM tickets t WHERE t.id = $1),"
		" (SELECT json_agg(a ORDER BY a.id)::text FROM assignments a WHERE a.ticket_id = $1),"
		" (SELECT json_agg(e ORDER BY e.id)::text FROM ticket_events e WHERE e.ticket_id = $1),"
		" (SELECT json_agg(r ORDER BY r.id)::text FROM ratings r WHERE r.ticket_id = $1),"
		" (SELECT json_agg(x ORDER BY x.id)::text FROM extension_requests x WHERE x.ticket_id = $1),"
		" (SELECT json_agg(o ORDER BY o.id)::text FROM outbox o WHERE o.ticket_id = $1))",
		1, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	char *snap = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return snap;
}

struct workcal *db_calendar(void)
{
	PGresult *res = PQexec(db(), "SELECT year, NULL, NULL FROM calendar_years UNION ALL"
				     " SELECT NULL, to_char(day, 'YYYY-MM-DD'), kind FROM calendar_days");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	struct workcal *c = workcal_new();
	for (int r = 0; r < PQntuples(res); r++) {
		if (!PQgetisnull(res, r, 0)) {
			workcal_cover_year(c, atoi(PQgetvalue(res, r, 0)));
			continue;
		}
		int y, m, d;
		cr_assert_eq(sscanf(PQgetvalue(res, r, 1), "%d-%d-%d", &y, &m, &d), 3);
		cr_assert(workcal_set_day(c, y, m, d, strcmp(PQgetvalue(res, r, 2), "holiday") == 0 ? WORKCAL_HOLIDAY
												  : WORKCAL_WORKDAY));
	}
	PQclear(res);
	return c;
}
