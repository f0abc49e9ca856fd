/* timers: the SLA escalation ladder; see timers.h. */
#include "worker/timers.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/sla.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* The due clocks, oldest timer first, locked with their tickets; a clock
 * whose ticket an action holds right now is left for the next sweep. The
 * batch size is written into the text (a LIMIT parameter would let a
 * generic plan guess a large share of the table and scan it all). */
static const char SQL_CLAIM[] =
	"SELECT k.id, k.ticket_id, k.leg, k.stage, k.clock, extract(epoch FROM k.warn_at)::bigint,"
	" extract(epoch FROM k.deadline)::bigint, extract(epoch FROM k.supervise_at)::bigint, k.org_id,"
	" a.handler_id, coalesce((SELECT d.dispatched_by FROM assignments d WHERE d.ticket_id = t.id AND d.lead"
	"   ORDER BY d.id DESC LIMIT 1), t.created_by), t.number, t.title, t.state, t.enterprise_id,"
	" EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id AND r.round = t.feedback_round),"
	" k.allowed_minutes, extract(epoch FROM k.started_at)::bigint,"
	" (SELECT array_agg(u.id ORDER BY u.id) FROM users u WHERE u.org_id = k.org_id AND u.role = 'bureau_leader'"
	"   AND u.disabled_at IS NULL),"
	" (SELECT array_agg(u.id ORDER BY u.id) FROM users u WHERE u.role = 'supervisor' AND u.disabled_at IS NULL),"
	" (SELECT id FROM orgs WHERE parent_id IS NULL)"
	" FROM sla_clocks k JOIN tickets t ON t.id = k.ticket_id LEFT JOIN assignments a ON a.id = k.assignment_id"
	" WHERE k.due_at <= now() ORDER BY k.due_at LIMIT %d FOR UPDATE OF k, t SKIP LOCKED";
enum { K_ID, K_TICKET, K_LEG, K_STAGE, K_CLOCK, K_WARN, K_DEADLINE, K_SUPERVISE, K_ORG, K_HANDLER, K_DISPATCHER,
       K_NUMBER, K_TITLE, K_STATE, K_ENTERPRISE, K_RATED, K_ALLOWED, K_STARTED, K_LEADERS, K_SUPERVISORS,
       K_DISTRICT };

/* Every stage of the batch at once: the clocks move on, a closing stage
 * closes its ticket (still in feedback, as the claim saw it) and stops the
 * rating window as missed, each stage writes its event (actor: the system)
 * and its notices. */
static const char SQL_APPLY[] =
	"WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (clock_id bigint, ticket_id bigint, leg text,"
	"   stage text, due bigint, action text, from_state text, to_state text, summary text, closes boolean,"
	"   org_id bigint, enterprise_id bigint, notices jsonb, duration int)),"
	" k AS (UPDATE sla_clocks k SET stage = x.stage, due_at = to_timestamp(x.due),"
	"   stopped_at = CASE WHEN x.closes THEN now() ELSE k.stopped_at END,"
	"   outcome = CASE WHEN x.closes THEN 'missed' ELSE k.outcome END,"
	"   duration_minutes = CASE WHEN x.closes THEN x.duration ELSE k.duration_minutes END"
	"  FROM x WHERE k.id = x.clock_id),"
	" c AS (UPDATE tickets t SET state = x.to_state, close_reason = 'unrated', version = t.version + 1,"
	"   updated_at = now() FROM x WHERE x.closes AND t.id = x.ticket_id AND t.state = x.from_state),"
	" ev AS (INSERT INTO ticket_events (ticket_id, actor_id, actor_role, actor_org, action, from_state, to_state,"
	"        payload, summary)"
	"  SELECT x.ticket_id, NULL, 'system', NULL, x.action, x.from_state, x.to_state,"
	"         jsonb_build_object('clock_id', x.clock_id, 'leg', x.leg, 'stage', x.stage), x.summary FROM x"
	"  RETURNING id, (payload->>'clock_id')::bigint AS clock_id),"
	" ob AS (INSERT INTO outbox (event_id, ticket_id, recipient_kind, recipient_id, kind, title, body, idempotency_key)"
	"  SELECT ev.id, x.ticket_id, r.recipient_kind, r.recipient_id, x.action, r.title, r.body,"
	"         'sla:' || x.clock_id || ':' || x.stage || ':' || r.recipient_kind || ':' || r.recipient_id"
	"  FROM ev JOIN x ON x.clock_id = ev.clock_id"
	"  CROSS JOIN LATERAL jsonb_to_recordset(x.notices) AS r (recipient_kind text, recipient_id bigint, title text,"
	"       body text)"
	"  ON CONFLICT (idempotency_key) DO NOTHING)"
	" SELECT coalesce(array_agg(ev.id ORDER BY ev.id), '{}')::text FROM ev";

static long long cell_ll(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : atoll(PQgetvalue(res, row, col));
}

