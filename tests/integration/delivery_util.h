/*
 * delivery_util: what tests of notification delivery share: the webhook
 * receiver (webhook_receiver.c) and suqiu-worker as real processes against
 * the test database, and the receiver's log read back.
 * Like servers, they are killed if they outlive their test (proc_track).
 */
#ifndef SUQIU_TESTS_DELIVERY_UTIL_H
#define SUQIU_TESTS_DELIVERY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>
#include <sys/types.h>

/* The HMAC key of every test worker and receiver. */
#define TEST_WEBHOOK_SECRET "suqiu-delivery-test-secret-2026"

struct receiver {
	pid_t pid;
	int port;
	char log_path[256]; /* its POST log (see webhook_receiver.c) */
	char out_path[256]; /* its stdout and stderr */
};

/* Starts webhook_receiver on 127.0.0.1:0 with its --log and the extra
 * arguments args (NULL-terminated, may be NULL, e.g. "--mode", "fail"),
 * and waits until it listens. Fails the test when it does not start. */
void receiver_start(struct receiver *r, const char *const *args);
/* SIGTERM; returns the exit status (-1: it had to be killed). */
int receiver_stop(struct receiver *r);
/* "http://127.0.0.1:<port><path>", into a static buffer (valid for the next 3 calls) */
const char *receiver_url(const struct receiver *r, const char *path);

/* One line of a receiver's log. */
struct rx_post {
	long long ms;      /* when it came, Unix milliseconds */
	char key[128];     /* Idempotency-Key */
	bool sig_ok;       /* signature, timestamp and key checked out */
	int attempt;       /* X-Suqiu-Attempt */
	int status;        /* what the receiver answered */
	long long id;      /* the body's id */
	char path[64];
	char *body;        /* with --bodies, else NULL */
};
/* Every POST logged so far, in order; free with rx_posts_free. */
size_t receiver_posts(const struct receiver *r, struct rx_post **out);
void rx_posts_free(struct rx_post *posts, size_t n);

/* Polls the first cell of sql (as a long) every 50 ms until it equals
 * want or timeout_ms passes; returns the last value. */
long wait_scalar(PGconn *db, const char *sql, int nparams, const char *const *params, long want, int timeout_ms);

/* The delivered and failed totals of the latest heartbeat of the worker
 * process pid (worker_heartbeats); false when it has none. */
bool worker_delivery_totals(PGconn *db, pid_t pid, long *delivered, long *failed);

#endif
