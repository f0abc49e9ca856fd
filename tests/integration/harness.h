/*
 * harness: what the integration suites share: starting the real
 * suqiu-server binary against the throwaway database of tests/run, a small
 * raw HTTP/1.1 client (raw, so that tests can send what curl would
 * normalise away), and database access for checking that refused requests
 * changed nothing.
 *
 * Criterion forks every test, so each test starts its own server in .init
 * and stops it in .fini; nothing is shared through globals between tests.
 */
#ifndef SUQIU_TESTS_HARNESS_H
#define SUQIU_TESTS_HARNESS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct server_proc {
	pid_t pid;
	int port;
	char log_path[256];
	char web_dir[256]; /* a private copy when started with a web dir fixture */
};

/* Starts suqiu-server on 127.0.0.1:0 with the test database, extra
 * environment "NAME=value" strings (NULL-terminated, may be NULL), and
 * waits until it listens. Fails the test when it does not start. */
void server_start(struct server_proc *s, const char *const *env);
/* Starts suqiu-worker the same way (s->port stays 0) and waits until it
 * has connected to the database. Stop it with server_stop(_clean). */
void worker_start(struct server_proc *s, const char *const *env);
/* Sends sig and waits (up to timeout_s) for the exit; returns the exit
 * status, or -1 when it had to be killed. */
int server_stop(struct server_proc *s, int sig, int timeout_s);
/* Stops the server with SIGTERM and fails the test unless it exited with
 * status 0 (so a sanitizer report, a leak included, fails the suite). */
void server_stop_clean(struct server_proc *s);
/* Sends sig to *pid and waits (up to timeout_s) for it to exit; returns
 * the exit status (128 + the signal when one ended it), or -1 when it had
 * to be killed. *pid is 0 afterwards. */
int proc_stop(pid_t *pid, int sig, int timeout_s);
/* Kills pid (SIGKILL) if it still runs when the test process ends. */
void proc_track(pid_t pid);
/* The first len - 1 bytes of a file, NUL-terminated ("" when unreadable). */
void read_file(const char *path, char *buf, size_t len);
/* True when the server's log contains needle (waits up to 3 s for it). */
bool server_log_contains(const struct server_proc *s, const char *needle);

struct http_resp {
	int status;
	char *head;      /* status line and headers, NUL-terminated */
	char *body;      /* NUL-terminated (also when binary) */
	size_t body_len;
};

/* A TCP connection to 127.0.0.1:port with 15 s send/receive timeouts, or -1. */
int tcp_connect(int port);

/* Sends raw bytes and reads the whole answer (the request should ask for
 * Connection: close). Returns false when nothing parseable came back. */
bool http_raw(int port, const char *req, size_t len, struct http_resp *r);

/* Builds and sends a request. headers: extra lines, each ending in \r\n
 * (may be NULL). body may be NULL; when given it is sent as
 * application/json unless headers carry a Content-Type. Every request
 * carries an X-Forwarded-For unique to the test process, so that login
 * throttling by address does not leak between tests. */
bool http_do(int port, const char *method, const char *path, const char *headers, const char *body,
	     struct http_resp *r);

void http_resp_free(struct http_resp *r);
/* The value of a response header (case-insensitive name), into a static
 * buffer; NULL when absent. */
const char *resp_header(const struct http_resp *r, const char *name);
/* The body parsed as JSON (new reference) or NULL. */
json_t *resp_json(const struct http_resp *r);
/* The value of the sample name (e.g. "suqiu_outbox_delivered_total") in
 * the /metrics of the server on port; fails the test when it is absent. */
long metric_value(int port, const char *name);

/* A logged-in web session. */
struct session {
	char cookie[128];   /* "suqiu_session=..." */
	char csrf[64];
	char headers[512];  /* "Cookie: ...\r\nX-CSRF-Token: ...\r\n" */
};
/* Logs in; returns the HTTP status (200 on success). */
int login(int port, const char *username, const char *password, struct session *out);

/* A JSON API call as session s (NULL = anonymous). Returns the status;
 * *out (when out is not NULL) receives the parsed body or NULL. */
int api_call(int port, const struct session *s, const char *method, const char *path, const char *body, json_t **out);

/* A connection as the schema owner, for looking behind the API. */
PGconn *test_db(void);
/* The first cell of a query, as a long. */
long db_scalar(PGconn *db, const char *sql, int nparams, const char *const *params);

/* A string unique within this test run, e.g. for usernames. */
const char *unique_suffix(void);

/* Path of a binary of the build under test ("server/suqiu-server"); the
 * answer stays valid for the next 7 calls. */
const char *build_path(const char *rel);

#define DEMO_PASSWORD "Demo@2026"

#endif
