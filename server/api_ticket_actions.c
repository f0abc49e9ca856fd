/*
 * api_ticket_actions: POST /api/v1/tickets/:id/actions/:action.
 *
 * Every transition runs the same way:
 *   1. check the body against the action's field table;
 *   2. load the ticket as the caller may see it (404 if not at all);
 *   3. compare the body's version (409 when stale), then let the lifecycle
 *      table decide (403 no standing, 409 wrong state or unmet condition);
 *   4. for dispatch, summon, merge and reassign, look up the orgs, ticket
 *      or user the body names;
 *   5. build the effects (ticket fields, assignment changes, ratings,
 *      extension requests, the event and its notifications) and apply them
 *      with STMT_APPLY: one statement, hence one transaction, guarded by
 *      the version, so a concurrent change makes it write nothing (409);
 *   6. reply with the ticket as it is now (or, with Prefer: return=minimal,
 *      just its id, version and state).
 */
#include "server/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xalloc.h"
#include "server/calendar.h"
#include "server/sla_clocks.h"
#include "server/stream.h"
#include "server/tickets.h"

/* ---- the one write statement ------------------------------------------ */

/*
 * $1 ticket id, $2 expected version, $3 from state, $4 to state,
 * $5 ticket patch: answer, resolution, feedback_text, merged_into,
 *    close_reason, resume_state, withdrawal_check (set, null clears),
 *    return_disputed, return_ruled, and counters feedback_round, rework, returns,
 *    supervisions (added);
 * $6 assignments: {"insert": [{org_id, lead, note}],
 *    "update": [{id, state, handler_id, contacted, contact_method,
 *    return_code, return_basis, outcome, contribution}]};
 * $7 event: {actor_id, actor_role, actor_org, action, payload, summary};
 * $8 notifications: [{recipient_kind, recipient_id, kind, title, body}];
 * $9 side effects: {rating: {score, comment}, rating_update: {id, ruling,
 *    ruling_note, appeal_state, appeal_reason, excluded},
 *    extension: {assignment_id, days, reason}, extension_decision:
 *    {state, note}, merge: {survivor_id, summary},
 *    clocks: {start: [...], update: [...]} (server/sla_clocks.c)}.
 */
