/*
 * db: blocking libpq helpers for the command-line tools and the worker.
 *
 * suqiu-server never uses these: its database access goes through the
 * non-blocking pool in server/pgpool.c. Errors come back as text in the
 * PostgreSQL message style.
 */
#ifndef SUQIU_CORE_DB_H
#define SUQIU_CORE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/xalloc.h"

/* Connects with application_name "suqiu"; NULL with err filled on failure. */
PGconn *db_connect(const char *conninfo, char *err, size_t errlen);

/* Runs sql with text parameters. Returns the result when it succeeded
 * (the caller PQclear()s it), NULL with err filled otherwise. */
PGresult *db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
		  size_t errlen);

/* db_exec for statements whose result is not needed. */
bool db_run(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
	    size_t errlen) MUSTCHECK;

/* Prepares sql as the named statement of this connection (parameter
 * types inferred); false with err filled on failure. A statement prepared
 * once is planned for the connection's life instead of at every call. */
bool db_prepare(PGconn *conn, const char *name, const char *sql, char *err, size_t errlen) MUSTCHECK;

/* db_exec of a statement db_prepare() prepared on this connection. */
PGresult *db_exec_prepared(PGconn *conn, const char *name, int nparams, const char *const *params, char *err,
			   size_t errlen);

/* SQLSTATE of a failed result, "" when none. */
const char *db_sqlstate(const PGresult *res);

#endif
