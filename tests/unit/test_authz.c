/*
 * Unit tests for core/authz: who may do what to which object.
 *
 * The rules table in authz.c is the specification, so the full matrix of
 * actions × roles is written out again here, by hand: changing a rule must
 * change this file too, in the same commit, where a reviewer sees it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/authz.h"
#include "core/problem.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct principal make(enum role r, const char *org_path)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.user_id = 7;
	strcpy(p.username, "tester");
	p.role = r;
	p.org_id = 3;
	p.enterprise_id = 5;
	snprintf(p.org_path, sizeof p.org_path, "%s", org_path);
	return p;
}

/* A new action or role must be added to the matrix below. */
Test(authz, matrix_covers_every_action_and_role)
{
	cr_assert_eq(AUTHZ__ACTION_COUNT, 18, "an action was added: extend the matrix in this file");
	cr_assert_eq(ROLE__COUNT, 8, "a role was added: extend the matrix in this file");
}

/*
 * The matrix. Per role: 'A' = allowed on any object, 'O' = allowed within
 * the actor's own org subtree only, 'E' = only objects of the actor's own
 * enterprise, '-' = never (403 forbidden).
 */
static const char *const matrix[AUTHZ__ACTION_COUNT] = {
	/*                       ent spec hand lead sup ldr town admin */
	[AUTHZ_SELF_READ]    = "A" "A" "A" "A" "A" "A" "A" "A",
	[AUTHZ_ORG_READ]     = "-" "A" "A" "A" "A" "A" "A" "A",
	[AUTHZ_ORG_MANAGE]   = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_USER_READ]    = "-" "-" "-" "O" "-" "-" "-" "A",
	[AUTHZ_USER_MANAGE]  = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_TOKEN_MANAGE] = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_ENTERPRISE_READ]   = "E" "A" "A" "A" "A" "A" "O" "A",
	[AUTHZ_ENTERPRISE_MANAGE] = "-" "A" "-" "-" "-" "-" "-" "A",
	[AUTHZ_CATEGORY_MANAGE]   = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_KB_READ]           = "A" "A" "A" "A" "A" "A" "A" "A",
	[AUTHZ_KB_MANAGE]         = "-" "A" "-" "-" "-" "-" "-" "A",
	[AUTHZ_TICKET_IMPORT]     = "-" "A" "-" "-" "-" "-" "-" "-",
	[AUTHZ_CALENDAR_MANAGE]   = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_SLA_READ]          = "-" "A" "A" "A" "A" "A" "A" "A",
	[AUTHZ_SLA_MANAGE]        = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_OUTBOX_MANAGE]     = "-" "-" "-" "-" "-" "-" "-" "A",
	[AUTHZ_STATS_READ]        = "-" "A" "O" "O" "A" "A" "O" "A",
	[AUTHZ_STATS_TARGETS_MANAGE] = "-" "-" "-" "-" "-" "-" "-" "A",
};

static const char *const action_names[AUTHZ__ACTION_COUNT] = {
	"SELF_READ", "ORG_READ", "ORG_MANAGE", "USER_READ", "USER_MANAGE", "TOKEN_MANAGE",
	"ENTERPRISE_READ", "ENTERPRISE_MANAGE", "CATEGORY_MANAGE", "KB_READ", "KB_MANAGE",
	"TICKET_IMPORT", "CALENDAR_MANAGE", "SLA_READ", "SLA_MANAGE", "OUTBOX_MANAGE",
	"STATS_READ", "STATS_TARGETS_MANAGE",
};

static const char *verdict_name(enum authz_verdict v)
{
	switch (v) {
	case AUTHZ_ALLOW: return "ALLOW";
	case AUTHZ_DENY_ROLE: return "DENY_ROLE";
	case AUTHZ_DENY_SCOPE: return "DENY_SCOPE";
	}
	return "?";
}

static void expect_verdict(enum role r, enum authz_action a, const struct authz_object *what,
			   const char *where, enum authz_verdict want)
{
	struct principal p = make(r, "1.3");
	enum authz_verdict got = authz_check(&p, a, what);
	cr_expect_eq(got, want, "%s as %s on %s: %s, expected %s", action_names[a], role_name(r), where,
		     verdict_name(got), verdict_name(want));
}