static struct pgstmt STMT_APPLY = PGSTMT("ticket_apply",
	"WITH t AS (UPDATE tickets SET state = $4, version = version + 1, updated_at = now(),"
	"   answer = coalesce($5::jsonb->>'answer', answer),"
	"   resolution = coalesce($5::jsonb->>'resolution', resolution),"
	"   feedback_text = coalesce($5::jsonb->>'feedback_text', feedback_text),"
	"   merged_into = coalesce(($5::jsonb->>'merged_into')::bigint, merged_into),"
	"   close_reason = CASE WHEN $5::jsonb ? 'close_reason' THEN $5::jsonb->>'close_reason' ELSE close_reason END,"
	"   resume_state = CASE WHEN $5::jsonb ? 'resume_state' THEN $5::jsonb->>'resume_state' ELSE resume_state END,"
	"   withdrawal_check = CASE WHEN $5::jsonb ? 'withdrawal_check' THEN $5::jsonb->>'withdrawal_check'"
	"                      ELSE withdrawal_check END,"
	"   return_disputed = coalesce(($5::jsonb->>'return_disputed')::boolean, return_disputed),"
	"   return_ruled = coalesce(($5::jsonb->>'return_ruled')::boolean, return_ruled),"
	"   feedback_round = feedback_round + coalesce(($5::jsonb->>'feedback_round')::int, 0),"
	"   rework_count = rework_count + coalesce(($5::jsonb->>'rework')::int, 0),"
	"   return_count = return_count + coalesce(($5::jsonb->>'returns')::int, 0),"
	"   supervision_count = supervision_count + coalesce(($5::jsonb->>'supervisions')::int, 0)"
	"  WHERE id = $1 AND version = $2 AND state = $3"
	/* a merge target must still be open when the merge is written: lock it and look again */
	"  AND ($9::jsonb->'merge' IS NULL OR EXISTS (SELECT 1 FROM tickets s"
	"       WHERE s.id = ($9::jsonb->'merge'->>'survivor_id')::bigint"
	"       AND s.state NOT IN ('merged', 'rejected', 'closed', 'answered') FOR UPDATE))"
	"  RETURNING id, version, feedback_round),"
	" ev AS (INSERT INTO ticket_events (ticket_id, actor_id, actor_role, actor_org, action, from_state, to_state,"
	"        payload, summary)"
	"  SELECT t.id, ($7::jsonb->>'actor_id')::bigint, $7::jsonb->>'actor_role', ($7::jsonb->>'actor_org')::bigint,"
	"         $7::jsonb->>'action', $3, $4, $7::jsonb->'payload', $7::jsonb->>'summary' FROM t RETURNING id, ticket_id),"
	" ai AS (INSERT INTO assignments (ticket_id, org_id, org_path, lead, dispatched_by, note)"
	"  SELECT t.id, o.id, o.path, x.lead, ($7::jsonb->>'actor_id')::bigint, x.note"
	"  FROM t, jsonb_to_recordset(coalesce($6::jsonb->'insert', '[]')) AS x (org_id bigint, lead boolean, note text)"
	"  JOIN orgs o ON o.id = x.org_id RETURNING id, org_id),"
	" au AS (UPDATE assignments a SET state = coalesce(x.state, a.state),"
	"   handler_id = coalesce(x.handler_id, a.handler_id),"
	"   accepted_at = CASE WHEN x.state = 'accepted' THEN coalesce(a.accepted_at, now()) ELSE a.accepted_at END,"
	"   contacted_at = CASE WHEN x.contacted THEN coalesce(a.contacted_at, now()) ELSE a.contacted_at END,"
	"   contact_method = coalesce(a.contact_method, x.contact_method),"
	"   returned_at = CASE WHEN x.state = 'returned' THEN now() ELSE a.returned_at END,"
	"   return_code = coalesce(x.return_code, a.return_code),"
	"   return_basis = coalesce(x.return_basis, a.return_basis),"
	"   done_at = CASE WHEN x.state = 'done' THEN now() WHEN x.state IS NOT NULL THEN NULL ELSE a.done_at END,"
	"   outcome = CASE WHEN x.state = 'done' THEN x.outcome WHEN x.state IS NOT NULL THEN NULL ELSE a.outcome END,"
	"   contribution = coalesce(x.contribution, a.contribution)"
	"  FROM t, jsonb_to_recordset(coalesce($6::jsonb->'update', '[]')) AS x (id bigint, state text, handler_id bigint,"
	"       contacted boolean, contact_method text, return_code text, return_basis text, outcome text,"
	"       contribution text)"
	"  WHERE a.id = x.id AND a.ticket_id = t.id RETURNING a.id),"
	" ob AS (INSERT INTO outbox (event_id, ticket_id, recipient_kind, recipient_id, kind, title, body, idempotency_key)"
	"  SELECT ev.id, ev.ticket_id, x.recipient_kind, x.recipient_id, x.kind, x.title, x.body,"
	"         'event:' || ev.id || ':' || x.recipient_kind || ':' || x.recipient_id"
	"  FROM ev, jsonb_to_recordset($8::jsonb) AS x (recipient_kind text, recipient_id bigint, kind text, title text,"
	"       body text)),"
	" ri AS (INSERT INTO ratings (ticket_id, round, score, comment, rated_by)"
	"  SELECT t.id, t.feedback_round, (s.r->>'score')::int, s.r->>'comment', ($7::jsonb->>'actor_id')::bigint"
	"  FROM t, (SELECT $9::jsonb->'rating' AS r) s WHERE s.r IS NOT NULL),"
	" ru AS (UPDATE ratings g SET ruling = coalesce(s.x->>'ruling', g.ruling),"
	"   ruling_note = coalesce(s.x->>'ruling_note', g.ruling_note),"
	"   ruled_at = CASE WHEN s.x ? 'ruling' THEN now() ELSE g.ruled_at END,"
	"   appeal_state = coalesce(s.x->>'appeal_state', g.appeal_state),"
	"   appeal_reason = coalesce(s.x->>'appeal_reason', g.appeal_reason),"
	"   appealed_at = CASE WHEN s.x->>'appeal_state' = 'pending' THEN now() ELSE g.appealed_at END,"
	"   excluded = coalesce((s.x->>'excluded')::boolean, g.excluded)"
	"  FROM t, (SELECT $9::jsonb->'rating_update' AS x) s"
	"  WHERE s.x IS NOT NULL AND g.id = (s.x->>'id')::bigint AND g.ticket_id = t.id),"
	" xi AS (INSERT INTO extension_requests (ticket_id, assignment_id, days, reason, requested_by)"
	"  SELECT t.id, (s.x->>'assignment_id')::bigint, (s.x->>'days')::int, s.x->>'reason',"
	"         ($7::jsonb->>'actor_id')::bigint"
	"  FROM t, (SELECT $9::jsonb->'extension' AS x) s WHERE s.x IS NOT NULL),"
	" xu AS (UPDATE extension_requests r SET state = s.x->>'state', decided_by = ($7::jsonb->>'actor_id')::bigint,"
	"   decided_at = now(), decision_note = s.x->>'note'"
	"  FROM t, (SELECT $9::jsonb->'extension_decision' AS x) s"
	"  WHERE s.x IS NOT NULL AND r.ticket_id = t.id AND r.state = 'pending'),"
	/* SLA clocks (server/sla_clocks.h): legs started, and legs stopped, suspended or moved */
	" ci AS (INSERT INTO sla_clocks (ticket_id, assignment_id, org_id, leg, clock, started_at, allowed_minutes,"
	"        warn_at, deadline, supervise_at, due_at, flagged)"
	"  SELECT t.id, coalesce(x.assignment_id, (SELECT ai.id FROM ai WHERE ai.org_id = x.new_org)),"
	"         coalesce(x.org_id, (SELECT u.org_id FROM users u WHERE u.id = x.org_of_user),"
	"                  (SELECT id FROM orgs WHERE parent_id IS NULL)),"
	"         x.leg, x.clock, to_timestamp(x.started), x.allowed, to_timestamp(x.warn_at), to_timestamp(x.deadline),"
	"         to_timestamp(x.supervise_at), to_timestamp(x.warn_at), x.flagged"
	"  FROM t, jsonb_to_recordset(coalesce($9::jsonb->'clocks'->'start', '[]')) AS x (leg text, clock text,"
	"       started bigint, allowed int, warn_at bigint, deadline bigint, supervise_at bigint, new_org bigint,"
	"       assignment_id bigint, org_id bigint, org_of_user bigint, flagged boolean)),"
	" cu AS (UPDATE sla_clocks k SET stopped_at = coalesce(to_timestamp(x.stopped), k.stopped_at),"
	"   outcome = coalesce(x.outcome, k.outcome), duration_minutes = coalesce(x.duration, k.duration_minutes),"
	"   suspended_at = CASE WHEN x.suspend THEN to_timestamp(x.at) WHEN x.resume THEN NULL ELSE k.suspended_at END,"
	"   suspended_minutes = k.suspended_minutes + coalesce(x.pushed, 0),"
	"   extended_minutes = k.extended_minutes + coalesce(x.extended, 0),"
	"   allowed_minutes = coalesce(x.allowed, k.allowed_minutes),"
	"   warn_at = coalesce(to_timestamp(x.warn_at), k.warn_at), deadline = coalesce(to_timestamp(x.deadline), k.deadline),"
	"   supervise_at = coalesce(to_timestamp(x.supervise_at), k.supervise_at),"
	"   flagged = k.flagged OR coalesce(x.flagged, false),"
	"   due_at = CASE WHEN x.outcome IS NOT NULL OR x.suspend THEN NULL"
	"            WHEN k.suspended_at IS NOT NULL AND NOT coalesce(x.resume, false) THEN NULL"
	"            ELSE sla_next_due(k.stage, coalesce(to_timestamp(x.warn_at), k.warn_at),"
	"                 coalesce(to_timestamp(x.deadline), k.deadline), coalesce(to_timestamp(x.supervise_at), k.supervise_at)) END"
	"  FROM t, jsonb_to_recordset(coalesce($9::jsonb->'clocks'->'update', '[]')) AS x (id bigint, stopped bigint,"
	"       outcome text, duration int, suspend boolean, at bigint, resume boolean, pushed int, extended int,"
	"       allowed int, warn_at bigint, deadline bigint, supervise_at bigint, flagged boolean)"
	"  WHERE k.id = x.id AND k.ticket_id = t.id AND k.outcome IS NULL),"
	" ms AS (UPDATE tickets m SET version = m.version + 1, updated_at = now()"
	"  FROM t, (SELECT $9::jsonb->'merge' AS x) s"
	"  WHERE s.x IS NOT NULL AND m.id = (s.x->>'survivor_id')::bigint RETURNING m.id, m.state),"
	" mev AS (INSERT INTO ticket_events (ticket_id, actor_id, actor_role, actor_org, action, from_state, to_state,"
	"        payload, summary)"
	"  SELECT ms.id, ($7::jsonb->>'actor_id')::bigint, $7::jsonb->>'actor_role', ($7::jsonb->>'actor_org')::bigint,"
	"         'merged_in', ms.state, ms.state, jsonb_build_object('ticket_id', $1::bigint),"
	"         $9::jsonb->'merge'->>'summary' FROM ms RETURNING id)"
	" SELECT t.id, t.version, ARRAY(SELECT id FROM ev UNION ALL SELECT id FROM mev) FROM t");

/* ---- per-action input ----------------------------------------------- */

#define VERSION { "version", JT_INTEGER, true, 0, 0 }
#define TEXT(name, req, max) { name, JT_STRING, req, 1, max }

static const struct jsonin_field f_answer[] = { VERSION, TEXT("answer", true, 5000),
	{ "kb_article_id", JT_ID, false, 0, 0 }, JSONIN_END };
static const struct jsonin_field f_dispatch[] = { VERSION, { "lead_org_id", JT_ID, true, 0, 0 },
	{ "assist_org_ids", JT_ARRAY, false, 0, 0 }, TEXT("note", false, 1000), JSONIN_END };
static const struct jsonin_field f_reason[] = { VERSION, TEXT("reason", true, 1000), JSONIN_END };
static const struct jsonin_field f_merge[] = { VERSION, { "into_ticket_id", JT_ID, true, 0, 0 },
	TEXT("note", false, 1000), JSONIN_END };
