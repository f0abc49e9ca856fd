/* authz: role and org-scope rules; see authz.h. */
#include "core/authz.h"

#include <string.h>

/* How far a role's permission for an action reaches. */
enum scope {
	SCOPE_NONE = 0, /* not allowed (the table's default) */
	SCOPE_ALL,      /* any object in the district */
	SCOPE_OWN_ORG,  /* objects within the actor's own org subtree */
	SCOPE_OWN_ENTERPRISE, /* objects of the actor's own enterprise */
};

/* rules[action][role]: the reach of each role for each action */
static const enum scope rules[AUTHZ__ACTION_COUNT][ROLE__COUNT] = {
	[AUTHZ_SELF_READ] = {
		[ROLE_ENTERPRISE] = SCOPE_ALL, [ROLE_SPECIALIST] = SCOPE_ALL,
		[ROLE_BUREAU_HANDLER] = SCOPE_ALL, [ROLE_BUREAU_LEADER] = SCOPE_ALL,
		[ROLE_SUPERVISOR] = SCOPE_ALL, [ROLE_LEADER] = SCOPE_ALL,
		[ROLE_TOWN_VIEWER] = SCOPE_ALL, [ROLE_ADMIN] = SCOPE_ALL,
	},
	/* every staff member may see the org tree: dispatching and
	 * co-handling need the names of other orgs; enterprises do not */
	[AUTHZ_ORG_READ] = {
		[ROLE_SPECIALIST] = SCOPE_ALL, [ROLE_BUREAU_HANDLER] = SCOPE_ALL,
		[ROLE_BUREAU_LEADER] = SCOPE_ALL, [ROLE_SUPERVISOR] = SCOPE_ALL,
		[ROLE_LEADER] = SCOPE_ALL, [ROLE_TOWN_VIEWER] = SCOPE_ALL,
		[ROLE_ADMIN] = SCOPE_ALL,
	},
	[AUTHZ_ORG_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	/* a leader sees the people of their own org (to reassign work) */
	[AUTHZ_USER_READ] = {
		[ROLE_ADMIN] = SCOPE_ALL, [ROLE_BUREAU_LEADER] = SCOPE_OWN_ORG,
	},
	[AUTHZ_USER_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	[AUTHZ_TOKEN_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	/* bureaus read the enterprises they serve; a town viewer only its town's */
	[AUTHZ_ENTERPRISE_READ] = {
		[ROLE_ENTERPRISE] = SCOPE_OWN_ENTERPRISE, [ROLE_SPECIALIST] = SCOPE_ALL,
		[ROLE_BUREAU_HANDLER] = SCOPE_ALL, [ROLE_BUREAU_LEADER] = SCOPE_ALL,
		[ROLE_SUPERVISOR] = SCOPE_ALL, [ROLE_LEADER] = SCOPE_ALL,
		[ROLE_TOWN_VIEWER] = SCOPE_OWN_ORG, [ROLE_ADMIN] = SCOPE_ALL,
	},
	[AUTHZ_ENTERPRISE_MANAGE] = { [ROLE_SPECIALIST] = SCOPE_ALL, [ROLE_ADMIN] = SCOPE_ALL },
	[AUTHZ_CATEGORY_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	[AUTHZ_KB_READ] = {
		[ROLE_ENTERPRISE] = SCOPE_ALL, [ROLE_SPECIALIST] = SCOPE_ALL,
		[ROLE_BUREAU_HANDLER] = SCOPE_ALL, [ROLE_BUREAU_LEADER] = SCOPE_ALL,
		[ROLE_SUPERVISOR] = SCOPE_ALL, [ROLE_LEADER] = SCOPE_ALL,
		[ROLE_TOWN_VIEWER] = SCOPE_ALL, [ROLE_ADMIN] = SCOPE_ALL,
	},
	[AUTHZ_KB_MANAGE] = { [ROLE_SPECIALIST] = SCOPE_ALL, [ROLE_ADMIN] = SCOPE_ALL },
	[AUTHZ_TICKET_IMPORT] = { [ROLE_SPECIALIST] = SCOPE_ALL },
	[AUTHZ_CALENDAR_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	/* deadlines are no secret among staff; enterprises see theirs on their tickets */
	[AUTHZ_SLA_READ] = {
		[ROLE_SPECIALIST] = SCOPE_ALL, [ROLE_BUREAU_HANDLER] = SCOPE_ALL,
		[ROLE_BUREAU_LEADER] = SCOPE_ALL, [ROLE_SUPERVISOR] = SCOPE_ALL,
		[ROLE_LEADER] = SCOPE_ALL, [ROLE_TOWN_VIEWER] = SCOPE_ALL, [ROLE_ADMIN] = SCOPE_ALL,
	},
	[AUTHZ_SLA_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	/* the outbox holds every notice of every ticket: operators only */
	[AUTHZ_OUTBOX_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
	/* dashboards: the district's leadership, supervision and specialists (who
	 * read every ticket) see all; a bureau its own subtree's work; a town
	 * viewer its town's enterprises (see authz_stats_reach); enterprises none */
	[AUTHZ_STATS_READ] = {
		[ROLE_SPECIALIST] = SCOPE_ALL, [ROLE_BUREAU_HANDLER] = SCOPE_OWN_ORG,
		[ROLE_BUREAU_LEADER] = SCOPE_OWN_ORG, [ROLE_SUPERVISOR] = SCOPE_ALL,
		[ROLE_LEADER] = SCOPE_ALL, [ROLE_TOWN_VIEWER] = SCOPE_OWN_ORG, [ROLE_ADMIN] = SCOPE_ALL,
	},
	/* the targets the dashboard judges by: a management decision that
	 * operators enter, as they do the SLA policies; leadership reads them */
	[AUTHZ_STATS_TARGETS_MANAGE] = { [ROLE_ADMIN] = SCOPE_ALL },
};

bool authz_path_within(const char *path, const char *root)
{
	if (!path || !root || !*root)
		return false;
	size_t n = strlen(root);
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '.');
}

enum authz_verdict authz_check(const struct principal *who, enum authz_action action,
			       const struct authz_object *what)
{
	if (!who || (unsigned)action >= AUTHZ__ACTION_COUNT || (unsigned)who->role >= ROLE__COUNT)
		return AUTHZ_DENY_ROLE;
	switch (rules[action][who->role]) {
	case SCOPE_NONE:
		return AUTHZ_DENY_ROLE;
	case SCOPE_ALL:
		return AUTHZ_ALLOW;
	case SCOPE_OWN_ORG:
		/* without an object the action means "everything": too wide */
		if (!what || !what->org_path)
			return AUTHZ_DENY_SCOPE;
		return authz_path_within(what->org_path, who->org_path) ? AUTHZ_ALLOW : AUTHZ_DENY_SCOPE;
	case SCOPE_OWN_ENTERPRISE:
		if (!what || what->enterprise_id <= 0)
			return AUTHZ_DENY_SCOPE;
		return what->enterprise_id == who->enterprise_id ? AUTHZ_ALLOW : AUTHZ_DENY_SCOPE;
	}
	return AUTHZ_DENY_ROLE;
}

enum authz_stats_reach authz_stats_reach(const struct principal *who)
{
	if (!who || (unsigned)who->role >= ROLE__COUNT)
		return STATS_NONE;
	switch (rules[AUTHZ_STATS_READ][who->role]) {
	case SCOPE_ALL:
		return STATS_ALL;
	case SCOPE_OWN_ORG:
		if (!who->org_path[0])
			return STATS_NONE;
		/* a town's own tickets are its enterprises' demands, not only what it was assigned */
		return who->role == ROLE_TOWN_VIEWER ? STATS_TOWN : STATS_ORG;
	case SCOPE_NONE:
	case SCOPE_OWN_ENTERPRISE:
		break;
	}
	return STATS_NONE;
}

const char *authz_stats_reach_name(enum authz_stats_reach r)
{
	static const char *const names[] = { "none", "all", "org", "town" };
	return (unsigned)r <= STATS_TOWN ? names[r] : "none";
}

const char *authz_problem_code(enum authz_verdict v)
{
	return v == AUTHZ_DENY_SCOPE ? "out_of_scope" : "forbidden";
}
