/*
 * demo: the demo district's logins, shared by `suqiu-admin seed-demo`
 * (which creates them) and the server (which lists them on the login page
 * when SUQIU_DEMO_LOGINS is set).
 */
#ifndef SUQIU_CORE_DEMO_H
#define SUQIU_CORE_DEMO_H

#include <stddef.h>

/* The password of every demo login. */
#define DEMO_PASSWORD "Demo@2026"

/* org: the org's name (sql/seed/demo_1_orgs.sql); enterprise: the name of
 * an enterprise user's enterprise (demo_3_enterprises.sql), else NULL. */
struct demo_user {
	const char *username, *display_name, *role, *org, *enterprise;
};

extern const struct demo_user demo_users[];
extern const size_t demo_user_count;

#endif
