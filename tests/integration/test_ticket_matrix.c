/*
 * Integration: every action from every state as every user.
 *
 * For each scenario (the twelve states, plus states whose conditions open
 * further actions: a disputed return, a pending extension, a bad rating, a
 * pending appeal, a withdrawal), a fresh ticket is driven there through the
 * API. Then each of the demo users, the involved ones and foreign ones
 * alike, tries each action with a well-formed body. The expectation is
 * written below by hand, from DESIGN.md §3 and the issue, not derived from
 * core/lifecycle.c: what is listed must succeed (200), everything else must
 * be refused with a 4xx problem and change nothing at all (the ticket row,
 * its assignments, events, ratings, extension requests and outbox).
 *
 * The ticket in every scenario: raised by qiye1 (enterprise of 莘庄镇), lead
 * 区市场监管局 (shichang, shichang_lead), assisting 莘庄镇 (xinzhuang_ban).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tickets_util.h"

static struct server_proc srv;
static struct world w;
static long long survivor; /* a new ticket that merges may go into */

static void start(void)
{
	world_open(&srv, &w);
	survivor = ticket_new(&w, QIYE1, "同一诉求的另一张工单");
}

static void stop(void)
{
	world_close(&srv);
}

TestSuite(matrix, .init = start, .fini = stop, .timeout = 600);

static const char *const actions[] = {
	"answer", "dispatch", "reject", "merge", "summon", "dispute_return", "accept", "return", "contact", "note",
	"suspend", "request_extension", "contribute", "release", "resolve", "reassign", "appeal", "supply", "withdraw",
	"rate", "feedback", "send_back", "withdrawal_check", "approve_extension", "deny_extension", "adjudicate_return",
	"rule_rating", "rule_appeal", "supervise", "reopen", "close_unrated",
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* A well-formed body (without version) for action on ticket id. */
static void body_for(const char *action, long long id, char *out, size_t len)
{
	if (strcmp(action, "answer") == 0) snprintf(out, len, "\"answer\":\"可通过一网通办申请\"");
	else if (strcmp(action, "dispatch") == 0) snprintf(out, len, "\"lead_org_id\":%lld", org_named("区人社局"));
	else if (strcmp(action, "merge") == 0) snprintf(out, len, "\"into_ticket_id\":%lld", survivor);
	else if (strcmp(action, "summon") == 0) snprintf(out, len, "\"org_ids\":[%lld]", org_named("区规划资源局"));
	else if (strcmp(action, "return") == 0) snprintf(out, len, "\"code\":\"other\",\"basis\":\"依据不足\"");
	else if (strcmp(action, "contact") == 0) snprintf(out, len, "\"method\":\"电话\"");
	else if (strcmp(action, "note") == 0 || strcmp(action, "contribute") == 0)
		snprintf(out, len, "\"text\":\"已协调\"");
	else if (strcmp(action, "suspend") == 0) snprintf(out, len, "\"question\":\"请补充材料\"");
	else if (strcmp(action, "request_extension") == 0) snprintf(out, len, "\"days\":2,\"reason\":\"需会商\"");
	else if (strcmp(action, "release") == 0)
		snprintf(out, len, "\"assignment_id\":%lld", assignment_of(id, "莘庄镇"));
	else if (strcmp(action, "resolve") == 0) snprintf(out, len, "\"resolution\":\"已办结\"");
	else if (strcmp(action, "reassign") == 0) snprintf(out, len, "\"handler_id\":%lld", user_named("shichang"));
	else if (strcmp(action, "supply") == 0) snprintf(out, len, "\"answer\":\"材料已补充\"");
	else if (strcmp(action, "rate") == 0) snprintf(out, len, "\"score\":5");
	else if (strcmp(action, "feedback") == 0 || strcmp(action, "accept") == 0) snprintf(out, len, "%s", "");
	else if (strcmp(action, "withdrawal_check") == 0) snprintf(out, len, "\"outcome\":\"voluntary\"");
	else if (strcmp(action, "adjudicate_return") == 0) snprintf(out, len, "\"decision\":\"uphold\",\"note\":\"维持\"");
	else if (strcmp(action, "rule_rating") == 0) snprintf(out, len, "\"decision\":\"close\",\"note\":\"已解释\"");
	else if (strcmp(action, "rule_appeal") == 0) snprintf(out, len, "\"decision\":\"exclude\"");
	else if (strcmp(action, "approve_extension") == 0 || strcmp(action, "deny_extension") == 0 ||
		 strcmp(action, "supervise") == 0 || strcmp(action, "close_unrated") == 0)
		snprintf(out, len, "\"note\":\"请按期办结\"");
	else snprintf(out, len, "\"reason\":\"情况说明\""); /* reject, dispute_return, appeal, withdraw, send_back, reopen */
}

/* ---- scenarios --------------------------------------------------------- */

static void dispatch_a_with_b(long long id)
{
	char extra[128];
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld,\"assist_org_ids\":[%lld]", org_named("区市场监管局"),
		 org_named("莘庄镇"));
	act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
}

