/*
 * Unit tests for core/lifecycle: the ticket state machine (DESIGN.md §3).
 *
 * The rules table in lifecycle.c is the specification, so it is written out
 * again here, by hand and in another form (per action and relation, one
 * letter per state for where the action leads): changing a rule must change
 * this file too, in the same commit, where a reviewer sees it. The tests
 * then check lc_decide on every action × state × relation × condition set
 * against it, and lc_allowed against both.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/lifecycle.h"
#include "zh.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define N_RELATIONS 10  /* REL_OWNER .. REL_SYSTEM */
#define N_CONDITIONS 12 /* COND_RETURN_UNDISPUTED .. COND_NO_DISPUTE */
#define ALL_RELATIONS ((1u << N_RELATIONS) - 1)
#define ALL_CONDITIONS ((1u << N_CONDITIONS) - 1)

/* ---- names ---- */

/* An enum value and its API name. */
struct enum_name {
	int value;
	const char *name;
};

static const struct enum_name state_names[] = {
	{ TS_NEW, "new" },
	{ TS_ANSWERED, "answered" },
	{ TS_DISPATCHED, "dispatched" },
	{ TS_RETURNED, "returned" },
	{ TS_IN_PROGRESS, "in_progress" },
	{ TS_SUSPENDED, "suspended" },
	{ TS_RESOLVED, "resolved" },
	{ TS_FEEDBACK, "feedback" },
	{ TS_CLOSED, "closed" },
	{ TS_RECTIFYING, "rectifying" },
	{ TS_REJECTED, "rejected" },
	{ TS_MERGED, "merged" },
};

static const struct enum_name action_names[] = {
	{ TA_ANSWER, "answer" },
	{ TA_DISPATCH, "dispatch" },
	{ TA_REJECT, "reject" },
	{ TA_MERGE, "merge" },
	{ TA_SUMMON, "summon" },
	{ TA_DISPUTE_RETURN, "dispute_return" },
	{ TA_ACCEPT, "accept" },
	{ TA_RETURN, "return" },
	{ TA_CONTACT, "contact" },
	{ TA_NOTE, "note" },
	{ TA_SUSPEND, "suspend" },
	{ TA_REQUEST_EXTENSION, "request_extension" },
	{ TA_CONTRIBUTE, "contribute" },
	{ TA_RELEASE, "release" },
	{ TA_RESOLVE, "resolve" },
	{ TA_REASSIGN, "reassign" },
	{ TA_APPEAL, "appeal" },
	{ TA_SUPPLY, "supply" },
	{ TA_WITHDRAW, "withdraw" },
	{ TA_RATE, "rate" },
	{ TA_FEEDBACK, "feedback" },
	{ TA_SEND_BACK, "send_back" },
	{ TA_WITHDRAWAL_CHECK, "withdrawal_check" },
	{ TA_APPROVE_EXTENSION, "approve_extension" },
	{ TA_DENY_EXTENSION, "deny_extension" },
	{ TA_ADJUDICATE_RETURN, "adjudicate_return" },
	{ TA_RULE_RATING, "rule_rating" },
	{ TA_RULE_APPEAL, "rule_appeal" },
	{ TA_SUPERVISE, "supervise" },
	{ TA_REOPEN, "reopen" },
	{ TA_CLOSE_UNRATED, "close_unrated" },
};

static const struct enum_name assignment_names[] = {
	{ AS_PENDING, "pending" },
	{ AS_ACCEPTED, "accepted" },
	{ AS_RETURNED, "returned" },
	{ AS_DONE, "done" },
};

/* A new state, action, relation or condition must be added to this file. */
Test(lifecycle, tables_cover_every_state_action_and_bit)
{
	cr_assert_eq(TS__COUNT, 12, "a state was added: extend this file");
	cr_assert_eq(TA__COUNT, 31, "an action was added: extend this file");
	cr_assert_eq(AS__COUNT, 4, "an assignment state was added: extend this file");
	cr_assert_eq(REL_SYSTEM, 1u << (N_RELATIONS - 1), "a relation was added: extend this file");
	cr_assert_eq(COND_NO_DISPUTE, 1u << (N_CONDITIONS - 1), "a condition was added: extend this file");
	cr_assert_eq(N(state_names), TS__COUNT);
	cr_assert_eq(N(action_names), TA__COUNT);
	cr_assert_eq(N(assignment_names), AS__COUNT);
	/* in enum order, so that the tables index by value */
	for (size_t i = 0; i < N(state_names); i++)
		cr_expect_eq(state_names[i].value, (int)i, "%s", state_names[i].name);
	for (size_t i = 0; i < N(action_names); i++)
		cr_expect_eq(action_names[i].value, (int)i, "%s", action_names[i].name);
	for (size_t i = 0; i < N(assignment_names); i++)
		cr_expect_eq(assignment_names[i].value, (int)i, "%s", assignment_names[i].name);
}

Test(lifecycle, names_round_trip_through_parse)
{
	for (size_t i = 0; i < N(state_names); i++) {
		enum ticket_state s = TS_MERGED, want = (enum ticket_state)state_names[i].value;
		cr_expect_str_eq(ticket_state_name(want), state_names[i].name);
		cr_expect(ticket_state_parse(state_names[i].name, &s), "%s", state_names[i].name);
		cr_expect_eq(s, want, "%s", state_names[i].name);
	}
	for (size_t i = 0; i < N(action_names); i++) {
		enum ticket_action a = TA_CLOSE_UNRATED, want = (enum ticket_action)action_names[i].value;
		cr_expect_str_eq(ticket_action_name(want), action_names[i].name);
		cr_expect(ticket_action_parse(action_names[i].name, &a), "%s", action_names[i].name);
		cr_expect_eq(a, want, "%s", action_names[i].name);
	}
	for (size_t i = 0; i < N(assignment_names); i++) {
		enum assignment_state s = AS_DONE, want = (enum assignment_state)assignment_names[i].value;
		cr_expect_str_eq(assignment_state_name(want), assignment_names[i].name);
		cr_expect(assignment_state_parse(assignment_names[i].name, &s), "%s", assignment_names[i].name);
		cr_expect_eq(s, want, "%s", assignment_names[i].name);
	}
}

Test(lifecycle, labels_are_distinct_chinese)
{
	for (int s = 0; s < TS__COUNT; s++) {
		const char *l = ticket_state_label((enum ticket_state)s);
		cr_expect(zh_all_han(l), "state %s: label \"%s\"", ticket_state_name((enum ticket_state)s), l);
		for (int t = 0; t < s; t++)
			cr_expect_str_neq(l, ticket_state_label((enum ticket_state)t));
	}
	for (int a = 0; a < TA__COUNT; a++) {
		const char *l = ticket_action_label((enum ticket_action)a);
		cr_expect(zh_all_han(l), "action %s: label \"%s\"", ticket_action_name((enum ticket_action)a), l);
		for (int b = 0; b < a; b++)
			cr_expect_str_neq(l, ticket_action_label((enum ticket_action)b));
	}
}

static const char *const bad_names[] = {
	"", " ", "?", "New", "NEW", " new", "new ", "in-progress", "inprogress", "answered\n", "Answer",
	"close", "closed_unrated", "Pending", "open", "accept ed", "returnedx", "feedbacks", "done.",
};