static const struct jsonin_field f_summon[] = { VERSION, { "org_ids", JT_ARRAY, true, 0, 0 },
	TEXT("note", false, 1000), JSONIN_END };
static const struct jsonin_field f_note_opt[] = { VERSION, TEXT("note", false, 1000), JSONIN_END };
static const struct jsonin_field f_note_req[] = { VERSION, TEXT("note", true, 1000), JSONIN_END };
static const struct jsonin_field f_return[] = { VERSION, TEXT("code", true, 30), TEXT("basis", true, 1000),
	JSONIN_END };
static const struct jsonin_field f_contact[] = { VERSION, TEXT("method", true, 50), TEXT("note", false, 1000),
	JSONIN_END };
static const struct jsonin_field f_text[] = { VERSION, TEXT("text", true, 2000), JSONIN_END };
static const struct jsonin_field f_suspend[] = { VERSION, TEXT("question", true, 1000), JSONIN_END };
static const struct jsonin_field f_extension[] = { VERSION, { "days", JT_INTEGER, true, 0, 0 },
	TEXT("reason", true, 1000), JSONIN_END };
static const struct jsonin_field f_contribute[] = { VERSION, TEXT("text", true, 5000), JSONIN_END };
static const struct jsonin_field f_release[] = { VERSION, { "assignment_id", JT_ID, true, 0, 0 },
	TEXT("reason", false, 1000), JSONIN_END };
static const struct jsonin_field f_resolve[] = { VERSION, TEXT("resolution", true, 5000), JSONIN_END };
static const struct jsonin_field f_reassign[] = { VERSION, { "handler_id", JT_ID, true, 0, 0 },
	{ "assignment_id", JT_ID, false, 0, 0 }, JSONIN_END };
static const struct jsonin_field f_supply[] = { VERSION, TEXT("answer", true, 5000), JSONIN_END };
static const struct jsonin_field f_rate[] = { VERSION, { "score", JT_INTEGER, true, 0, 0 },
	TEXT("comment", false, 1000), JSONIN_END };
static const struct jsonin_field f_feedback[] = { VERSION, TEXT("text", false, 5000), JSONIN_END };
static const struct jsonin_field f_check[] = { VERSION, TEXT("outcome", true, 20), TEXT("note", false, 1000),
	JSONIN_END };
static const struct jsonin_field f_decision_req[] = { VERSION, TEXT("decision", true, 20), TEXT("note", true, 1000),
	JSONIN_END };
static const struct jsonin_field f_decision_opt[] = { VERSION, TEXT("decision", true, 20), TEXT("note", false, 1000),
	JSONIN_END };

static const struct jsonin_field *const fields_of[TA__COUNT] = {
	[TA_ANSWER] = f_answer, [TA_DISPATCH] = f_dispatch, [TA_REJECT] = f_reason, [TA_MERGE] = f_merge,
	[TA_SUMMON] = f_summon, [TA_DISPUTE_RETURN] = f_reason, [TA_ACCEPT] = f_note_opt, [TA_RETURN] = f_return,
	[TA_CONTACT] = f_contact, [TA_NOTE] = f_text, [TA_SUSPEND] = f_suspend,
	[TA_REQUEST_EXTENSION] = f_extension, [TA_CONTRIBUTE] = f_contribute, [TA_RELEASE] = f_release,
	[TA_RESOLVE] = f_resolve, [TA_REASSIGN] = f_reassign, [TA_APPEAL] = f_reason, [TA_SUPPLY] = f_supply,
	[TA_WITHDRAW] = f_reason, [TA_RATE] = f_rate, [TA_FEEDBACK] = f_feedback, [TA_SEND_BACK] = f_reason,
	[TA_WITHDRAWAL_CHECK] = f_check, [TA_APPROVE_EXTENSION] = f_note_opt, [TA_DENY_EXTENSION] = f_note_req,
	[TA_ADJUDICATE_RETURN] = f_decision_req, [TA_RULE_RATING] = f_decision_req,
	[TA_RULE_APPEAL] = f_decision_opt, [TA_SUPERVISE] = f_note_req, [TA_REOPEN] = f_reason,
	[TA_CLOSE_UNRATED] = f_note_opt,
};

static const struct {
	const char *code, *label;
} return_codes[] = {
	{ "not_our_function", "职能不符" }, { "not_our_area", "属地不符" }, { "ownership_unclear", "权属不清" },
	{ "information_missing", "信息不全" }, { "other", "其他" },
};

static const char *return_label(const char *code)
{
	for (size_t i = 0; code && i < sizeof return_codes / sizeof return_codes[0]; i++)
		if (strcmp(return_codes[i].code, code) == 0)
			return return_codes[i].label;
	return NULL;
}

static const char *return_text(const char *code)
{
	const char *label = return_label(code);
	return label ? label : code ? code : "";
}

static const char *const rating_labels[] = { "", "非常不满意", "不满意", "基本满意", "满意", "非常满意" };

/* An array of distinct ids, at most 20. */
static bool id_array(const json_t *a, const char *name, char *why, size_t whylen)
{
	if (!a)
		return true;
	if (json_array_size(a) > 20) {
		snprintf(why, whylen, "%s may list at most 20 orgs", name);
		return false;
	}
	size_t i, j;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			snprintf(why, whylen, "%s must list org ids", name);
			return false;
		}
		for (j = 0; j < i; j++)
			if (json_integer_value(json_array_get(a, j)) == json_integer_value(v)) {
				snprintf(why, whylen, "%s lists org %lld twice", name, (long long)json_integer_value(v));
				return false;
			}
	}
	return true;
}

/* Action-specific checks of the body that need no database; the outcome
 * of actions with a decision. Replies itself and returns false on error. */
static bool check_body(struct reqctx *ctx, enum ticket_action a, const char **outcome)
{
	json_t *b = ctx->body;
	char why[160];
	*outcome = NULL;
	switch (a) {
	case TA_DISPATCH:
		if (!id_array(json_object_get(b, "assist_org_ids"), "assist_org_ids", why, sizeof why)) {
			http_reply_problem(ctx, "invalid_value", "%s", why);
			return false;
		}
		for (size_t i = 0; i < json_array_size(json_object_get(b, "assist_org_ids")); i++)
			if (json_integer_value(json_array_get(json_object_get(b, "assist_org_ids"), i)) ==
			    jsonin_int(b, "lead_org_id", 0)) {
				http_reply_problem(ctx, "invalid_value", "the lead org cannot also assist");
				return false;
			}
		break;
	case TA_SUMMON:
		if (!id_array(json_object_get(b, "org_ids"), "org_ids", why, sizeof why) ||
		    json_array_size(json_object_get(b, "org_ids")) == 0) {
			http_reply_problem(ctx, "invalid_value", "%s", json_array_size(json_object_get(b, "org_ids"))
				? why : "org_ids must list at least one org");
			return false;
		}
		break;
	case TA_RETURN:
		if (!return_label(jsonin_str(b, "code", NULL))) {
			http_reply_problem(ctx, "invalid_value", "code must be one of not_our_function (职能不符), "
				"not_our_area (属地不符), ownership_unclear (权属不清), information_missing (信息不全), other (其他)");
			return false;
		}
		break;
	case TA_REQUEST_EXTENSION: {
		long long d = jsonin_int(b, "days", 0);
		if (d < 1 || d > 60) {
			http_reply_problem(ctx, "invalid_value", "days must be a number of working days from 1 to 60");
			return false;
		}
		break;
	}
	case TA_RATE: {
		long long s = jsonin_int(b, "score", 0);
		if (s < 1 || s > 5) {
			http_reply_problem(ctx, "invalid_value", "score must be 1 (非常不满意) to 5 (非常满意)");
			return false;
		}
		*outcome = s <= 2 ? "bad" : "good";
		break;
	}
	case TA_WITHDRAWAL_CHECK:
	case TA_ADJUDICATE_RETURN:
	case TA_RULE_RATING:
	case TA_RULE_APPEAL: {
		const char *key = a == TA_WITHDRAWAL_CHECK ? "outcome" : "decision";
		const char *v = jsonin_str(b, key, "");
		for (const char *const *o = lc_outcomes(a); *o; o++)
			if (strcmp(*o, v) == 0)
				*outcome = *o;
		if (!*outcome) {
			const char *const *o = lc_outcomes(a);
			http_reply_problem(ctx, "invalid_value", "%s must be %s or %s", key, o[0], o[1]);
			return false;
		}
		break;
	}
	default:
		break;
	}
	return true;
}

