/* pgcluster: the embedded PostgreSQL cluster; see pgcluster.h. */
#include "core/pgcluster.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/db.h"

struct paths {
	char *pg, *data, *run, *log, *lock, *bootstrapped, *conf;
};

static void paths_init(struct paths *p, const struct config *cfg)
{
	p->pg = xasprintf("%s/pg", cfg->state_dir);
	p->data = xasprintf("%s/data", p->pg);
	p->run = xasprintf("%s/run", p->pg);
	p->log = xasprintf("%s/log", p->pg);
	p->lock = xasprintf("%s/pg.lock", cfg->state_dir);
	p->bootstrapped = xasprintf("%s/bootstrapped", p->pg);
	p->conf = xasprintf("%s/suqiu.conf", p->data);
}

static void paths_finish(struct paths *p)
{
	free(p->pg), free(p->data), free(p->run), free(p->log);
	free(p->lock), free(p->bootstrapped), free(p->conf);
}

/* The server binaries: SUQIU_PG_BINDIR, else Debian's layout, else PATH. */
static char *pg_binary(const char *name)
{
	const char *env = getenv("SUQIU_PG_BINDIR");
	if (env && *env)
		return xasprintf("%s/%s", env, name);
	static const char *versions[] = { "17", "16", "15", NULL };
	for (int i = 0; versions[i]; i++) {
		char *p = xasprintf("/usr/lib/postgresql/%s/bin/%s", versions[i], name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(name);
}

/* PostgreSQL will not run as root: then the cluster belongs to "postgres". */
static bool cluster_user(uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	if (geteuid() != 0) {
		*uid = geteuid(), *gid = getegid();
		return true;
	}
	struct passwd *pw = getpwnam("postgres");
	if (!pw) {
		snprintf(err, errlen, "running as root needs the system user \"postgres\" "
				      "(apt-get install postgresql-15) to own the embedded cluster");
		return false;
	}
	*uid = pw->pw_uid, *gid = pw->pw_gid;
	return true;
}

/* Runs argv as the cluster user in a new session, output appended to
 * log_path. Returns the exit status, or -1 when it could not run. */
static int run_as_cluster_user(char *const argv[], const char *log_path)
{
	uid_t uid;
	gid_t gid;
	char ignored[256];
	if (!cluster_user(&uid, &gid, ignored, sizeof ignored))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			if (fchown(fd, uid, gid) != 0) { /* best effort: log stays readable by root */ }
			dup2(fd, 1), dup2(fd, 2), close(fd);
		}
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0), close(devnull);
		setsid(); /* a Ctrl-C aimed at our terminal must not reach the postmaster */
		if (geteuid() == 0 && uid != 0) {
			if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
				_exit(126);
		}
		execv(argv[0], argv);
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool mkdir_owned(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return false;
	if (chown(path, uid, gid) != 0)
		return false;
	return chmod(path, mode) == 0;
}

static bool mkdir_p(const char *path, mode_t mode)
{
	char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) != 0 && errno != EEXIST) {
			free(copy);
			return false;
		}
		*p = '/';
	}
	bool ok = mkdir(copy, mode) == 0 || errno == EEXIST;
	free(copy);
	return ok;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The last few lines of a log, to say why PostgreSQL failed. */
static void log_tail(const char *path, char *out, size_t outlen)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char buf[4096];
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	long start = size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0;
	fseek(f, start, SEEK_SET);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* keep the last 3 lines */
	int lines = 0;
	char *p = buf + n;
	while (p > buf && lines < 4)
		if (*--p == '\n')
			lines++;
	snprintf(out, outlen, "%.1000s", p == buf ? p : p + 1);
}

/* Port, socket folder, address and shared_buffers are rewritten before
 * each start, so changing SUQIU_EMBEDDED_PG_* takes effect on the next start. */
static bool write_runtime_conf(const struct config *cfg, const struct paths *p, uid_t uid, gid_t gid)
{
	FILE *f = fopen(p->conf, "w");
	if (!f)
		return false;
	fprintf(f, "# written by suqiu before each start; edit postgresql.conf instead\n"
		   "port = %s\nunix_socket_directories = '%s'\nunix_socket_permissions = 0700\n"
		   "listen_addresses = '%s'\nshared_buffers = %ldMB\n",
		cfg->embedded_port, p->run, cfg->embedded_tcp ? "127.0.0.1" : "", cfg->embedded_shared_buffers_mb);
	bool ok = fclose(f) == 0;
	return ok && chown(p->conf, uid, gid) == 0;
}