static void to_resolved(long long id)
{
	dispatch_a_with_b(id);
	act_ok(&w, SHICHANG, id, "accept", "");
	act_ok(&w, XINZHUANG_BAN, id, "accept", "");
	act_ok(&w, XINZHUANG_BAN, id, "contribute", "\"text\":\"协办意见\"");
	act_ok(&w, SHICHANG, id, "resolve", "\"resolution\":\"已办结\"");
}

static void to_feedback(long long id)
{
	to_resolved(id);
	act_ok(&w, ZHUANYUAN, id, "feedback", "");
}

static long long reach(const char *scenario)
{
	long long id = ticket_new(&w, QIYE1, "矩阵测试工单");
	if (strcmp(scenario, "new") == 0)
		return id;
	if (strcmp(scenario, "answered") == 0) {
		act_ok(&w, ZHUANYUAN, id, "answer", "\"answer\":\"已答复\"");
	} else if (strcmp(scenario, "rejected") == 0) {
		act_ok(&w, ZHUANYUAN, id, "reject", "\"reason\":\"不属于涉企诉求\"");
	} else if (strcmp(scenario, "merged") == 0) {
		char extra[64];
		snprintf(extra, sizeof extra, "\"into_ticket_id\":%lld", survivor);
		act_ok(&w, ZHUANYUAN, id, "merge", extra);
	} else if (strcmp(scenario, "resolved") == 0) {
		to_resolved(id);
	} else if (strcmp(scenario, "feedback") == 0) {
		to_feedback(id);
	} else if (strcmp(scenario, "closed") == 0) {
		to_feedback(id);
		act_ok(&w, QIYE1, id, "rate", "\"score\":5");
	} else if (strcmp(scenario, "feedback_bad") == 0 || strcmp(scenario, "appealed") == 0 ||
		   strcmp(scenario, "rectifying") == 0) {
		to_feedback(id);
		act_ok(&w, QIYE1, id, "rate", "\"score\":2");
		if (strcmp(scenario, "appealed") == 0)
			act_ok(&w, SHICHANG, id, "appeal", "\"reason\":\"企业评价与事实不符\"");
		if (strcmp(scenario, "rectifying") == 0)
			act_ok(&w, DUBAN, id, "rule_rating", "\"decision\":\"rectify\",\"note\":\"请整改\"");
	} else {
		dispatch_a_with_b(id);
		if (strncmp(scenario, "return", 6) == 0) {
			act_ok(&w, SHICHANG, id, "return", "\"code\":\"not_our_function\",\"basis\":\"不属本局职能\"");
			if (strcmp(scenario, "returned") != 0)
				act_ok(&w, ZHUANYUAN, id, "dispute_return", "\"reason\":\"属于市场监管职能\"");
			if (strcmp(scenario, "return_upheld") == 0)
				act_ok(&w, DUBAN, id, "adjudicate_return", "\"decision\":\"uphold\",\"note\":\"退回成立\"");
		} else if (strcmp(scenario, "dispatched") != 0) {
			act_ok(&w, SHICHANG, id, "accept", "");
			if (strcmp(scenario, "suspended") == 0)
				act_ok(&w, SHICHANG, id, "suspend", "\"question\":\"请补充材料\"");
			if (strcmp(scenario, "extension_pending") == 0)
				act_ok(&w, SHICHANG, id, "request_extension", "\"days\":3,\"reason\":\"需会商\"");
			if (strcmp(scenario, "withdrawn") == 0)
				act_ok(&w, QIYE1, id, "withdraw", "\"reason\":\"已自行解决\"");
		}
	}
	return id;
}