/* ---- the state of one action request ---------------------------------- */

struct action {
	enum ticket_action action;
	const char *outcome;
	struct ticket *ticket;
	enum ticket_state to;
	unsigned relations;    /* the caller's, as decided on */
	/* filled by the lookups of step 4 */
	json_t *orgs;          /* id -> {name, kind, path, disabled} */
	struct ticket *target; /* merge */
	json_t *handler;       /* reassign: {id, name, role, path, disabled} */
	/* effects */
	json_t *patch, *inserts, *updates, *side, *notices;
	char *detail;          /* appended to the event summary */
	struct sla_change clock; /* what it does to the SLA clocks */
};

static void action_free(void *p)
{
	struct action *x = p;
	ticket_free(x->ticket);
	ticket_free(x->target);
	json_decref(x->orgs);
	json_decref(x->handler);
	json_decref(x->patch);
	json_decref(x->inserts);
	json_decref(x->updates);
	json_decref(x->side);
	json_decref(x->notices);
	free(x->detail);
	free(x);
}

static const char *title_of(const struct action *x)
{
	const char *title = json_string_value(json_object_get(x->ticket->json, "title"));
	return title ? title : "";
}

PRINTF_LIKE(5, 6)
static void notify(struct action *x, const char *kind, long long id, const char *event_kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *body = NULL;
	if (vasprintf(&body, fmt, ap) < 0)
		body = NULL;
	va_end(ap);
	if (!body || id <= 0) {
		free(body);
		return;
	}
	char title[160];
	snprintf(title, sizeof title, "工单%s:%s", x->ticket->number, ticket_action_label(x->action));
	json_array_append_new(x->notices, json_pack("{s:s, s:I, s:s, s:s, s:s}", "recipient_kind", kind,
		"recipient_id", (json_int_t)id, "kind", event_kind, "title", title, "body", body));
	free(body);
}

static void notify_enterprise(struct action *x, const char *kind, const char *fmt, const char *arg)
{
	notify(x, "enterprise", x->ticket->facts.enterprise_id, kind, fmt, title_of(x), arg ? arg : "");
}

static void set_detail(struct action *x, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void set_detail(struct action *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(x->detail);
	if (vasprintf(&x->detail, fmt, ap) < 0)
		x->detail = NULL;
	va_end(ap);
}

static void update_assignment(struct action *x, long long id, json_t *fields)
{
	json_object_set_new(fields, "id", json_integer(id));
	json_array_append_new(x->updates, fields);
}

/* Closes every open assignment (withdrawal, rejection, merge). */
static void close_open_assignments(struct action *x)
{
	for (int i = 0; i < x->ticket->facts.n_assignments; i++) {
		const struct lc_assignment *a = &x->ticket->assignments[i];
		if (a->state == AS_PENDING || a->state == AS_ACCEPTED) {
			update_assignment(x, a->id, json_pack("{s:s, s:s}", "state", "done", "outcome", "closed"));
			notify(x, "org", a->org_id, "closed", "工单《%s》已%s,无需继续办理。", title_of(x),
			       ticket_action_label(x->action));
		}
	}
}

static const char *org_name(const struct action *x, long long id)
{
	char key[24];
	snprintf(key, sizeof key, "%lld", id);
	const char *name = json_string_value(json_object_get(json_object_get(x->orgs, key), "name"));
	return name ? name : "?";
}

static long long asg_long(const struct action *x, const struct lc_assignment *a, const char *key)
{
	return (long long)json_integer_value(json_object_get(ticket_assignment_json(x->ticket, a), key));
}

static const char *asg_org_name(const struct action *x, const struct lc_assignment *a)
{
	const char *name = json_string_value(json_object_get(ticket_assignment_json(x->ticket, a), "org_name"));
	return name ? name : "?";
}

/* Inserts assignments for the orgs in ids (lead first when lead_id > 0). */
static void insert_assignments(struct action *x, long long lead_id, const json_t *ids, const char *note,
			       const char *event_kind)
{
	char *list = xstrdup(""); /* the assisting orgs' names, 、-separated */
	if (lead_id > 0) {
		json_array_append_new(x->inserts, json_pack("{s:I, s:b, s:s*}", "org_id", (json_int_t)lead_id, "lead", 1,
							     "note", note));
		notify(x, "org", lead_id, event_kind, "新工单《%s》由贵单位主办,请及时签收。", title_of(x));
	}
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		long long id = (long long)json_integer_value(v);
		json_array_append_new(x->inserts, json_pack("{s:I, s:b, s:s*}", "org_id", (json_int_t)id, "lead", 0,
							     "note", note));
		notify(x, "org", id, event_kind, "工单《%s》请贵单位协办,请及时签收。", title_of(x));
		char *longer = xasprintf("%s%s%s", list, i ? "、" : "", org_name(x, id));
		free(list);
		list = longer;
	}
	if (lead_id > 0)
		set_detail(x, "主办 %s%s%s", org_name(x, lead_id), *list ? ";协办 " : "", list);
	else
		set_detail(x, "协办 %s", list);
	free(list);
}

/* The caller's assignment of the kind the decided rule is about: the lead
 * or an assisting one, in state (an org may hold both on one ticket, e.g.
 * a bureau leading and its office assisting). */
static const struct lc_assignment *mine_of(const struct ticket *t, const struct principal *who, bool lead,
					   enum assignment_state state)
{
	for (int i = 0; i < t->facts.n_assignments; i++) {
		const struct lc_assignment *a = &t->assignments[i];
		if (a->lead == lead && a->state == state && lc_org_related(who->org_path, a->org_path))
			return a;
	}
	return NULL;
}

/* Builds the effects of x->action; replies itself and returns false when
 * the request turns out to be impossible (e.g. an org named twice). */