Test(authz, full_matrix_of_actions_and_roles)
{
	/* the actor (make()) works in org 1.3 for enterprise 5 */
	const struct authz_object none = { NULL, 0 };
	const struct authz_object own = { "1.3", 5 };
	const struct authz_object below = { "1.3.25", 5 };
	const struct authz_object other = { "1.4", 6 };
	for (int a = 0; a < AUTHZ__ACTION_COUNT; a++) {
		cr_assert_eq(strlen(matrix[a]), ROLE__COUNT, "matrix row %s", action_names[a]);
		for (int r = 0; r < ROLE__COUNT; r++) {
			enum authz_verdict inside, outside, no_object;
			switch (matrix[a][r]) {
			case 'A': inside = outside = no_object = AUTHZ_ALLOW; break;
			case 'O':
			case 'E':
				inside = AUTHZ_ALLOW;
				outside = no_object = AUTHZ_DENY_SCOPE;
				break;
			default: inside = outside = no_object = AUTHZ_DENY_ROLE; break;
			}
			expect_verdict((enum role)r, (enum authz_action)a, NULL, "no object", no_object);
			expect_verdict((enum role)r, (enum authz_action)a, &none, "object without org", no_object);
			expect_verdict((enum role)r, (enum authz_action)a, &own, "own org", inside);
			expect_verdict((enum role)r, (enum authz_action)a, &below, "descendant org", inside);
			expect_verdict((enum role)r, (enum authz_action)a, &other, "sibling org", outside);
		}
	}
}

/* The same facts, spelt out for the actions that matter most. */
Test(authz, only_admin_manages_users_orgs_tokens_and_dashboard_targets)
{
	static const enum authz_action manage[] = { AUTHZ_ORG_MANAGE, AUTHZ_USER_MANAGE, AUTHZ_TOKEN_MANAGE,
						    AUTHZ_STATS_TARGETS_MANAGE };
	for (size_t i = 0; i < N(manage); i++) {
		for (int r = 0; r < ROLE__COUNT; r++) {
			struct principal p = make((enum role)r, "1");
			enum authz_verdict want = r == ROLE_ADMIN ? AUTHZ_ALLOW : AUTHZ_DENY_ROLE;
			cr_expect_eq(authz_check(&p, manage[i], NULL), want, "%s as %s",
				     action_names[manage[i]], role_name((enum role)r));
		}
	}
}

Test(authz, enterprise_cannot_read_the_org_tree)
{
	struct principal p = make(ROLE_ENTERPRISE, "1.9");
	cr_assert_eq(authz_check(&p, AUTHZ_ORG_READ, NULL), AUTHZ_DENY_ROLE);
	cr_assert_eq(authz_check(&p, AUTHZ_SELF_READ, NULL), AUTHZ_ALLOW);
}

Test(authz, token_principal_follows_the_same_rules)
{
	struct principal p = make(ROLE_SPECIALIST, "1.2");
	p.via_token = true;
	cr_assert_eq(authz_check(&p, AUTHZ_ORG_READ, NULL), AUTHZ_ALLOW);
	cr_assert_eq(authz_check(&p, AUTHZ_USER_MANAGE, NULL), AUTHZ_DENY_ROLE);
}

/* ---- scope: AUTHZ_USER_READ as a bureau leader of org 1.3 ---- */

static const struct {
	const char *object_path;
	enum authz_verdict want;
} leader_scope[] = {
	{ "1.3", AUTHZ_ALLOW },          /* own org */
	{ "1.3.25", AUTHZ_ALLOW },       /* descendant */
	{ "1.3.25.7", AUTHZ_ALLOW },     /* deeper descendant */
	{ "1.3.0", AUTHZ_ALLOW },
	{ "1.4", AUTHZ_DENY_SCOPE },     /* sibling */
	{ "1.4.3", AUTHZ_DENY_SCOPE },   /* sibling's child */
	{ "1.30", AUTHZ_DENY_SCOPE },    /* prefix trap: "1.3" is a string prefix of "1.30" */
	{ "1.30.3", AUTHZ_DENY_SCOPE },
	{ "1.3x", AUTHZ_DENY_SCOPE },
	{ "1", AUTHZ_DENY_SCOPE },       /* ancestor */
	{ "2.1.3", AUTHZ_DENY_SCOPE },   /* same tail elsewhere */
	{ "11.3", AUTHZ_DENY_SCOPE },
	{ "", AUTHZ_DENY_SCOPE },
};

