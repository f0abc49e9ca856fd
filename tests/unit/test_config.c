/*
 * Unit tests for core/config: settings read from SUQIU_* environment
 * variables, with defaults, bounds and a documentation table.
 *
 * Every test starts from an environment without any SUQIU_ variable (the
 * test runner exports some for the integration suites) and sets what it
 * needs; Criterion runs each test in its own process, so nothing leaks.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

static void clear_suqiu_env(void)
{
	/* collect first: unsetenv rewrites environ */
	char *names[256];
	size_t n = 0;
	for (char **e = environ; *e && n < N(names); e++) {
		if (strncmp(*e, "SUQIU_", 6) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		names[n++] = strndup(*e, eq ? (size_t)(eq - *e) : strlen(*e));
	}
	for (size_t i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
}

TestSuite(config, .init = clear_suqiu_env);

/* Every variable the table documents, in table order. */
static const char *const variables[] = {
	"SUQIU_LISTEN", "SUQIU_DATABASE_URL", "SUQIU_MIGRATE_DATABASE_URL", "SUQIU_STATE_DIR",
	"SUQIU_WEB_DIR", "SUQIU_SQL_DIR", "SUQIU_DB_POOL_SIZE", "SUQIU_DB_QUEUE_MAX",
	"SUQIU_DB_QUEUE_TIMEOUT_MS", "SUQIU_DB_STATEMENT_TIMEOUT_MS", "SUQIU_BODY_LIMIT",
	"SUQIU_HEADER_LIMIT", "SUQIU_HTTP_TIMEOUT", "SUQIU_SHUTDOWN_GRACE", "SUQIU_SESSION_IDLE_MINUTES",
	"SUQIU_SESSION_MAX_HOURS", "SUQIU_AUTH_CACHE_SECONDS", "SUQIU_LOGIN_MAX_PER_ACCOUNT", "SUQIU_LOGIN_MAX_PER_ADDRESS",
	"SUQIU_LOGIN_WINDOW", "SUQIU_OFFICE_HOURS", "SUQIU_LOG_STATEMENTS", "SUQIU_TRUST_PROXY", "SUQIU_COOKIE_SECURE",
	"SUQIU_DEMO_LOGINS", "SUQIU_CPU_THREADS",
	"SUQIU_WORKER_INTERVAL", "SUQIU_WORKER_BATCH", "SUQIU_EMBEDDED_PG_PORT", "SUQIU_EMBEDDED_PG_TCP",
	"SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB",
	"SUQIU_WEBHOOK_ENTERPRISE_URL", "SUQIU_WEBHOOK_ORG_URL", "SUQIU_WEBHOOK_ESCALATION_URL",
	"SUQIU_WEBHOOK_SECRET", "SUQIU_WEBHOOK_TIMEOUT_MS", "SUQIU_WEBHOOK_PARALLEL", "SUQIU_OUTBOX_BATCH",
	"SUQIU_OUTBOX_MAX_ATTEMPTS", "SUQIU_OUTBOX_BACKOFF_MS", "SUQIU_OUTBOX_KINDS",
};

static void load_ok(struct config *cfg)
{
	char err[256] = "";
	cr_assert(config_load(cfg, err, sizeof err), "config_load failed: %s", err);
}

Test(config, defaults_when_nothing_is_set)
{
	struct config c;
	load_ok(&c);
	cr_expect_str_eq(c.listen, "127.0.0.1:8080");
	cr_expect_null(c.database_url);
	cr_expect_null(c.migrate_database_url);
	cr_expect_str_eq(c.state_dir, SUQIU_SOURCE_ROOT "/.suqiu");
	cr_expect_str_eq(c.web_dir, SUQIU_SOURCE_ROOT "/web");
	cr_expect_str_eq(c.sql_dir, SUQIU_SOURCE_ROOT "/sql");
	cr_expect_eq(c.pool_size, 8);
	cr_expect_eq(c.queue_max, 1024);
	cr_expect_eq(c.queue_timeout_ms, 5000);
	cr_expect_eq(c.statement_timeout_ms, 10000);
	cr_expect_eq(c.body_limit, 1048576);
	cr_expect_eq(c.header_limit, 16384);
	cr_expect_eq(c.http_timeout_s, 30);
	cr_expect_eq(c.shutdown_grace_s, 10);
	cr_expect_eq(c.session_idle_min, 30);
	cr_expect_eq(c.session_max_hours, 12);
	cr_expect_eq(c.auth_cache_s, 5);
	cr_expect_eq(c.login_max_account, 5);
	cr_expect_eq(c.login_max_addr, 30);
	cr_expect_eq(c.login_window_s, 900);
	cr_expect_not(c.trust_proxy);
	cr_expect_not(c.cookie_secure);
	cr_expect_eq(c.cpu_threads, 2);
	cr_expect_eq(c.worker_interval_s, 30);
	cr_expect_eq(c.worker_batch, 500);
	cr_expect_not(c.cookie_secure);
	cr_expect_str_eq(c.embedded_port, "5432");
	cr_expect_not(c.embedded_tcp);
	cr_expect_null(c.webhook_enterprise_url);
	cr_expect_null(c.webhook_org_url);
	cr_expect_null(c.webhook_escalation_url);
	cr_expect_null(c.webhook_secret);
	cr_expect_eq(c.webhook_timeout_ms, 10000);
	cr_expect_eq(c.webhook_parallel, 8);
	cr_expect_eq(c.outbox_batch, 50);
	cr_expect_eq(c.outbox_max_attempts, 8);
	cr_expect_eq(c.outbox_backoff_ms, 1000);
	cr_expect_null(c.outbox_kinds);
	config_finish(&c);
}

Test(config, every_variable_overrides_its_default)
{
	setenv("SUQIU_LISTEN", "0.0.0.0:0", 1);
	setenv("SUQIU_DATABASE_URL", "host=/tmp dbname=app", 1);
	setenv("SUQIU_MIGRATE_DATABASE_URL", "host=/tmp dbname=owner", 1);
	setenv("SUQIU_STATE_DIR", "/var/lib/suqiu", 1);
	setenv("SUQIU_WEB_DIR", "/srv/web", 1);
	setenv("SUQIU_SQL_DIR", "/srv/sql", 1);
	setenv("SUQIU_DB_POOL_SIZE", "16", 1);
	setenv("SUQIU_DB_QUEUE_MAX", "99", 1);
	setenv("SUQIU_DB_QUEUE_TIMEOUT_MS", "250", 1);
	setenv("SUQIU_DB_STATEMENT_TIMEOUT_MS", "2000", 1);
	setenv("SUQIU_BODY_LIMIT", "4096", 1);
	setenv("SUQIU_HEADER_LIMIT", "2048", 1);
	setenv("SUQIU_HTTP_TIMEOUT", "5", 1);
	setenv("SUQIU_SHUTDOWN_GRACE", "0", 1);
	setenv("SUQIU_SESSION_IDLE_MINUTES", "15", 1);
	setenv("SUQIU_SESSION_MAX_HOURS", "8", 1);
	setenv("SUQIU_LOGIN_MAX_PER_ACCOUNT", "3", 1);
	setenv("SUQIU_LOGIN_MAX_PER_ADDRESS", "50", 1);
	setenv("SUQIU_LOGIN_WINDOW", "60", 1);
	setenv("SUQIU_TRUST_PROXY", "1", 1);
	setenv("SUQIU_COOKIE_SECURE", "true", 1);
	setenv("SUQIU_CPU_THREADS", "4", 1);
	setenv("SUQIU_WORKER_INTERVAL", "7", 1);
	setenv("SUQIU_WORKER_BATCH", "50", 1);
	setenv("SUQIU_COOKIE_SECURE", "yes", 1);
	setenv("SUQIU_EMBEDDED_PG_PORT", "55432", 1);
	setenv("SUQIU_EMBEDDED_PG_TCP", "1", 1);
	setenv("SUQIU_WEBHOOK_ENTERPRISE_URL", "https://sms.example.cn/hook", 1);
	setenv("SUQIU_WEBHOOK_ORG_URL", "http://127.0.0.1:9000/org", 1);
	setenv("SUQIU_WEBHOOK_ESCALATION_URL", "https://im.example.cn/duban", 1);
	setenv("SUQIU_WEBHOOK_SECRET", "0123456789abcdef", 1);
	setenv("SUQIU_WEBHOOK_TIMEOUT_MS", "2500", 1);
	setenv("SUQIU_WEBHOOK_PARALLEL", "3", 1);
	setenv("SUQIU_OUTBOX_BATCH", "10", 1);
	setenv("SUQIU_OUTBOX_MAX_ATTEMPTS", "2", 1);
	setenv("SUQIU_OUTBOX_BACKOFF_MS", "20", 1);
	setenv("SUQIU_OUTBOX_KINDS", "sla_warning,received", 1);
	struct config c;
	load_ok(&c);
	cr_expect_str_eq(c.listen, "0.0.0.0:0");
	cr_expect_str_eq(c.database_url, "host=/tmp dbname=app");
	cr_expect_str_eq(c.migrate_database_url, "host=/tmp dbname=owner");
	cr_expect_str_eq(c.state_dir, "/var/lib/suqiu");
	cr_expect_str_eq(c.web_dir, "/srv/web");
	cr_expect_str_eq(c.sql_dir, "/srv/sql");
	cr_expect_eq(c.pool_size, 16);
	cr_expect_eq(c.queue_max, 99);
	cr_expect_eq(c.queue_timeout_ms, 250);
	cr_expect_eq(c.statement_timeout_ms, 2000);
	cr_expect_eq(c.body_limit, 4096);
	cr_expect_eq(c.header_limit, 2048);
	cr_expect_eq(c.http_timeout_s, 5);
	cr_expect_eq(c.shutdown_grace_s, 0);
	cr_expect_eq(c.session_idle_min, 15);
	cr_expect_eq(c.session_max_hours, 8);
	cr_expect_eq(c.login_max_account, 3);
	cr_expect_eq(c.login_max_addr, 50);
	cr_expect_eq(c.login_window_s, 60);
	cr_expect(c.trust_proxy);
	cr_expect(c.cookie_secure);
	cr_expect_eq(c.cpu_threads, 4);
	cr_expect_eq(c.worker_interval_s, 7);
	cr_expect_eq(c.worker_batch, 50);
	cr_expect(c.cookie_secure);
	cr_expect_str_eq(c.embedded_port, "55432");
	cr_expect(c.embedded_tcp);
	cr_expect_str_eq(c.webhook_enterprise_url, "https://sms.example.cn/hook");
	cr_expect_str_eq(c.webhook_org_url, "http://127.0.0.1:9000/org");
	cr_expect_str_eq(c.webhook_escalation_url, "https://im.example.cn/duban");
	cr_expect_str_eq(c.webhook_secret, "0123456789abcdef");
	cr_expect_eq(c.webhook_timeout_ms, 2500);
	cr_expect_eq(c.webhook_parallel, 3);
	cr_expect_eq(c.outbox_batch, 10);
	cr_expect_eq(c.outbox_max_attempts, 2);
	cr_expect_eq(c.outbox_backoff_ms, 20);
	cr_expect_str_eq(c.outbox_kinds, "sla_warning,received");
	config_finish(&c);
}

Test(config, integer_bounds_are_inclusive)
{
	static const struct {
		const char *var, *value;
		size_t offset;
		long want;
	} cases[] = {
		{ "SUQIU_DB_POOL_SIZE", "1", offsetof(struct config, pool_size), 1 },
		{ "SUQIU_DB_POOL_SIZE", "256", offsetof(struct config, pool_size), 256 },
		{ "SUQIU_SHUTDOWN_GRACE", "0", offsetof(struct config, shutdown_grace_s), 0 },
		{ "SUQIU_SHUTDOWN_GRACE", "3600", offsetof(struct config, shutdown_grace_s), 3600 },
		{ "SUQIU_BODY_LIMIT", "1024", offsetof(struct config, body_limit), 1024 },
		{ "SUQIU_BODY_LIMIT", "1073741824", offsetof(struct config, body_limit), 1073741824 },
		{ "SUQIU_CPU_THREADS", "64", offsetof(struct config, cpu_threads), 64 },
		{ "SUQIU_DB_STATEMENT_TIMEOUT_MS", "3600000", offsetof(struct config, statement_timeout_ms),
		  3600000 },
		{ "SUQIU_DB_POOL_SIZE", "0008", offsetof(struct config, pool_size), 8 },
		{ "SUQIU_AUTH_CACHE_SECONDS", "0", offsetof(struct config, auth_cache_s), 0 },
		{ "SUQIU_AUTH_CACHE_SECONDS", "300", offsetof(struct config, auth_cache_s), 300 },
	};
	for (size_t i = 0; i < N(cases); i++) {
		setenv(cases[i].var, cases[i].value, 1);
		struct config c;
		char err[256] = "";
		bool ok = config_load(&c, err, sizeof err);
		cr_expect(ok, "%s=%s refused: %s", cases[i].var, cases[i].value, err);
		if (ok) {
			long got = *(long *)((char *)&c + cases[i].offset);
			cr_expect_eq(got, cases[i].want, "%s=%s gave %ld", cases[i].var, cases[i].value, got);
			config_finish(&c);
		}
		unsetenv(cases[i].var);
	}
}

static const struct {
	const char *var, *value;
} invalid[] = {
	{ "SUQIU_DB_POOL_SIZE", "0" },
	{ "SUQIU_DB_POOL_SIZE", "257" },
	{ "SUQIU_DB_POOL_SIZE", "-1" },
	{ "SUQIU_DB_POOL_SIZE", "" },
	{ "SUQIU_DB_POOL_SIZE", "abc" },
	{ "SUQIU_DB_POOL_SIZE", "8x" },
	{ "SUQIU_DB_POOL_SIZE", "8 " },
	{ "SUQIU_DB_POOL_SIZE", "8.0" },
	{ "SUQIU_DB_POOL_SIZE", "1e1" },
	{ "SUQIU_DB_POOL_SIZE", "0x10" },
	{ "SUQIU_DB_POOL_SIZE", "99999999999999999999" },
	{ "SUQIU_DB_POOL_SIZE", "-99999999999999999999" },
	{ "SUQIU_DB_QUEUE_MAX", "1000001" },
	{ "SUQIU_AUTH_CACHE_SECONDS", "301" },
	{ "SUQIU_AUTH_CACHE_SECONDS", "-1" },
	{ "SUQIU_DB_QUEUE_TIMEOUT_MS", "9" },
	{ "SUQIU_BODY_LIMIT", "1023" },
	{ "SUQIU_HEADER_LIMIT", "1048577" },
	{ "SUQIU_HTTP_TIMEOUT", "0" },
	{ "SUQIU_SHUTDOWN_GRACE", "-1" },
	{ "SUQIU_SESSION_IDLE_MINUTES", "10081" },
	{ "SUQIU_LOGIN_WINDOW", "86401" },
	{ "SUQIU_CPU_THREADS", "65" },
	{ "SUQIU_WORKER_INTERVAL", "0" },
	{ "SUQIU_WORKER_BATCH", "0" },
	{ "SUQIU_WORKER_BATCH", "10001" },
	{ "SUQIU_TRUST_PROXY", "2" },
	{ "SUQIU_TRUST_PROXY", "on" },
	{ "SUQIU_COOKIE_SECURE", "TRUE" },
	{ "SUQIU_COOKIE_SECURE", "y" },
	{ "SUQIU_COOKIE_SECURE", "ja" },
	{ "SUQIU_COOKIE_SECURE", " 1" },
	{ "SUQIU_EMBEDDED_PG_TCP", "是" },
	{ "SUQIU_WEBHOOK_TIMEOUT_MS", "9" },
	{ "SUQIU_WEBHOOK_PARALLEL", "0" },
	{ "SUQIU_OUTBOX_BATCH", "1001" },
	{ "SUQIU_OUTBOX_MAX_ATTEMPTS", "0" },
	{ "SUQIU_OUTBOX_BACKOFF_MS", "3600001" },
	{ "SUQIU_OUTBOX_KINDS", "a,,b" },
	{ "SUQIU_OUTBOX_KINDS", "a b" },
	{ "SUQIU_OUTBOX_KINDS", "a," },
	{ "SUQIU_OUTBOX_KINDS", "{a}" },
	{ "SUQIU_OUTBOX_KINDS", "督办" },
};

Test(config, invalid_values_are_refused_naming_the_variable)
{
	for (size_t i = 0; i < N(invalid); i++) {
		setenv(invalid[i].var, invalid[i].value, 1);
		struct config c;
		char err[256] = "";
		bool ok = config_load(&c, err, sizeof err);
		cr_expect_not(ok, "%s=\"%s\" accepted", invalid[i].var, invalid[i].value);
		if (ok) {
			config_finish(&c);
		} else {
			cr_expect(strstr(err, invalid[i].var) != NULL, "%s=\"%s\": err \"%s\" lacks the name",
				  invalid[i].var, invalid[i].value, err);
			char quoted[64];
			snprintf(quoted, sizeof quoted, "\"%s\"", invalid[i].value);
			cr_expect(strstr(err, quoted) != NULL, "%s=\"%s\": err \"%s\" lacks the value",
				  invalid[i].var, invalid[i].value, err);
			/* a refused load leaves nothing to free */
			cr_expect_null(c.listen);
			cr_expect_null(c.state_dir);
		}
		unsetenv(invalid[i].var);
	}
}

Test(config, integer_error_states_the_range)
{
	setenv("SUQIU_DB_POOL_SIZE", "300", 1);
	struct config c;
	char err[256] = "";
	cr_assert_not(config_load(&c, err, sizeof err));
	cr_assert(strstr(err, "from 1 to 256") != NULL, "err: %s", err);
}

Test(config, error_message_is_truncated_to_errlen)
{
	setenv("SUQIU_DB_POOL_SIZE", "not a number at all, and rather long", 1);
	struct config c;
	char err[16];
	memset(err, '#', sizeof err);
	cr_assert_not(config_load(&c, err, 12));
	cr_assert_eq(strlen(err), 11);
	cr_assert_eq(err[12], '#', "wrote past errlen");
}

Test(config, booleans_accept_1_true_yes_and_0_false_no_empty)
{
	static const struct {
		const char *value;
		bool want;
	} cases[] = {
		{ "1", true }, { "true", true }, { "yes", true },
		{ "0", false }, { "false", false }, { "no", false }, { "", false },
	};
	for (size_t i = 0; i < N(cases); i++) {
		setenv("SUQIU_COOKIE_SECURE", cases[i].value, 1);
		setenv("SUQIU_TRUST_PROXY", cases[i].value, 1);
		struct config c;
		char err[256] = "";
		bool ok = config_load(&c, err, sizeof err);
		cr_expect(ok, "\"%s\" refused: %s", cases[i].value, err);
		if (ok) {
			cr_expect_eq(c.cookie_secure, cases[i].want, "SUQIU_COOKIE_SECURE=\"%s\"", cases[i].value);
			cr_expect_eq(c.trust_proxy, cases[i].want, "SUQIU_TRUST_PROXY=\"%s\"", cases[i].value);
			config_finish(&c);
		}
	}
}

Test(config, empty_database_urls_mean_unset)
{
	setenv("SUQIU_DATABASE_URL", "", 1);
	setenv("SUQIU_MIGRATE_DATABASE_URL", "", 1);
	struct config c;
	load_ok(&c);
	cr_expect_null(c.database_url);
	cr_expect_null(c.migrate_database_url);
	config_finish(&c);
}

Test(config, relative_state_dir_is_made_absolute)
{
	char dir[] = "/tmp/suqiu-config-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	setenv("SUQIU_STATE_DIR", "state/here", 1);
	struct config c;
	load_ok(&c);
	char want[PATH_MAX + 16];
	snprintf(want, sizeof want, "%s/state/here", cwd);
	cr_expect_str_eq(c.state_dir, want);
	cr_expect_eq(c.state_dir[0], '/');
	config_finish(&c);
	cr_assert_eq(chdir("/"), 0);
	rmdir(dir);
}

Test(config, absolute_state_dir_is_kept)
{
	setenv("SUQIU_STATE_DIR", "/srv/suqiu/state", 1);
	struct config c;
	load_ok(&c);
	cr_expect_str_eq(c.state_dir, "/srv/suqiu/state");
	config_finish(&c);
}

Test(config, finish_clears_strings_and_may_run_twice)
{
	setenv("SUQIU_DATABASE_URL", "dbname=x", 1);
	struct config c;
	load_ok(&c);
	config_finish(&c);
	cr_expect_null(c.listen);
	cr_expect_null(c.database_url);
	cr_expect_null(c.state_dir);
	cr_expect_null(c.embedded_port);
	config_finish(&c);
}

static char *docs(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_assert_not_null(f);
	config_print_docs(f);
	fclose(f);
	return text;
}

Test(config, docs_have_a_row_for_every_variable)
{
	char *text = docs();
	cr_assert(strncmp(text, "| variable | default | meaning |\n|---|---|---|\n", 46) == 0, "header: %.60s",
		  text);
	for (size_t i = 0; i < N(variables); i++) {
		char row[80];
		snprintf(row, sizeof row, "\n| `%s` | ", variables[i]);
		cr_expect(strstr(text, row) != NULL, "no row for %s", variables[i]);
	}
	/* and no undocumented extra rows: header + separator + one per variable */
	size_t lines = 0, suqiu_rows = 0;
	for (const char *p = text; *p; p++)
		if (*p == '\n') {
			lines++;
			if (strncmp(p + 1, "| `SUQIU_", 9) == 0)
				suqiu_rows++;
		}
	cr_expect_eq(suqiu_rows, N(variables), "%zu variable rows, %zu known", suqiu_rows, N(variables));
	cr_expect_eq(lines, N(variables) + 2);
	free(text);
}

Test(config, docs_show_defaults_without_the_checkout_path)
{
	char *text = docs();
	cr_expect(strstr(text, "| `SUQIU_STATE_DIR` | `<checkout>/.suqiu` |") != NULL, "%s", text);
	cr_expect(strstr(text, "| `SUQIU_SQL_DIR` | `<checkout>/sql` |") != NULL);
	cr_expect(strstr(text, "| `SUQIU_DATABASE_URL` | `(unset)` |") != NULL);
	cr_expect(strstr(text, "| `SUQIU_DB_POOL_SIZE` | `8` |") != NULL);
	cr_expect(strstr(text, "| `SUQIU_LISTEN` | `127.0.0.1:8080` |") != NULL);
	cr_expect(strstr(text, SUQIU_SOURCE_ROOT "/") == NULL, "the build's own path leaked into the docs");
	free(text);
}

Test(config, every_documented_variable_is_read)
{
	/* setting each variable to an invalid value must make the load fail
	 * (strings cannot be invalid, so they are checked by value instead) */
	static const char *const strings[] = {
		"SUQIU_LISTEN", "SUQIU_DATABASE_URL", "SUQIU_MIGRATE_DATABASE_URL", "SUQIU_STATE_DIR",
		"SUQIU_WEB_DIR", "SUQIU_SQL_DIR", "SUQIU_EMBEDDED_PG_PORT",
		/* invalid values exist, but "bogus" is none: a secret without a URL,
		 * a list of one kind (both checked below) */
		"SUQIU_WEBHOOK_SECRET", "SUQIU_OUTBOX_KINDS",
	};
	for (size_t i = 0; i < N(variables); i++) {
		bool is_string = false;
		for (size_t s = 0; s < N(strings); s++)
			is_string |= strcmp(strings[s], variables[i]) == 0;
		if (is_string)
			continue;
		setenv(variables[i], "bogus", 1);
		struct config c;
		char err[256] = "";
		bool ok = config_load(&c, err, sizeof err);
		cr_expect_not(ok, "%s=bogus was ignored", variables[i]);
		if (ok)
			config_finish(&c);
		else
			cr_expect(strstr(err, variables[i]) != NULL, "%s: err %s", variables[i], err);
		unsetenv(variables[i]);
	}
}

/* ---- the webhook settings together --------------------------------- */

static void expect_refused(const char *needle, const char *forbidden)
{
	struct config c;
	char err[256] = "";
	bool ok = config_load(&c, err, sizeof err);
	cr_expect_not(ok, "accepted, expected an error about %s", needle);
	if (ok) {
		config_finish(&c);
		return;
	}
	cr_expect(strstr(err, needle) != NULL, "err \"%s\" lacks \"%s\"", err, needle);
	if (forbidden)
		cr_expect(strstr(err, forbidden) == NULL, "err \"%s\" shows \"%s\"", err, forbidden);
}

Test(config, a_webhook_url_needs_a_secret_of_16_bytes)
{
	setenv("SUQIU_WEBHOOK_ORG_URL", "http://127.0.0.1:9000/org", 1);
	expect_refused("SUQIU_WEBHOOK_SECRET", NULL);
	setenv("SUQIU_WEBHOOK_SECRET", "short-secret-15b", 1);
	cr_assert_eq(strlen(getenv("SUQIU_WEBHOOK_SECRET")), 16);
	setenv("SUQIU_WEBHOOK_SECRET", "short-secret-15", 1);
	expect_refused("SUQIU_WEBHOOK_SECRET", "short-secret-15"); /* never shown */
	setenv("SUQIU_WEBHOOK_SECRET", "long-enough-secret", 1);
	struct config c;
	load_ok(&c);
	cr_expect_str_eq(c.webhook_secret, "long-enough-secret");
	config_finish(&c);
	cr_expect_null(c.webhook_secret);
}

Test(config, a_secret_without_urls_is_accepted_and_empty_urls_are_unset)
{
	setenv("SUQIU_WEBHOOK_SECRET", "x", 1); /* nothing signs with it */
	setenv("SUQIU_WEBHOOK_ENTERPRISE_URL", "", 1);
	struct config c;
	load_ok(&c);
	cr_expect_null(c.webhook_enterprise_url);
	config_finish(&c);
}

Test(config, webhook_urls_must_be_http_and_are_not_echoed)
{
	static const char *const vars[] = { "SUQIU_WEBHOOK_ENTERPRISE_URL", "SUQIU_WEBHOOK_ORG_URL",
					    "SUQIU_WEBHOOK_ESCALATION_URL" };
	setenv("SUQIU_WEBHOOK_SECRET", "long-enough-secret", 1);
	for (size_t i = 0; i < N(vars); i++) {
		setenv(vars[i], "ftp://user:pa55word@files.example.cn/", 1);
		expect_refused(vars[i], "pa55word");
		setenv(vars[i], "sms.example.cn/hook", 1);
		expect_refused(vars[i], NULL);
		unsetenv(vars[i]);
	}
}