static bool build_effects(struct reqctx *ctx, struct action *x)
{
	const struct principal *who = &ctx->who;
	const struct ticket *t = x->ticket;
	json_t *b = ctx->body;
	/* accept and return by the lead org come first in the rules (lc_decide took the first that fits) */
	bool as_lead = (x->relations & REL_LEAD_PENDING) && t->facts.state == TS_DISPATCHED;
	const struct lc_assignment *mine = x->action == TA_CONTRIBUTE ? mine_of(t, who, false, AS_ACCEPTED)
					 : mine_of(t, who, as_lead, AS_PENDING);
	const struct lc_assignment *lead = ticket_lead(t);
	if (!mine && (x->action == TA_ACCEPT || x->action == TA_RETURN || x->action == TA_CONTRIBUTE)) {
		http_reply_problem(ctx, "internal", "no assignment of the caller's org fits %s", ticket_action_name(x->action));
		return false;
	}
	long long dispatcher = lead ? asg_long(x, lead, "dispatched_by") : t->created_by;
	x->clock = (struct sla_change){ .action = x->action, .outcome = x->outcome, .mine = mine,
					.dispatcher = dispatcher };
	switch (x->action) {
	case TA_ANSWER:
		json_object_set(x->patch, "answer", json_object_get(b, "answer"));
		close_open_assignments(x); /* from returned: the assisting orgs of the last round */
		notify_enterprise(x, "answered", "您的诉求《%s》已答复:%s", jsonin_str(b, "answer", ""));
		break;
	case TA_DISPATCH:
		json_object_set_new(x->patch, "return_disputed", json_false());
		json_object_set_new(x->patch, "return_ruled", json_false());
		insert_assignments(x, jsonin_int(b, "lead_org_id", 0), json_object_get(b, "assist_org_ids"),
				   jsonin_str(b, "note", NULL), "assigned");
		x->clock.new_lead_org = jsonin_int(b, "lead_org_id", 0);
		x->clock.new_assist_orgs = json_object_get(b, "assist_org_ids");
		notify_enterprise(x, "dispatched", "您的诉求《%s》已转交%s办理。",
				  org_name(x, jsonin_int(b, "lead_org_id", 0)));
		break;
	case TA_SUMMON:
		insert_assignments(x, 0, json_object_get(b, "org_ids"), jsonin_str(b, "note", NULL), "summoned");
		x->clock.new_assist_orgs = json_object_get(b, "org_ids");
		break;
	case TA_REJECT:
		close_open_assignments(x);
		set_detail(x, "理由:%s", jsonin_str(b, "reason", ""));
		notify_enterprise(x, "rejected", "您的诉求《%s》不予受理,理由:%s", jsonin_str(b, "reason", ""));
		break;
	case TA_MERGE:
		json_object_set_new(x->patch, "merged_into", json_integer(x->target->id));
		close_open_assignments(x);
		set_detail(x, "并入工单 %s", x->target->number);
		json_object_set_new(x->side, "merge", json_pack("{s:I, s:s++}", "survivor_id", (json_int_t)x->target->id,
			"summary", "工单 ", t->number, " 已并入本工单"));
		notify_enterprise(x, "merged", "您的诉求《%s》与工单%s合并办理。", x->target->number);
		break;
	case TA_DISPUTE_RETURN:
		json_object_set_new(x->patch, "return_disputed", json_true());
		set_detail(x, "理由:%s", jsonin_str(b, "reason", ""));
		notify(x, "org", t->district_id, "return_disputed", "工单《%s》的退回有争议,请审定。", title_of(x));
		break;
	case TA_ACCEPT:
		update_assignment(x, mine->id, json_pack("{s:s, s:I}", "state", "accepted", "handler_id",
							 (json_int_t)who->user_id));
		set_detail(x, "%s%s", mine->lead ? "主办 " : "协办 ", asg_org_name(x, mine));
		if (mine->lead)
			notify_enterprise(x, "accepted", "您的诉求《%s》已由%s签收办理。", asg_org_name(x, mine));
		break;
	case TA_RETURN: {
		const char *code = jsonin_str(b, "code", "");
		update_assignment(x, mine->id, json_pack("{s:s, s:s, s:O}", "state", "returned", "return_code", code,
							 "return_basis", json_object_get(b, "basis")));
		if (mine->lead) {
			json_object_set_new(x->patch, "returns", json_integer(1));
			json_object_set_new(x->patch, "return_disputed", json_false());
			json_object_set_new(x->patch, "return_ruled", json_false());
		}
		set_detail(x, "%s(%s):%s", asg_org_name(x, mine), return_text(code), jsonin_str(b, "basis", ""));
		notify(x, "user", asg_long(x, mine, "dispatched_by"), "returned", "工单《%s》被%s退回(%s),请重新分派。",
		       title_of(x), asg_org_name(x, mine), return_text(code));
		break;
	}
	case TA_CONTACT:
		update_assignment(x, lead->id, json_pack("{s:b, s:O}", "contacted", 1, "contact_method",
							 json_object_get(b, "method")));
		set_detail(x, "方式:%s", jsonin_str(b, "method", ""));
		notify_enterprise(x, "contacted", "承办人员已就您的诉求《%s》与您联系。%s", NULL);
		break;
	case TA_NOTE:
		set_detail(x, "%s", jsonin_str(b, "text", ""));
		notify_enterprise(x, "progress", "您的诉求《%s》有新的办理进展:%s", jsonin_str(b, "text", ""));
		break;
	case TA_SUSPEND:
		json_object_set_new(x->patch, "resume_state", json_string(ticket_state_name(t->facts.state)));
		set_detail(x, "需企业补充:%s", jsonin_str(b, "question", ""));
		notify_enterprise(x, "suspended", "您的诉求《%s》需要您补充信息:%s", jsonin_str(b, "question", ""));
		break;
	case TA_REQUEST_EXTENSION:
		json_object_set_new(x->side, "extension", json_pack("{s:I, s:O, s:O}", "assignment_id", (json_int_t)lead->id,
			"days", json_object_get(b, "days"), "reason", json_object_get(b, "reason")));
		set_detail(x, "%lld个工作日,理由:%s", jsonin_int(b, "days", 0), jsonin_str(b, "reason", ""));
		notify(x, "org", t->district_id, "extension_requested", "工单《%s》申请延期%lld个工作日,请审批。",
		       title_of(x), jsonin_int(b, "days", 0));
		break;
	case TA_CONTRIBUTE:
		update_assignment(x, mine->id, json_pack("{s:s, s:s, s:O}", "state", "done", "outcome", "contributed",
							 "contribution", json_object_get(b, "text")));
		set_detail(x, "%s:%s", asg_org_name(x, mine), jsonin_str(b, "text", ""));
		if (lead)
			notify(x, "org", lead->org_id, "contributed", "%s已提交工单《%s》的协办意见。", asg_org_name(x, mine),
			       title_of(x));
		break;
	case TA_RELEASE: {
		long long id = jsonin_int(b, "assignment_id", 0);
		const struct lc_assignment *a = NULL;
		for (int i = 0; i < t->facts.n_assignments; i++)
			if (t->assignments[i].id == id)
				a = &t->assignments[i];
		if (!a || a->lead || (a->state != AS_PENDING && a->state != AS_ACCEPTED)) {
			http_reply_problem(ctx, "unprocessable", "assignment %lld is not an open assisting assignment of this "
					   "ticket", id);
			return false;
		}
		update_assignment(x, id, json_pack("{s:s, s:s}", "state", "done", "outcome", "released"));
		x->clock.mine = a;
		set_detail(x, "解除 %s 的协办", asg_org_name(x, a));
		notify(x, "org", a->org_id, "released", "工单《%s》已解除贵单位的协办任务。", title_of(x));
		break;
	}
	case TA_RESOLVE:
		update_assignment(x, lead->id, json_pack("{s:s, s:s}", "state", "done", "outcome", "resolved"));
		json_object_set(x->patch, "resolution", json_object_get(b, "resolution"));
		json_object_set_new(x->patch, "resume_state", json_string(ticket_state_name(t->facts.state)));
		set_detail(x, "%s", jsonin_str(b, "resolution", ""));
		notify(x, "user", dispatcher, "resolved", "工单《%s》已由%s办结,请审核并反馈企业。", title_of(x),
		       asg_org_name(x, lead));
		break;
	case TA_REASSIGN: {
		const struct lc_assignment *open = ticket_assignment_of(t, who, false); /* by default: the org's open one */
		long long aid = jsonin_int(b, "assignment_id", open ? open->id : 0);
		const struct lc_assignment *a = NULL;
		for (int i = 0; i < t->facts.n_assignments; i++)
			if (t->assignments[i].id == aid)
				a = &t->assignments[i];
		const char *hpath = json_string_value(json_object_get(x->handler, "path"));
		const char *hrole = json_string_value(json_object_get(x->handler, "role"));
		if (!a || (a->state != AS_PENDING && a->state != AS_ACCEPTED) || !lc_org_related(who->org_path, a->org_path)) {
			http_reply_problem(ctx, "unprocessable", "assignment %lld is not an open assignment of your org", aid);
			return false;
		}
		if (!hpath || json_is_true(json_object_get(x->handler, "disabled")) || !lc_org_related(hpath, a->org_path) ||
		    (strcmp(hrole, "bureau_handler") != 0 && strcmp(hrole, "bureau_leader") != 0)) {
			http_reply_problem(ctx, "unprocessable", "user %lld is not an active handler of %s",
					   jsonin_int(b, "handler_id", 0), asg_org_name(x, a));
			return false;
		}
		update_assignment(x, a->id, json_pack("{s:I}", "handler_id", (json_int_t)jsonin_int(b, "handler_id", 0)));
		set_detail(x, "承办人改为 %s", json_string_value(json_object_get(x->handler, "name")));
		notify(x, "user", jsonin_int(b, "handler_id", 0), "reassigned", "工单《%s》已改派由您承办。", title_of(x));
		break;
	}
	case TA_APPEAL:
		json_object_set_new(x->side, "rating_update", json_pack("{s:I, s:s, s:O}", "id",
			(json_int_t)t->latest_rating_id, "appeal_state", "pending", "appeal_reason", json_object_get(b, "reason")));
		set_detail(x, "理由:%s", jsonin_str(b, "reason", ""));
		notify(x, "org", t->district_id, "appeal", "工单《%s》的差评被申诉,请复核。", title_of(x));
		break;
	case TA_SUPPLY:
		set_detail(x, "%s", jsonin_str(b, "answer", ""));
		if (lead)
			notify(x, "org", lead->org_id, "supplied", "企业已补充工单《%s》的信息,办理恢复计时。", title_of(x));
		break;
	case TA_WITHDRAW:
		json_object_set_new(x->patch, "close_reason", json_string("withdrawn"));
		close_open_assignments(x);
		if (t->facts.extension_pending) /* nobody could rule on it once the ticket is closed */
			json_object_set_new(x->side, "extension_decision", json_pack("{s:s, s:s}", "state", "denied",
										"note", "企业已撤回诉求"));
		set_detail(x, "理由:%s", jsonin_str(b, "reason", ""));
		notify_enterprise(x, "withdrawn", "您已撤回诉求《%s》。%s", "");
		break;
	case TA_RATE: {
		long long score = jsonin_int(b, "score", 0);
		json_object_set_new(x->side, "rating", json_pack("{s:I, s:O}", "score", (json_int_t)score, "comment",
			json_object_get(b, "comment") ? json_object_get(b, "comment") : json_null()));
		set_detail(x, "%s(%lld分)%s%s", rating_labels[score], score, jsonin_str(b, "comment", NULL) ? ":" : "",
			   jsonin_str(b, "comment", ""));
		if (score >= 3) {
			json_object_set_new(x->patch, "close_reason", json_string("rated"));
		} else {
			notify(x, "org", t->district_id, "bad_rating", "工单《%s》收到差评(%s),请处理。", title_of(x),
			       rating_labels[score]);
			if (lead)
				notify(x, "org", lead->org_id, "bad_rating", "工单《%s》收到差评(%s)。", title_of(x),
				       rating_labels[score]);
		}
		break;
	}
	case TA_FEEDBACK: {
		json_t *text = json_object_get(b, "text") ? json_object_get(b, "text")
							  : json_object_get(t->json, "resolution");
		json_object_set(x->patch, "feedback_text", text);
		json_object_set_new(x->patch, "feedback_round", json_integer(1));
		set_detail(x, "%s", json_string_value(text) ? json_string_value(text) : "");
		notify_enterprise(x, "feedback", "您的诉求《%s》已办结:%s 请对办理结果进行评价。",
				  json_string_value(text));
		break;
	}
	case TA_SEND_BACK:
		update_assignment(x, lead->id, json_pack("{s:s}", "state", "accepted"));
		set_detail(x, "理由:%s", jsonin_str(b, "reason", ""));
		notify(x, "org", lead->org_id, "sent_back", "工单《%s》的办理结果未通过审核,请重新办理:%s", title_of(x),
		       jsonin_str(b, "reason", ""));
		break;
	case TA_WITHDRAWAL_CHECK:
		json_object_set_new(x->patch, "withdrawal_check", json_string(x->outcome));
		set_detail(x, "%s%s%s", strcmp(x->outcome, "pressed") == 0 ? "企业系被迫撤单,工单重新受理" : "企业系自愿撤单",
			   jsonin_str(b, "note", NULL) ? ":" : "", jsonin_str(b, "note", ""));
		if (strcmp(x->outcome, "pressed") == 0) {
			json_object_set_new(x->patch, "close_reason", json_null());
			notify(x, "org", t->district_id, "withdrawal_pressed", "工单《%s》撤单质检发现企业被迫撤单,已重新受理。",
			       title_of(x));
			notify_enterprise(x, "reopened", "您的诉求《%s》已重新受理。%s", "");
		}
		break;
	case TA_APPROVE_EXTENSION:
	case TA_DENY_EXTENSION: {
		bool ok = x->action == TA_APPROVE_EXTENSION;
		json_object_set_new(x->side, "extension_decision", json_pack("{s:s, s:O}", "state", ok ? "approved" : "denied",
			"note", json_object_get(b, "note") ? json_object_get(b, "note") : json_null()));
		set_detail(x, "%s", jsonin_str(b, "note", ""));
		if (lead)
			notify(x, "org", lead->org_id, ok ? "extension_approved" : "extension_denied", "工单《%s》的延期申请%s。%s",
			       title_of(x), ok ? "已批准" : "未获批准", jsonin_str(b, "note", ""));
		break;
	}
	case TA_ADJUDICATE_RETURN: {
		json_object_set_new(x->patch, "return_disputed", json_false());
		json_object_set_new(x->patch, "return_ruled", json_true()); /* the ruling is final */
		set_detail(x, "%s:%s", strcmp(x->outcome, "force") == 0 ? "退回不成立,责成原单位办理" : "维持退回",
			   jsonin_str(b, "note", ""));
		const struct lc_assignment *returned = NULL;
		for (int i = 0; i < t->facts.n_assignments; i++)
			if (t->assignments[i].lead && t->assignments[i].state == AS_RETURNED)
				returned = &t->assignments[i];
		if (strcmp(x->outcome, "force") == 0) {
			if (!returned) {
				http_reply_problem(ctx, "unprocessable", "the ticket has no returned lead assignment");
				return false;
			}
			json_array_append_new(x->inserts, json_pack("{s:I, s:b, s:O}", "org_id", (json_int_t)returned->org_id,
				"lead", 1, "note", json_object_get(b, "note")));
			x->clock.new_lead_org = returned->org_id;
			notify(x, "org", returned->org_id, "return_overruled", "工单《%s》的退回经审定不成立,请贵单位签收办理。",
			       title_of(x));
		} else {
			notify(x, "user", dispatcher, "return_upheld", "工单《%s》的退回经审定成立,请重新分派。", title_of(x));
		}
		break;
	}
	case TA_RULE_RATING: {
		bool rectify = strcmp(x->outcome, "rectify") == 0;
		json_object_set_new(x->side, "rating_update", json_pack("{s:I, s:s, s:O}", "id", (json_int_t)t->latest_rating_id,
			"ruling", x->outcome, "ruling_note", json_object_get(b, "note")));
		set_detail(x, "%s:%s", rectify ? "责令整改" : "解释说明后关闭", jsonin_str(b, "note", ""));
		if (rectify) {
			if (!lead) {
				http_reply_problem(ctx, "unprocessable", "the ticket has no lead org to rectify");
				return false;
			}
			update_assignment(x, lead->id, json_pack("{s:s}", "state", "accepted"));
			json_object_set_new(x->patch, "rework", json_integer(1));
			notify(x, "org", lead->org_id, "rectify", "工单《%s》因差评被责令整改:%s", title_of(x),
			       jsonin_str(b, "note", ""));
			notify_enterprise(x, "rectifying", "您的诉求《%s》已责成承办单位整改。%s", "");
		} else {
			json_object_set_new(x->patch, "close_reason", json_string("ruled"));
			notify_enterprise(x, "closed", "您的诉求《%s》已关闭,说明:%s", jsonin_str(b, "note", ""));
		}
		break;
	}
	case TA_RULE_APPEAL: {
		bool exclude = strcmp(x->outcome, "exclude") == 0;
		/* appeal_state "upheld" = the rating was upheld, the appeal dismissed */
		json_object_set_new(x->side, "rating_update", json_pack("{s:I, s:s, s:b}", "id", (json_int_t)t->latest_rating_id,
			"appeal_state", exclude ? "excluded" : "upheld", "excluded", exclude));
		set_detail(x, "%s%s%s", exclude ? "申诉成立,该评价不计入统计" : "申诉不成立,维持评价",
			   jsonin_str(b, "note", NULL) ? ":" : "", jsonin_str(b, "note", ""));
		if (lead)
			notify(x, "org", lead->org_id, "appeal_ruled", "工单《%s》的差评申诉%s。", title_of(x),
			       exclude ? "成立" : "不成立");
		break;
	}
	case TA_SUPERVISE:
		json_object_set_new(x->patch, "supervisions", json_integer(1));
		set_detail(x, "%s", jsonin_str(b, "note", ""));
		for (int i = 0; i < t->facts.n_assignments; i++) {
			const struct lc_assignment *a = &t->assignments[i];
			if (a->state == AS_PENDING || a->state == AS_ACCEPTED || (a == lead))
				notify(x, "org", a->org_id, "supervision", "督办单:工单《%s》%s", title_of(x),
				       jsonin_str(b, "note", ""));
		}
		break;
	case TA_REOPEN:
		json_object_set_new(x->patch, "close_reason", json_null());
		set_detail(x, "理由:%s", jsonin_str(b, "reason", ""));
		notify_enterprise(x, "reopened", "您的诉求《%s》已重新受理。%s", "");
		break;
	case TA_CLOSE_UNRATED:
	case TA__COUNT:
		http_reply_problem(ctx, "forbidden", "this action is taken by the system only");
		return false;
	}
	return true;
}

