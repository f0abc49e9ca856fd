/*
 * config: every setting of every suqiu binary, read from the environment.
 *
 * The settings are one table (config.c): name, type, default, bounds and a
 * line of documentation. `suqiu-admin config` prints the table, and the
 * README's configuration section is that output. Unset variables take the
 * default; an invalid value stops the program with a message naming it.
 */
#ifndef SUQIU_CORE_CONFIG_H
#define SUQIU_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/xalloc.h"

struct config {
	char *listen;              /* SUQIU_LISTEN host:port */
	char *database_url;        /* SUQIU_DATABASE_URL; NULL = embedded cluster */
	char *migrate_database_url;/* SUQIU_MIGRATE_DATABASE_URL; NULL = database_url or embedded owner */
	char *state_dir;           /* SUQIU_STATE_DIR */
	char *web_dir;             /* SUQIU_WEB_DIR */
	char *sql_dir;             /* SUQIU_SQL_DIR */
	long pool_size;            /* SUQIU_DB_POOL_SIZE */
	long queue_max;            /* SUQIU_DB_QUEUE_MAX */
	long queue_timeout_ms;     /* SUQIU_DB_QUEUE_TIMEOUT_MS */
	long statement_timeout_ms; /* SUQIU_DB_STATEMENT_TIMEOUT_MS */
	long body_limit;           /* SUQIU_BODY_LIMIT bytes */
	long header_limit;         /* SUQIU_HEADER_LIMIT bytes */
	long http_timeout_s;       /* SUQIU_HTTP_TIMEOUT seconds */
	long shutdown_grace_s;     /* SUQIU_SHUTDOWN_GRACE seconds */
	long session_idle_min;     /* SUQIU_SESSION_IDLE_MINUTES */
	long session_max_hours;    /* SUQIU_SESSION_MAX_HOURS */
	long auth_cache_s;         /* SUQIU_AUTH_CACHE_SECONDS: server/authcache.h */
	long login_max_account;    /* SUQIU_LOGIN_MAX_PER_ACCOUNT failures per window */
	long login_max_addr;       /* SUQIU_LOGIN_MAX_PER_ADDRESS failures per window */
	long login_window_s;       /* SUQIU_LOGIN_WINDOW seconds */
	char *office_hours;        /* SUQIU_OFFICE_HOURS: "09:00-12:00,13:00-17:00" */
	bool log_statements;       /* SUQIU_LOG_STATEMENTS: log each statement's SQL once */
	bool trust_proxy;          /* SUQIU_TRUST_PROXY: take client address from X-Forwarded-For */
	bool cookie_secure;        /* SUQIU_COOKIE_SECURE: mark the session cookie Secure */
	bool demo_logins;          /* SUQIU_DEMO_LOGINS: the login page lists the demo logins */
	long cpu_threads;          /* SUQIU_CPU_THREADS: password hashing threads */
	long worker_interval_s;    /* SUQIU_WORKER_INTERVAL seconds between sweeps */
	long worker_batch;         /* SUQIU_WORKER_BATCH timers per transaction */
	char *embedded_port;       /* SUQIU_EMBEDDED_PG_PORT: port number (also names the socket) */
	bool embedded_tcp;         /* SUQIU_EMBEDDED_PG_TCP: let the embedded cluster listen on 127.0.0.1 */
	long embedded_shared_buffers_mb; /* SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB: its shared_buffers */
	/* notification delivery (worker/delivery.c); an unset URL leaves its messages pending */
	char *webhook_enterprise_url; /* SUQIU_WEBHOOK_ENTERPRISE_URL: notices to enterprises (SMS/IM gateway) */
	char *webhook_org_url;        /* SUQIU_WEBHOOK_ORG_URL: notices to orgs and users */
	char *webhook_escalation_url; /* SUQIU_WEBHOOK_ESCALATION_URL: sla_warning, sla_overdue, sla_supervision */
	char *webhook_secret;         /* SUQIU_WEBHOOK_SECRET: HMAC key; never logged, wiped by config_finish */
	long webhook_timeout_ms;      /* SUQIU_WEBHOOK_TIMEOUT_MS: one POST, connection included */
	long webhook_parallel;        /* SUQIU_WEBHOOK_PARALLEL: POSTs in flight at once */
	long outbox_batch;            /* SUQIU_OUTBOX_BATCH: messages claimed at a time */
	long outbox_max_attempts;     /* SUQIU_OUTBOX_MAX_ATTEMPTS: tries before a message is dead */
	long outbox_backoff_ms;       /* SUQIU_OUTBOX_BACKOFF_MS: delay after the first failure */
	char *outbox_kinds;           /* SUQIU_OUTBOX_KINDS: "a,b"; NULL = every kind */
};

/* Reads the environment into cfg. On an invalid value returns false with a
 * message in err. Free with config_finish(). */
bool config_load(struct config *cfg, char *err, size_t errlen) MUSTCHECK;
void config_finish(struct config *cfg);

/* Prints the table as Markdown rows: | variable | default | meaning |. */
void config_print_docs(FILE *out);

#endif