static bool initdb(const struct paths *p, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char *bin = pg_binary("initdb");
	char *logf = xasprintf("%s/initdb.log", p->log);
	char *argv[] = { bin, "-D", p->data, "--locale=C.UTF-8", "--encoding=UTF8",
			 /* the socket folder is private (0700); TCP, when enabled, needs a password */
			 "--auth-local=trust", "--auth-host=scram-sha-256",
			 "--username=postgres", "--no-instructions", NULL };
	int rc = run_as_cluster_user(argv, logf);
	bool ok = rc == 0;
	if (!ok) {
		char tail[1024];
		log_tail(logf, tail, sizeof tail);
		snprintf(err, errlen, "could not create the embedded cluster with %s (exit %d): %s", bin, rc, tail);
	} else {
		char *conf = xasprintf("%s/postgresql.conf", p->data);
		FILE *f = fopen(conf, "a");
		if (f) {
			/* room for a pool per server, workers, tests and the benchmark's 64 clients */
			fputs("\n# suqiu\nmax_connections = 300\n"
			      "timezone = 'Asia/Shanghai'\nlog_timezone = 'Asia/Shanghai'\n"
			      "include_if_exists = 'suqiu.conf'\n", f);
			ok = fclose(f) == 0;
		} else {
			ok = false;
		}
		if (!ok)
			snprintf(err, errlen, "could not write %s: %s", conf, strerror(errno));
		free(conf);
	}
	(void)uid, (void)gid;
	free(bin);
	free(logf);
	return ok;
}

static int pg_ctl(const struct paths *p, const char *action)
{
	char *bin = pg_binary("pg_ctl");
	char *logf = xasprintf("%s/postgres.log", p->log);
	char *ctl_log = xasprintf("%s/pg_ctl.log", p->log);
	int rc;
	if (strcmp(action, "start") == 0) {
		char *argv[] = { bin, "-D", p->data, "-l", logf, "-w", "-t", "60", "start", NULL };
		rc = run_as_cluster_user(argv, ctl_log);
	} else if (strcmp(action, "stop") == 0) {
		char *argv[] = { bin, "-D", p->data, "-m", "fast", "-w", "-t", "60", "stop", NULL };
		rc = run_as_cluster_user(argv, ctl_log);
	} else {
		char *argv[] = { bin, "-D", p->data, "status", NULL };
		rc = run_as_cluster_user(argv, "/dev/null");
	}
	free(bin), free(logf), free(ctl_log);
	return rc;
}

/* Runs sql/bootstrap.sql as the superuser, one statement per line. */
static bool bootstrap(const struct config *cfg, const struct paths *p, char *err, size_t errlen)
{
	char *file = xasprintf("%s/bootstrap.sql", cfg->sql_dir);
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "could not open \"%s\": %s", file, strerror(errno));
		free(file);
		return false;
	}
	PGconn *conn = NULL;
	bool ok = true;
	char line[4096];
	char *dbname = xstrdup("postgres");
	while (ok && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || strncmp(line, "--", 2) == 0)
			continue;
		if (strncmp(line, "\\connect ", 9) == 0) {
			free(dbname);
			dbname = xstrdup(line + 9);
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		if (!conn) {
			char *ci = xasprintf("host=%s port=%s dbname=%s user=postgres", p->run,
					     cfg->embedded_port, dbname);
			conn = db_connect(ci, err, errlen);
			free(ci);
			if (!conn) {
				ok = false;
				break;
			}
		}
		PGresult *res = db_exec(conn, line, 0, NULL, err, errlen);
		ok = res != NULL;
		PQclear(res);
	}
	PQfinish(conn);
	fclose(f);
	free(dbname);
	free(file);
	if (ok) {
		FILE *mark = fopen(p->bootstrapped, "w");
		ok = mark && fclose(mark) == 0;
		if (!ok)
			snprintf(err, errlen, "could not write \"%s\"", p->bootstrapped);
	}
	return ok;
}