/* ---- steps 5 and 6 -------------------------------------------------- */

static void on_reloaded(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	struct ticket *t = ticket_from_result(res);
	if (!t) { /* e.g. a bureau that just returned the ticket may still see it; anyone else */
		http_reply_empty(ctx, 204);
		return;
	}
	http_reply_json(ctx, 200, ticket_json_for(t, &ctx->who, calendar_current(ctx->srv->calendar)));
	ticket_free(t);
}

static void on_applied(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		http_reply_problem(ctx, "version_conflict", "the ticket changed while this action was being applied");
		return;
	}
	stream_announce(ctx, PQgetvalue(res, 0, 2));
	/* RFC 7240: integrations that only need to know it worked save the reload */
	const char *prefer = http_request_header(ctx, "Prefer");
	if (prefer && strstr(prefer, "return=minimal")) {
		struct action *x = ctx->state;
		http_header(ctx, "Preference-Applied", "return=minimal");
		http_reply_json(ctx, 200, json_pack("{s:I, s:i, s:s}", "id", (json_int_t)x->ticket->id, "version",
						    atoi(PQgetvalue(res, 0, 1)), "state", ticket_state_name(x->to)));
		return;
	}
	ticket_query(ctx, ctx->params[0], on_reloaded);
}

static void apply(struct reqctx *ctx)
{
	struct action *x = ctx->state;
	if (!build_effects(ctx, x))
		return;
	json_t *clocks = sla_clock_ops(x->ticket, &x->clock, calendar_current(ctx->srv->calendar), (int64_t)time(NULL));
	if (clocks)
		json_object_set_new(x->side, "clocks", clocks);
	/* a dispute belongs to a return: out of "returned" it has no meaning left
	 * (and would otherwise block triage after a reopen) */
	if (x->to != TS_RETURNED && (x->ticket->facts.return_disputed || x->ticket->facts.return_ruled)) {
		json_object_set_new(x->patch, "return_disputed", json_false());
		json_object_set_new(x->patch, "return_ruled", json_false());
	}
	const struct principal *who = &ctx->who;
	json_t *payload = json_deep_copy(ctx->body);
	json_object_del(payload, "version");
	if (x->outcome)
		json_object_set_new(payload, "outcome", json_string(x->outcome));
	char *summary = xasprintf("%s(%s)%s%s%s", who->display_name, role_label(who->role),
				  ticket_action_label(x->action), x->detail ? ":" : "", x->detail ? x->detail : "");
	json_t *event = json_pack("{s:I, s:s, s:I, s:s, s:o, s:s}", "actor_id", (json_int_t)who->user_id,
				  "actor_role", role_name(who->role), "actor_org", (json_int_t)who->org_id,
				  "action", ticket_action_name(x->action), "payload", payload, "summary", summary);
	free(summary);
	json_t *asg = json_pack("{s:O, s:O}", "insert", x->inserts, "update", x->updates);
	char id[24], version[24];
	snprintf(id, sizeof id, "%lld", x->ticket->id);
	snprintf(version, sizeof version, "%d", x->ticket->version);
	char *texts[5] = {
		json_dumps(x->patch, JSON_COMPACT), json_dumps(asg, JSON_COMPACT), json_dumps(event, JSON_COMPACT),
		json_dumps(x->notices, JSON_COMPACT), json_dumps(x->side, JSON_COMPACT),
	};
	const char *params[] = { id, version, ticket_state_name(x->ticket->facts.state), ticket_state_name(x->to),
				 texts[0], texts[1], texts[2], texts[3], texts[4] };
	http_query(ctx, &STMT_APPLY, 9, params, on_applied);
	for (int i = 0; i < 5; i++)
		free(texts[i]);
	json_decref(asg);
	json_decref(event);
}

