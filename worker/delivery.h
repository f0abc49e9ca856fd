/*
 * delivery: notifications from the outbox to the webhooks (DESIGN.md §4).
 *
 * Every ticket action, and every escalation, writes its zh-CN notices into
 * the outbox table in its own transaction. A worker delivers them:
 *
 *   1. claim: one statement leases up to SUQIU_OUTBOX_BATCH due messages of
 *      the webhooks it has (FOR UPDATE SKIP LOCKED, committed at once),
 *      counting the attempt and pushing next_attempt_at past the time the
 *      batch may take; leased_by names the worker;
 *   2. send: POSTs them, SUQIU_WEBHOOK_PARALLEL at a time, holding no
 *      transaction, each signed (core/webhook.h) and carrying its
 *      Idempotency-Key;
 *   3. record: one statement marks the 2xx ones delivered and the others
 *      pending again after a backoff, or dead after SUQIU_OUTBOX_MAX_ATTEMPTS.
 *
 * A worker killed between 1 and 3 leaves its lease to expire: the message
 * is then claimed again and sent with the same idempotency key
 * (at-least-once; receivers deduplicate). A message whose last allowed
 * attempt was interrupted that way is dead, not tried forever. Any number
 * of workers may deliver from one database.
 *
 * The route of a message (SQL outbox_route(), migration 0010) picks its
 * webhook: escalations (sla_warning, sla_overdue, sla_supervision) go to
 * SUQIU_WEBHOOK_ESCALATION_URL, other notices to enterprises to
 * SUQIU_WEBHOOK_ENTERPRISE_URL, the rest (orgs, staff) to
 * SUQIU_WEBHOOK_ORG_URL. A route without a URL is left alone: its
 * messages stay pending until a worker that has one runs.
 */
#ifndef SUQIU_WORKER_DELIVERY_H
#define SUQIU_WORKER_DELIVERY_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>

#include "core/config.h"

struct delivery;

/* Sets delivery up from cfg, which must outlive it (the URLs and the
 * secret are used from there). worker_id names the process in its leases
 * (outbox.leased_by): the worker's heartbeat id, unique per process.
 * Without any webhook URL it delivers nothing, and delivery_run returns at
 * once. Free with delivery_destroy. */
struct delivery *delivery_create(const struct config *cfg, const char *worker_id);
void delivery_destroy(struct delivery *d);

/* Delivers due messages, batch after batch, until none is due, *stop is
 * set, or about a second has passed (so that the loop's other work gets
 * its turn; delivery_wait_ms then answers 0). A batch under way when stop
 * is set is finished, which takes at most the lease: SUQIU_WEBHOOK_TIMEOUT_MS
 * per round of SUQIU_WEBHOOK_PARALLEL POSTs. Returns false when the
 * database connection failed (the caller reconnects); failed POSTs are not
 * failures of this call. */
bool delivery_run(struct delivery *d, PGconn *conn, const volatile sig_atomic_t *stop) MUSTCHECK;

/* How long the loop may sleep before delivery has work again: the time
 * until the next pending message of its routes is due (a retry, or a lease
 * that may expire), as of the last delivery_run, at most idle_ms. */
int delivery_wait_ms(const struct delivery *d, int idle_ms);

/* What this process's deliveries have come to since delivery_create, for
 * its heartbeat (worker_heartbeats.delivered and .failed, summed by the
 * server's /metrics): the messages it recorded as delivered, and its POSTs
 * that failed (each failed attempt once, however it was recorded). */
struct delivery_totals {
	long long delivered, failed;
};
/* The totals so far (zeros without any webhook URL); valid until d is destroyed. */
const struct delivery_totals *delivery_totals(const struct delivery *d);

#endif