Test(authz, bureau_leader_reads_users_of_own_subtree_only)
{
	struct principal p = make(ROLE_BUREAU_LEADER, "1.3");
	for (size_t i = 0; i < N(leader_scope); i++) {
		struct authz_object o = { leader_scope[i].object_path, 0 };
		enum authz_verdict got = authz_check(&p, AUTHZ_USER_READ, &o);
		cr_expect_eq(got, leader_scope[i].want, "object \"%s\": %s, expected %s",
			     leader_scope[i].object_path, verdict_name(got), verdict_name(leader_scope[i].want));
	}
}

Test(authz, bureau_leader_without_object_is_out_of_scope)
{
	struct principal p = make(ROLE_BUREAU_LEADER, "1.3");
	const struct authz_object none = { NULL, 0 };
	cr_assert_eq(authz_check(&p, AUTHZ_USER_READ, NULL), AUTHZ_DENY_SCOPE);
	cr_assert_eq(authz_check(&p, AUTHZ_USER_READ, &none), AUTHZ_DENY_SCOPE);
}

Test(authz, bureau_leader_without_org_path_sees_nothing)
{
	struct principal p = make(ROLE_BUREAU_LEADER, "");
	const struct authz_object o = { "1.3", 0 };
	const struct authz_object empty = { "", 0 };
	cr_assert_eq(authz_check(&p, AUTHZ_USER_READ, &o), AUTHZ_DENY_SCOPE);
	cr_assert_eq(authz_check(&p, AUTHZ_USER_READ, &empty), AUTHZ_DENY_SCOPE);
}

Test(authz, admin_reads_users_anywhere)
{
	struct principal p = make(ROLE_ADMIN, "1");
	const struct authz_object far = { "9.8.7", 0 };
	cr_assert_eq(authz_check(&p, AUTHZ_USER_READ, &far), AUTHZ_ALLOW);
	cr_assert_eq(authz_check(&p, AUTHZ_USER_READ, NULL), AUTHZ_ALLOW);
}

/* ---- bad input ---- */

Test(authz, null_principal_is_denied)
{
	const struct authz_object o = { "1", 0 };
	for (int a = 0; a < AUTHZ__ACTION_COUNT; a++) {
		cr_expect_eq(authz_check(NULL, (enum authz_action)a, NULL), AUTHZ_DENY_ROLE);
		cr_expect_eq(authz_check(NULL, (enum authz_action)a, &o), AUTHZ_DENY_ROLE);
	}
}

Test(authz, out_of_range_role_is_denied)
{
	static const int bad_roles[] = { ROLE__COUNT, ROLE__COUNT + 1, 1000, -1 };
	for (size_t i = 0; i < N(bad_roles); i++) {
		struct principal p = make(ROLE_ADMIN, "1");
		p.role = (enum role)bad_roles[i];
		for (int a = 0; a < AUTHZ__ACTION_COUNT; a++)
			cr_expect_eq(authz_check(&p, (enum authz_action)a, NULL), AUTHZ_DENY_ROLE, "role %d action %d",
				     bad_roles[i], a);
	}
}

Test(authz, out_of_range_action_is_denied)
{
	static const int bad_actions[] = { AUTHZ__ACTION_COUNT, AUTHZ__ACTION_COUNT + 1, 1000, -1 };
	struct principal p = make(ROLE_ADMIN, "1");
	for (size_t i = 0; i < N(bad_actions); i++)
		cr_expect_eq(authz_check(&p, (enum authz_action)bad_actions[i], NULL), AUTHZ_DENY_ROLE,
			     "action %d", bad_actions[i]);
}

/* ---- authz_path_within ---- */

static const struct {
	const char *path, *root;
	bool within;
} within_cases[] = {
	{ "1", "1", true },
	{ "1.3", "1.3", true },
	{ "1.3.25", "1.3", true },
	{ "1.3.25.7", "1.3", true },
	{ "1.2", "1", true },
	{ "1.30", "1.3", false },
	{ "1.3x", "1.3", false },
	{ "1.3", "1.3.25", false },
	{ "1", "1.3", false },
	{ "1.4", "1.3", false },
	{ "2.1.3", "1.3", false },
	{ "11.3", "1", false },
	{ "12", "1", false },
	{ "", "1", false },
	{ "1", "", false },
	{ "", "", false },
	{ NULL, "1", false },
	{ "1", NULL, false },
	{ NULL, NULL, false },
};

