/* admin: pieces of suqiu-admin shared between its files. */
#ifndef SUQIU_ADMIN_ADMIN_H
#define SUQIU_ADMIN_ADMIN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

const char *admin_opt(int argc, char **argv, const char *name);
/* A connection as the schema owner (starts the embedded cluster if needed). */
PGconn *admin_connect_owner(const struct config *cfg);
/* A user to create; phone and enterprise_id may be NULL (an enterprise
 * user needs the id of its enterprise). */
struct new_user {
	const char *username, *display_name, *role, *org_id, *phone, *enterprise_id, *password;
};
/* Creates a user, checking role, org kind and password strength. With
 * if_missing an existing username is left alone. */
bool admin_create_user(PGconn *conn, const struct new_user *u, bool if_missing, char *err, size_t errlen);
/* suqiu-admin seed-demo */
int admin_seed_demo(const struct config *cfg);

#endif
