/*
 * suqiu-server: the HTTP/JSON API and the web UI's files.
 *
 * One event loop (libevent) serves every connection; the database is
 * reached through the non-blocking pool and password hashing through the
 * CPU pool, so nothing blocks the loop. SIGTERM/SIGINT drain: the
 * listening socket closes, requests in flight are answered (up to
 * SUQIU_SHUTDOWN_GRACE seconds), then the pools close.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/http.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/migrate.h"
#include "core/pgcluster.h"
#include "core/timefmt.h"
#include "server/http.h"
#include "server/router.h"
#include "server/authcache.h"
#include "server/calendar.h"
#include "server/stream.h"

static bool split_listen(const char *listen, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= hostlen)
		return false;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 0 || p > 65535)
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	*port = (int)p;
	return true;
}

static void on_log_flush(evutil_socket_t fd, short what, void *arg)
{
	log_flush();
}

static void on_drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	double waited = (double)(timefmt_mono_ns() - srv->drain_started_ns) / 1e9;
	/* a reply is written to its socket on a later loop turn than it is made:
	 * leave only after a whole tick with nothing in flight */
	bool quiet = srv->inflight == 0 && srv->drain_quiet;
	srv->drain_quiet = srv->inflight == 0;
	if (quiet || waited >= (double)srv->cfg.shutdown_grace_s) {
		logj("info", "drained", "{s:i, s:f}", "abandoned", srv->inflight, "seconds", waited);
		event_base_loopexit(srv->base, NULL);
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	if (srv->draining) {
		logj("warn", "shutdown_forced", "{s:i}", "signal", (int)sig);
		event_base_loopbreak(srv->base);
		return;
	}
	logj("info", "shutdown_started", "{s:i, s:i}", "signal", (int)sig, "inflight", srv->inflight);
	log_flush();
	srv->draining = true;
	srv->drain_started_ns = timefmt_mono_ns();
	stream_close_all(srv->stream); /* live streams never finish by themselves */
	if (srv->bound) {
		evhttp_del_accept_socket(srv->http, srv->bound);
		srv->bound = NULL;
	}
	srv->ev_drain = event_new(srv->base, -1, EV_PERSIST, on_drain_tick, srv);
	struct timeval tick = { 0, 20000 };
	event_add(srv->ev_drain, &tick);
	on_drain_tick(-1, 0, srv);
}

