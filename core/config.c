/* config: settings from the environment, as one table; see config.h. */
#include "core/config.h"
#include "core/workcal.h"

#include <errno.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind {
	K_STRING,     /* text, with a default */
	K_OPT_STRING, /* text or unset; empty = unset */
	K_SECRET,     /* K_OPT_STRING that is wiped when freed and never shown */
	K_LONG,       /* an integer within [min, max] */
	K_BOOL,       /* 1/true/yes or 0/false/no/empty */
};

struct row {
	const char *env;
	enum kind kind;
	size_t offset;
	const char *def; /* default as text; NULL = unset */
	long min, max;   /* K_LONG bounds */
	const char *doc;
};

#define ROOT SUQIU_SOURCE_ROOT
#define O(f) offsetof(struct config, f)

static const struct row rows[] = {
	{ "SUQIU_LISTEN", K_STRING, O(listen), "127.0.0.1:8080", 0, 0,
	  "address and port suqiu-server listens on (port 0 = any free port)" },
	{ "SUQIU_DATABASE_URL", K_OPT_STRING, O(database_url), NULL, 0, 0,
	  "libpq connection string of the application role; unset = the embedded cluster in SUQIU_STATE_DIR" },
	{ "SUQIU_MIGRATE_DATABASE_URL", K_OPT_STRING, O(migrate_database_url), NULL, 0, 0,
	  "connection string of the schema owner role used by `suqiu-admin migrate` and `seed-demo`; unset = SUQIU_DATABASE_URL" },
	{ "SUQIU_STATE_DIR", K_STRING, O(state_dir), ROOT "/.suqiu", 0, 0,
	  "folder for the embedded database and logs" },
	{ "SUQIU_WEB_DIR", K_STRING, O(web_dir), ROOT "/web", 0, 0, "static files served at /" },
	{ "SUQIU_SQL_DIR", K_STRING, O(sql_dir), ROOT "/sql", 0, 0, "migrations and seed data" },
	{ "SUQIU_DB_POOL_SIZE", K_LONG, O(pool_size), "8", 1, 256,
	  "database connections per server process" },
	{ "SUQIU_DB_QUEUE_MAX", K_LONG, O(queue_max), "1024", 1, 1000000,
	  "requests that may wait for a connection; beyond it the answer is 503" },
	{ "SUQIU_DB_QUEUE_TIMEOUT_MS", K_LONG, O(queue_timeout_ms), "5000", 10, 600000,
	  "longest wait for a connection before 503" },
	{ "SUQIU_DB_STATEMENT_TIMEOUT_MS", K_LONG, O(statement_timeout_ms), "10000", 10, 3600000,
	  "statement_timeout of every application connection" },
	{ "SUQIU_BODY_LIMIT", K_LONG, O(body_limit), "1048576", 1024, 1073741824,
	  "largest request body in bytes (413 above it)" },
	{ "SUQIU_HEADER_LIMIT", K_LONG, O(header_limit), "16384", 1024, 1048576,
	  "largest request header block in bytes" },
	{ "SUQIU_HTTP_TIMEOUT", K_LONG, O(http_timeout_s), "30", 1, 3600,
	  "read and write timeout of a client connection, seconds" },
	{ "SUQIU_SHUTDOWN_GRACE", K_LONG, O(shutdown_grace_s), "10", 0, 3600,
	  "seconds in-flight requests get to finish after SIGTERM" },
	{ "SUQIU_SESSION_IDLE_MINUTES", K_LONG, O(session_idle_min), "30", 1, 10080,
	  "a session unused this long expires" },
	{ "SUQIU_SESSION_MAX_HOURS", K_LONG, O(session_max_hours), "12", 1, 720,
	  "a session expires this long after login, used or not" },
	{ "SUQIU_AUTH_CACHE_SECONDS", K_LONG, O(auth_cache_s), "5", 0, 300,
	  "a server remembers who a session or API token is for this long (0 = ask the database every request);"
	  " revocations reach every server at once through NOTIFY" },
	{ "SUQIU_LOGIN_MAX_PER_ACCOUNT", K_LONG, O(login_max_account), "5", 1, 1000,
	  "login attempts per username within the window before 429 (a success resets it)" },
	{ "SUQIU_LOGIN_MAX_PER_ADDRESS", K_LONG, O(login_max_addr), "30", 1, 100000,
	  "login attempts per client address within the window before 429 (successes do not count)" },
	{ "SUQIU_LOGIN_WINDOW", K_LONG, O(login_window_s), "900", 1, 86400,
	  "login throttling window, seconds" },
	{ "SUQIU_TRUST_PROXY", K_BOOL, O(trust_proxy), "0", 0, 0,
	  "1 = the client address is the last entry of X-Forwarded-For (set it behind nginx only)" },
	{ "SUQIU_OFFICE_HOURS", K_STRING, O(office_hours), "09:00-12:00,13:00-17:00", 0, 0,
	  "office hours of a working day, Asia/Shanghai: the working time SLA deadlines count" },
	{ "SUQIU_LOG_STATEMENTS", K_BOOL, O(log_statements), "0", 0, 0,
	  "1 = log the SQL of each prepared statement once, when first used (benchmarks, debugging)" },
	{ "SUQIU_COOKIE_SECURE", K_BOOL, O(cookie_secure), "0", 0, 0,
	  "1 = the session cookie is marked Secure (set it when served over HTTPS)" },
	{ "SUQIU_DEMO_LOGINS", K_BOOL, O(demo_logins), "0", 0, 0,
	  "1 = the login page lists the demo logins and their password (demo data only, never in production)" },
	{ "SUQIU_CPU_THREADS", K_LONG, O(cpu_threads), "2", 1, 64,
	  "threads for password hashing, kept off the event loop" },
	{ "SUQIU_WORKER_INTERVAL", K_LONG, O(worker_interval_s), "30", 1, 3600,
	  "seconds between worker sweeps when no notification or due timer wakes it" },
	{ "SUQIU_WORKER_BATCH", K_LONG, O(worker_batch), "500", 1, 10000,
	  "SLA timers a worker claims and escalates per transaction" },
	{ "SUQIU_EMBEDDED_PG_PORT", K_STRING, O(embedded_port), "5432", 0, 0,
	  "port of the embedded cluster (names its unix socket; TCP only with SUQIU_EMBEDDED_PG_TCP)" },
	{ "SUQIU_EMBEDDED_PG_TCP", K_BOOL, O(embedded_tcp), "0", 0, 0,
	  "1 = the embedded cluster also listens on 127.0.0.1" },
	{ "SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB", K_LONG, O(embedded_shared_buffers_mb), "128", 16, 1048576,
	  "shared_buffers of the embedded cluster in MiB (about a quarter of the machine's memory for a big district)" },
	{ "SUQIU_WEBHOOK_ENTERPRISE_URL", K_OPT_STRING, O(webhook_enterprise_url), NULL, 0, 0,
	  "http(s) URL suqiu-worker POSTs notices to enterprises to (an SMS/IM gateway); unset = they stay pending" },
	{ "SUQIU_WEBHOOK_ORG_URL", K_OPT_STRING, O(webhook_org_url), NULL, 0, 0,
	  "http(s) URL for notices to orgs and staff; unset = they stay pending" },
	{ "SUQIU_WEBHOOK_ESCALATION_URL", K_OPT_STRING, O(webhook_escalation_url), NULL, 0, 0,
	  "http(s) URL for escalations (sla_warning, sla_overdue, sla_supervision), whoever receives them; unset = they stay pending" },
	{ "SUQIU_WEBHOOK_SECRET", K_SECRET, O(webhook_secret), NULL, 0, 0,
	  "HMAC-SHA256 key signing every webhook POST (16 bytes or more; required with a webhook URL; never logged)" },
	{ "SUQIU_WEBHOOK_TIMEOUT_MS", K_LONG, O(webhook_timeout_ms), "10000", 10, 300000,
	  "longest time one webhook POST may take, connecting included; slower counts as a failure" },
	{ "SUQIU_WEBHOOK_PARALLEL", K_LONG, O(webhook_parallel), "8", 1, 256,
	  "webhook POSTs a worker keeps in flight at once (a batch goes out in rounds of this many)" },
	{ "SUQIU_OUTBOX_BATCH", K_LONG, O(outbox_batch), "50", 1, 1000,
	  "notifications a worker claims at a time (leased until they are sent)" },
	{ "SUQIU_OUTBOX_MAX_ATTEMPTS", K_LONG, O(outbox_max_attempts), "8", 1, 100,
	  "delivery attempts before a notification is dead (dead ones are retried through the admin API)" },
	{ "SUQIU_OUTBOX_BACKOFF_MS", K_LONG, O(outbox_backoff_ms), "1000", 1, 3600000,
	  "wait after a failed delivery; doubles with each further failure, up to an hour, with ±25% jitter" },
	{ "SUQIU_OUTBOX_KINDS", K_OPT_STRING, O(outbox_kinds), NULL, 0, 0,
	  "comma-separated notification kinds this worker delivers (e.g. `sla_warning,sla_overdue`); unset = every kind" },
};