/* ---- step 4: lookups -------------------------------------------------- */

static struct pgstmt STMT_ORGS_BY_ID = PGSTMT_READ("action_orgs",
	"SELECT coalesce(json_object_agg(id, json_build_object('name', name, 'kind', kind, 'path', path,"
	" 'disabled', disabled_at IS NOT NULL)), '{}') FROM orgs WHERE id = ANY ($1::bigint[])");
static struct pgstmt STMT_HANDLER = PGSTMT_READ("action_handler",
	"SELECT json_build_object('id', u.id, 'name', u.display_name, 'role', u.role, 'path', o.path,"
	" 'disabled', u.disabled_at IS NOT NULL) FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = $1");

static void on_orgs(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct action *x = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	x->orgs = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	json_t *ids = json_array();
	if (x->action == TA_DISPATCH)
		json_array_append_new(ids, json_integer(jsonin_int(ctx->body, "lead_org_id", 0)));
	json_array_extend(ids, json_object_get(ctx->body, x->action == TA_DISPATCH ? "assist_org_ids" : "org_ids"));
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		long long id = (long long)json_integer_value(v);
		char key[24];
		snprintf(key, sizeof key, "%lld", id);
		json_t *o = json_object_get(x->orgs, key);
		const char *kind = json_string_value(json_object_get(o, "kind"));
		const char *problem = NULL;
		if (!o)
			problem = "does not exist";
		else if (json_is_true(json_object_get(o, "disabled")))
			problem = "is disabled";
		else if (strcmp(kind, "bureau") != 0 && strcmp(kind, "town") != 0 && strcmp(kind, "office") != 0)
			problem = "is not a bureau, town or office";
		for (int k = 0; !problem && k < x->ticket->facts.n_assignments; k++) {
			const struct lc_assignment *a = &x->ticket->assignments[k];
			if (a->org_id == id && (a->state == AS_PENDING || a->state == AS_ACCEPTED))
				problem = "already works on this ticket";
		}
		if (problem) {
			json_decref(ids);
			http_reply_problem(ctx, "unprocessable", "org %lld %s", id, problem);
			return;
		}
	}
	json_decref(ids);
	apply(ctx);
}

