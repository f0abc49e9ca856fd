/*
 * migrate: numbered, checksummed schema migrations.
 *
 * Files are sql/migrations/NNNN_name.sql. Each is applied in its own
 * transaction and recorded in schema_migrations with the SHA-256 of its
 * text. Re-running applies nothing new; a recorded migration whose file
 * changed since is refused, as is a database that knows a migration this
 * build does not (it is newer than the code).
 */
#ifndef SUQIU_CORE_MIGRATE_H
#define SUQIU_CORE_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/secret.h"

struct migration {
	int version;
	char *name;     /* "0001_accounts.sql" */
	char *sql;      /* file text */
	char checksum[SECRET_HASH_HEX_LEN + 1];
};

struct migration_set {
	struct migration *items; /* sorted by version */
	size_t count;
};

/* Reads <sql_dir>/migrations. Refuses badly named files and duplicate numbers. */
bool migrate_load(const char *sql_dir, struct migration_set *set, char *err, size_t errlen) MUSTCHECK;
void migrate_free(struct migration_set *set);

/* "1:<sha>,2:<sha>": compared with the database's own to tell whether the
 * schema is current (/readyz). The caller frees it. */
char *migrate_fingerprint(const struct migration_set *set);

/* The SQL that computes the same fingerprint from schema_migrations. */
extern const char migrate_fingerprint_sql[];

/* Applies what is missing, as the owner role. *applied receives the number
 * of migrations applied now. Each applied file is reported through report
 * (may be NULL). */
bool migrate_apply(PGconn *owner, const struct migration_set *set, int *applied,
		   void (*report)(const struct migration *m, void *arg), void *arg, char *err,
		   size_t errlen) MUSTCHECK;

#endif