/* Adds a notice for each recipient of who (core/sla.h enum sla_to): the
 * handler or the specialist (their org when there is none), the org's
 * leaders (the org when it has none), the supervisors (the district when
 * there are none), or the enterprise. */
static void address(json_t *notices, const PGresult *res, int i, enum sla_to who, const char *title,
		    const char *body)
{
	const char *kind = "user";
	const char *ids = NULL; /* a "{1,2}" array of user ids */
	char one[24];
	long long fallback = cell_ll(res, i, K_ORG);
	switch (who) {
	case SLA_TO_HANDLER:
	case SLA_TO_SPECIALIST: {
		long long user = cell_ll(res, i, who == SLA_TO_HANDLER ? K_HANDLER : K_DISPATCHER);
		snprintf(one, sizeof one, "{%lld}", user);
		ids = user > 0 ? one : NULL;
		break;
	}
	case SLA_TO_ORG_LEADERS:
		ids = PQgetisnull(res, i, K_LEADERS) ? NULL : PQgetvalue(res, i, K_LEADERS);
		break;
	case SLA_TO_SUPERVISORS:
		ids = PQgetisnull(res, i, K_SUPERVISORS) ? NULL : PQgetvalue(res, i, K_SUPERVISORS);
		fallback = cell_ll(res, i, K_DISTRICT);
		break;
	case SLA_TO_ENTERPRISE:
		kind = "enterprise";
		snprintf(one, sizeof one, "{%lld}", cell_ll(res, i, K_ENTERPRISE));
		ids = one;
		break;
	}
	if (!ids) {
		kind = "org";
		snprintf(one, sizeof one, "{%lld}", fallback);
		ids = one;
	}
	for (const char *p = ids + 1; *p && *p != '}';) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p)
			break;
		json_array_append_new(notices, json_pack("{s:s, s:I, s:s, s:s}", "recipient_kind", kind, "recipient_id",
							 (json_int_t)id, "title", title, "body", body));
		p = *end == ',' ? end + 1 : end;
	}
}

/* Whether the lifecycle lets the system close this ticket unrated now. */
static bool may_close_unrated(enum ticket_state state, bool rated)
{
	struct lc_ticket f = { .state = state, .rated_this_round = rated };
	return lc_decide(TA_CLOSE_UNRATED, NULL, state, state, REL_SYSTEM, lc_conditions(&f)).verdict == LC_OK;
}

static void count(struct timer_counts *c, const struct sla_step *s)
{
	if (s->closes)
		c->closed++;
	else if (strcmp(s->action, "rating_invite") == 0)
		c->invite++;
	else if (strcmp(s->action, "sla_warning") == 0)
		c->warning++;
	else if (strcmp(s->action, "sla_overdue") == 0)
		c->overdue++;
	else
		c->supervision++;
}

/* The next stage of the clock in row i as a row of SQL_APPLY's input;
 * NULL when the clock has nothing left to do (it is then just parked). */
static json_t *escalation(const PGresult *res, int i, struct timer_counts *counts)
{
	enum sla_leg leg;
	enum sla_stage stage;
	enum sla_clock clock;
	enum ticket_state state;
	if (!sla_leg_parse(PQgetvalue(res, i, K_LEG), &leg) || !sla_stage_parse(PQgetvalue(res, i, K_STAGE), &stage) ||
	    !sla_clock_parse(PQgetvalue(res, i, K_CLOCK), &clock) ||
	    !ticket_state_parse(PQgetvalue(res, i, K_STATE), &state))
		return NULL;
	struct sla_instants k = { .clock = clock, .started = cell_ll(res, i, K_STARTED),
				  .warn_at = cell_ll(res, i, K_WARN), .deadline = cell_ll(res, i, K_DEADLINE),
				  .supervise_at = cell_ll(res, i, K_SUPERVISE),
				  .allowed_minutes = (long)cell_ll(res, i, K_ALLOWED) };
	enum sla_stage next = sla_next_stage(leg, stage);
	const struct sla_step *step = sla_step(leg, next);
	if (next == stage || !step)
		return NULL;
	enum ticket_state to = state;
	if (step->closes) {
		if (!may_close_unrated(state, PQgetvalue(res, i, K_RATED)[0] == 't'))
			return NULL;
		to = TS_CLOSED;
	}
	int64_t due = sla_due(leg, next, &k);
	char deadline[32];
	sla_format_local(k.deadline, deadline);
	const char *number = PQgetvalue(res, i, K_NUMBER), *title = PQgetvalue(res, i, K_TITLE);
	char *summary = sla_step_summary(step, leg, deadline);
	char heading[160];
	snprintf(heading, sizeof heading, "工单%s:%s", number, step->label);
	json_t *notices = json_array();
	for (int n = 0; n < step->n_to; n++) {
		char *body = sla_step_notice(step, leg, step->to[n], number, title, deadline);
		address(notices, res, i, step->to[n], heading, body);
		free(body);
	}
	json_t *row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:o, s:I}",
		"clock_id", (json_int_t)cell_ll(res, i, K_ID), "ticket_id", (json_int_t)cell_ll(res, i, K_TICKET),
		"leg", sla_leg_name(leg), "stage", sla_stage_name(next), "action", step->action,
		"from_state", ticket_state_name(state), "to_state", ticket_state_name(to), "summary", summary,
		"closes", step->closes, "org_id", (json_int_t)cell_ll(res, i, K_ORG),
		"enterprise_id", (json_int_t)cell_ll(res, i, K_ENTERPRISE), "notices", notices,
		"duration", (json_int_t)k.allowed_minutes);
	json_object_set_new(row, "due", due ? json_integer(due) : json_null());
	free(summary);
	count(counts, step);
	return row;
}