Test(lifecycle, unknown_names_and_null_are_refused)
{
	for (size_t i = 0; i < N(bad_names); i++) {
		enum ticket_state s = TS_MERGED;
		enum ticket_action a = TA_CLOSE_UNRATED;
		enum assignment_state as = AS_DONE;
		cr_expect(!ticket_state_parse(bad_names[i], &s), "state \"%s\"", bad_names[i]);
		cr_expect(!ticket_action_parse(bad_names[i], &a), "action \"%s\"", bad_names[i]);
		cr_expect(!assignment_state_parse(bad_names[i], &as), "assignment state \"%s\"", bad_names[i]);
		cr_expect(s == TS_MERGED && a == TA_CLOSE_UNRATED && as == AS_DONE, "\"%s\": out changed", bad_names[i]);
	}
	enum ticket_state s = TS_MERGED;
	enum ticket_action a = TA_CLOSE_UNRATED;
	enum assignment_state as = AS_DONE;
	cr_expect(!ticket_state_parse(NULL, &s));
	cr_expect(!ticket_action_parse(NULL, &a));
	cr_expect(!assignment_state_parse(NULL, &as));
	cr_expect(s == TS_MERGED && a == TA_CLOSE_UNRATED && as == AS_DONE);
}

Test(lifecycle, out_of_range_enums_give_question_mark)
{
	static const int bad_states[] = { -1, TS__COUNT, TS__COUNT + 1, 1000 };
	static const int bad_actions[] = { -1, TA__COUNT, TA__COUNT + 1, 1000 };
	static const int bad_assignment_states[] = { -1, AS__COUNT, AS__COUNT + 1, 1000 };
	for (size_t i = 0; i < N(bad_states); i++) {
		cr_expect_str_eq(ticket_state_name((enum ticket_state)bad_states[i]), "?", "state %d", bad_states[i]);
		cr_expect_str_eq(ticket_state_label((enum ticket_state)bad_states[i]), "?", "state %d", bad_states[i]);
		cr_expect_str_eq(ticket_action_name((enum ticket_action)bad_actions[i]), "?", "action %d", bad_actions[i]);
		cr_expect_str_eq(ticket_action_label((enum ticket_action)bad_actions[i]), "?", "action %d",
				 bad_actions[i]);
		cr_expect_str_eq(assignment_state_name((enum assignment_state)bad_assignment_states[i]), "?",
				 "assignment state %d", bad_assignment_states[i]);
	}
}

/* ---- the matrix ---- */

/*
 * One row per action and group of relations (and per outcome, for actions
 * that take one). `to` has one letter per state, in enum order:
 *
 *   new answered dispatched returned in_progress suspended resolved feedback
 *   closed rectifying rejected merged
 *
 * giving where the action leads from that state:
 *   N A D R P S V F C K J M   that state (V resolVed, K rectifying, J reJected)
 *   =                         stays where it is
 *   ^                         back to the ticket's resume_state
 *   .                         not from this state (LC_WRONG_STATE)
 * An actor with none of the row's relations gets LC_FORBIDDEN; one who has
 * them, in a state with a letter, but lacks a needed condition gets
 * LC_CONDITION with the missing bits.
 */
static const char state_letters[] = "NADRPSVFCKJM";

static const struct row {
	enum ticket_action action;
	const char *outcome;
	unsigned who;   /* any of */
	unsigned needs; /* all of */
	const char *to;
} matrix[] = {
	/* action               outcome      who                              needs                     NADRPSVFCKJM */
	{ TA_ANSWER,            NULL,        REL_TRIAGE,                      COND_NO_DISPUTE,          "A..A........" },
	{ TA_DISPATCH,          NULL,        REL_TRIAGE,                      COND_NO_DISPUTE,          "D..D........" },
	{ TA_REJECT,            NULL,        REL_TRIAGE,                      COND_NO_DISPUTE,          "J..J........" },
	{ TA_REJECT,            NULL,        REL_SUPERVISOR,                  0,                        "J..J........" },
	{ TA_MERGE,             NULL,        REL_TRIAGE,                      COND_NO_DISPUTE,          "M.MM........" },
	{ TA_MERGE,             NULL,        REL_SUPERVISOR,                  0,                        "M.MM........" },
	{ TA_SUMMON,            NULL,        REL_TRIAGE | REL_LEAD_ACTIVE,    0,                        "..=.==...=.." },
	{ TA_DISPUTE_RETURN,    NULL,        REL_TRIAGE,                      COND_RETURN_UNDISPUTED,   "...=........" },
	{ TA_ACCEPT,            NULL,        REL_LEAD_PENDING,                0,                        "..P........." },
	{ TA_ACCEPT,            NULL,        REL_ASSIST_PENDING,              0,                        "..=.==...=.." },
	{ TA_RETURN,            NULL,        REL_LEAD_PENDING,                0,                        "..R........." },
	{ TA_RETURN,            NULL,        REL_ASSIST_PENDING,              0,                        "..=.==...=.." },
	{ TA_CONTACT,           NULL,        REL_LEAD_ACTIVE,                 0,                        "....==...=.." },
	{ TA_NOTE,              NULL,        REL_LEAD_ACTIVE | REL_ASSIST_ACTIVE | REL_TRIAGE, 0,       "..=.===..=.." },
	{ TA_SUSPEND,           NULL,        REL_LEAD_ACTIVE,                 0,                        "....S....S.." },
	{ TA_REQUEST_EXTENSION, NULL,        REL_LEAD_ACTIVE,                 COND_EXT_REQUESTABLE,     "....==...=.." },
	{ TA_CONTRIBUTE,        NULL,        REL_ASSIST_ACTIVE,               0,                        "..=.==...=.." },
	{ TA_RELEASE,           NULL,        REL_LEAD_ACTIVE,                 COND_ASSISTS_OPEN,        "..=.==...=.." },
	{ TA_RESOLVE,           NULL,        REL_LEAD_ACTIVE,                 COND_ASSISTS_SETTLED,     "....V....V.." },
	{ TA_REASSIGN,          NULL,        REL_ORG_LEADER,                  0,                        "..=.==...=.." },
	{ TA_APPEAL,            NULL,        REL_LEAD_ORG,                    COND_APPEALABLE,          "......====.." },
	{ TA_SUPPLY,            NULL,        REL_OWNER,                       0,                        ".....^......" },
	{ TA_WITHDRAW,          NULL,        REL_OWNER,                       0,                        "C.CCCC......" },
	{ TA_RATE,              "good",      REL_OWNER,                       COND_UNRATED,             ".......C...." },
	{ TA_RATE,              "bad",       REL_OWNER,                       COND_UNRATED,             ".......=...." },
	{ TA_FEEDBACK,          NULL,        REL_TRIAGE,                      0,                        "......F....." },
	{ TA_SEND_BACK,         NULL,        REL_TRIAGE,                      0,                        "......^....." },
	{ TA_WITHDRAWAL_CHECK,  "voluntary", REL_TRIAGE,                      COND_WITHDRAWN_UNCHECKED, "........=..." },
	{ TA_WITHDRAWAL_CHECK,  "pressed",   REL_TRIAGE,                      COND_WITHDRAWN_UNCHECKED, "........N..." },
	{ TA_APPROVE_EXTENSION, NULL,        REL_SUPERVISOR,                  COND_EXT_PENDING,         "=.======.=.." },
	{ TA_DENY_EXTENSION,    NULL,        REL_SUPERVISOR,                  COND_EXT_PENDING,         "=.======.=.." },
	{ TA_ADJUDICATE_RETURN, "uphold",    REL_SUPERVISOR,                  COND_RETURN_DISPUTED,     "...=........" },
	{ TA_ADJUDICATE_RETURN, "force",     REL_SUPERVISOR,                  COND_RETURN_DISPUTED,     "...D........" },
	{ TA_RULE_RATING,       "rectify",   REL_SUPERVISOR,                  COND_BAD_UNRULED,         ".......K...." },
	{ TA_RULE_RATING,       "close",     REL_SUPERVISOR,                  COND_BAD_UNRULED,         ".......C...." },
	{ TA_RULE_APPEAL,       "exclude",   REL_SUPERVISOR,                  COND_APPEAL_PENDING,      "=.========.." },
	{ TA_RULE_APPEAL,       "dismiss",   REL_SUPERVISOR,                  COND_APPEAL_PENDING,      "=.========.." },
	{ TA_SUPERVISE,         NULL,        REL_SUPERVISOR,                  0,                        "=.======.=.." },
	{ TA_REOPEN,            NULL,        REL_SUPERVISOR,                  0,                        ".N......N.N." },
	{ TA_CLOSE_UNRATED,     NULL,        REL_SYSTEM,                      COND_UNRATED,             ".......C...." },
};