static bool parse_row(const struct row *r, const char *text, struct config *cfg, char *err, size_t errlen)
{
	void *field = (char *)cfg + r->offset;
	switch (r->kind) {
	case K_STRING:
	case K_OPT_STRING:
	case K_SECRET:
		*(char **)field = text ? xstrdup(text) : NULL;
		return true;
	case K_BOOL:
		if (strcmp(text, "1") == 0 || strcmp(text, "true") == 0 || strcmp(text, "yes") == 0)
			*(bool *)field = true;
		else if (strcmp(text, "0") == 0 || strcmp(text, "false") == 0 || strcmp(text, "no") == 0 || !*text)
			*(bool *)field = false;
		else
			goto bad;
		return true;
	case K_LONG: {
		char *end;
		errno = 0;
		long v = strtol(text, &end, 10);
		if (errno || end == text || *end || v < r->min || v > r->max)
			goto bad;
		*(long *)field = v;
		return true;
	}
	}
bad:
	if (r->kind == K_LONG)
		snprintf(err, errlen, "invalid value \"%s\" for %s: expected an integer from %ld to %ld",
			 text, r->env, r->min, r->max);
	else
		snprintf(err, errlen, "invalid value \"%s\" for %s: expected 1 or 0", text, r->env);
	return false;
}

