/* lifecycle: the ticket state machine; see lifecycle.h. */
#include "core/lifecycle.h"

#include <string.h>

static const struct {
	const char *name;
	const char *label;
} states[TS__COUNT] = {
	[TS_NEW] = { "new", "待分派" },
	[TS_ANSWERED] = { "answered", "直接答复" },
	[TS_DISPATCHED] = { "dispatched", "待签收" },
	[TS_RETURNED] = { "returned", "已退回" },
	[TS_IN_PROGRESS] = { "in_progress", "处置中" },
	[TS_SUSPENDED] = { "suspended", "挂起" },
	[TS_RESOLVED] = { "resolved", "已办结" },
	[TS_FEEDBACK] = { "feedback", "待评价" },
	[TS_CLOSED] = { "closed", "已关闭" },
	[TS_RECTIFYING] = { "rectifying", "整改中" },
	[TS_REJECTED] = { "rejected", "不予受理" },
	[TS_MERGED] = { "merged", "已合并" },
};

static const struct {
	const char *name;
	const char *label;
} actions[TA__COUNT] = {
	[TA_ANSWER] = { "answer", "直接答复" },
	[TA_DISPATCH] = { "dispatch", "分派" },
	[TA_REJECT] = { "reject", "不予受理" },
	[TA_MERGE] = { "merge", "合并" },
	[TA_SUMMON] = { "summon", "吹哨报到" },
	[TA_DISPUTE_RETURN] = { "dispute_return", "提请审定退回" },
	[TA_ACCEPT] = { "accept", "签收" },
	[TA_RETURN] = { "return", "退回" },
	[TA_CONTACT] = { "contact", "联系企业" },
	[TA_NOTE] = { "note", "办理进展" },
	[TA_SUSPEND] = { "suspend", "挂起" },
	[TA_REQUEST_EXTENSION] = { "request_extension", "申请延期" },
	[TA_CONTRIBUTE] = { "contribute", "协办意见" },
	[TA_RELEASE] = { "release", "解除协办" },
	[TA_RESOLVE] = { "resolve", "办结" },
	[TA_REASSIGN] = { "reassign", "改派承办人" },
	[TA_APPEAL] = { "appeal", "申诉复核" },
	[TA_SUPPLY] = { "supply", "补充材料" },
	[TA_WITHDRAW] = { "withdraw", "撤回" },
	[TA_RATE] = { "rate", "评价" },
	[TA_FEEDBACK] = { "feedback", "反馈结果" },
	[TA_SEND_BACK] = { "send_back", "退回重办" },
	[TA_WITHDRAWAL_CHECK] = { "withdrawal_check", "撤单质检" },
	[TA_APPROVE_EXTENSION] = { "approve_extension", "批准延期" },
	[TA_DENY_EXTENSION] = { "deny_extension", "驳回延期" },
	[TA_ADJUDICATE_RETURN] = { "adjudicate_return", "审定退回" },
	[TA_RULE_RATING] = { "rule_rating", "差评处理" },
	[TA_RULE_APPEAL] = { "rule_appeal", "申诉裁定" },
	[TA_SUPERVISE] = { "supervise", "督办" },
	[TA_REOPEN] = { "reopen", "重新打开" },
	[TA_CLOSE_UNRATED] = { "close_unrated", "逾期未评价关闭" },
};

static const char *const assignment_states[AS__COUNT] = {
	[AS_PENDING] = "pending", [AS_ACCEPTED] = "accepted", [AS_RETURNED] = "returned", [AS_DONE] = "done",
};

#define S(x) (1u << (TS_##x))
/* the states in which a ticket is being worked on by orgs */
#define WORKING (S(DISPATCHED) | S(IN_PROGRESS) | S(SUSPENDED) | S(RECTIFYING))
/* every state that is not final */
#define OPEN (S(NEW) | S(RETURNED) | WORKING | S(RESOLVED) | S(FEEDBACK))
#define HANDLER (REL_LEAD_ACTIVE)

enum { TO_SAME = TS__COUNT, TO_RESUME };

struct rule {
	enum ticket_action action;
	const char *outcome; /* NULL: the action takes no outcome */
	unsigned from;       /* S() bits */
	unsigned who;        /* REL_ bits, any of */
	unsigned needs;      /* COND_ bits, all of */
	int to;              /* a state, TO_SAME or TO_RESUME */
};

