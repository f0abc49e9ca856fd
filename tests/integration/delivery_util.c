/* delivery_util: receiver and worker processes for delivery tests; see delivery_util.h. */
#include "delivery_util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static void log_path(char *out, size_t len, const char *what)
{
	static int seq;
	const char *dir = getenv("SUQIU_TEST_LOG_DIR");
	snprintf(out, len, "%s/%s-%d-%s-%d.log", dir && *dir ? dir : "/tmp", what, (int)getpid(), unique_suffix(),
		 ++seq);
}

/* fork + exec of path with argv and extra environment, output to out. */
static pid_t spawn(const char *path, char *const *argv, const char *const *env, const char *out)
{
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		close_range(3, ~0U, 0); /* nothing of Criterion's may stay open */
		execv(path, argv);
		_exit(127);
	}
	proc_track(pid);
	return pid;
}

void receiver_start(struct receiver *r, const char *const *args)
{
	memset(r, 0, sizeof *r);
	log_path(r->log_path, sizeof r->log_path, "webhooks");
	log_path(r->out_path, sizeof r->out_path, "receiver");
	char *argv[32] = { "webhook_receiver", "--log", r->log_path };
	int n = 3;
	for (int i = 0; args && args[i] && n < 31; i++)
		argv[n++] = (char *)args[i];
	const char *env[] = { "SUQIU_WEBHOOK_SECRET=" TEST_WEBHOOK_SECRET, NULL };
	r->pid = spawn(build_path("tests/integration/webhook_receiver"), argv, env, r->out_path);
	char buf[4096];
	for (int i = 0; i < 200; i++) {
		read_file(r->out_path, buf, sizeof buf);
		const char *hit = strstr(buf, "listening 127.0.0.1:");
		if (hit) {
			r->port = atoi(hit + strlen("listening 127.0.0.1:"));
			return;
		}
		int status;
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			r->pid = 0;
			cr_assert_fail("webhook_receiver exited before listening:\n%s", buf);
		}
		usleep(50000);
	}
	cr_assert_fail("webhook_receiver did not start listening:\n%s", buf);
}

int receiver_stop(struct receiver *r)
{
	return proc_stop(&r->pid, SIGTERM, 10);
}

const char *receiver_url(const struct receiver *r, const char *path)
{
	static char urls[3][128];
	static unsigned next;
	char *url = urls[next++ % 3];
	snprintf(url, sizeof urls[0], "http://127.0.0.1:%d%s", r->port, path);
	return url;
}

size_t receiver_posts(const struct receiver *r, struct rx_post **out)
{
	*out = NULL;
	FILE *f = fopen(r->log_path, "r");
	if (!f)
		return 0;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	while ((len = getline(&line, &linecap, f)) > 0) {
		if (line[len - 1] != '\n')
			break; /* being written */
		line[len - 1] = '\0';
		if (n == cap)
			*out = realloc(*out, (cap = cap ? cap * 2 : 64) * sizeof **out);
		struct rx_post *p = &(*out)[n];
		memset(p, 0, sizeof *p);
		char *fields[8] = { 0 }, *save = NULL, *s = line;
		int nf = 0;
		/* the body may hold anything but tabs and newlines: split the first 7 fields only */
		for (; nf < 7 && (fields[nf] = strtok_r(nf ? NULL : s, "\t", &save)); nf++)
			;
		cr_assert_eq(nf, 7, "receiver log line %zu has %d fields", n + 1, nf);
		p->ms = atoll(fields[0]);
		snprintf(p->key, sizeof p->key, "%s", fields[1]);
		p->sig_ok = strcmp(fields[2], "ok") == 0;
		p->attempt = atoi(fields[3]);
		p->status = atoi(fields[4]);
		p->id = atoll(fields[5]);
		snprintf(p->path, sizeof p->path, "%s", fields[6]);
		if (save && *save)
			p->body = strdup(save);
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

void rx_posts_free(struct rx_post *posts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(posts[i].body);
	free(posts);
}

long wait_scalar(PGconn *db, const char *sql, int nparams, const char *const *params, long want, int timeout_ms)
{
	long got = db_scalar(db, sql, nparams, params);
	for (int waited = 0; got != want && waited < timeout_ms; waited += 50) {
		usleep(50000);
		got = db_scalar(db, sql, nparams, params);
	}
	return got;
}

bool worker_delivery_totals(PGconn *db, pid_t pid, long *delivered, long *failed)
{
	char text[16];
	snprintf(text, sizeof text, "%d", (int)pid);
	const char *p[] = { text };
	PGresult *res = PQexecParams(db, "SELECT delivered, failed FROM worker_heartbeats WHERE pid = $1"
				     " ORDER BY started_at DESC LIMIT 1", 1, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	bool found = PQntuples(res) == 1;
	*delivered = found ? atol(PQgetvalue(res, 0, 0)) : -1;
	*failed = found ? atol(PQgetvalue(res, 0, 1)) : -1;
	PQclear(res);
	return found;
}
