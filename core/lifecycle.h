/*
 * lifecycle: the ticket state machine (DESIGN.md §3). The one definition of
 * which action is allowed from which state, by whom, and where it leads.
 * The server and the worker both decide through lc_decide(); the UI's
 * "allowed actions" come from lc_allowed(), so it never offers what the
 * server would refuse.
 *
 * A decision takes three inputs, all computed here from plain facts:
 *   - the ticket's state;
 *   - the actor's relations to the ticket (owner enterprise, triage
 *     specialist, member of the pending lead org, ...), from the actor's role
 *     and org and the ticket's assignments (lc_relations);
 *   - conditions on the ticket (an extension request is pending, every
 *     assisting org has settled, ...), from its facts (lc_conditions).
 * The rules table (lifecycle.c) lists, per action, the states it may start
 * from, the relations that may take it, the conditions it needs, and the
 * state it leads to. Actions with a decision ("force" or "uphold" a return; "exclude" or "dismiss" an appeal)
 * have one row per outcome.
 */
#ifndef SUQIU_CORE_LIFECYCLE_H
#define SUQIU_CORE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/authz.h"

enum ticket_state {
	TS_NEW,         /* 待分派 */
	TS_ANSWERED,    /* 直接答复 */
	TS_DISPATCHED,  /* 待签收 */
	TS_RETURNED,    /* 已退回 */
	TS_IN_PROGRESS, /* 处置中 */
	TS_SUSPENDED,   /* 挂起 */
	TS_RESOLVED,    /* 已办结 */
	TS_FEEDBACK,    /* 已反馈/待评价 */
	TS_CLOSED,      /* 已关闭 */
	TS_RECTIFYING,  /* 整改中 */
	TS_REJECTED,    /* 不予受理 */
	TS_MERGED,      /* 已合并 */
	TS__COUNT
};

enum ticket_action {
	/* triage (specialist) */
	TA_ANSWER, TA_DISPATCH, TA_REJECT, TA_MERGE, TA_SUMMON, TA_DISPUTE_RETURN,
	/* handling (the assigned org) */
	TA_ACCEPT, TA_RETURN, TA_CONTACT, TA_NOTE, TA_SUSPEND, TA_REQUEST_EXTENSION,
	TA_CONTRIBUTE, TA_RELEASE, TA_RESOLVE, TA_REASSIGN, TA_APPEAL,
	/* enterprise */
	TA_SUPPLY, TA_WITHDRAW, TA_RATE,
	/* specialist after resolution */
	TA_FEEDBACK, TA_SEND_BACK, TA_WITHDRAWAL_CHECK,
	/* supervisor */
	TA_APPROVE_EXTENSION, TA_DENY_EXTENSION, TA_ADJUDICATE_RETURN, TA_RULE_RATING,
	TA_RULE_APPEAL, TA_SUPERVISE, TA_REOPEN,
	/* the worker (SLA issue) */
	TA_CLOSE_UNRATED,
	TA__COUNT
};

enum assignment_state { AS_PENDING, AS_ACCEPTED, AS_RETURNED, AS_DONE, AS__COUNT };

/* The actor's relations to a ticket (bits). */
enum lc_relation {
	REL_OWNER          = 1u << 0, /* a user of the ticket's enterprise */
	REL_TRIAGE         = 1u << 1, /* a specialist whose area covers the ticket */
	REL_SUPERVISOR     = 1u << 2, /* the district's supervision office */
	REL_LEAD_PENDING   = 1u << 3, /* handler/leader of the lead org, not yet accepted */
	REL_LEAD_ACTIVE    = 1u << 4, /* handler/leader of the lead org, accepted */
	REL_LEAD_ORG       = 1u << 5, /* handler/leader of the org that handled the lead (accepted or done) */
	REL_ASSIST_PENDING = 1u << 6, /* handler/leader of an assisting org, not yet accepted */
	REL_ASSIST_ACTIVE  = 1u << 7, /* handler/leader of an assisting org, accepted */
	REL_ORG_LEADER     = 1u << 8, /* leader of an org with a pending or accepted assignment */
	REL_SYSTEM         = 1u << 9, /* suqiu-worker */
};

