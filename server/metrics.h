/*
 * metrics: request counters and latency histograms in Prometheus text
 * format, served at /metrics.
 *
 * Requests are counted by route pattern (not by raw path, which would let
 * clients grow the table without bound), method and status.
 */
#ifndef SUQIU_SERVER_METRICS_H
#define SUQIU_SERVER_METRICS_H

#include <event2/buffer.h>

#include "server/pgpool.h"

struct metrics;

/* names[i] labels route index i; there are n of them. */
struct metrics *metrics_create(int n, const char *const *names);
void metrics_destroy(struct metrics *m);

void metrics_observe(struct metrics *m, int route, const char *method, int status, double seconds);

/* Appends the whole exposition, with the pool gauges, to out. */
void metrics_render(const struct metrics *m, const struct pgpool_stats *pool, int inflight,
		    struct evbuffer *out);

#endif
