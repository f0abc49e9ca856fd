/*
 * cpupool: a few threads for CPU-heavy work (argon2id password hashing),
 * so that one login does not stall every other request on the event loop.
 *
 * work() runs on a pool thread and must touch nothing but its argument;
 * done() runs afterwards on the event loop thread. Every submitted job
 * gets its done() call, also during shutdown (after its work has run).
 */
#ifndef SUQIU_SERVER_CPUPOOL_H
#define SUQIU_SERVER_CPUPOOL_H

#include <event2/event.h>

struct cpupool;

struct cpupool *cpupool_create(struct event_base *base, int threads);
/* Waits for queued work to finish, runs the done callbacks, joins the threads. */
void cpupool_destroy(struct cpupool *pool);

void cpupool_submit(struct cpupool *pool, void (*work)(void *arg), void (*done)(void *arg), void *arg);

#endif
