/*
 * pgcluster: the embedded PostgreSQL cluster used when SUQIU_DATABASE_URL
 * is unset.
 *
 * The cluster lives in <state>/pg (data/, run/ for the unix socket, log/).
 * It is created with initdb --locale=C.UTF-8 --encoding=UTF8, listens only
 * on a unix socket in run/ (mode 0700) unless TCP is asked for, and is
 * bootstrapped with sql/bootstrap.sql: the owner role suqiu_owner (owns
 * the schema, runs migrations), the application role suqiu_app (data
 * access only) and the database suqiu.
 *
 * PostgreSQL refuses to run as root, so when the caller is root the cluster
 * runs as the "postgres" system user. Starting detaches the postmaster into
 * its own session: the cluster outlives the tool that started it and is
 * stopped with pgcluster_stop() (`suqiu-admin db stop`). Concurrent callers
 * are serialised by a lock file.
 */
#ifndef SUQIU_CORE_PGCLUSTER_H
#define SUQIU_CORE_PGCLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* Creates the cluster when missing and starts it when stopped. */
bool pgcluster_ensure_running(const struct config *cfg, char *err, size_t errlen) MUSTCHECK;
/* Stops the cluster (fast shutdown); true also when it was not running. */
bool pgcluster_stop(const struct config *cfg, char *err, size_t errlen) MUSTCHECK;
/* True when the cluster's postmaster is running. */
bool pgcluster_running(const struct config *cfg);

/* Connection strings for the embedded cluster; the caller frees them. */
char *pgcluster_conninfo(const struct config *cfg, const char *role);

/* The application and owner connection strings the tools should use:
 * SUQIU_DATABASE_URL / SUQIU_MIGRATE_DATABASE_URL when set, else the
 * embedded cluster (started on demand). Either out pointer may be NULL. */
bool pgcluster_resolve(const struct config *cfg, char **app_url, char **owner_url, char *err,
		       size_t errlen) MUSTCHECK;

#endif