/* Conditions on a ticket (bits). */
enum lc_condition {
	COND_RETURN_UNDISPUTED = 1u << 0, /* the last return is open to dispute: not disputed nor ruled on */
	COND_RETURN_DISPUTED   = 1u << 1, /* ... and has, awaiting the supervisor */
	COND_EXT_REQUESTABLE   = 1u << 2, /* no request pending and the cap not reached */
	COND_EXT_PENDING       = 1u << 3, /* an extension request awaits a ruling */
	COND_ASSISTS_SETTLED   = 1u << 4, /* every assisting org contributed, returned or was released */
	COND_ASSISTS_OPEN      = 1u << 5, /* some assisting org has not */
	COND_UNRATED           = 1u << 6, /* the enterprise has not rated this feedback round */
	COND_BAD_UNRULED       = 1u << 7, /* a bad rating (≤ 2) awaits the supervisor's ruling */
	COND_APPEALABLE        = 1u << 8, /* the latest rating is bad and was never appealed */
	COND_APPEAL_PENDING    = 1u << 9, /* an appeal awaits the supervisor */
	COND_WITHDRAWN_UNCHECKED = 1u << 10, /* withdrawn, no quality check recorded yet */
	COND_NO_DISPUTE        = 1u << 11, /* no return awaits the supervisor's ruling (triage waits for it) */
};

/* One assignment of a ticket, as far as decisions need it. */
struct lc_assignment {
	long long id;
	long long org_id;
	const char *org_path;
	bool lead;
	enum assignment_state state;
};

/* The facts about a ticket that decisions depend on. */
struct lc_ticket {
	enum ticket_state state;
	enum ticket_state resume_state; /* where supply / send_back return to */
	long long enterprise_id;
	const char *town_path;          /* org path of the enterprise's town */
	const struct lc_assignment *assignments;
	int n_assignments;
	bool return_disputed;
	bool return_ruled;              /* the supervisor upheld the last return */
	bool withdrawn;                 /* closed by a withdrawal */
	bool withdrawal_checked;
	int extensions_used;            /* approved or pending */
	int extension_cap;
	bool extension_pending;
	bool rated_this_round;
	int last_rating;                /* score of the latest rating, 0 = none */
	bool last_rating_ruled;
	bool last_rating_appealed;
	bool appeal_pending;
};

enum lc_verdict {
	LC_OK,
	LC_FORBIDDEN,   /* the actor has no standing for this action on this ticket */
	LC_WRONG_STATE, /* the actor could, but not from the ticket's state */
	LC_CONDITION,   /* state and actor fit; a condition fails (see failed) */
};

struct lc_decision {
	enum lc_verdict verdict;
	enum ticket_state to;   /* on LC_OK */
	unsigned failed;        /* on LC_CONDITION: the missing condition bits */
};

/* Names: the API's English identifiers and the users' Chinese labels. */
const char *ticket_state_name(enum ticket_state s);
const char *ticket_state_label(enum ticket_state s);
bool ticket_state_parse(const char *name, enum ticket_state *out);
const char *ticket_action_name(enum ticket_action a);
const char *ticket_action_label(enum ticket_action a);
bool ticket_action_parse(const char *name, enum ticket_action *out);
const char *assignment_state_name(enum assignment_state s);
bool assignment_state_parse(const char *name, enum assignment_state *out);

/* True when org paths a and b lie on one line of the tree (one inside the
 * other): a bureau's people work the bureau's and its offices' assignments. */
bool lc_org_related(const char *a, const char *b);

/* who NULL = the worker (REL_SYSTEM). */
unsigned lc_relations(const struct principal *who, const struct lc_ticket *t);
unsigned lc_conditions(const struct lc_ticket *t);

/* The outcomes an action takes in its payload, NULL-terminated, or NULL
 * when the action has none. */
const char *const *lc_outcomes(enum ticket_action a);

/* Decides action (with outcome, NULL for actions without one). */
struct lc_decision lc_decide(enum ticket_action a, const char *outcome, enum ticket_state state,
			     enum ticket_state resume_state, unsigned relations, unsigned conditions);

/* A zh-CN sentence for the first condition in failed (lc_decision.failed). */
const char *lc_condition_message(unsigned failed);

/* Bit (1 << action) set for every action the actor may take now. */
uint64_t lc_allowed(enum ticket_state state, unsigned relations, unsigned conditions);

/* Which tickets a principal may read at all (lists and single reads). */
enum ticket_scope {
	TSCOPE_NONE,       /* none */
	TSCOPE_ALL,        /* every ticket of the district */
	TSCOPE_ENTERPRISE, /* its enterprise's tickets */
	TSCOPE_TOWN,       /* tickets of enterprises in the principal's town */
	TSCOPE_ORG,        /* tickets its org is or was assigned to */
};
enum ticket_scope ticket_scope_of(const struct principal *who);
const char *ticket_scope_name(enum ticket_scope s);
/* Whether who may read a ticket of enterprise_id, whose enterprise sits in
 * the town at town_path, and to which the orgs at org_paths[0..n) are or
 * were assigned. The same rule as SQL_TICKET_SCOPE (server/tickets.h),
 * for events that arrive outside SQL (live updates). */
bool ticket_scope_admits(const struct principal *who, long long enterprise_id, const char *town_path,
			 const char *const *org_paths, int n);
/* Whether contact names and phones are shown to this principal unmasked. */
bool ticket_sees_personal_data(const struct principal *who);

#endif
