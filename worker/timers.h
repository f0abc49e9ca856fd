/*
 * timers: the SLA escalation ladder (DESIGN.md §4), run by suqiu-worker.
 *
 * A sweep claims due clocks (sla_clocks.due_at <= now()) in batches with
 * FOR UPDATE SKIP LOCKED, together with their tickets, and in the same
 * transaction moves each to its next stage (core/sla.h): writes the
 * stage's event, queues its notices in the outbox, and sets the timer of
 * the stage after. The rating window's last stage closes the ticket unrated
 * through the lifecycle's close_unrated rule. A crash before the commit
 * leaves everything as it was, so every stage happens exactly once.
 */
#ifndef SUQIU_WORKER_TIMERS_H
#define SUQIU_WORKER_TIMERS_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Escalations applied by this process, by the event action they wrote. */
struct timer_counts {
	long warning, overdue, supervision, invite, closed;
};

/* Prepares the statements below on a new connection, claims of at most
 * batch clocks; false when the database refused (logged). */
bool timers_prepare(PGconn *conn, int batch);

/* Where one batch spent its time, in milliseconds (for the worker's log). */
struct timer_phases {
	double claim, apply, commit;
};

/* Claims and escalates at most batch due clocks in one transaction.
 * Returns how many were claimed, or -1 when the database failed (the
 * transaction is rolled back; the caller checks the connection). *events
 * receives the ids of the events written (a "{1,2,3}" array literal, the
 * caller frees it) for announcing after the commit. */
int timers_run_batch(PGconn *conn, int batch, struct timer_counts *counts, char **events,
		     struct timer_phases *phases);

/* Seconds until the nearest timer, capped at cap (0 when one is due). */
double timers_wait_seconds(PGconn *conn, double cap);

#endif