/* The outcomes each action takes, in the order lc_outcomes lists them. */
static const struct {
	enum ticket_action action;
	const char *outcomes[3];
} outcome_lists[] = {
	{ TA_RATE, { "good", "bad", NULL } },
	{ TA_ADJUDICATE_RETURN, { "uphold", "force", NULL } },
	{ TA_RULE_RATING, { "rectify", "close", NULL } },
	{ TA_RULE_APPEAL, { "exclude", "dismiss", NULL } },
	{ TA_WITHDRAWAL_CHECK, { "voluntary", "pressed", NULL } },
};

/* The outcomes to try for action a: its list, or just NULL for none. */
static size_t outcomes_of(enum ticket_action a, const char *const **list)
{
	static const char *const none[] = { NULL };
	for (size_t i = 0; i < N(outcome_lists); i++) {
		if (outcome_lists[i].action == a) {
			size_t n = 0;
			*list = outcome_lists[i].outcomes;
			while ((*list)[n])
				n++;
			return n;
		}
	}
	*list = none;
	return 1;
}

static bool same_outcome(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

static const char *verdict_name(enum lc_verdict v)
{
	switch (v) {
	case LC_OK: return "OK";
	case LC_FORBIDDEN: return "FORBIDDEN";
	case LC_WRONG_STATE: return "WRONG_STATE";
	case LC_CONDITION: return "CONDITION";
	}
	return "?";
}

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

/* The matrix row for action a with outcome (NULL for none) taken with
 * relation bit rel (a single bit), or NULL when the actor has no standing. */
static const struct row *row_for(enum ticket_action a, const char *outcome, unsigned rel)
{
	for (size_t i = 0; i < N(matrix); i++) {
		const struct row *r = &matrix[i];
		if (r->action == a && same_outcome(r->outcome, outcome) && (r->who & rel))
			return r;
	}
	return NULL;
}

/* What lc_decide should say for one row (NULL: no standing). */
static struct lc_decision expected(const struct row *r, enum ticket_state s, enum ticket_state resume,
				   unsigned conditions)
{
	struct lc_decision d = { LC_FORBIDDEN, s, 0 };
	if (!r)
		return d;
	char c = r->to[s];
	if (c == '.') {
		d.verdict = LC_WRONG_STATE;
	} else if (r->needs & ~conditions) {
		d.verdict = LC_CONDITION;
		d.failed = r->needs & ~conditions;
	} else {
		d.verdict = LC_OK;
		d.to = c == '=' ? s : c == '^' ? resume : (enum ticket_state)(strchr(state_letters, c) - state_letters);
	}
	return d;
}

Test(lifecycle, matrix_rows_are_well_formed)
{
	for (size_t i = 0; i < N(matrix); i++) {
		const struct row *r = &matrix[i];
		cr_assert_eq(strlen(r->to), TS__COUNT, "row %zu (%s)", i, ticket_action_name(r->action));
		cr_expect_eq(strspn(r->to, "NADRPSVFCKJM=^."), TS__COUNT, "row %zu: %s", i, r->to);
		cr_expect_neq(r->who, 0, "row %zu", i);
		/* one row per action, outcome and relation bit: row_for finds it */
		for (unsigned bit = 1; bit <= REL_SYSTEM; bit <<= 1)
			if (r->who & bit)
				cr_expect_eq(row_for(r->action, r->outcome, bit), r, "row %zu, relation %#x", i, bit);
	}
	/* every action has a row, with each of its outcomes (and none other) */
	for (int a = 0; a < TA__COUNT; a++) {
		const char *const *o;
		size_t n = outcomes_of((enum ticket_action)a, &o);
		for (size_t k = 0; k < n; k++) {
			bool found = false;
			for (size_t i = 0; i < N(matrix); i++)
				found |= matrix[i].action == (enum ticket_action)a && same_outcome(matrix[i].outcome, o[k]);
			cr_expect(found, "no row for %s %s", action_names[a].name, str(o[k]));
		}
	}
}

Test(lifecycle, outcomes_are_listed_per_action)
{
	for (int a = 0; a < TA__COUNT; a++) {
		const char *const *want;
		outcomes_of((enum ticket_action)a, &want);
		const char *const *got = lc_outcomes((enum ticket_action)a);
		if (!want[0]) {
			cr_expect_null(got, "%s takes no outcome", action_names[a].name);
			continue;
		}
		cr_assert_not_null(got, "%s takes outcomes", action_names[a].name);
		size_t i = 0;
		for (; want[i]; i++)
			cr_expect_str_eq(str(got[i]), want[i], "%s outcome %zu", action_names[a].name, i);
		cr_expect_null(got[i], "%s: more outcomes than expected", action_names[a].name);
	}
}

/* Compares one lc_decide call with the expectation; says what differs. */
static void expect_decision(enum ticket_action a, const char *outcome, enum ticket_state s, enum ticket_state resume,
			    unsigned rel, unsigned cond, struct lc_decision want)
{
	struct lc_decision got = lc_decide(a, outcome, s, resume, rel, cond);
	bool same = got.verdict == want.verdict && got.failed == want.failed && (got.verdict != LC_OK || got.to == want.to);
	if (!same)
		cr_expect_fail("%s %s from %s, relations %#x, conditions %#x: %s to %s failed %#x; expected %s to %s "
			       "failed %#x",
			       action_names[a].name, str(outcome), state_names[s].name, rel, cond, verdict_name(got.verdict),
			       ticket_state_name(got.to), got.failed, verdict_name(want.verdict), ticket_state_name(want.to),
			       want.failed);
}

/* The condition sets tried for a row: all, none, exactly what it needs (if
 * anything), and all but each one it needs. Returns how many were written to sets. */
static size_t condition_sets(const struct row *r, unsigned sets[N_CONDITIONS + 3])
{
	size_t n = 0;
	sets[n++] = ALL_CONDITIONS;
	sets[n++] = 0;
	if (!r)
		return n;
	if (r->needs)
		sets[n++] = r->needs;
	for (unsigned bit = 1; bit <= COND_WITHDRAWN_UNCHECKED; bit <<= 1)
		if (r->needs & bit)
			sets[n++] = ALL_CONDITIONS & ~bit;
	return n;
}

Test(lifecycle, decide_follows_the_matrix_for_every_action_state_relation_and_condition)
{
	for (int a = 0; a < TA__COUNT; a++) {
		const char *const *o;
		size_t n_outcomes = outcomes_of((enum ticket_action)a, &o);
		for (size_t k = 0; k < n_outcomes; k++) {
			for (int s = 0; s < TS__COUNT; s++) {
				/* a resume state unlike s, so that "=" and "^" differ */
				enum ticket_state resume = s == TS_RECTIFYING ? TS_IN_PROGRESS : TS_RECTIFYING;
				for (unsigned rel = 0; rel <= REL_SYSTEM; rel = rel ? rel << 1 : 1) {
					const struct row *r = row_for((enum ticket_action)a, o[k], rel);
					unsigned sets[N_CONDITIONS + 3];
					size_t n = condition_sets(r, sets);
					for (size_t c = 0; c < n; c++)
						expect_decision((enum ticket_action)a, o[k], (enum ticket_state)s, resume, rel,
								sets[c], expected(r, (enum ticket_state)s, resume, sets[c]));
				}
			}
		}
	}
}

/* The outcome variants, spelt out. */
static const struct {
	enum ticket_action action;
	const char *outcome;
	enum ticket_state from;
	unsigned rel, cond;
	enum ticket_state to;
} outcome_cases[] = {
	{ TA_RATE, "good", TS_FEEDBACK, REL_OWNER, COND_UNRATED, TS_CLOSED },
	{ TA_RATE, "bad", TS_FEEDBACK, REL_OWNER, COND_UNRATED, TS_FEEDBACK },
	{ TA_ADJUDICATE_RETURN, "uphold", TS_RETURNED, REL_SUPERVISOR, COND_RETURN_DISPUTED, TS_RETURNED },
	{ TA_ADJUDICATE_RETURN, "force", TS_RETURNED, REL_SUPERVISOR, COND_RETURN_DISPUTED, TS_DISPATCHED },
	{ TA_RULE_RATING, "rectify", TS_FEEDBACK, REL_SUPERVISOR, COND_BAD_UNRULED, TS_RECTIFYING },
	{ TA_RULE_RATING, "close", TS_FEEDBACK, REL_SUPERVISOR, COND_BAD_UNRULED, TS_CLOSED },
	{ TA_RULE_APPEAL, "exclude", TS_CLOSED, REL_SUPERVISOR, COND_APPEAL_PENDING, TS_CLOSED },
	{ TA_RULE_APPEAL, "dismiss", TS_CLOSED, REL_SUPERVISOR, COND_APPEAL_PENDING, TS_CLOSED },
	{ TA_RULE_APPEAL, "exclude", TS_RECTIFYING, REL_SUPERVISOR, COND_APPEAL_PENDING, TS_RECTIFYING },
	{ TA_WITHDRAWAL_CHECK, "voluntary", TS_CLOSED, REL_TRIAGE, COND_WITHDRAWN_UNCHECKED, TS_CLOSED },
	{ TA_WITHDRAWAL_CHECK, "pressed", TS_CLOSED, REL_TRIAGE, COND_WITHDRAWN_UNCHECKED, TS_NEW },
};

Test(lifecycle, outcome_variants_lead_to_their_own_states)
{
	for (size_t i = 0; i < N(outcome_cases); i++) {
		struct lc_decision d = lc_decide(outcome_cases[i].action, outcome_cases[i].outcome, outcome_cases[i].from,
						 TS_IN_PROGRESS, outcome_cases[i].rel, outcome_cases[i].cond);
		cr_expect_eq(d.verdict, LC_OK, "%s %s: %s", action_names[outcome_cases[i].action].name,
			     outcome_cases[i].outcome, verdict_name(d.verdict));
		cr_expect_eq(d.to, outcome_cases[i].to, "%s %s: to %s", action_names[outcome_cases[i].action].name,
			     outcome_cases[i].outcome, ticket_state_name(d.to));
	}
}

Test(lifecycle, unknown_outcome_is_never_ok)
{
	static const char *const unknown[] = { "", "unknown", "Good", "GOOD", "good ", "bad\n", "0", "yes" };
	for (size_t i = 0; i < N(outcome_lists); i++) {
		enum ticket_action a = outcome_lists[i].action;
		for (int s = 0; s < TS__COUNT; s++) {
			for (size_t u = 0; u < N(unknown); u++) {
				struct lc_decision d = lc_decide(a, unknown[u], (enum ticket_state)s, TS_IN_PROGRESS,
								 ALL_RELATIONS, ALL_CONDITIONS);
				cr_expect_neq(d.verdict, LC_OK, "%s \"%s\" from %s", action_names[a].name, unknown[u],
					      state_names[s].name);
			}
			/* nor is another action's outcome */
			for (size_t j = 0; j < N(outcome_lists); j++) {
				for (const char *const *o = outcome_lists[j].outcomes; *o; o++) {
					bool own = false;
					for (const char *const *p = outcome_lists[i].outcomes; *p; p++)
						own |= strcmp(*p, *o) == 0;
					if (own)
						continue;
					struct lc_decision d = lc_decide(a, *o, (enum ticket_state)s, TS_IN_PROGRESS,
									 ALL_RELATIONS, ALL_CONDITIONS);
					cr_expect_neq(d.verdict, LC_OK, "%s \"%s\" from %s", action_names[a].name, *o,
						      state_names[s].name);
				}
			}
		}
	}
}

/* lc_allowed passes no outcome: for an action with outcomes, "may the actor
 * take it at all". Its verdict is the same as with any listed outcome. */
Test(lifecycle, null_outcome_decides_like_any_listed_outcome)
{
	static const unsigned conds[] = { 0, ALL_CONDITIONS };
	for (size_t i = 0; i < N(outcome_lists); i++) {
		enum ticket_action a = outcome_lists[i].action;
		for (int s = 0; s < TS__COUNT; s++) {
			for (unsigned rel = 0; rel <= REL_SYSTEM; rel = rel ? rel << 1 : 1) {
				for (size_t c = 0; c < N(conds); c++) {
					struct lc_decision any = lc_decide(a, NULL, (enum ticket_state)s, TS_NEW, rel, conds[c]);
					for (const char *const *o = outcome_lists[i].outcomes; *o; o++) {
						struct lc_decision d = lc_decide(a, *o, (enum ticket_state)s, TS_NEW, rel, conds[c]);
						cr_expect_eq(any.verdict, d.verdict, "%s from %s rel %#x cond %#x: %s vs %s %s",
							     action_names[a].name, state_names[s].name, rel, conds[c],
							     verdict_name(any.verdict), *o, verdict_name(d.verdict));
					}
				}
			}
		}
	}
}

Test(lifecycle, resume_targets_use_the_resume_state_argument)
{
	for (int resume = 0; resume < TS__COUNT; resume++) {
		struct lc_decision d = lc_decide(TA_SUPPLY, NULL, TS_SUSPENDED, (enum ticket_state)resume, REL_OWNER, 0);
		cr_expect_eq(d.verdict, LC_OK);
		cr_expect_eq(d.to, (enum ticket_state)resume, "supply, resume %s: to %s", state_names[resume].name,
			     ticket_state_name(d.to));
		d = lc_decide(TA_SEND_BACK, NULL, TS_RESOLVED, (enum ticket_state)resume, REL_TRIAGE, 0);
		cr_expect_eq(d.verdict, LC_OK);
		cr_expect_eq(d.to, (enum ticket_state)resume, "send_back, resume %s: to %s", state_names[resume].name,
			     ticket_state_name(d.to));
		/* and a "stay" target ignores it */
		d = lc_decide(TA_NOTE, NULL, TS_SUSPENDED, (enum ticket_state)resume, REL_LEAD_ACTIVE, 0);
		cr_expect_eq(d.to, TS_SUSPENDED);
	}
}

/* Several relations at once: the lead org's row comes before the assisting
 * org's, and the first row that fits decides. */
Test(lifecycle, several_relations_take_the_first_fitting_row)
{
	const unsigned both = REL_LEAD_PENDING | REL_ASSIST_PENDING;
	struct lc_decision d = lc_decide(TA_ACCEPT, NULL, TS_DISPATCHED, TS_NEW, both, 0);
	cr_expect(d.verdict == LC_OK && d.to == TS_IN_PROGRESS);
	d = lc_decide(TA_ACCEPT, NULL, TS_IN_PROGRESS, TS_NEW, both, 0);
	cr_expect(d.verdict == LC_OK && d.to == TS_IN_PROGRESS);
	d = lc_decide(TA_RETURN, NULL, TS_DISPATCHED, TS_NEW, both, 0);
	cr_expect(d.verdict == LC_OK && d.to == TS_RETURNED);
	d = lc_decide(TA_RETURN, NULL, TS_RECTIFYING, TS_NEW, both, 0);
	cr_expect(d.verdict == LC_OK && d.to == TS_RECTIFYING);
	d = lc_decide(TA_ACCEPT, NULL, TS_RESOLVED, TS_NEW, both, 0);
	cr_expect_eq(d.verdict, LC_WRONG_STATE);
	/* standing but the wrong state, versus no standing */
	cr_expect_eq(lc_decide(TA_RATE, "good", TS_NEW, TS_NEW, REL_OWNER, ALL_CONDITIONS).verdict, LC_WRONG_STATE);
	cr_expect_eq(lc_decide(TA_RATE, "good", TS_FEEDBACK, TS_NEW, REL_TRIAGE, ALL_CONDITIONS).verdict,
		     LC_FORBIDDEN);
	/* an unrelated extra relation changes nothing */
	d = lc_decide(TA_RATE, "good", TS_FEEDBACK, TS_NEW, REL_OWNER | REL_SYSTEM, COND_UNRATED);
	cr_expect(d.verdict == LC_OK && d.to == TS_CLOSED);
}

Test(lifecycle, out_of_range_state_or_action_is_forbidden)
{
	static const int bad_states[] = { TS__COUNT, TS__COUNT + 1, 1000, -1 };
	static const int bad_actions[] = { TA__COUNT, TA__COUNT + 1, 1000, -1 };
	for (size_t i = 0; i < N(bad_states); i++)
		for (int a = 0; a < TA__COUNT; a++)
			cr_expect_eq(lc_decide((enum ticket_action)a, NULL, (enum ticket_state)bad_states[i], TS_NEW,
					       ALL_RELATIONS, ALL_CONDITIONS).verdict,
				     LC_FORBIDDEN, "%s from state %d", action_names[a].name, bad_states[i]);
	for (size_t i = 0; i < N(bad_actions); i++)
		for (int s = 0; s < TS__COUNT; s++)
			cr_expect_eq(lc_decide((enum ticket_action)bad_actions[i], NULL, (enum ticket_state)s, TS_NEW,
					       ALL_RELATIONS, ALL_CONDITIONS).verdict,
				     LC_FORBIDDEN, "action %d from %s", bad_actions[i], state_names[s].name);
	cr_expect_eq(lc_allowed(TS__COUNT, ALL_RELATIONS, ALL_CONDITIONS), 0);
}

/* ---- lc_allowed ---- */

/* From the matrix alone: may an actor with these relations (any number of
 * bits) take action a from state s under these conditions? */
static bool matrix_allows(enum ticket_action a, enum ticket_state s, unsigned rel, unsigned cond)
{
	for (size_t i = 0; i < N(matrix); i++) {
		const struct row *r = &matrix[i];
		if (r->action == a && (r->who & rel) && r->to[s] != '.' && !(r->needs & ~cond))
			return true;
	}
	return false;
}

Test(lifecycle, allowed_is_what_decide_and_the_matrix_allow)
{
	/* every relation set; conditions all, none, each alone, all but each */
	unsigned sets[2 + 2 * N_CONDITIONS];
	size_t n = 0;
	sets[n++] = ALL_CONDITIONS;
	sets[n++] = 0;
	for (unsigned bit = 1; bit <= COND_WITHDRAWN_UNCHECKED; bit <<= 1) {
		sets[n++] = bit;
		sets[n++] = ALL_CONDITIONS & ~bit;
	}
	for (int s = 0; s < TS__COUNT; s++) {
		for (unsigned rel = 0; rel <= ALL_RELATIONS; rel++) {
			for (size_t c = 0; c < n; c++) {
				uint64_t got = lc_allowed((enum ticket_state)s, rel, sets[c]);
				uint64_t by_decide = 0, by_matrix = 0;
				for (int a = 0; a < TA__COUNT; a++) {
					if (lc_decide((enum ticket_action)a, NULL, (enum ticket_state)s, (enum ticket_state)s,
						      rel, sets[c]).verdict == LC_OK)
						by_decide |= UINT64_C(1) << a;
					if (matrix_allows((enum ticket_action)a, (enum ticket_state)s, rel, sets[c]))
						by_matrix |= UINT64_C(1) << a;
				}
				if (got != by_decide || got != by_matrix)
					cr_expect_fail("%s, relations %#x, conditions %#x: allowed %#llx, decide %#llx, "
						       "matrix %#llx",
						       state_names[s].name, rel, sets[c], (unsigned long long)got,
						       (unsigned long long)by_decide, (unsigned long long)by_matrix);
			}
		}
	}
}

#define BIT(a) (UINT64_C(1) << (a))

/* A few sets spelt out, as the UI shows them. */
static const struct {
	const char *who;
	enum ticket_state state;
	unsigned rel, cond;
	uint64_t want;
} allowed_cases[] = {
	{ "enterprise, new ticket", TS_NEW, REL_OWNER, COND_RETURN_UNDISPUTED | COND_ASSISTS_SETTLED | COND_UNRATED,
	  BIT(TA_WITHDRAW) },
	{ "enterprise, suspended", TS_SUSPENDED, REL_OWNER, COND_UNRATED, BIT(TA_SUPPLY) | BIT(TA_WITHDRAW) },
	{ "enterprise, feedback unrated", TS_FEEDBACK, REL_OWNER, COND_UNRATED, BIT(TA_RATE) },
	{ "enterprise, feedback rated", TS_FEEDBACK, REL_OWNER, 0, 0 },
	{ "specialist, new", TS_NEW, REL_TRIAGE, COND_RETURN_UNDISPUTED | COND_NO_DISPUTE,
	  BIT(TA_ANSWER) | BIT(TA_DISPATCH) | BIT(TA_REJECT) | BIT(TA_MERGE) },
	{ "specialist, returned undisputed", TS_RETURNED, REL_TRIAGE, COND_RETURN_UNDISPUTED | COND_NO_DISPUTE,
	  BIT(TA_ANSWER) | BIT(TA_DISPATCH) | BIT(TA_REJECT) | BIT(TA_MERGE) | BIT(TA_DISPUTE_RETURN) },
	{ "specialist, resolved", TS_RESOLVED, REL_TRIAGE, 0, BIT(TA_NOTE) | BIT(TA_FEEDBACK) | BIT(TA_SEND_BACK) },
	{ "lead org pending", TS_DISPATCHED, REL_LEAD_PENDING, ALL_CONDITIONS, BIT(TA_ACCEPT) | BIT(TA_RETURN) },
	{ "lead org handling, assists settled", TS_IN_PROGRESS, REL_LEAD_ACTIVE | REL_LEAD_ORG,
	  COND_EXT_REQUESTABLE | COND_ASSISTS_SETTLED,
	  BIT(TA_SUMMON) | BIT(TA_CONTACT) | BIT(TA_NOTE) | BIT(TA_SUSPEND) | BIT(TA_REQUEST_EXTENSION) |
		  BIT(TA_RESOLVE) },
	{ "lead org leader, assists open", TS_IN_PROGRESS, REL_LEAD_ACTIVE | REL_LEAD_ORG | REL_ORG_LEADER,
	  COND_ASSISTS_OPEN,
	  BIT(TA_SUMMON) | BIT(TA_CONTACT) | BIT(TA_NOTE) | BIT(TA_SUSPEND) | BIT(TA_RELEASE) | BIT(TA_REASSIGN) },
	{ "assisting org", TS_IN_PROGRESS, REL_ASSIST_ACTIVE, ALL_CONDITIONS, BIT(TA_NOTE) | BIT(TA_CONTRIBUTE) },
	{ "supervisor, feedback with bad rating", TS_FEEDBACK, REL_SUPERVISOR, COND_BAD_UNRULED,
	  BIT(TA_RULE_RATING) | BIT(TA_SUPERVISE) },
	{ "supervisor, closed", TS_CLOSED, REL_SUPERVISOR, 0, BIT(TA_REOPEN) },
	{ "worker, feedback unrated", TS_FEEDBACK, REL_SYSTEM, COND_UNRATED, BIT(TA_CLOSE_UNRATED) },
	{ "worker, feedback rated", TS_FEEDBACK, REL_SYSTEM, 0, 0 },
	{ "nobody, anywhere", TS_IN_PROGRESS, 0, ALL_CONDITIONS, 0 },
	{ "everyone, merged", TS_MERGED, ALL_RELATIONS, ALL_CONDITIONS, 0 },
};

Test(lifecycle, allowed_sets_spelt_out)
{
	for (size_t i = 0; i < N(allowed_cases); i++) {
		uint64_t got = lc_allowed(allowed_cases[i].state, allowed_cases[i].rel, allowed_cases[i].cond);
		cr_expect_eq(got, allowed_cases[i].want, "%s: %#llx, expected %#llx", allowed_cases[i].who,
			     (unsigned long long)got, (unsigned long long)allowed_cases[i].want);
	}
}

/* ---- lc_relations ---- */

static struct principal make(enum role r, const char *org_path, const char *org_kind, long long enterprise_id)
{
	struct principal p = { .user_id = 7, .role = r, .org_id = 3, .enterprise_id = enterprise_id };
	snprintf(p.org_path, sizeof p.org_path, "%s", org_path);
	snprintf(p.org_kind, sizeof p.org_kind, "%s", org_kind);
	return p;
}

/* A ticket of enterprise 5 in town 1.3 with the given assignments. */
static struct lc_ticket ticket(const struct lc_assignment *a, int n)
{
	struct lc_ticket t;
	memset(&t, 0, sizeof t);
	t.state = TS_IN_PROGRESS;
	t.resume_state = TS_IN_PROGRESS;
	t.enterprise_id = 5;
	t.town_path = "1.3";
	t.assignments = a;
	t.n_assignments = n;
	return t;
}

Test(lifecycle, relations_of_an_enterprise_user)
{
	static const struct {
		long long user_enterprise, ticket_enterprise;
		unsigned want;
	} cases[] = {
		{ 5, 5, REL_OWNER }, { 6, 5, 0 }, { 5, 6, 0 }, { 0, 0, 0 }, { 0, 5, 0 }, { 5, 0, 0 }, { -1, -1, 0 },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct principal p = make(ROLE_ENTERPRISE, "", "", cases[i].user_enterprise);
		struct lc_ticket t = ticket(NULL, 0);
		t.enterprise_id = cases[i].ticket_enterprise;
		cr_expect_eq(lc_relations(&p, &t), cases[i].want, "user of %lld, ticket of %lld", cases[i].user_enterprise,
			     cases[i].ticket_enterprise);
	}
}

Test(lifecycle, only_enterprise_users_own_tickets)
{
	/* an enterprise_id on another role's principal is no ownership */
	struct lc_ticket t = ticket(NULL, 0);
	for (int r = 0; r < ROLE__COUNT; r++) {
		if (r == ROLE_ENTERPRISE)
			continue;
		struct principal p = make((enum role)r, "1.3", "town", 5);
		cr_expect_eq(lc_relations(&p, &t) & REL_OWNER, 0, "%s", role_name((enum role)r));
	}
}

Test(lifecycle, specialists_triage_their_area)
{
	static const struct {
		const char *org_path, *org_kind, *town_path;
		unsigned want;
	} cases[] = {
		/* the center and the district cover every town */
		{ "1.1", "center", "1.3", REL_TRIAGE },
		{ "1.1", "center", "1.30", REL_TRIAGE },
		{ "1.1", "center", "2.7", REL_TRIAGE },
		{ "1.1", "center", NULL, REL_TRIAGE },
		{ "1", "district", "1.3", REL_TRIAGE },
		/* a town covers its own enterprises, offices below it likewise */
		{ "1.3", "town", "1.3", REL_TRIAGE },
		{ "1.3.25", "office", "1.3", REL_TRIAGE },
		{ "1.3.25.7", "office", "1.3", REL_TRIAGE },
		{ "1.3", "town", "1.30", 0 },   /* prefix trap */
		{ "1.30", "town", "1.3", 0 },
		{ "1.30.1", "office", "1.3", 0 },
		{ "1.3", "town", "1.4", 0 },
		{ "1.4.3", "office", "1.3", 0 },
		{ "1.3", "town", "2.1.3", 0 },
		{ "1.3", "town", NULL, 0 },
		{ "1.3", "town", "", 0 },
		{ "", "town", "1.3", 0 },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct principal p = make(ROLE_SPECIALIST, cases[i].org_path, cases[i].org_kind, 0);
		struct lc_ticket t = ticket(NULL, 0);
		t.town_path = cases[i].town_path;
		cr_expect_eq(lc_relations(&p, &t), cases[i].want, "%s specialist at %s, ticket in %s",
			     cases[i].org_kind, cases[i].org_path, str(cases[i].town_path));
	}
}

#define LP REL_LEAD_PENDING
#define LA REL_LEAD_ACTIVE
#define LO REL_LEAD_ORG
#define AP REL_ASSIST_PENDING
#define AA REL_ASSIST_ACTIVE
#define OL REL_ORG_LEADER

/* One assignment, and what a handler and a leader of org `who` get from it. */
static const struct {
	const char *who, *org_path;
	bool lead;
	enum assignment_state state;
	unsigned handler, leader;
} single_assignments[] = {
	/* the lead assignment, to the actor's own org */
	{ "1.5", "1.5", true, AS_PENDING, LP, LP | OL },
	{ "1.5", "1.5", true, AS_ACCEPTED, LA | LO, LA | LO | OL },
	{ "1.5", "1.5", true, AS_DONE, LO, LO },
	{ "1.5", "1.5", true, AS_RETURNED, 0, 0 },
	/* an assisting assignment */
	{ "1.5", "1.5", false, AS_PENDING, AP, AP | OL },
	{ "1.5", "1.5", false, AS_ACCEPTED, AA, AA | OL },
	{ "1.5", "1.5", false, AS_DONE, 0, 0 },
	{ "1.5", "1.5", false, AS_RETURNED, 0, 0 },
	/* the bureau works its offices' assignments ... */
	{ "1.5", "1.5.2", true, AS_ACCEPTED, LA | LO, LA | LO | OL },
	{ "1.5", "1.5.2.9", true, AS_PENDING, LP, LP | OL },
	{ "1.5", "1.5.2", false, AS_PENDING, AP, AP | OL },
	/* ... and an office the bureau's (one line of the tree, either way) */
	{ "1.5.2", "1.5", true, AS_ACCEPTED, LA | LO, LA | LO | OL },
	{ "1.5.2", "1.5", false, AS_ACCEPTED, AA, AA | OL },
	/* unrelated orgs */
	{ "1.5", "1.50", true, AS_ACCEPTED, 0, 0 },
	{ "1.50", "1.5", true, AS_ACCEPTED, 0, 0 },
	{ "1.5", "1.5x", true, AS_ACCEPTED, 0, 0 },
	{ "1.5", "1.6", true, AS_PENDING, 0, 0 },
	{ "1.5", "1.6.5", false, AS_PENDING, 0, 0 },
	{ "1.5", "2.5", true, AS_ACCEPTED, 0, 0 },
	{ "1.5.2", "1.5.3", true, AS_ACCEPTED, 0, 0 },
	{ "1.5", "", true, AS_ACCEPTED, 0, 0 },
	{ "", "1.5", true, AS_ACCEPTED, 0, 0 },
	{ "1.5", NULL, true, AS_ACCEPTED, 0, 0 },
};

Test(lifecycle, bureau_relations_from_one_assignment)
{
	for (size_t i = 0; i < N(single_assignments); i++) {
		struct lc_assignment a = { 1, 9, single_assignments[i].org_path, single_assignments[i].lead,
					   single_assignments[i].state };
		struct lc_ticket t = ticket(&a, 1);
		struct principal handler = make(ROLE_BUREAU_HANDLER, single_assignments[i].who, "bureau", 0);
		struct principal leader = make(ROLE_BUREAU_LEADER, single_assignments[i].who, "bureau", 0);
		unsigned h = lc_relations(&handler, &t), l = lc_relations(&leader, &t);
		cr_expect_eq(h, single_assignments[i].handler, "handler at %s, %s %s at %s: %#x, expected %#x",
			     single_assignments[i].who, single_assignments[i].lead ? "lead" : "assist",
			     assignment_names[single_assignments[i].state].name, str(single_assignments[i].org_path), h,
			     single_assignments[i].handler);
		cr_expect_eq(l, single_assignments[i].leader, "leader at %s, %s %s at %s: %#x, expected %#x",
			     single_assignments[i].who, single_assignments[i].lead ? "lead" : "assist",
			     assignment_names[single_assignments[i].state].name, str(single_assignments[i].org_path), l,
			     single_assignments[i].leader);
	}
}

Test(lifecycle, bureau_relations_add_up_over_assignments)
{
	static const struct lc_assignment other_lead[] = {
		{ 1, 6, "1.6", true, AS_ACCEPTED },
		{ 2, 5, "1.5", false, AS_PENDING },
	};
	static const struct lc_assignment done_lead_and_office_assist[] = {
		{ 1, 5, "1.5", true, AS_DONE },
		{ 2, 52, "1.5.2", false, AS_ACCEPTED },
	};
	static const struct lc_assignment returned_then_redispatched[] = {
		{ 1, 5, "1.5", true, AS_RETURNED },
		{ 2, 5, "1.5", true, AS_PENDING },
	};
	static const struct lc_assignment nothing_of_ours[] = {
		{ 1, 5, "1.5", true, AS_RETURNED },
		{ 2, 7, "1.7", true, AS_PENDING },
		{ 3, 7, "1.7", false, AS_ACCEPTED },
		{ 4, 5, "1.5", false, AS_DONE },
	};
	static const struct {
		const char *what;
		const struct lc_assignment *a;
		int n;
		unsigned handler, leader;
	} cases[] = {
		{ "assisting another org's lead", other_lead, 2, AP, AP | OL },
		{ "lead done, office assisting", done_lead_and_office_assist, 2, LO | AA, LO | AA | OL },
		{ "returned, then dispatched again", returned_then_redispatched, 2, LP, LP | OL },
		{ "nothing open of ours", nothing_of_ours, 4, 0, 0 },
		{ "no assignments", NULL, 0, 0, 0 },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct lc_ticket t = ticket(cases[i].a, cases[i].n);
		struct principal handler = make(ROLE_BUREAU_HANDLER, "1.5", "bureau", 0);
		struct principal leader = make(ROLE_BUREAU_LEADER, "1.5", "bureau", 0);
		cr_expect_eq(lc_relations(&handler, &t), cases[i].handler, "handler: %s", cases[i].what);
		cr_expect_eq(lc_relations(&leader, &t), cases[i].leader, "leader: %s", cases[i].what);
	}
}

Test(lifecycle, org_leader_is_only_a_bureau_leader_with_an_open_assignment)
{
	const struct lc_assignment open[] = { { 1, 5, "1.5", true, AS_ACCEPTED }, { 2, 5, "1.5", false, AS_PENDING } };
	struct lc_ticket t = ticket(open, 2);
	for (int r = 0; r < ROLE__COUNT; r++) {
		struct principal p = make((enum role)r, "1.5", "bureau", 5);
		unsigned want = r == ROLE_BUREAU_LEADER ? REL_ORG_LEADER : 0;
		cr_expect_eq(lc_relations(&p, &t) & REL_ORG_LEADER, want, "%s", role_name((enum role)r));
	}
}

Test(lifecycle, supervisor_watchers_admin_and_worker)
{
	const struct lc_assignment ours[] = { { 1, 3, "1.3", true, AS_ACCEPTED }, { 2, 3, "1.3", false, AS_PENDING } };
	struct lc_ticket t = ticket(ours, 2);
	/* the supervisor relates to every ticket, wherever it is */
	struct principal sup = make(ROLE_SUPERVISOR, "1.2", "district", 0);
	cr_expect_eq(lc_relations(&sup, &t), REL_SUPERVISOR);
	struct lc_ticket bare = ticket(NULL, 0);
	bare.town_path = NULL;
	bare.enterprise_id = 0;
	cr_expect_eq(lc_relations(&sup, &bare), REL_SUPERVISOR);
	/* read-only roles and the admin have no standing, even in the org and
	 * the enterprise of the ticket */
	static const enum role none[] = { ROLE_LEADER, ROLE_TOWN_VIEWER, ROLE_ADMIN };
	for (size_t i = 0; i < N(none); i++) {
		struct principal p = make(none[i], "1.3", "town", 5);
		cr_expect_eq(lc_relations(&p, &t), 0, "%s", role_name(none[i]));
	}
	struct principal odd = make(ROLE__COUNT, "1.3", "town", 5);
	cr_expect_eq(lc_relations(&odd, &t), 0);
	/* no principal: the worker */
	cr_expect_eq(lc_relations(NULL, &t), REL_SYSTEM);
	cr_expect_eq(lc_relations(NULL, &bare), REL_SYSTEM);
}

Test(lifecycle, org_related_is_one_line_of_the_tree)
{
	static const struct {
		const char *a, *b;
		bool want;
	} cases[] = {
		{ "1.5", "1.5", true },    { "1.5", "1.5.2", true }, { "1.5.2", "1.5", true },   { "1", "1.5.2", true },
		{ "1.5", "1.50", false },  { "1.50", "1.5", false }, { "1.5.2", "1.5.3", false }, { "1.5", "1.6", false },
		{ "1.5", "2.1.5", false }, { "", "1.5", false },     { "1.5", NULL, false },      { NULL, NULL, false },
	};
	for (size_t i = 0; i < N(cases); i++)
		cr_expect_eq(lc_org_related(cases[i].a, cases[i].b), cases[i].want, "\"%s\" ~ \"%s\"", str(cases[i].a),
			     str(cases[i].b));
}

/* ---- lc_conditions ---- */

/* The condition bits of a ticket with no facts set. */
#define QUIET (COND_RETURN_UNDISPUTED | COND_NO_DISPUTE | COND_ASSISTS_SETTLED | COND_UNRATED)

Test(lifecycle, conditions_of_a_quiet_ticket)
{
	struct lc_ticket t = ticket(NULL, 0);
	cr_expect_eq(lc_conditions(&t), QUIET);
}

Test(lifecycle, conditions_return_disputed)
{
	struct lc_ticket t = ticket(NULL, 0);
	t.return_disputed = true;
	cr_expect_eq(lc_conditions(&t), (QUIET & ~(COND_RETURN_UNDISPUTED | COND_NO_DISPUTE)) | COND_RETURN_DISPUTED);
}

Test(lifecycle, conditions_return_ruled_on_is_closed_to_dispute)
{
	struct lc_ticket t = ticket(NULL, 0);
	t.return_ruled = true;
	cr_expect_eq(lc_conditions(&t), QUIET & ~COND_RETURN_UNDISPUTED, "an upheld return cannot be disputed again");
	t.return_disputed = true; /* cannot happen, but disputed wins */
	cr_expect_eq(lc_conditions(&t), (QUIET & ~(COND_RETURN_UNDISPUTED | COND_NO_DISPUTE)) | COND_RETURN_DISPUTED);
}

Test(lifecycle, conditions_extensions)
{
	static const struct {
		bool pending;
		int used, cap;
		unsigned want;
	} cases[] = {
		{ false, 0, 2, COND_EXT_REQUESTABLE }, { false, 1, 2, COND_EXT_REQUESTABLE }, { false, 2, 2, 0 },
		{ false, 3, 2, 0 },                    { false, 0, 0, 0 },                    { false, 0, 1, COND_EXT_REQUESTABLE },
		{ true, 1, 2, COND_EXT_PENDING },      { true, 2, 2, COND_EXT_PENDING },      { true, 0, 0, COND_EXT_PENDING },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct lc_ticket t = ticket(NULL, 0);
		t.extension_pending = cases[i].pending;
		t.extensions_used = cases[i].used;
		t.extension_cap = cases[i].cap;
		cr_expect_eq(lc_conditions(&t), QUIET | cases[i].want, "pending %d, %d of %d", cases[i].pending,
			     cases[i].used, cases[i].cap);
	}
}

Test(lifecycle, conditions_assisting_orgs)
{
	static const struct {
		bool lead;
		enum assignment_state state;
	} asg[] = { { false, AS_PENDING }, { false, AS_ACCEPTED }, { false, AS_DONE }, { false, AS_RETURNED },
		    { true, AS_PENDING },  { true, AS_ACCEPTED },  { true, AS_DONE },  { true, AS_RETURNED } };
	/* open: assisting and pending or accepted; lead ones never count */
	static const bool open[] = { true, true, false, false, false, false, false, false };
	/* every pair of assignments */
	for (size_t i = 0; i < N(asg); i++) {
		for (size_t j = 0; j < N(asg); j++) {
			const struct lc_assignment a[] = { { 1, 5, "1.5", asg[i].lead, asg[i].state },
							   { 2, 6, "1.6", asg[j].lead, asg[j].state } };
			for (int n = 1; n <= 2; n++) {
				struct lc_ticket t = ticket(a, n);
				bool want_open = open[i] || (n == 2 && open[j]);
				unsigned got = lc_conditions(&t) & (COND_ASSISTS_OPEN | COND_ASSISTS_SETTLED);
				cr_expect_eq(got, want_open ? COND_ASSISTS_OPEN : COND_ASSISTS_SETTLED,
					     "%s %s%s%s %s", asg[i].lead ? "lead" : "assist", assignment_names[asg[i].state].name,
					     n == 2 ? ", " : "", n == 2 ? (asg[j].lead ? "lead" : "assist") : "",
					     n == 2 ? assignment_names[asg[j].state].name : "");
			}
		}
	}
}

Test(lifecycle, conditions_rating_round)
{
	struct lc_ticket t = ticket(NULL, 0);
	t.rated_this_round = true;
	cr_expect_eq(lc_conditions(&t), QUIET & ~COND_UNRATED);
}

Test(lifecycle, conditions_last_rating)
{
	const unsigned mask = COND_BAD_UNRULED | COND_APPEALABLE;
	for (int score = 0; score <= 5; score++) {
		bool bad = score == 1 || score == 2; /* 不满意, 非常不满意 */
		for (int ruled = 0; ruled <= 1; ruled++) {
			for (int appealed = 0; appealed <= 1; appealed++) {
				struct lc_ticket t = ticket(NULL, 0);
				t.rated_this_round = true;
				t.last_rating = score;
				t.last_rating_ruled = ruled;
				t.last_rating_appealed = appealed;
				unsigned want = (bad && !ruled ? COND_BAD_UNRULED : 0) | (bad && !appealed ? COND_APPEALABLE : 0);
				unsigned got = lc_conditions(&t);
				cr_expect_eq(got & mask, want, "score %d ruled %d appealed %d: %#x", score, ruled, appealed, got);
				cr_expect_eq(got & ~mask, QUIET & ~COND_UNRATED, "score %d: other bits %#x", score, got);
			}
		}
	}
}

Test(lifecycle, conditions_appeal_and_withdrawal)
{
	struct lc_ticket t = ticket(NULL, 0);
	t.appeal_pending = true;
	cr_expect_eq(lc_conditions(&t), QUIET | COND_APPEAL_PENDING);
	for (int withdrawn = 0; withdrawn <= 1; withdrawn++) {
		for (int checked = 0; checked <= 1; checked++) {
			t = ticket(NULL, 0);
			t.withdrawn = withdrawn;
			t.withdrawal_checked = checked;
			unsigned want = withdrawn && !checked ? COND_WITHDRAWN_UNCHECKED : 0;
			cr_expect_eq(lc_conditions(&t), QUIET | want, "withdrawn %d checked %d", withdrawn, checked);
		}
	}
}

Test(lifecycle, condition_messages)
{
	const char *fallback = lc_condition_message(0);
	cr_expect(zh_has_han(fallback), "for 0: \"%s\"", fallback);
	for (unsigned bit = 1; bit <= COND_WITHDRAWN_UNCHECKED; bit <<= 1) {
		const char *m = lc_condition_message(bit);
		cr_expect(zh_has_han(m), "bit %#x: \"%s\"", bit, m);
		cr_expect_str_neq(m, fallback, "bit %#x has no message of its own", bit);
		for (unsigned other = 1; other < bit; other <<= 1)
			cr_expect_str_neq(m, lc_condition_message(other), "bits %#x and %#x", bit, other);
		/* several missing: the first (lowest) bit speaks */
		cr_expect_str_eq(lc_condition_message(bit | (ALL_CONDITIONS & ~(2 * bit - 1))), m, "bit %#x and above", bit);
	}
	cr_expect_str_eq(lc_condition_message(1u << 20), fallback);
}

/* ---- ticket scope and personal data ---- */

Test(lifecycle, ticket_scope_and_personal_data_per_role)
{
	static const struct {
		enum role role;
		const char *org_kind;
		long long enterprise_id;
		enum ticket_scope scope;
		const char *scope_name;
		bool personal;
	} cases[] = {
		{ ROLE_ENTERPRISE, "", 5, TSCOPE_ENTERPRISE, "enterprise", true },
		{ ROLE_ENTERPRISE, "", 0, TSCOPE_NONE, "none", true },
		{ ROLE_SPECIALIST, "center", 0, TSCOPE_ALL, "all", true },
		{ ROLE_SPECIALIST, "district", 0, TSCOPE_ALL, "all", true },
		{ ROLE_SPECIALIST, "town", 0, TSCOPE_TOWN, "town", true },
		{ ROLE_SPECIALIST, "office", 0, TSCOPE_TOWN, "town", true },
		{ ROLE_BUREAU_HANDLER, "bureau", 0, TSCOPE_ORG, "org", true },
		{ ROLE_BUREAU_LEADER, "bureau", 0, TSCOPE_ORG, "org", true },
		{ ROLE_SUPERVISOR, "district", 0, TSCOPE_ALL, "all", true },
		{ ROLE_LEADER, "district", 0, TSCOPE_ALL, "all", true },
		{ ROLE_TOWN_VIEWER, "town", 0, TSCOPE_TOWN, "town", false },
		{ ROLE_ADMIN, "district", 0, TSCOPE_NONE, "none", true },
	};
	bool seen[ROLE__COUNT] = { false };
	for (size_t i = 0; i < N(cases); i++) {
		struct principal p = make(cases[i].role, "1.3", cases[i].org_kind, cases[i].enterprise_id);
		enum ticket_scope s = ticket_scope_of(&p);
		cr_expect_eq(s, cases[i].scope, "%s (%s): %s", role_name(cases[i].role), cases[i].org_kind,
			     ticket_scope_name(s));
		cr_expect_str_eq(ticket_scope_name(s), cases[i].scope_name);
		cr_expect_eq(ticket_sees_personal_data(&p), cases[i].personal, "%s", role_name(cases[i].role));
		seen[cases[i].role] = true;
	}
	for (int r = 0; r < ROLE__COUNT; r++)
		cr_expect(seen[r], "role %s missing from the table", role_name((enum role)r));
	struct principal odd = make(ROLE__COUNT, "1.3", "town", 0);
	cr_expect_eq(ticket_scope_of(&odd), TSCOPE_NONE);
	cr_expect_str_eq(ticket_scope_name((enum ticket_scope)99), "none");
	cr_expect_str_eq(ticket_scope_name((enum ticket_scope)-1), "none");
}