/*
 * The rules. Read a row as: <action> [<outcome>] from <states> by <relations>
 * when <conditions> leads to <state>. The first row that fits decides.
 */
static const struct rule rules[] = {
	/* triage */
	/* while a disputed return awaits the supervisor, the specialist waits too */
	{ TA_ANSWER, NULL, S(NEW) | S(RETURNED), REL_TRIAGE, COND_NO_DISPUTE, TS_ANSWERED },
	{ TA_DISPATCH, NULL, S(NEW) | S(RETURNED), REL_TRIAGE, COND_NO_DISPUTE, TS_DISPATCHED },
	{ TA_REJECT, NULL, S(NEW) | S(RETURNED), REL_TRIAGE, COND_NO_DISPUTE, TS_REJECTED },
	{ TA_REJECT, NULL, S(NEW) | S(RETURNED), REL_SUPERVISOR, 0, TS_REJECTED },
	{ TA_MERGE, NULL, S(NEW) | S(RETURNED) | S(DISPATCHED), REL_TRIAGE, COND_NO_DISPUTE, TS_MERGED },
	{ TA_MERGE, NULL, S(NEW) | S(RETURNED) | S(DISPATCHED), REL_SUPERVISOR, 0, TS_MERGED },
	{ TA_SUMMON, NULL, WORKING, REL_TRIAGE | REL_LEAD_ACTIVE, 0, TO_SAME },
	{ TA_DISPUTE_RETURN, NULL, S(RETURNED), REL_TRIAGE, COND_RETURN_UNDISPUTED, TO_SAME },

	/* handling: the lead org row first, then the assisting org row */
	{ TA_ACCEPT, NULL, S(DISPATCHED), REL_LEAD_PENDING, 0, TS_IN_PROGRESS },
	{ TA_ACCEPT, NULL, WORKING, REL_ASSIST_PENDING, 0, TO_SAME },
	{ TA_RETURN, NULL, S(DISPATCHED), REL_LEAD_PENDING, 0, TS_RETURNED },
	{ TA_RETURN, NULL, WORKING, REL_ASSIST_PENDING, 0, TO_SAME },
	/* contact also while suspended: it is how the handler chases the missing information */
	{ TA_CONTACT, NULL, S(IN_PROGRESS) | S(SUSPENDED) | S(RECTIFYING), HANDLER, 0, TO_SAME },
	{ TA_NOTE, NULL, WORKING | S(RESOLVED), HANDLER | REL_ASSIST_ACTIVE | REL_TRIAGE, 0, TO_SAME },
	{ TA_SUSPEND, NULL, S(IN_PROGRESS) | S(RECTIFYING), HANDLER, 0, TS_SUSPENDED },
	{ TA_REQUEST_EXTENSION, NULL, S(IN_PROGRESS) | S(SUSPENDED) | S(RECTIFYING), HANDLER,
	  COND_EXT_REQUESTABLE, TO_SAME },
	{ TA_CONTRIBUTE, NULL, WORKING, REL_ASSIST_ACTIVE, 0, TO_SAME },
	{ TA_RELEASE, NULL, WORKING, HANDLER, COND_ASSISTS_OPEN, TO_SAME },
	{ TA_RESOLVE, NULL, S(IN_PROGRESS) | S(RECTIFYING), HANDLER, COND_ASSISTS_SETTLED, TS_RESOLVED },
	{ TA_REASSIGN, NULL, WORKING, REL_ORG_LEADER, 0, TO_SAME },
	{ TA_APPEAL, NULL, S(FEEDBACK) | S(CLOSED) | S(RECTIFYING) | S(RESOLVED), REL_LEAD_ORG, COND_APPEALABLE,
	  TO_SAME },

	/* enterprise */
	{ TA_SUPPLY, NULL, S(SUSPENDED), REL_OWNER, 0, TO_RESUME },
	{ TA_WITHDRAW, NULL, S(NEW) | S(RETURNED) | S(DISPATCHED) | S(IN_PROGRESS) | S(SUSPENDED), REL_OWNER, 0,
	  TS_CLOSED },
	{ TA_RATE, "good", S(FEEDBACK), REL_OWNER, COND_UNRATED, TS_CLOSED },
	{ TA_RATE, "bad", S(FEEDBACK), REL_OWNER, COND_UNRATED, TO_SAME },

	/* specialist after resolution */
	{ TA_FEEDBACK, NULL, S(RESOLVED), REL_TRIAGE, 0, TS_FEEDBACK },
	{ TA_SEND_BACK, NULL, S(RESOLVED), REL_TRIAGE, 0, TO_RESUME },
	{ TA_WITHDRAWAL_CHECK, "voluntary", S(CLOSED), REL_TRIAGE, COND_WITHDRAWN_UNCHECKED, TO_SAME },
	{ TA_WITHDRAWAL_CHECK, "pressed", S(CLOSED), REL_TRIAGE, COND_WITHDRAWN_UNCHECKED, TS_NEW },

	/* supervisor */
	{ TA_APPROVE_EXTENSION, NULL, OPEN, REL_SUPERVISOR, COND_EXT_PENDING, TO_SAME },
	{ TA_DENY_EXTENSION, NULL, OPEN, REL_SUPERVISOR, COND_EXT_PENDING, TO_SAME },
	{ TA_ADJUDICATE_RETURN, "uphold", S(RETURNED), REL_SUPERVISOR, COND_RETURN_DISPUTED, TO_SAME },
	{ TA_ADJUDICATE_RETURN, "force", S(RETURNED), REL_SUPERVISOR, COND_RETURN_DISPUTED, TS_DISPATCHED },
	{ TA_RULE_RATING, "rectify", S(FEEDBACK), REL_SUPERVISOR, COND_BAD_UNRULED, TS_RECTIFYING },
	{ TA_RULE_RATING, "close", S(FEEDBACK), REL_SUPERVISOR, COND_BAD_UNRULED, TS_CLOSED },
	{ TA_RULE_APPEAL, "exclude", OPEN | S(CLOSED), REL_SUPERVISOR, COND_APPEAL_PENDING, TO_SAME },
	{ TA_RULE_APPEAL, "dismiss", OPEN | S(CLOSED), REL_SUPERVISOR, COND_APPEAL_PENDING, TO_SAME },
	{ TA_SUPERVISE, NULL, OPEN, REL_SUPERVISOR, 0, TO_SAME },
	{ TA_REOPEN, NULL, S(CLOSED) | S(REJECTED) | S(ANSWERED), REL_SUPERVISOR, 0, TS_NEW },

	/* the worker: the rating window passed */
	{ TA_CLOSE_UNRATED, NULL, S(FEEDBACK), REL_SYSTEM, COND_UNRATED, TS_CLOSED },
};
#define N_RULES (sizeof rules / sizeof rules[0])

