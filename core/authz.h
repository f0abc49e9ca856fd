/*
 * authz: the one place that answers "may this user do this to this object".
 *
 * A decision depends on the actor's role and on where the object sits in
 * the organisation tree relative to the actor's own org. Org positions are
 * materialised paths of ids from the root ("1.4.9"), as stored in
 * orgs.path. Handlers describe what they are about to do and call
 * authz_check(); they never compare roles themselves.
 *
 * The rules are a table (authz.c) so that they can be read and tested
 * as data; later capabilities add rows, not code paths.
 */
#ifndef SUQIU_CORE_AUTHZ_H
#define SUQIU_CORE_AUTHZ_H

#include <stdbool.h>

#include "core/role.h"

#define AUTHZ_PATH_MAX 128

/* Who is asking: filled from the session or API token. */
struct principal {
	long long user_id;
	char username[65];             /* 64 ASCII characters at most (users CHECK) */
	enum role role;
	long long org_id;
	char org_path[AUTHZ_PATH_MAX]; /* "1.4.9" */
	bool via_token;                /* authenticated by a bearer API token */
	long long enterprise_id;       /* the enterprise of an enterprise user, else 0 */
	/* for display only; never consulted by authz_check */
	char display_name[257];        /* 64 characters of up to 4 bytes */
	char org_name[401];            /* 100 characters of up to 4 bytes */
	char org_kind[16];
};

enum authz_action {
	AUTHZ_SELF_READ,    /* read one's own account (/me) */
	AUTHZ_ORG_READ,     /* read an org and the org tree */
	AUTHZ_ORG_MANAGE,   /* create or disable orgs */
	AUTHZ_USER_READ,    /* list the users of an org */
	AUTHZ_USER_MANAGE,  /* create, disable, enable users */
	AUTHZ_TOKEN_MANAGE, /* create, list, revoke API tokens */
	AUTHZ_ENTERPRISE_READ,   /* an enterprise's record (object: its town, its id) */
	AUTHZ_ENTERPRISE_MANAGE, /* register enterprises */
	AUTHZ_CATEGORY_MANAGE,   /* create and edit demand categories */
	AUTHZ_KB_READ,           /* search the knowledge base */
	AUTHZ_KB_MANAGE,         /* write knowledge-base articles */
	AUTHZ_TICKET_IMPORT,     /* import batches of tickets (12345 hotline) */
	AUTHZ_CALENDAR_MANAGE,   /* read and replace a year's holiday notice */
	AUTHZ_SLA_READ,          /* read SLA policies */
	AUTHZ_SLA_MANAGE,        /* create and edit SLA policies */
	AUTHZ_OUTBOX_MANAGE,     /* read the notification outbox and retry deliveries */
	AUTHZ_STATS_READ,        /* the leadership metrics (object: an org; see authz_stats_reach) */
	AUTHZ_STATS_TARGETS_MANAGE, /* change the dashboard's KPI targets (reading them is AUTHZ_STATS_READ's) */
	AUTHZ__ACTION_COUNT
};

/* What it is asked about. org_path NULL = the action has no particular
 * object (e.g. "list everything"), and only role rules apply. */
struct authz_object {
	const char *org_path;
	long long enterprise_id; /* the enterprise the object belongs to, 0 = none */
};

enum authz_verdict {
	AUTHZ_ALLOW,
	AUTHZ_DENY_ROLE,  /* the role may never do this: 403 forbidden */
	AUTHZ_DENY_SCOPE, /* the role may, but not to this object: 403 out_of_scope */
};

enum authz_verdict authz_check(const struct principal *who, enum authz_action action,
			       const struct authz_object *what);

/* True when path lies inside the subtree rooted at root (or equals it). */
bool authz_path_within(const char *path, const char *root);

/* How much of the district's metrics (/api/v1/stats) a principal sees:
 * from the AUTHZ_STATS_READ row of the rules table. */
enum authz_stats_reach {
	STATS_NONE, /* none (403) */
	STATS_ALL,  /* every ticket, every org's row */
	STATS_ORG,  /* tickets its org subtree was assigned, the clocks and rows of that subtree */
	STATS_TOWN, /* tickets of the enterprises of its town subtree (a town viewer) */
};
enum authz_stats_reach authz_stats_reach(const struct principal *who);
const char *authz_stats_reach_name(enum authz_stats_reach r);

/* The problem code for a denial ("forbidden" / "out_of_scope"). */
const char *authz_problem_code(enum authz_verdict v);

#endif