static bool http_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* A list of kinds: names of letters, digits, '_', '-', '.' and ':', separated by single commas. */
static bool kind_list(const char *s)
{
	size_t item = 0;
	for (; *s; s++) {
		if (*s == ',') {
			if (!item)
				return false;
			item = 0;
		} else if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:", *s) && ++item <= 64) {
			continue;
		} else {
			return false;
		}
	}
	return item > 0;
}

/* The webhook settings together. The URLs and the secret are not quoted
 * in messages: either may carry credentials. */
static bool check_webhooks(const struct config *cfg, char *err, size_t errlen)
{
	static const struct {
		const char *env;
		size_t offset;
	} urls[] = {
		{ "SUQIU_WEBHOOK_ENTERPRISE_URL", O(webhook_enterprise_url) },
		{ "SUQIU_WEBHOOK_ORG_URL", O(webhook_org_url) },
		{ "SUQIU_WEBHOOK_ESCALATION_URL", O(webhook_escalation_url) },
	};
	bool any = false;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		const char *url = *(char *const *)((const char *)cfg + urls[i].offset);
		if (url && !http_url(url)) {
			snprintf(err, errlen, "%s must be an http:// or https:// URL", urls[i].env);
			return false;
		}
		any |= url != NULL;
	}
	if (any && (!cfg->webhook_secret || strlen(cfg->webhook_secret) < 16)) {
		snprintf(err, errlen, "SUQIU_WEBHOOK_SECRET must be set, 16 bytes or more, when a webhook URL is");
		return false;
	}
	if (cfg->outbox_kinds && !kind_list(cfg->outbox_kinds)) {
		snprintf(err, errlen, "SUQIU_OUTBOX_KINDS must be kinds separated by commas, like sla_warning,sla_overdue,"
			 " not \"%.60s\"", cfg->outbox_kinds);
		return false;
	}
	return true;
}

bool config_load(struct config *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *text = getenv(rows[i].env);
		if (text && !*text && (rows[i].kind == K_OPT_STRING || rows[i].kind == K_SECRET))
			text = NULL; /* an empty URL means "unset" */
		if (!text)
			text = rows[i].def;
		if (!parse_row(&rows[i], text, cfg, err, errlen)) {
			config_finish(cfg);
			return false;
		}
	}
	struct workcal_span spans[WORKCAL_MAX_SPANS];
	int nspans;
	if (!workcal_parse_hours(cfg->office_hours, spans, &nspans)) {
		snprintf(err, errlen, "SUQIU_OFFICE_HOURS must look like 09:00-12:00,13:00-17:00 (ascending, not overlapping),"
			 " not \"%.60s\"", cfg->office_hours);
		config_finish(cfg);
		return false;
	}
	if (!check_webhooks(cfg, err, errlen)) {
		config_finish(cfg);
		return false;
	}
	/* the embedded cluster's socket path must be absolute */
	if (cfg->state_dir[0] != '/') {
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd)) {
			snprintf(err, errlen, "could not resolve SUQIU_STATE_DIR \"%s\"", cfg->state_dir);
			config_finish(cfg);
			return false;
		}
		char *abs = xasprintf("%s/%s", cwd, cfg->state_dir);
		free(cfg->state_dir);
		cfg->state_dir = abs;
	}
	return true;
}

void config_finish(struct config *cfg)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i].kind == K_STRING || rows[i].kind == K_OPT_STRING || rows[i].kind == K_SECRET) {
			char **p = (char **)((char *)cfg + rows[i].offset);
			if (*p && rows[i].kind == K_SECRET)
				sodium_memzero(*p, strlen(*p));
			free(*p);
			*p = NULL;
		}
	}
}

void config_print_docs(FILE *out)
{
	fprintf(out, "| variable | default | meaning |\n|---|---|---|\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *def = rows[i].def ? rows[i].def : "(unset)";
		if (strncmp(def, ROOT, strlen(ROOT)) == 0)
			fprintf(out, "| `%s` | `<checkout>%s` | %s |\n", rows[i].env, def + strlen(ROOT), rows[i].doc);
		else
			fprintf(out, "| `%s` | `%s` | %s |\n", rows[i].env, def, rows[i].doc);
	}
}