/* The expectation: per scenario, the state the ticket is in and each
 * "user:action" that must succeed. */
static const struct {
	const char *scenario;
	const char *state;
	const char *allowed;
} expected[] = {
	{ "new", "new", "zhuanyuan:answer zhuanyuan:dispatch zhuanyuan:reject zhuanyuan:merge duban:reject duban:merge "
		"duban:supervise qiye1:withdraw" },
	{ "answered", "answered", "duban:reopen" },
	{ "dispatched", "dispatched", "zhuanyuan:merge zhuanyuan:summon zhuanyuan:note duban:merge duban:supervise "
		"shichang:accept shichang:return shichang_lead:accept shichang_lead:return shichang_lead:reassign "
		"xinzhuang_ban:accept xinzhuang_ban:return qiye1:withdraw" },
	{ "returned", "returned", "zhuanyuan:answer zhuanyuan:dispatch zhuanyuan:reject zhuanyuan:merge "
		"zhuanyuan:dispute_return duban:reject duban:merge duban:supervise qiye1:withdraw" },
	{ "returned_disputed", "returned", "duban:reject duban:merge duban:supervise duban:adjudicate_return "
		"qiye1:withdraw" },
	{ "return_upheld", "returned", "zhuanyuan:answer zhuanyuan:dispatch zhuanyuan:reject zhuanyuan:merge "
		"duban:reject duban:merge duban:supervise qiye1:withdraw" },
	{ "in_progress", "in_progress", "zhuanyuan:summon zhuanyuan:note shichang:summon shichang:contact shichang:note "
		"shichang:suspend shichang:request_extension shichang:release shichang_lead:summon shichang_lead:contact "
		"shichang_lead:note shichang_lead:suspend shichang_lead:request_extension shichang_lead:release "
		"shichang_lead:reassign xinzhuang_ban:accept xinzhuang_ban:return duban:supervise qiye1:withdraw" },
	{ "extension_pending", "in_progress", "zhuanyuan:summon zhuanyuan:note shichang:summon shichang:contact "
		"shichang:note shichang:suspend shichang:release shichang_lead:summon shichang_lead:contact "
		"shichang_lead:note shichang_lead:suspend shichang_lead:release shichang_lead:reassign "
		"xinzhuang_ban:accept xinzhuang_ban:return duban:supervise duban:approve_extension "
		"duban:deny_extension qiye1:withdraw" },
	{ "suspended", "suspended", "zhuanyuan:summon zhuanyuan:note shichang:summon shichang:contact shichang:note "
		"shichang:request_extension shichang:release shichang_lead:summon shichang_lead:contact shichang_lead:note "
		"shichang_lead:request_extension shichang_lead:release shichang_lead:reassign xinzhuang_ban:accept "
		"xinzhuang_ban:return duban:supervise qiye1:supply qiye1:withdraw" },
	{ "resolved", "resolved", "zhuanyuan:note zhuanyuan:feedback zhuanyuan:send_back duban:supervise" },
	{ "feedback", "feedback", "qiye1:rate duban:supervise" },
	{ "feedback_bad", "feedback", "duban:supervise duban:rule_rating shichang:appeal shichang_lead:appeal" },
	{ "appealed", "feedback", "duban:supervise duban:rule_rating duban:rule_appeal" },
	{ "closed", "closed", "duban:reopen" },
	{ "withdrawn", "closed", "zhuanyuan:withdrawal_check duban:reopen" },
	{ "rectifying", "rectifying", "zhuanyuan:summon zhuanyuan:note shichang:summon shichang:contact shichang:note "
		"shichang:suspend shichang:request_extension shichang:resolve shichang:appeal shichang_lead:summon "
		"shichang_lead:contact shichang_lead:note shichang_lead:suspend shichang_lead:request_extension "
		"shichang_lead:resolve shichang_lead:appeal shichang_lead:reassign duban:supervise" },
	{ "rejected", "rejected", "duban:reopen" },
	{ "merged", "merged", "" },
};

