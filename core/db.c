/* db: blocking libpq helpers; see db.h. */
#include "core/db.h"

#include <stdio.h>
#include <string.h>

/* Notices ("relation already exists, skipping") are not errors: keep them off the terminal. */
static void quiet_notices(void *arg, const char *message)
{
	(void)arg, (void)message;
}

PGconn *db_connect(const char *conninfo, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
	const char *values[] = { conninfo, "suqiu", "10", NULL };
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "could not connect to the database: %s",
			 conn ? PQerrorMessage(conn) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, quiet_notices, NULL);
	return conn;
}

/* res when it succeeded; NULL with err filled (and res cleared) otherwise. */
static PGresult *checked(PGconn *conn, PGresult *res, char *err, size_t errlen)
{
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	snprintf(err, errlen, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	err[strcspn(err, "\n")] = '\0';
	PQclear(res);
	return NULL;
}

PGresult *db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
		  size_t errlen)
{
	return checked(conn,
		       nparams ? PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(conn, sql),
		       err, errlen);
}

bool db_prepare(PGconn *conn, const char *name, const char *sql, char *err, size_t errlen)
{
	PGresult *res = checked(conn, PQprepare(conn, name, sql, 0, NULL), err, errlen);
	PQclear(res);
	return res != NULL;
}

PGresult *db_exec_prepared(PGconn *conn, const char *name, int nparams, const char *const *params, char *err,
			   size_t errlen)
{
	return checked(conn, PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0), err, errlen);
}

bool db_run(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
	    size_t errlen)
{
	PGresult *res = db_exec(conn, sql, nparams, params, err, errlen);
	PQclear(res);
	return res != NULL;
}

const char *db_sqlstate(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return s ? s : "";
}