const char *ticket_state_name(enum ticket_state s)
{
	return (unsigned)s < TS__COUNT ? states[s].name : "?";
}

const char *ticket_state_label(enum ticket_state s)
{
	return (unsigned)s < TS__COUNT ? states[s].label : "?";
}

bool ticket_state_parse(const char *name, enum ticket_state *out)
{
	for (int s = 0; name && s < TS__COUNT; s++) {
		if (strcmp(states[s].name, name) == 0) {
			*out = (enum ticket_state)s;
			return true;
		}
	}
	return false;
}

const char *ticket_action_name(enum ticket_action a)
{
	return (unsigned)a < TA__COUNT ? actions[a].name : "?";
}

const char *ticket_action_label(enum ticket_action a)
{
	return (unsigned)a < TA__COUNT ? actions[a].label : "?";
}

bool ticket_action_parse(const char *name, enum ticket_action *out)
{
	for (int a = 0; name && a < TA__COUNT; a++) {
		if (strcmp(actions[a].name, name) == 0) {
			*out = (enum ticket_action)a;
			return true;
		}
	}
	return false;
}

const char *assignment_state_name(enum assignment_state s)
{
	return (unsigned)s < AS__COUNT ? assignment_states[s] : "?";
}

bool assignment_state_parse(const char *name, enum assignment_state *out)
{
	for (int s = 0; name && s < AS__COUNT; s++) {
		if (strcmp(assignment_states[s], name) == 0) {
			*out = (enum assignment_state)s;
			return true;
		}
	}
	return false;
}

bool lc_org_related(const char *a, const char *b)
{
	return authz_path_within(a, b) || authz_path_within(b, a);
}

static bool is_center(const struct principal *who)
{
	return strcmp(who->org_kind, "center") == 0 || strcmp(who->org_kind, "district") == 0;
}

