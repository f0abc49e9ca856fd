/*
 * seed_demo: `suqiu-admin seed-demo`, the demo district.
 *
 * Runs sql/seed/demo_*.sql in name order (orgs first), then creates the
 * demo users below, all with the password Demo@2026. Running it again
 * changes nothing that exists.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "core/db.h"
#include "core/demo.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_demo_sql(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return strncmp(e->d_name, "demo_", 5) == 0 && n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0;
}

static bool run_seed_files(PGconn *conn, const char *sql_dir, char *err, size_t errlen)
{
	char *dir = xasprintf("%s/seed", sql_dir);
	struct dirent **names;
	int n = scandir(dir, &names, is_demo_sql, by_name);
	bool ok = n >= 0;
	if (!ok)
		snprintf(err, errlen, "could not read \"%s\"", dir);
	for (int i = 0; i < n; i++) {
		if (ok) {
			char *path = xasprintf("%s/%s", dir, names[i]->d_name);
			FILE *f = fopen(path, "r");
			char *sql = NULL;
			size_t len = 0;
			if (f) {
				fseek(f, 0, SEEK_END);
				len = (size_t)ftell(f);
				rewind(f);
				sql = xmalloc(len + 1);
				sql[fread(sql, 1, len, f)] = '\0';
				fclose(f);
			}
			char inner[768];
			ok = sql && db_run(conn, "BEGIN", 0, NULL, inner, sizeof inner) &&
			     db_run(conn, sql, 0, NULL, inner, sizeof inner) &&
			     db_run(conn, "COMMIT", 0, NULL, inner, sizeof inner);
			if (!ok) {
				snprintf(err, errlen, "%s: %s", path, sql ? inner : "could not read");
				PQclear(PQexec(conn, "ROLLBACK"));
			} else {
				printf("ran %s\n", names[i]->d_name);
			}
			free(sql);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	return ok;
}

int admin_seed_demo(const struct config *cfg)
{
	char err[1024];
	PGconn *conn = admin_connect_owner(cfg);
	if (!conn)
		return 1;
	bool ok = run_seed_files(conn, cfg->sql_dir, err, sizeof err);
	for (size_t i = 0; ok && i < demo_user_count; i++) {
		const char *params[] = { demo_users[i].org, demo_users[i].enterprise };
		PGresult *ids = db_exec(conn, "SELECT (SELECT id FROM orgs WHERE name = $1),"
					      " (SELECT id FROM enterprises WHERE name = $2)", 2, params, err, sizeof err);
		ok = ids && !PQgetisnull(ids, 0, 0) && (!demo_users[i].enterprise || !PQgetisnull(ids, 0, 1));
		if (ids && !ok)
			snprintf(err, sizeof err, "demo org \"%s\" or enterprise of %s is missing", demo_users[i].org,
				 demo_users[i].username);
		struct new_user u = { demo_users[i].username, demo_users[i].display_name, demo_users[i].role,
				      ok ? PQgetvalue(ids, 0, 0) : NULL, NULL,
				      ok && demo_users[i].enterprise ? PQgetvalue(ids, 0, 1) : NULL, DEMO_PASSWORD };
		if (ok)
			ok = admin_create_user(conn, &u, true, err, sizeof err);
		PQclear(ids);
	}
	if (ok)
		printf("demo data ready: %zu demo logins, password %s\n", demo_user_count,
		       DEMO_PASSWORD);
	else
		fprintf(stderr, "suqiu-admin: seed-demo failed: %s\n", err);
	PQfinish(conn);
	return ok ? 0 : 1;
}