Test(authz, path_within_matches_whole_path_components)
{
	for (size_t i = 0; i < N(within_cases); i++) {
		const char *p = within_cases[i].path, *r = within_cases[i].root;
		cr_expect_eq(authz_path_within(p, r), within_cases[i].within, "\"%s\" within \"%s\"",
			     p ? p : "(null)", r ? r : "(null)");
	}
}

/* ---- authz_problem_code ---- */

Test(authz, problem_codes_for_denials)
{
	cr_assert_str_eq(authz_problem_code(AUTHZ_DENY_ROLE), "forbidden");
	cr_assert_str_eq(authz_problem_code(AUTHZ_DENY_SCOPE), "out_of_scope");
}

Test(authz, problem_codes_are_in_the_catalogue_as_403)
{
	static const enum authz_verdict denials[] = { AUTHZ_DENY_ROLE, AUTHZ_DENY_SCOPE };
	for (size_t i = 0; i < N(denials); i++) {
		const char *code = authz_problem_code(denials[i]);
		const struct problem_kind *k = problem_lookup(code);
		cr_expect_str_eq(k->code, code, "%s is not in the catalogue", code);
		cr_expect_eq(k->status, 403, "%s: status %d", code, k->status);
	}
}

/* The metrics' reach: the district for leadership, supervision and admins;
 * an org's own subtree; a town viewer its town's enterprises; nothing for enterprises. */
Test(authz, stats_reach_per_role)
{
	static const enum authz_stats_reach want[ROLE__COUNT] = {
		[ROLE_ENTERPRISE] = STATS_NONE, [ROLE_SPECIALIST] = STATS_ALL, [ROLE_BUREAU_HANDLER] = STATS_ORG,
		[ROLE_BUREAU_LEADER] = STATS_ORG, [ROLE_SUPERVISOR] = STATS_ALL, [ROLE_LEADER] = STATS_ALL,
		[ROLE_TOWN_VIEWER] = STATS_TOWN, [ROLE_ADMIN] = STATS_ALL,
	};
	for (int r = 0; r < ROLE__COUNT; r++) {
		struct principal p = make((enum role)r, "1.4");
		cr_assert_eq(authz_stats_reach(&p), want[r], "role %d", r);
	}
	struct principal orphan = make(ROLE_BUREAU_HANDLER, "");
	cr_assert_eq(authz_stats_reach(&orphan), STATS_NONE, "an org scope needs an org");
	cr_assert_eq(authz_stats_reach(NULL), STATS_NONE);
	cr_assert_str_eq(authz_stats_reach_name(STATS_TOWN), "town");
	cr_assert_str_eq(authz_stats_reach_name(STATS_ALL), "all");
}

/* The dashboard's targets are changed by admins only; leadership, which
 * judges by them, reads them (the stats reach) but may not move them. */
Test(authz, dashboard_targets_are_read_by_stats_readers_and_set_by_admins)
{
	struct principal leader = make(ROLE_LEADER, "1"), supervisor = make(ROLE_SUPERVISOR, "1");
	struct principal admin = make(ROLE_ADMIN, "1"), enterprise = make(ROLE_ENTERPRISE, "1.9");
	cr_expect_eq(authz_check(&admin, AUTHZ_STATS_TARGETS_MANAGE, NULL), AUTHZ_ALLOW);
	cr_expect_eq(authz_check(&leader, AUTHZ_STATS_TARGETS_MANAGE, NULL), AUTHZ_DENY_ROLE);
	cr_expect_eq(authz_check(&supervisor, AUTHZ_STATS_TARGETS_MANAGE, NULL), AUTHZ_DENY_ROLE);
	cr_expect_neq(authz_stats_reach(&leader), STATS_NONE);
	cr_expect_neq(authz_stats_reach(&supervisor), STATS_NONE);
	cr_expect_eq(authz_stats_reach(&enterprise), STATS_NONE);
}