static bool start_http(struct server *srv, char *err, size_t errlen)
{
	char host[64];
	int port;
	if (!split_listen(srv->cfg.listen, host, sizeof host, &port)) {
		snprintf(err, errlen, "SUQIU_LISTEN \"%s\" is not host:port", srv->cfg.listen);
		return false;
	}
	srv->http = evhttp_new(srv->base);
	evhttp_set_gencb(srv->http, http_handle, srv);
	/* accept every method, so that the router answers unknown ones with problem+json */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
						      EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
						      EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	/* bodies up to twice the limit are read and refused with problem+json by
	 * http_handle; beyond that libevent cuts the connection short itself */
	/* evhttp's own cap, above which it drops the connection: our limits
	 * (per route, answered with a 413 problem) lie below it */
	long cap = srv->cfg.body_limit * 2 > HTTP_UPLOAD_LIMIT + (1L << 20) ? srv->cfg.body_limit * 2
									     : HTTP_UPLOAD_LIMIT + (1L << 20);
	evhttp_set_max_body_size(srv->http, cap);
	evhttp_set_max_headers_size(srv->http, srv->cfg.header_limit);
	evhttp_set_timeout(srv->http, (int)srv->cfg.http_timeout_s);
	srv->bound = evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port);
	if (!srv->bound) {
		snprintf(err, errlen, "could not listen on %s", srv->cfg.listen);
		return false;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char ip[INET6_ADDRSTRLEN] = "?";
	getsockname(evhttp_bound_socket_get_fd(srv->bound), (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
		port = ntohs(in->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
		port = ntohs(in6->sin6_port);
	}
	snprintf(srv->listen_addr, sizeof srv->listen_addr, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip, port);
	return true;
}

int main(void)
{
	static struct server srv;
	char err[1024];
	int rc = 1;
	char *app_url = NULL;
	struct migration_set migrations = { 0 };
	const char **names = NULL;
	log_set_component("server");
	signal(SIGPIPE, SIG_IGN);
	if (!config_load(&srv.cfg, err, sizeof err)) {
		logj("fatal", "config_invalid", "{s:s}", "error", err);
		return 2;
	}
	if (!secret_init()) {
		logj("fatal", "libsodium_init_failed", NULL);
		goto out;
	}
	if (!migrate_load(srv.cfg.sql_dir, &migrations, err, sizeof err)) {
		logj("fatal", "migrations_unreadable", "{s:s}", "error", err);
		goto out;
	}
	srv.migration_fingerprint = migrate_fingerprint(&migrations);
	if (!pgcluster_resolve(&srv.cfg, &app_url, NULL, err, sizeof err)) {
		logj("fatal", "database_unavailable", "{s:s}", "error", err);
		goto out;
	}
	char real[PATH_MAX];
	if (realpath(srv.cfg.web_dir, real))
		srv.web_root = xstrdup(real);
	else
		logj("warn", "web_dir_missing", "{s:s}", "web_dir", srv.cfg.web_dir);
	/* unknown usernames are checked against this, so that they take as long */
	char dummy[SECRET_TOKEN_TEXT_LEN + 1];
	secret_token_new(dummy);
	if (!secret_password_hash(dummy, srv.dummy_hash))
		goto out;

	/* the changelist folds the add/del pairs evhttp makes per request into
	 * one epoll_ctl per descriptor and loop iteration */
	struct event_config *ecfg = event_config_new();
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	srv.base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	log_set_buffered(true);
	srv.ev_logflush = event_new(srv.base, -1, EV_PERSIST, on_log_flush, NULL);
	struct timeval flush_every = { 0, 100000 };
	event_add(srv.ev_logflush, &flush_every);
	names = xcalloc((size_t)route_count + 2, sizeof *names);
	for (int i = 0; i < route_count; i++)
		names[i] = routes[i].pattern;
	names[route_count] = "static";
	names[route_count + 1] = "unmatched";
	srv.metrics = metrics_create(route_count + 2, names);
	struct pgpool_options popt = {
		.conninfo = app_url,
		.application_name = "suqiu-server",
		.size = (int)srv.cfg.pool_size,
		.queue_max = (int)srv.cfg.queue_max,
		.queue_timeout_ms = (int)srv.cfg.queue_timeout_ms,
		.statement_timeout_ms = (int)srv.cfg.statement_timeout_ms,
		.log_statements = srv.cfg.log_statements,
	};
	srv.pool = pgpool_create(srv.base, &popt);
	srv.cpu = cpupool_create(srv.base, (int)srv.cfg.cpu_threads);
	srv.auth = authcache_create(srv.cfg.auth_cache_s, 100000);
	srv.stream = stream_create(srv.base, srv.pool, app_url, srv.auth);
	srv.calendar = calendar_create(srv.base, srv.pool, srv.cfg.office_hours);
	if (!srv.calendar) {
		logj("fatal", "bad_config", "{s:s, s:s}", "variable", "SUQIU_OFFICE_HOURS", "error",
		     "office hours must look like 09:00-12:00,13:00-17:00");
		goto out;
	}
	if (!start_http(&srv, err, sizeof err)) {
		logj("fatal", "listen_failed", "{s:s}", "error", err);
		goto out;
	}
	srv.ev_sigterm = evsignal_new(srv.base, SIGTERM, on_signal, &srv);
	srv.ev_sigint = evsignal_new(srv.base, SIGINT, on_signal, &srv);
	event_add(srv.ev_sigterm, NULL);
	event_add(srv.ev_sigint, NULL);
	logj("info", "listening", "{s:s, s:s, s:i, s:b}", "addr", srv.listen_addr, "version", SUQIU_VERSION,
	     "pool_size", (int)srv.cfg.pool_size, "embedded_db", srv.cfg.database_url == NULL);
	log_flush();

	event_base_dispatch(srv.base);
	rc = 0;
out:
	/* order matters: finished password checks may still query, and failed
	 * queries still reply, so the HTTP side goes last */
	cpupool_destroy(srv.cpu);
	stream_close_all(srv.stream);
	pgpool_destroy(srv.pool);
	stream_destroy(srv.stream); /* after the pool: an announcement may still be answered */
	authcache_destroy(srv.auth); /* after the pool too: a lookup may still be answered */
	calendar_destroy(srv.calendar); /* likewise a reload */
	if (srv.ev_drain)
		event_free(srv.ev_drain);
	if (srv.ev_logflush)
		event_free(srv.ev_logflush);
	if (srv.ev_sigterm)
		event_free(srv.ev_sigterm);
	if (srv.ev_sigint)
		event_free(srv.ev_sigint);
	if (srv.http)
		evhttp_free(srv.http);
	metrics_destroy(srv.metrics);
	free(names);
	if (srv.base)
		event_base_free(srv.base);
	free(srv.web_root);
	free(srv.migration_fingerprint);
	migrate_free(&migrations);
	free(app_url);
	if (rc == 0)
		logj("info", "stopped", NULL);
	log_flush();
	config_finish(&srv.cfg);
	return rc;
}