unsigned lc_relations(const struct principal *who, const struct lc_ticket *t)
{
	if (!who)
		return REL_SYSTEM;
	unsigned rel = 0;
	switch (who->role) {
	case ROLE_ENTERPRISE:
		if (who->enterprise_id > 0 && who->enterprise_id == t->enterprise_id)
			rel |= REL_OWNER;
		break;
	case ROLE_SPECIALIST:
		if (is_center(who) || lc_org_related(who->org_path, t->town_path))
			rel |= REL_TRIAGE;
		break;
	case ROLE_SUPERVISOR:
		rel |= REL_SUPERVISOR;
		break;
	case ROLE_BUREAU_HANDLER:
	case ROLE_BUREAU_LEADER:
		for (int i = 0; i < t->n_assignments; i++) {
			const struct lc_assignment *a = &t->assignments[i];
			if (!lc_org_related(who->org_path, a->org_path))
				continue;
			bool open = a->state == AS_PENDING || a->state == AS_ACCEPTED;
			if (a->lead && a->state == AS_PENDING)
				rel |= REL_LEAD_PENDING;
			if (a->lead && a->state == AS_ACCEPTED)
				rel |= REL_LEAD_ACTIVE;
			if (a->lead && (a->state == AS_ACCEPTED || a->state == AS_DONE))
				rel |= REL_LEAD_ORG;
			if (!a->lead && a->state == AS_PENDING)
				rel |= REL_ASSIST_PENDING;
			if (!a->lead && a->state == AS_ACCEPTED)
				rel |= REL_ASSIST_ACTIVE;
			if (open && who->role == ROLE_BUREAU_LEADER)
				rel |= REL_ORG_LEADER;
		}
		break;
	case ROLE_LEADER:
	case ROLE_TOWN_VIEWER:
	case ROLE_ADMIN:
	case ROLE__COUNT:
		break;
	}
	return rel;
}

unsigned lc_conditions(const struct lc_ticket *t)
{
	unsigned c = 0;
	if (t->return_disputed)
		c |= COND_RETURN_DISPUTED;
	else
		c |= COND_NO_DISPUTE | (t->return_ruled ? 0 : COND_RETURN_UNDISPUTED);
	if (t->extension_pending)
		c |= COND_EXT_PENDING;
	else if (t->extensions_used < t->extension_cap)
		c |= COND_EXT_REQUESTABLE;
	bool open_assist = false;
	for (int i = 0; i < t->n_assignments; i++) {
		const struct lc_assignment *a = &t->assignments[i];
		open_assist |= !a->lead && (a->state == AS_PENDING || a->state == AS_ACCEPTED);
	}
	c |= open_assist ? COND_ASSISTS_OPEN : COND_ASSISTS_SETTLED;
	if (!t->rated_this_round)
		c |= COND_UNRATED;
	bool bad = t->last_rating > 0 && t->last_rating <= 2;
	if (bad && !t->last_rating_ruled)
		c |= COND_BAD_UNRULED;
	if (bad && !t->last_rating_appealed)
		c |= COND_APPEALABLE;
	if (t->appeal_pending)
		c |= COND_APPEAL_PENDING;
	if (t->withdrawn && !t->withdrawal_checked)
		c |= COND_WITHDRAWN_UNCHECKED;
	return c;
}

const char *const *lc_outcomes(enum ticket_action a)
{
	static const char *const rate[] = { "good", "bad", NULL };
	static const char *const adjudicate[] = { "uphold", "force", NULL };
	static const char *const rule_rating[] = { "rectify", "close", NULL };
	static const char *const rule_appeal[] = { "exclude", "dismiss", NULL };
	static const char *const check[] = { "voluntary", "pressed", NULL };
	switch (a) {
	case TA_RATE: return rate;
	case TA_ADJUDICATE_RETURN: return adjudicate;
	case TA_RULE_RATING: return rule_rating;
	case TA_RULE_APPEAL: return rule_appeal;
	case TA_WITHDRAWAL_CHECK: return check;
	default: return NULL;
	}
}

static bool outcome_fits(const struct rule *r, const char *outcome)
{
	/* NULL outcome = "any", for lc_allowed */
	return !r->outcome || !outcome || strcmp(r->outcome, outcome) == 0;
}

static enum ticket_state target(const struct rule *r, enum ticket_state state, enum ticket_state resume)
{
	if (r->to == TO_SAME)
		return state;
	if (r->to == TO_RESUME)
		return resume;
	return (enum ticket_state)r->to;
}

