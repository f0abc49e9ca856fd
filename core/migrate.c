/* migrate: checksummed schema migrations; see migrate.h. */
#include "core/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"

const char migrate_fingerprint_sql[] =
	"SELECT coalesce(string_agg(version || ':' || checksum, ',' ORDER BY version), '') "
	"FROM schema_migrations";

static bool well_named(const char *name, int *version)
{
	size_t n = strlen(name);
	if (n < 10 || strcmp(name + n - 4, ".sql") != 0 || name[4] != '_')
		return false;
	for (int i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	for (size_t i = 5; i < n - 4; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	*version = atoi(name);
	return *version > 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int by_version(const void *a, const void *b)
{
	return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

bool migrate_load(const char *sql_dir, struct migration_set *set, char *err, size_t errlen)
{
	set->items = NULL;
	set->count = 0;
	char *dir = xasprintf("%s/migrations", sql_dir);
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "could not open \"%s\": %s", dir, strerror(errno));
		free(dir);
		return false;
	}
	struct dirent *e;
	size_t cap = 0;
	bool ok = true;
	while (ok && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int version;
		if (!well_named(e->d_name, &version)) {
			snprintf(err, errlen, "migration \"%s\" is not named NNNN_lowercase_name.sql", e->d_name);
			ok = false;
			break;
		}
		if (set->count == cap)
			set->items = xrealloc(set->items, (cap = cap ? cap * 2 : 16) * sizeof *set->items);
		struct migration *m = &set->items[set->count];
		char *path = xasprintf("%s/%s", dir, e->d_name);
		size_t len;
		m->sql = read_file(path, &len);
		if (!m->sql) {
			snprintf(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
			free(path);
			ok = false;
			break;
		}
		free(path);
		m->version = version;
		m->name = xstrdup(e->d_name);
		secret_hash_hex(m->sql, len, m->checksum);
		set->count++;
	}
	closedir(d);
	free(dir);
	if (ok && set->count > 0) { /* qsort(NULL, 0, ...) is undefined */
		qsort(set->items, set->count, sizeof *set->items, by_version);
		for (size_t i = 1; i < set->count; i++) {
			if (set->items[i].version == set->items[i - 1].version) {
				snprintf(err, errlen, "migrations \"%s\" and \"%s\" share the number %04d",
					 set->items[i - 1].name, set->items[i].name, set->items[i].version);
				ok = false;
			}
		}
	}
	if (!ok)
		migrate_free(set);
	return ok;
}

void migrate_free(struct migration_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].name);
		free(set->items[i].sql);
	}
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

char *migrate_fingerprint(const struct migration_set *set)
{
	size_t cap = set->count * (SECRET_HASH_HEX_LEN + 16) + 1, n = 0;
	char *out = xmalloc(cap);
	out[0] = '\0';
	for (size_t i = 0; i < set->count; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%d:%s", i ? "," : "", set->items[i].version,
				      set->items[i].checksum);
	return out;
}

static const char create_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
	" applied_at timestamptz NOT NULL DEFAULT now())";

bool migrate_apply(PGconn *owner, const struct migration_set *set, int *applied,
		   void (*report)(const struct migration *m, void *arg), void *arg, char *err,
		   size_t errlen)
{
	*applied = 0;
	PGresult *res = NULL;
	bool ok = false;
	/* one migrator at a time, across hosts */
	if (!db_run(owner, "SELECT pg_advisory_lock(7370871001)", 0, NULL, err, errlen))
		return false;
	if (!db_run(owner, create_table_sql, 0, NULL, err, errlen) ||
	    !db_run(owner, "GRANT SELECT ON schema_migrations TO suqiu_app", 0, NULL, err, errlen))
		goto done;
	res = db_exec(owner, "SELECT version, name, checksum FROM schema_migrations ORDER BY version", 0,
		      NULL, err, errlen);
	if (!res)
		goto done;
	int rows = PQntuples(res);
	for (int r = 0; r < rows; r++) {
		int version = atoi(PQgetvalue(res, r, 0));
		const struct migration *m = NULL;
		for (size_t i = 0; i < set->count && !m; i++)
			if (set->items[i].version == version)
				m = &set->items[i];
		if (!m) {
			snprintf(err, errlen, "the database has migration %04d (\"%s\") that this build does not "
					      "know: it is newer than the code",
				 version, PQgetvalue(res, r, 1));
			goto done;
		}
		if (strcmp(m->checksum, PQgetvalue(res, r, 2)) != 0) {
			snprintf(err, errlen, "migration \"%s\" was edited after it was applied (checksum %.12s "
					      "recorded, %.12s on disk): add a new migration instead",
				 m->name, PQgetvalue(res, r, 2), m->checksum);
			goto done;
		}
	}
	for (size_t i = 0; i < set->count; i++) {
		const struct migration *m = &set->items[i];
		bool known = false;
		for (int r = 0; r < rows && !known; r++)
			known = atoi(PQgetvalue(res, r, 0)) == m->version;
		if (known)
			continue;
		char version[16];
		snprintf(version, sizeof version, "%d", m->version);
		const char *params[] = { version, m->name, m->checksum };
		char inner[512];
		if (!db_run(owner, "BEGIN", 0, NULL, err, errlen))
			goto done;
		if (!db_run(owner, m->sql, 0, NULL, inner, sizeof inner) ||
		    !db_run(owner, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
			    3, params, inner, sizeof inner)) {
			snprintf(err, errlen, "migration \"%s\" failed and was rolled back: %s", m->name, inner);
			PQclear(PQexec(owner, "ROLLBACK"));
			goto done;
		}
		if (!db_run(owner, "COMMIT", 0, NULL, err, errlen))
			goto done;
		(*applied)++;
		if (report)
			report(m, arg);
	}
	ok = true;
done:
	PQclear(res);
	PQclear(PQexec(owner, "SELECT pg_advisory_unlock(7370871001)"));
	return ok;
}
