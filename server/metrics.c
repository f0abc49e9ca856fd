/* metrics: Prometheus counters and histograms; see metrics.h. */
#include "server/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBOUNDS (int)(sizeof bounds / sizeof bounds[0])

struct counter {
	int route;
	const char *method; /* static strings from router_method_name */
	int status;
	unsigned long long count;
};

struct histogram {
	unsigned long long buckets[NBOUNDS]; /* cumulative when rendered */
	unsigned long long count;
	double sum;
};

struct metrics {
	int n;
	const char *const *names;
	struct histogram *hist; /* one per route */
	struct counter *counters;
	size_t ncounters, cap;
};

struct metrics *metrics_create(int n, const char *const *names)
{
	struct metrics *m = xcalloc(1, sizeof *m);
	m->n = n;
	m->names = names;
	m->hist = xcalloc((size_t)n, sizeof *m->hist);
	return m;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	free(m->hist);
	free(m->counters);
	free(m);
}

void metrics_observe(struct metrics *m, int route, const char *method, int status, double seconds)
{
	if (route < 0 || route >= m->n)
		return;
	struct counter *c = NULL;
	for (size_t i = 0; i < m->ncounters && !c; i++)
		if (m->counters[i].route == route && m->counters[i].status == status &&
		    strcmp(m->counters[i].method, method) == 0)
			c = &m->counters[i];
	if (!c) {
		if (m->ncounters == m->cap)
			m->counters = xrealloc(m->counters, (m->cap = m->cap ? m->cap * 2 : 64) * sizeof *c);
		c = &m->counters[m->ncounters++];
		*c = (struct counter){ route, method, status, 0 };
	}
	c->count++;
	struct histogram *h = &m->hist[route];
	for (int i = 0; i < NBOUNDS; i++)
		if (seconds <= bounds[i]) {
			h->buckets[i]++;
			break;
		}
	h->count++;
	h->sum += seconds;
}

void metrics_render(const struct metrics *m, const struct pgpool_stats *pool, int inflight,
		    struct evbuffer *out)
{
	evbuffer_add_printf(out, "# HELP suqiu_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
				 "# TYPE suqiu_http_requests_total counter\n");
	for (size_t i = 0; i < m->ncounters; i++) {
		const struct counter *c = &m->counters[i];
		evbuffer_add_printf(out, "suqiu_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
				    m->names[c->route], c->method, c->status, c->count);
	}
	evbuffer_add_printf(out, "# HELP suqiu_http_request_duration_seconds Time from receiving a request to answering it.\n"
				 "# TYPE suqiu_http_request_duration_seconds histogram\n");
	for (int r = 0; r < m->n; r++) {
		const struct histogram *h = &m->hist[r];
		if (!h->count)
			continue;
		unsigned long long cum = 0;
		for (int i = 0; i < NBOUNDS; i++) {
			cum += h->buckets[i];
			evbuffer_add_printf(out, "suqiu_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
					    m->names[r], bounds[i], cum);
		}
		evbuffer_add_printf(out, "suqiu_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
					 "suqiu_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
					 "suqiu_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
				    m->names[r], h->count, m->names[r], h->sum, m->names[r], h->count);
	}
	evbuffer_add_printf(out,
		"# HELP suqiu_http_inflight_requests Requests received and not yet answered.\n"
		"# TYPE suqiu_http_inflight_requests gauge\nsuqiu_http_inflight_requests %d\n"
		"# HELP suqiu_db_pool_size Configured database connections.\n"
		"# TYPE suqiu_db_pool_size gauge\nsuqiu_db_pool_size %d\n"
		"# HELP suqiu_db_pool_connected Database connections that are up.\n"
		"# TYPE suqiu_db_pool_connected gauge\nsuqiu_db_pool_connected %d\n"
		"# HELP suqiu_db_pool_busy Database connections running a query or held for a transaction.\n"
		"# TYPE suqiu_db_pool_busy gauge\nsuqiu_db_pool_busy %d\n"
		"# HELP suqiu_db_pool_waiting Requests waiting for a database connection.\n"
		"# TYPE suqiu_db_pool_waiting gauge\nsuqiu_db_pool_waiting %d\n"
		"# HELP suqiu_db_pool_rejected_total Requests refused because the wait queue was full.\n"
		"# TYPE suqiu_db_pool_rejected_total counter\nsuqiu_db_pool_rejected_total %llu\n"
		"# HELP suqiu_db_pool_timeouts_total Requests that waited too long for a connection.\n"
		"# TYPE suqiu_db_pool_timeouts_total counter\nsuqiu_db_pool_timeouts_total %llu\n"
		"# HELP suqiu_db_pool_reconnects_total Database connections lost and re-established.\n"
		"# TYPE suqiu_db_pool_reconnects_total counter\nsuqiu_db_pool_reconnects_total %llu\n",
		inflight, pool->size, pool->connected, pool->busy, pool->waiting, pool->queue_rejected,
		pool->queue_timeouts, pool->reconnects);
}