static bool is_allowed(const char *list, enum who u, const char *action)
{
	char key[64];
	snprintf(key, sizeof key, " %s:%s ", who_names[u], action);
	size_t n = strlen(list);
	char *padded = malloc(n + 3);
	snprintf(padded, n + 3, " %s ", list);
	bool hit = strstr(padded, key) != NULL;
	free(padded);
	return hit;
}

static void run_scenario(size_t k)
{
	long long id = reach(expected[k].scenario);
	cr_assert_str_eq(ticket_state(id), expected[k].state, "scenario %s", expected[k].scenario);
	char *snap = ticket_snapshot(id);
	int tried = 0, succeeded = 0;
	for (size_t a = 0; a < N_ACTIONS; a++) {
		for (int u = 0; u < WHO__COUNT; u++) {
			char body[256];
			body_for(actions[a], id, body, sizeof body);
			json_t *j = NULL;
			int status = act(&w, (enum who)u, id, actions[a], body, &j);
			bool want = is_allowed(expected[k].allowed, (enum who)u, actions[a]);
			tried++;
			if (want) {
				char *text = json_dumps(j, JSON_COMPACT);
				cr_expect_eq(status, 200, "%s: %s %s must succeed: %d %s", expected[k].scenario,
					     who_names[u], actions[a], status, text ? text : "");
				free(text);
				json_decref(j);
				succeeded++;
				/* the ticket moved on: take a fresh one in the same state */
				free(snap);
				id = reach(expected[k].scenario);
				snap = ticket_snapshot(id);
				continue;
			}
			cr_expect(status >= 400 && status < 500, "%s: %s %s must be refused: %d", expected[k].scenario,
				  who_names[u], actions[a], status);
			cr_expect_not_null(json_object_get(j, "code"), "%s: %s %s: a problem with a code",
					   expected[k].scenario, who_names[u], actions[a]);
			json_decref(j);
			char *now = ticket_snapshot(id);
			cr_expect_str_eq(now, snap, "%s: refused %s %s changed the ticket", expected[k].scenario,
					 who_names[u], actions[a]);
			free(now);
		}
	}
	free(snap);
	cr_log_info("%s: %d tries, %d allowed", expected[k].scenario, tried, succeeded);
}

/* Each scenario is its own test, so they run in parallel and fail apart. */
#define SCENARIO(k, name) Test(matrix, name) { run_scenario(k); }
SCENARIO(0, from_new)
SCENARIO(1, from_answered)
SCENARIO(2, from_dispatched)
SCENARIO(3, from_returned)
SCENARIO(4, from_a_disputed_return)
SCENARIO(5, from_a_return_the_supervisor_upheld)
SCENARIO(6, from_in_progress)
SCENARIO(7, from_in_progress_with_an_extension_pending)
SCENARIO(8, from_suspended)
SCENARIO(9, from_resolved)
SCENARIO(10, from_feedback)
SCENARIO(11, from_feedback_with_a_bad_rating)
SCENARIO(12, from_feedback_with_an_appeal_pending)
SCENARIO(13, from_closed)
SCENARIO(14, from_closed_by_withdrawal)
SCENARIO(15, from_rectifying)
SCENARIO(16, from_rejected)
SCENARIO(17, from_merged)

Test(matrix, every_scenario_has_a_test)
{
	cr_assert_eq(sizeof expected / sizeof expected[0], 18);
}