static void on_target(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct action *x = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	x->target = ticket_from_result(res);
	if (!x->target) {
		http_reply_problem(ctx, "unprocessable", "no ticket %lld to merge into",
				   jsonin_int(ctx->body, "into_ticket_id", 0));
		return;
	}
	enum ticket_state s = x->target->facts.state;
	if (x->target->id == x->ticket->id || s == TS_MERGED || s == TS_REJECTED || s == TS_CLOSED || s == TS_ANSWERED) {
		http_reply_problem(ctx, "unprocessable", "ticket %s is %s and cannot take a merge", x->target->number,
				   x->target->id == x->ticket->id ? "this ticket" : ticket_state_label(s));
		return;
	}
	apply(ctx);
}

static void on_handler(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct action *x = ctx->state;
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	x->handler = PQntuples(res) ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : json_object();
	apply(ctx);
}

/* ---- steps 2 and 3 -------------------------------------------------- */

static void on_loaded(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct action *x = ctx->state;
	struct ticket *loaded = ticket_or_reply(ctx, st, res);
	if (!loaded) /* replied: ctx and x are gone */
		return;
	x->ticket = loaded;
	const struct ticket *t = x->ticket;
	long long version = jsonin_int(ctx->body, "version", 0);
	if (version != t->version) {
		http_reply_problem(ctx, "version_conflict", "version %lld is stale: the ticket is at version %d", version,
				   t->version);
		return;
	}
	unsigned rel = x->relations = lc_relations(&ctx->who, &t->facts);
	unsigned cond = lc_conditions(&t->facts);
	struct lc_decision d = lc_decide(x->action, x->outcome, t->facts.state, t->facts.resume_state, rel, cond);
	switch (d.verdict) {
	case LC_OK:
		break;
	case LC_FORBIDDEN:
		http_reply_problem(ctx, "forbidden", "%s(%s) may not %s this ticket", ctx->who.display_name,
				   role_label(ctx->who.role), ticket_action_name(x->action));
		return;
	case LC_WRONG_STATE:
		http_reply_problem(ctx, "invalid_transition", "%s is not possible while the ticket is %s (%s)",
				   ticket_action_name(x->action), ticket_state_name(t->facts.state),
				   ticket_state_label(t->facts.state));
		return;
	case LC_CONDITION:
		http_reply_problem(ctx, "action_unavailable", "%s", lc_condition_message(d.failed));
		return;
	}
	x->to = d.to;
	x->patch = json_object();
	x->inserts = json_array();
	x->updates = json_array();
	x->side = json_object();
	x->notices = json_array();
	if (x->action == TA_DISPATCH || x->action == TA_SUMMON) {
		json_t *ids = json_array();
		if (x->action == TA_DISPATCH)
			json_array_append_new(ids, json_integer(jsonin_int(ctx->body, "lead_org_id", 0)));
		json_array_extend(ids, json_object_get(ctx->body, x->action == TA_DISPATCH ? "assist_org_ids" : "org_ids"));
		char *list = json_dumps(ids, JSON_COMPACT);
		list[0] = '{';
		list[strlen(list) - 1] = '}';
		const char *params[] = { list };
		http_query(ctx, &STMT_ORGS_BY_ID, 1, params, on_orgs);
		free(list);
		json_decref(ids);
	} else if (x->action == TA_MERGE) {
		char target[24];
		snprintf(target, sizeof target, "%lld", jsonin_int(ctx->body, "into_ticket_id", 0));
		ticket_query(ctx, target, on_target);
	} else if (x->action == TA_REASSIGN) {
		char handler[24];
		snprintf(handler, sizeof handler, "%lld", jsonin_int(ctx->body, "handler_id", 0));
		const char *params[] = { handler };
		http_query(ctx, &STMT_HANDLER, 1, params, on_handler);
	} else {
		apply(ctx);
	}
}

void api_ticket_action(struct reqctx *ctx)
{
	long long id;
	enum ticket_action a;
	if (!api_path_id(ctx, 0, &id))
		return;
	if (!ticket_action_parse(ctx->params[1], &a)) {
		http_reply_problem(ctx, "unknown_action", "\"%.40s\" is not a ticket action", ctx->params[1]);
		return;
	}
	if (!api_body_ok(ctx, fields_of[a]))
		return;
	struct action *x = xcalloc(1, sizeof *x);
	x->action = a;
	ctx->state = x;
	ctx->state_free = action_free;
	if (!check_body(ctx, a, &x->outcome))
		return;
	ticket_query(ctx, ctx->params[0], on_loaded);
}