/* Parks clocks with nothing left to do (their timer is cleared). */
static const char SQL_PARK[] = "UPDATE sla_clocks SET due_at = NULL WHERE id = ANY ($1::bigint[])";

static const char SQL_WAIT[] = "SELECT extract(epoch FROM min(due_at) - now()) FROM sla_clocks WHERE due_at IS NOT NULL";

bool timers_prepare(PGconn *conn, int batch)
{
	char err[512];
	char *claim = xasprintf(SQL_CLAIM, batch);
	bool ok = db_prepare(conn, "timers_claim", claim, err, sizeof err) &&
		  db_prepare(conn, "timers_apply", SQL_APPLY, err, sizeof err) &&
		  db_prepare(conn, "timers_park", SQL_PARK, err, sizeof err) &&
		  db_prepare(conn, "timers_wait", SQL_WAIT, err, sizeof err);
	free(claim);
	if (!ok)
		logj("warn", "timers_prepare_failed", "{s:s}", "error", err);
	return ok;
}

/* Runs sql, or the prepared statement of that name when sql is NULL. */
static bool run(PGconn *conn, const char *sql, const char *name, int n, const char *const *params, PGresult **out)
{
	char err[512];
	PGresult *res = sql ? db_exec(conn, sql, n, params, err, sizeof err)
			    : db_exec_prepared(conn, name, n, params, err, sizeof err);
	if (!res) {
		logj("warn", "timers_failed", "{s:s}", "error", err);
		return false;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return true;
}

static double ms_since(uint64_t *t)
{
	uint64_t now = timefmt_mono_ns();
	double ms = (double)(now - *t) / 1e6;
	*t = now;
	return ms;
}

int timers_run_batch(PGconn *conn, int batch, struct timer_counts *counts, char **events,
		     struct timer_phases *phases)
{
	*events = NULL;
	uint64_t t = timefmt_mono_ns();
	PGresult *claimed = NULL;
	if (!run(conn, "BEGIN", NULL, 0, NULL, NULL) || !run(conn, NULL, "timers_claim", 0, NULL, &claimed)) {
		(void)run(conn, "ROLLBACK", NULL, 0, NULL, NULL);
		return -1;
	}
	phases->claim = ms_since(&t);
	int n = PQntuples(claimed);
	struct timer_counts c = { 0 };
	json_t *rows = json_array();
	char *parked = xstrdup("{");
	for (int i = 0; i < n; i++) {
		json_t *row = escalation(claimed, i, &c);
		if (row) {
			json_array_append_new(rows, row);
			continue;
		}
		char *longer = xasprintf("%s%s%s", parked, parked[1] ? "," : "", PQgetvalue(claimed, i, K_ID));
		free(parked);
		parked = longer;
	}
	PQclear(claimed);
	char *parked_all = xasprintf("%s}", parked);
	free(parked);
	char *input = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	const char *apply_params[] = { input }, *park_params[] = { parked_all };
	PGresult *applied = NULL;
	bool ok = run(conn, NULL, "timers_apply", 1, apply_params, &applied) &&
		  run(conn, NULL, "timers_park", 1, park_params, NULL);
	phases->apply = ms_since(&t);
	ok = ok && run(conn, "COMMIT", NULL, 0, NULL, NULL);
	phases->commit = ms_since(&t);
	free(input);
	free(parked_all);
	if (!ok) {
		PQclear(applied);
		(void)run(conn, "ROLLBACK", NULL, 0, NULL, NULL);
		return -1;
	}
	*events = xstrdup(PQgetvalue(applied, 0, 0));
	PQclear(applied);
	counts->warning += c.warning;
	counts->overdue += c.overdue;
	counts->supervision += c.supervision;
	counts->invite += c.invite;
	counts->closed += c.closed;
	return n;
}

double timers_wait_seconds(PGconn *conn, double cap)
{
	PGresult *res = NULL;
	if (!run(conn, NULL, "timers_wait", 0, NULL, &res))
		return cap;
	double wait = PQgetisnull(res, 0, 0) ? cap : atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (wait < 0)
		return 0;
	return wait < cap ? wait : cap;
}
