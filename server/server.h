/*
 * server: what one suqiu-server process holds for its whole life.
 *
 * Nothing here is state another server process needs (sessions live in
 * the database), so any number of processes can run behind a proxy.
 */
#ifndef SUQIU_SERVER_SERVER_H
#define SUQIU_SERVER_SERVER_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/secret.h"
#include "server/cpupool.h"
#include "server/metrics.h"
#include "server/pgpool.h"

struct server {
	struct config cfg;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	char listen_addr[80];        /* "127.0.0.1:8080", with the real port */
	struct pgpool *pool;
	struct cpupool *cpu;
	struct metrics *metrics;
	struct stream *stream;       /* live updates (server/stream.h) */
	struct authcache *auth;      /* who credentials are, for a few seconds (server/authcache.h) */
	struct calendar *calendar;   /* working time (server/calendar.h) */
	char *web_root;              /* realpath of cfg.web_dir, or NULL when missing */
	char *migration_fingerprint; /* what schema_migrations must hold for /readyz */
	char dummy_hash[SECRET_PWHASH_LEN]; /* verified against for unknown users, to take as long */
	int inflight;                /* requests received and not yet answered */
	bool draining;               /* SIGTERM received: answer what is in flight, accept nothing */
	struct event *ev_sigterm, *ev_sigint, *ev_drain, *ev_logflush;
	uint64_t drain_started_ns;
	bool drain_quiet;            /* the last drain tick saw nothing in flight */
};

#endif