struct lc_decision lc_decide(enum ticket_action a, const char *outcome, enum ticket_state state,
			     enum ticket_state resume_state, unsigned relations, unsigned conditions)
{
	struct lc_decision d = { LC_FORBIDDEN, state, 0 };
	if ((unsigned)state >= TS__COUNT)
		return d;
	for (size_t i = 0; i < N_RULES; i++) {
		const struct rule *r = &rules[i];
		if (r->action != a || !outcome_fits(r, outcome) || !(r->who & relations))
			continue;
		if (!(r->from & (1u << state))) {
			if (d.verdict == LC_FORBIDDEN)
				d.verdict = LC_WRONG_STATE;
			continue;
		}
		unsigned missing = r->needs & ~conditions;
		if (missing) {
			if (d.verdict != LC_CONDITION)
				d.failed = missing;
			d.verdict = LC_CONDITION;
			continue;
		}
		d.verdict = LC_OK;
		d.to = target(r, state, resume_state);
		d.failed = 0;
		return d;
	}
	return d;
}

const char *lc_condition_message(unsigned failed)
{
	static const struct {
		unsigned bit;
		const char *text;
	} messages[] = {
		{ COND_RETURN_UNDISPUTED, "该退回已提请审定或已审定" },
		{ COND_RETURN_DISPUTED, "该退回未提请审定" },
		{ COND_EXT_REQUESTABLE, "已有待审批的延期申请,或延期次数已达上限" },
		{ COND_EXT_PENDING, "没有待审批的延期申请" },
		{ COND_ASSISTS_SETTLED, "仍有协办单位未提交意见,也未解除协办" },
		{ COND_ASSISTS_OPEN, "没有进行中的协办任务" },
		{ COND_UNRATED, "本轮办理结果已评价" },
		{ COND_BAD_UNRULED, "没有待处理的差评" },
		{ COND_APPEALABLE, "没有可申诉的差评,或该评价已申诉过" },
		{ COND_APPEAL_PENDING, "没有待复核的申诉" },
		{ COND_WITHDRAWN_UNCHECKED, "该工单不是撤回关闭的,或已做过撤单质检" },
		{ COND_NO_DISPUTE, "该退回已提请督办审定,请等待审定结果" },
	};
	for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
		if (failed & messages[i].bit)
			return messages[i].text;
	return "当前条件下不能执行此操作";
}

uint64_t lc_allowed(enum ticket_state state, unsigned relations, unsigned conditions)
{
	uint64_t mask = 0;
	for (int a = 0; a < TA__COUNT; a++) {
		if (lc_decide((enum ticket_action)a, NULL, state, state, relations, conditions).verdict == LC_OK)
			mask |= UINT64_C(1) << a;
	}
	return mask;
}

enum ticket_scope ticket_scope_of(const struct principal *who)
{
	switch (who->role) {
	case ROLE_ENTERPRISE:
		return who->enterprise_id > 0 ? TSCOPE_ENTERPRISE : TSCOPE_NONE;
	case ROLE_SPECIALIST:
		return is_center(who) ? TSCOPE_ALL : TSCOPE_TOWN;
	case ROLE_BUREAU_HANDLER:
	case ROLE_BUREAU_LEADER:
		return TSCOPE_ORG;
	case ROLE_SUPERVISOR:
	case ROLE_LEADER:
		return TSCOPE_ALL;
	case ROLE_TOWN_VIEWER:
		return TSCOPE_TOWN;
	case ROLE_ADMIN:
	case ROLE__COUNT:
		break;
	}
	return TSCOPE_NONE;
}

const char *ticket_scope_name(enum ticket_scope s)
{
	static const char *const names[] = { "none", "all", "enterprise", "town", "org" };
	return (unsigned)s <= TSCOPE_ORG ? names[s] : "none";
}

bool ticket_scope_admits(const struct principal *who, long long enterprise_id, const char *town_path,
			 const char *const *org_paths, int n)
{
	switch (ticket_scope_of(who)) {
	case TSCOPE_ALL:
		return true;
	case TSCOPE_ENTERPRISE:
		return enterprise_id == who->enterprise_id;
	case TSCOPE_TOWN:
		return lc_org_related(who->org_path, town_path);
	case TSCOPE_ORG:
		for (int i = 0; i < n; i++)
			if (lc_org_related(who->org_path, org_paths[i]))
				return true;
		return false;
	case TSCOPE_NONE:
		break;
	}
	return false;
}

bool ticket_sees_personal_data(const struct principal *who)
{
	return who->role != ROLE_TOWN_VIEWER;
}