bool pgcluster_ensure_running(const struct config *cfg, char *err, size_t errlen)
{
	struct paths p;
	uid_t uid;
	gid_t gid;
	if (!cluster_user(&uid, &gid, err, errlen))
		return false;
	paths_init(&p, cfg);
	bool ok = false;
	int lockfd = -1;
	if (!mkdir_p(cfg->state_dir, 0755)) {
		snprintf(err, errlen, "could not create state folder \"%s\": %s", cfg->state_dir, strerror(errno));
		goto done;
	}
	lockfd = open(p.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644); /* the postmaster must not inherit the lock */
	if (lockfd < 0 || flock(lockfd, LOCK_EX) != 0) {
		snprintf(err, errlen, "could not lock \"%s\": %s", p.lock, strerror(errno));
		goto done;
	}
	if (!mkdir_owned(p.pg, 0700, uid, gid) || !mkdir_owned(p.run, 0700, uid, gid) ||
	    !mkdir_owned(p.log, 0700, uid, gid)) {
		snprintf(err, errlen, "could not prepare \"%s\": %s", p.pg, strerror(errno));
		goto done;
	}
	if (geteuid() == 0 && uid != 0) {
		/* the postgres user must be able to reach the folder from / */
		char *argv[] = { "/usr/bin/test", "-w", p.pg, NULL };
		if (run_as_cluster_user(argv, "/dev/null") != 0) {
			snprintf(err, errlen, "the system user \"postgres\" cannot reach \"%s\": make its parent "
					      "folders searchable (chmod o+x) or set SUQIU_STATE_DIR to a folder it can reach",
				 p.pg);
			goto done;
		}
	}
	char *version = xasprintf("%s/PG_VERSION", p.data);
	bool exists = file_exists(version);
	free(version);
	if (!exists && !initdb(&p, uid, gid, err, errlen))
		goto done;
	if (pg_ctl(&p, "status") != 0) {
		if (!write_runtime_conf(cfg, &p, uid, gid)) {
			snprintf(err, errlen, "could not write \"%s\": %s", p.conf, strerror(errno));
			goto done;
		}
		if (pg_ctl(&p, "start") != 0) {
			char tail[1024], *logf = xasprintf("%s/postgres.log", p.log);
			log_tail(logf, tail, sizeof tail);
			snprintf(err, errlen, "could not start the embedded cluster in \"%s\": %s", p.data, tail);
			free(logf);
			goto done;
		}
	}
	if (!file_exists(p.bootstrapped) && !bootstrap(cfg, &p, err, errlen))
		goto done;
	ok = true;
done:
	if (lockfd >= 0)
		close(lockfd); /* releases the lock */
	paths_finish(&p);
	return ok;
}

bool pgcluster_running(const struct config *cfg)
{
	struct paths p;
	paths_init(&p, cfg);
	char *version = xasprintf("%s/PG_VERSION", p.data);
	bool running = file_exists(version) && pg_ctl(&p, "status") == 0;
	free(version);
	paths_finish(&p);
	return running;
}

bool pgcluster_stop(const struct config *cfg, char *err, size_t errlen)
{
	if (!pgcluster_running(cfg))
		return true;
	struct paths p;
	paths_init(&p, cfg);
	bool ok = pg_ctl(&p, "stop") == 0;
	if (!ok)
		snprintf(err, errlen, "could not stop the embedded cluster in \"%s\"", p.data);
	paths_finish(&p);
	return ok;
}

char *pgcluster_conninfo(const struct config *cfg, const char *role)
{
	return xasprintf("host=%s/pg/run port=%s dbname=suqiu user=%s", cfg->state_dir,
			 cfg->embedded_port, role);
}

bool pgcluster_resolve(const struct config *cfg, char **app_url, char **owner_url, char *err,
		       size_t errlen)
{
	if (cfg->database_url) {
		if (app_url)
			*app_url = xstrdup(cfg->database_url);
		if (owner_url)
			*owner_url = xstrdup(cfg->migrate_database_url ? cfg->migrate_database_url
								       : cfg->database_url);
		return true;
	}
	if (!pgcluster_ensure_running(cfg, err, errlen))
		return false;
	if (app_url)
		*app_url = pgcluster_conninfo(cfg, "suqiu_app");
	if (owner_url)
		*owner_url = cfg->migrate_database_url ? xstrdup(cfg->migrate_database_url)
						       : pgcluster_conninfo(cfg, "suqiu_owner");
	return true;
}
