/*
 * suqiu-admin: operating suqiu from the command line.
 *
 *   suqiu-admin migrate                   apply new migrations (as the owner role)
 *   suqiu-admin db start|stop|status      the embedded cluster (SUQIU_DATABASE_URL unset)
 *   suqiu-admin db url [app|owner]        print a connection string (for psql)
 *   suqiu-admin create-org --kind K --name N [--parent ID] [--short-name S]
 *   suqiu-admin create-user --username U --name N --role R --org ID [--phone P] [--enterprise ID]
 *                           (password from SUQIU_NEW_PASSWORD, else one line of stdin)
 *   suqiu-admin create-token --user USERNAME --name N [--days D]
 *   suqiu-admin seed-demo                 the demo district and its users
 *   suqiu-admin config                    every setting, as a Markdown table
 *
 * Exit status: 0 done, 1 failed, 2 wrong usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "admin/admin.h"
#include "core/db.h"
#include "core/log.h"
#include "core/migrate.h"
#include "core/pgcluster.h"
#include "core/role.h"
#include "core/secret.h"

static int usage(void)
{
	fputs("usage: suqiu-admin migrate | db start|stop|status|url [app|owner] | create-org ... |\n"
	      "       create-user ... | create-token ... | seed-demo | config\n"
	      "see the comment at the top of admin/main.c or the README for the options\n", stderr);
	return 2;
}

/* --name value pairs after the subcommand */
const char *admin_opt(int argc, char **argv, const char *name)
{
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

PGconn *admin_connect_owner(const struct config *cfg)
{
	char err[1024];
	char *url = NULL;
	if (!pgcluster_resolve(cfg, NULL, &url, err, sizeof err)) {
		fprintf(stderr, "suqiu-admin: %s\n", err);
		return NULL;
	}
	PGconn *conn = db_connect(url, err, sizeof err);
	free(url);
	if (!conn)
		fprintf(stderr, "suqiu-admin: %s\n", err);
	else
		PQclear(PQexec(conn, "SET timezone = 'Asia/Shanghai'"));
	return conn;
}

static void report_migration(const struct migration *m, void *arg)
{
	printf("applied %s\n", m->name);
}

static int cmd_migrate(const struct config *cfg)
{
	char err[1024];
	struct migration_set set;
	if (!migrate_load(cfg->sql_dir, &set, err, sizeof err)) {
		fprintf(stderr, "suqiu-admin: %s\n", err);
		return 1;
	}
	PGconn *conn = admin_connect_owner(cfg);
	int applied = 0;
	bool ok = conn && migrate_apply(conn, &set, &applied, report_migration, NULL, err, sizeof err);
	if (conn && !ok)
		fprintf(stderr, "suqiu-admin: %s\n", err);
	if (ok)
		printf("%d migration(s) applied, %zu in all\n", applied, set.count);
	PQfinish(conn);
	migrate_free(&set);
	return ok ? 0 : 1;
}

static int cmd_db(const struct config *cfg, int argc, char **argv)
{
	char err[1024];
	const char *what = argc > 2 ? argv[2] : "";
	if (cfg->database_url && strcmp(what, "url") != 0) {
		fprintf(stderr, "suqiu-admin: SUQIU_DATABASE_URL is set; the embedded cluster is not in use\n");
		return 1;
	}
	if (strcmp(what, "start") == 0) {
		if (!pgcluster_ensure_running(cfg, err, sizeof err)) {
			fprintf(stderr, "suqiu-admin: %s\n", err);
			return 1;
		}
		printf("embedded database running in %s/pg\n", cfg->state_dir);
		return 0;
	}
	if (strcmp(what, "stop") == 0) {
		if (!pgcluster_stop(cfg, err, sizeof err)) {
			fprintf(stderr, "suqiu-admin: %s\n", err);
			return 1;
		}
		printf("embedded database stopped\n");
		return 0;
	}
	if (strcmp(what, "status") == 0) {
		bool up = pgcluster_running(cfg);
		printf("embedded database %s\n", up ? "running" : "stopped");
		return up ? 0 : 3;
	}
	if (strcmp(what, "url") == 0) {
		bool owner = argc > 3 && strcmp(argv[3], "owner") == 0;
		char *app = NULL, *own = NULL;
		if (!pgcluster_resolve(cfg, &app, &own, err, sizeof err)) {
			fprintf(stderr, "suqiu-admin: %s\n", err);
			return 1;
		}
		printf("%s\n", owner ? own : app);
		free(app), free(own);
		return 0;
	}
	return usage();
}

static int cmd_create_org(const struct config *cfg, int argc, char **argv)
{
	const char *kind = admin_opt(argc, argv, "--kind"), *name = admin_opt(argc, argv, "--name");
	if (!kind || !name)
		return usage();
	PGconn *conn = admin_connect_owner(cfg);
	if (!conn)
		return 1;
	char err[1024];
	const char *params[] = { admin_opt(argc, argv, "--parent"), kind, name, admin_opt(argc, argv, "--short-name") };
	PGresult *res = db_exec(conn, "INSERT INTO orgs (parent_id, kind, name, short_name) VALUES ($1, $2, $3, $4)"
				      " RETURNING id, path", 4, params, err, sizeof err);
	if (res)
		printf("org %s created (path %s)\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	else
		fprintf(stderr, "suqiu-admin: could not create org: %s\n", err);
	PQclear(res);
	PQfinish(conn);
	return res ? 0 : 1;
}

/* The new password: SUQIU_NEW_PASSWORD, else the first line of stdin. Never argv (ps shows it). */
static char *read_password(void)
{
	const char *env = getenv("SUQIU_NEW_PASSWORD");
	if (env)
		return xstrdup(env);
	char line[1024];
	if (!fgets(line, sizeof line, stdin))
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	char *p = xstrdup(line);
	sodium_memzero(line, sizeof line);
	return p;
}

bool admin_create_user(PGconn *conn, const struct new_user *u, bool if_missing, char *err, size_t errlen)
{
	enum role r;
	const char *role = u->role, *org_id = u->org_id;
	if (!role_parse(role, &r)) {
		snprintf(err, errlen, "\"%s\" is not a role", role);
		return false;
	}
	const char *weak = secret_password_weakness(u->password, u->username);
	if (weak) {
		snprintf(err, errlen, "the password is too weak: %s", weak);
		return false;
	}
	const char *kp[] = { org_id };
	PGresult *kind = db_exec(conn, "SELECT kind FROM orgs WHERE id = $1", 1, kp, err, errlen);
	if (!kind)
		return false;
	bool fits = PQntuples(kind) == 1 && role_fits_org_kind(r, PQgetvalue(kind, 0, 0));
	if (PQntuples(kind) == 0)
		snprintf(err, errlen, "org %s does not exist", org_id);
	else if (!fits)
		snprintf(err, errlen, "a user with role %s cannot belong to an org of kind %s", role,
			 PQgetvalue(kind, 0, 0));
	PQclear(kind);
	if (!fits)
		return false;
	if ((r == ROLE_ENTERPRISE) != (u->enterprise_id != NULL)) {
		snprintf(err, errlen, r == ROLE_ENTERPRISE ? "an enterprise user needs --enterprise"
							     : "only enterprise users belong to an enterprise");
		return false;
	}
	char hash[SECRET_PWHASH_LEN];
	if (!secret_password_hash(u->password, hash)) {
		snprintf(err, errlen, "could not hash the password");
		return false;
	}
	const char *params[] = { u->username, u->display_name, role, org_id, u->phone, hash, u->enterprise_id };
	PGresult *res = db_exec(conn, if_missing
		? "INSERT INTO users (username, display_name, role, org_id, phone, password_hash, enterprise_id)"
		  " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING"
		: "INSERT INTO users (username, display_name, role, org_id, phone, password_hash, enterprise_id)"
		  " VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, params, err, errlen);
	sodium_memzero(hash, sizeof hash);
	PQclear(res);
	return res != NULL;
}

static int cmd_create_user(const struct config *cfg, int argc, char **argv)
{
	const char *username = admin_opt(argc, argv, "--username"), *name = admin_opt(argc, argv, "--name"),
		   *role = admin_opt(argc, argv, "--role"), *org = admin_opt(argc, argv, "--org");
	if (!username || !name || !role || !org)
		return usage();
	char *password = read_password();
	if (!password) {
		fprintf(stderr, "suqiu-admin: give the password in SUQIU_NEW_PASSWORD or on stdin\n");
		return 2;
	}
	PGconn *conn = admin_connect_owner(cfg);
	char err[1024];
	struct new_user u = { username, name, role, org, admin_opt(argc, argv, "--phone"),
			      admin_opt(argc, argv, "--enterprise"), password };
	bool ok = conn && admin_create_user(conn, &u, false, err, sizeof err);
	if (conn && !ok)
		fprintf(stderr, "suqiu-admin: could not create user: %s\n", err);
	if (ok)
		printf("user %s created\n", username);
	sodium_memzero(password, strlen(password));
	free(password);
	PQfinish(conn);
	return ok ? 0 : 1;
}

static int cmd_create_token(const struct config *cfg, int argc, char **argv)
{
	const char *user = admin_opt(argc, argv, "--user"), *name = admin_opt(argc, argv, "--name");
	if (!user || !name)
		return usage();
	PGconn *conn = admin_connect_owner(cfg);
	if (!conn)
		return 1;
	char token[SECRET_TOKEN_TEXT_LEN + 1], hash[SECRET_HASH_HEX_LEN + 1], err[1024];
	secret_token_new(token);
	secret_hash_hex(token, strlen(token), hash);
	const char *params[] = { name, hash, user, admin_opt(argc, argv, "--days") };
	PGresult *res = db_exec(conn, "INSERT INTO api_tokens (name, token_hash, user_id, expires_at)"
				      " SELECT $1, $2, id, now() + make_interval(days => $4::int) FROM users"
				      " WHERE username = $3 AND disabled_at IS NULL RETURNING id",
				4, params, err, sizeof err);
	int rc = 1;
	if (!res)
		fprintf(stderr, "suqiu-admin: could not create token: %s\n", err);
	else if (PQntuples(res) == 0)
		fprintf(stderr, "suqiu-admin: no active user \"%s\"\n", user);
	else {
		/* the only time the secret is shown: stdout only, never a log */
		printf("%s\n", token);
		rc = 0;
	}
	sodium_memzero(token, sizeof token);
	PQclear(res);
	PQfinish(conn);
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[1024];
	log_set_component("admin");
	if (argc < 2)
		return usage();
	if (!config_load(&cfg, err, sizeof err)) {
		fprintf(stderr, "suqiu-admin: %s\n", err);
		return 2;
	}
	if (!secret_init()) {
		fprintf(stderr, "suqiu-admin: libsodium could not initialise\n");
		return 1;
	}
	const char *cmd = argv[1];
	int rc;
	if (strcmp(cmd, "migrate") == 0)
		rc = cmd_migrate(&cfg);
	else if (strcmp(cmd, "db") == 0)
		rc = cmd_db(&cfg, argc, argv);
	else if (strcmp(cmd, "create-org") == 0)
		rc = cmd_create_org(&cfg, argc, argv);
	else if (strcmp(cmd, "create-user") == 0)
		rc = cmd_create_user(&cfg, argc, argv);
	else if (strcmp(cmd, "create-token") == 0)
		rc = cmd_create_token(&cfg, argc, argv);
	else if (strcmp(cmd, "seed-demo") == 0)
		rc = admin_seed_demo(&cfg);
	else if (strcmp(cmd, "config") == 0) {
		config_print_docs(stdout);
		rc = 0;
	} else
		rc = usage();
	config_finish(&cfg);
	return rc;
}
