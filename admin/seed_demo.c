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

#define DEMO_PASSWORD "Demo@2026"

/* enterprise: the name of the enterprise of an enterprise user (demo_enterprises.sql) */
static const struct {
	const char *username, *display_name, *role, *org, *enterprise;
} demo_users[] = {
	{ "admin", "系统管理员", "admin", "闵行区", NULL },
	{ "zhuanyuan", "王晓燕", "specialist", "闵行区企业服务中心", NULL },
	{ "shichang", "李建国", "bureau_handler", "区市场监管局", NULL },
	{ "shichang_lead", "赵志刚", "bureau_leader", "区市场监管局", NULL },
	{ "guihua", "陈敏", "bureau_handler", "区规划资源局", NULL },
	{ "duban", "周立群", "supervisor", "闵行区", NULL },
	{ "lingdao", "吴国平", "leader", "闵行区", NULL },
	{ "xinzhuang", "孙丽", "town_viewer", "莘庄镇", NULL },
	{ "renshe", "马俊", "bureau_handler", "区人社局", NULL },
	{ "xinzhuang_ban", "何静", "bureau_handler", "莘庄镇", NULL },
	{ "qiye1", "刘洋", "enterprise", "莘庄镇", "上海闵芯微电子有限公司" },
	{ "qiye2", "黄静", "enterprise", "七宝镇", "上海七宝食品有限公司" },
};

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
	for (size_t i = 0; ok && i < sizeof demo_users / sizeof demo_users[0]; i++) {
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
		printf("demo data ready: %zu demo logins, password %s\n", sizeof demo_users / sizeof demo_users[0],
		       DEMO_PASSWORD);
	else
		fprintf(stderr, "suqiu-admin: seed-demo failed: %s\n", err);
	PQfinish(conn);
	return ok ? 0 : 1;
}
