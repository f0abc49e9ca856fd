/*
 * Notification delivery end to end: real suqiu-worker processes deliver
 * outbox rows to real webhook receivers (webhook_receiver.c) on
 * 127.0.0.1, against the test database; the admin API lists and retries
 * dead messages on a real suqiu-server.
 *
 * Other suites write outbox rows into the same database at the same time
 * (every ticket action does), and some compare them before and after a
 * request. So each test inserts messages of a kind of its own and runs its
 * workers with SUQIU_OUTBOX_KINDS set to that kind: no worker here touches
 * a message it did not make, and every assertion is about those messages.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivery_util.h"
#include "harness.h"

TestSuite(delivery, .timeout = 120);

/* The kind of this test's messages (Criterion runs each test in a process of its own). */
static const char *test_kind(void)
{
	static char kind[64];
	if (!kind[0])
		snprintf(kind, sizeof kind, "dtest_%s", unique_suffix());
	return kind;
}

/* "SUQIU_OUTBOX_KINDS=<test kind>" */
static const char *kinds_env(void)
{
	static char env[96];
	snprintf(env, sizeof env, "SUQIU_OUTBOX_KINDS=%s", test_kind());
	return env;
}

/* "NAME=value" in a buffer of its own, for worker environments. */
static const char *env_kv(const char *name, const char *value)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof bufs[0], "%s=%s", name, value);
	return b;
}

/* Inserts n messages of the test's kind: recipients enterprise, org, user
 * in turn (recipient_id = the message's number 1..n), keys "<kind>:<number>",
 * about ticket_id (0 = none). */
static void insert_messages(PGconn *db, int n, long long ticket_id)
{
	char count[16], ticket[24];
	snprintf(count, sizeof count, "%d", n);
	snprintf(ticket, sizeof ticket, "%lld", ticket_id);
	const char *p[] = { test_kind(), count, ticket_id ? ticket : NULL };
	PGresult *res = PQexecParams(db,
		"INSERT INTO outbox (ticket_id, recipient_kind, recipient_id, kind, title, body, idempotency_key)"
		" SELECT $3::bigint, (ARRAY['enterprise', 'org', 'user'])[1 + (g - 1) % 3], g, $1, '测试通知 ' || g,"
		"        '第 ' || g || ' 条通知:请及时处理。', $1 || ':' || g FROM generate_series(1, $2::int) g",
		3, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
}

/* The first cell of sql over the test's messages ($1 = the test kind). */
static long mine(PGconn *db, const char *sql)
{
	const char *p[] = { test_kind() };
	return db_scalar(db, sql, 1, p);
}

static long wait_mine(PGconn *db, const char *sql, long want, int timeout_ms)
{
	const char *p[] = { test_kind() };
	return wait_scalar(db, sql, 1, p, want, timeout_ms);
}

/* Starts a worker that delivers the test's kind, signing with the test
 * secret, with the settings of env ("NAME=value", NULL-terminated). */
static void start_worker_env(struct server_proc *w, const char *const *env)
{
	const char *all[16] = { kinds_env(), "SUQIU_WEBHOOK_SECRET=" TEST_WEBHOOK_SECRET };
	for (int i = 0, n = 2; env && env[i] && n < 15; i++)
		all[n++] = env[i];
	worker_start(w, all);
}

/* The same, sending enterprise and org notices to rx at "/", with extra settings. */
static void start_worker(struct server_proc *w, const struct receiver *rx, const char *const *extra)
{
	const char *env[16] = { env_kv("SUQIU_WEBHOOK_ENTERPRISE_URL", receiver_url(rx, "/")),
				env_kv("SUQIU_WEBHOOK_ORG_URL", receiver_url(rx, "/")) };
	for (int i = 0, n = 2; extra && extra[i] && n < 15; i++)
		env[n++] = extra[i];
	start_worker_env(w, env);
}

/* Stops rx, which must exit 0, and closes db. */
static void finish(struct receiver *rx, PGconn *db)
{
	cr_assert_eq(receiver_stop(rx), 0, "the receiver did not exit cleanly: see %s", rx->out_path);
	PQfinish(db);
}

static void stop_worker_clean(struct server_proc *w)
{
	int status = server_stop(w, SIGTERM, 15);
	cr_assert_eq(status, 0, "the worker exited with status %d on SIGTERM: see %s", status, w->log_path);
}

/* The posts of one key, in order. */
static size_t posts_of(const struct rx_post *all, size_t n, const char *key, const struct rx_post **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].key, key) == 0 && k < max)
			out[k++] = &all[i];
	return k;
}

static void key_of(int number, char *out, size_t len)
{
	snprintf(out, len, "%s:%d", test_kind(), number);
}

#define N_DELIVER 30

Test(delivery, every_message_is_delivered_once_signed_with_its_key_to_its_webhook)
{
	PGconn *db = test_db();
	/* a real ticket, for the ticket number the message carries */
	struct server_proc srv;
	server_start(&srv, NULL);
	struct session ent;
	cr_assert_eq(login(srv.port, "qiye1", DEMO_PASSWORD, &ent), 200);
	char body[512];
	long category = db_scalar(db, "SELECT id FROM categories WHERE code = 'RS'", 0, NULL);
	snprintf(body, sizeof body, "{\"category_id\":%ld,\"title\":\"投递测试\",\"description\":\"通知投递测试用工单。\","
		 "\"contact_phone\":\"13812345678\"}", category);
	json_t *t = NULL;
	cr_assert_eq(api_call(srv.port, &ent, "POST", "/api/v1/tickets", body, &t), 201);
	long long ticket = (long long)json_integer_value(json_object_get(t, "id"));
	char number[32];
	snprintf(number, sizeof number, "%s", json_string_value(json_object_get(t, "number")));
	json_decref(t);
	server_stop_clean(&srv);

	insert_messages(db, N_DELIVER, ticket);
	struct receiver rx;
	receiver_start(&rx, (const char *const[]){ "--bodies", NULL });
	struct server_proc w;
	/* small batches, fewer in flight than in a batch: several claims and rounds */
	start_worker_env(&w, (const char *const[]){ env_kv("SUQIU_WEBHOOK_ENTERPRISE_URL", receiver_url(&rx, "/sms")),
		env_kv("SUQIU_WEBHOOK_ORG_URL", receiver_url(&rx, "/im")), "SUQIU_OUTBOX_BATCH=8",
		"SUQIU_WEBHOOK_PARALLEL=3", NULL });
	long delivered = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered'", N_DELIVER, 30000);
	cr_assert_eq(delivered, N_DELIVER, "%ld of %d delivered; worker log %s", delivered, N_DELIVER, w.log_path);
	stop_worker_clean(&w);

	/* as stored: one attempt each, no lease left, no error */
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND attempts = 1 AND delivered_at IS NOT NULL"
			      " AND leased_by IS NULL AND last_error IS NULL AND dead_at IS NULL"), N_DELIVER);

	/* as received: each message once, signed, with its key, at its webhook */
	struct rx_post *posts;
	size_t n = receiver_posts(&rx, &posts);
	cr_assert_eq(n, N_DELIVER, "the receiver logged %zu POSTs", n);
	for (int i = 1; i <= N_DELIVER; i++) {
		char key[96];
		key_of(i, key, sizeof key);
		const struct rx_post *p[2];
		cr_assert_eq(posts_of(posts, n, key, p, 2), 1, "key %s", key);
		cr_expect(p[0]->sig_ok, "%s: the signature did not verify", key);
		cr_expect_eq(p[0]->attempt, 1);
		cr_expect_eq(p[0]->status, 200);
		/* recipients cycle enterprise, org, user: enterprises to the SMS gateway, the others to IM */
		cr_expect_str_eq(p[0]->path, i % 3 == 1 ? "/sms" : "/im", "%s went to %s", key, p[0]->path);
		json_t *doc = json_loads(p[0]->body, 0, NULL);
		cr_assert_not_null(doc, "%s: body %s", key, p[0]->body);
		char want_title[64], want_body[96];
		snprintf(want_title, sizeof want_title, "测试通知 %d", i);
		snprintf(want_body, sizeof want_body, "第 %d 条通知:请及时处理。", i);
		cr_expect_str_eq(json_string_value(json_object_get(doc, "idempotency_key")), key);
		cr_expect_eq(json_integer_value(json_object_get(doc, "id")), p[0]->id);
		cr_expect_str_eq(json_string_value(json_object_get(doc, "kind")), test_kind());
		cr_expect_str_eq(json_string_value(json_object_get(doc, "recipient_kind")),
				 i % 3 == 1 ? "enterprise" : i % 3 == 2 ? "org" : "user");
		cr_expect_eq(json_integer_value(json_object_get(doc, "recipient_id")), i);
		cr_expect_eq(json_integer_value(json_object_get(doc, "ticket_id")), ticket);
		cr_expect_str_eq(json_string_value(json_object_get(doc, "ticket_number")), number);
		cr_expect(json_is_null(json_object_get(doc, "event_id")));
		cr_expect_str_eq(json_string_value(json_object_get(doc, "title")), want_title);
		cr_expect_str_eq(json_string_value(json_object_get(doc, "body")), want_body);
		regex_t rfc3339;
		regcomp(&rfc3339, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\\+08:00$", REG_EXTENDED);
		const char *created = json_string_value(json_object_get(doc, "created_at"));
		cr_expect(created && regexec(&rfc3339, created, 0, NULL, 0) == 0, "created_at %s", created);
		regfree(&rfc3339);
		cr_expect_eq(json_object_size(doc), 11, "unexpected fields in %s", p[0]->body);
		json_decref(doc);
	}
	rx_posts_free(posts, n);
	finish(&rx, db);
}

Test(delivery, a_receiver_failing_the_first_two_tries_still_gets_everything)
{
	PGconn *db = test_db();
	insert_messages(db, 12, 0);
	struct receiver rx;
	receiver_start(&rx, (const char *const[]){ "--mode", "fail-first=2", NULL });
	struct server_proc w;
	start_worker(&w, &rx, (const char *const[]){ "SUQIU_OUTBOX_BACKOFF_MS=50", NULL });
	long delivered = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered'", 12, 30000);
	cr_assert_eq(delivered, 12, "%ld of 12 delivered; worker log %s", delivered, w.log_path);
	pid_t pid = w.pid;
	stop_worker_clean(&w);
	/* its heartbeat counts what it did: 12 messages delivered, 24 POSTs failed */
	long hb_delivered, hb_failed;
	cr_assert(worker_delivery_totals(db, pid, &hb_delivered, &hb_failed), "the worker wrote no heartbeat");
	cr_expect_eq(hb_delivered, 12);
	cr_expect_eq(hb_failed, 24);
	/* three attempts each, the failures on record */
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND attempts = 3 AND last_error = 'HTTP 500'"
			      " AND leased_by IS NULL"), 12);
	struct rx_post *posts;
	size_t n = receiver_posts(&rx, &posts);
	cr_assert_eq(n, 36, "the receiver logged %zu POSTs, expected 3 per message", n);
	for (int i = 1; i <= 12; i++) {
		char key[96];
		key_of(i, key, sizeof key);
		const struct rx_post *p[4];
		cr_assert_eq(posts_of(posts, n, key, p, 4), 3, "key %s", key);
		for (int a = 0; a < 3; a++) {
			cr_expect(p[a]->sig_ok, "%s try %d: bad signature", key, a + 1);
			cr_expect_eq(p[a]->attempt, a + 1, "%s: try %d said attempt %d", key, a + 1, p[a]->attempt);
			cr_expect_eq(p[a]->status, a < 2 ? 500 : 200);
			cr_expect_eq(p[a]->id, p[0]->id, "%s: another message id on try %d", key, a + 1);
		}
		/* the backoff separates the tries */
		cr_expect_geq(p[1]->ms - p[0]->ms, 50 * 3 / 4, "%s: retried after %lld ms", key, p[1]->ms - p[0]->ms);
		cr_expect_geq(p[2]->ms - p[1]->ms, 100 * 3 / 4, "%s: retried after %lld ms", key, p[2]->ms - p[1]->ms);
	}
	rx_posts_free(posts, n);
	finish(&rx, db);
}

/* A worker of the test kind against rx, failing fast: 3 attempts, 20 ms backoff. */
static void start_failing_worker(struct server_proc *w, const struct receiver *rx)
{
	start_worker(w, rx, (const char *const[]){ "SUQIU_OUTBOX_BACKOFF_MS=20", "SUQIU_OUTBOX_MAX_ATTEMPTS=3", NULL });
}

static json_t *get_json(int port, const struct session *s, const char *path, int want)
{
	json_t *j = NULL;
	int status = api_call(port, s, "GET", path, NULL, &j);
	cr_assert_eq(status, want, "GET %s: %d", path, status);
	return j;
}

Test(delivery, an_always_failing_receiver_leaves_messages_dead_and_an_admin_retry_delivers_them)
{
	PGconn *db = test_db();
	insert_messages(db, 6, 0);
	struct receiver rx;
	receiver_start(&rx, (const char *const[]){ "--mode", "fail", NULL });
	struct server_proc w;
	start_failing_worker(&w, &rx);
	long dead = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'dead'", 6, 30000);
	cr_assert_eq(dead, 6, "%ld of 6 dead; worker log %s", dead, w.log_path);
	pid_t failing_pid = w.pid;
	stop_worker_clean(&w);
	long hb_delivered, hb_failed;
	cr_assert(worker_delivery_totals(db, failing_pid, &hb_delivered, &hb_failed), "the worker wrote no heartbeat");
	cr_expect_eq(hb_delivered, 0);
	cr_expect_eq(hb_failed, 18, "18 POSTs failed, the heartbeat says %ld", hb_failed);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND attempts = 3 AND dead_at IS NOT NULL"
			      " AND last_error = 'HTTP 500' AND leased_by IS NULL AND delivered_at IS NULL"), 6);
	struct rx_post *posts;
	size_t n = receiver_posts(&rx, &posts);
	cr_expect_eq(n, 18, "%zu POSTs: a dead message is not tried again", n);
	rx_posts_free(posts, n);
	cr_assert_eq(receiver_stop(&rx), 0);

	/* the admin API shows them, a page at a time */
	struct server_proc srv;
	server_start(&srv, NULL);
	struct session admin, specialist;
	cr_assert_eq(login(srv.port, "admin", DEMO_PASSWORD, &admin), 200);
	cr_assert_eq(login(srv.port, "zhuanyuan", DEMO_PASSWORD, &specialist), 200);
	char path[256];
	snprintf(path, sizeof path, "/api/v1/admin/outbox?state=dead&kind=%s&limit=4", test_kind());
	json_t *page = get_json(srv.port, &admin, path, 200);
	json_t *items = json_object_get(page, "items");
	cr_assert_eq(json_array_size(items), 4);
	json_t *first = json_array_get(items, 0);
	cr_expect_str_eq(json_string_value(json_object_get(first, "state")), "dead");
	cr_expect_eq(json_integer_value(json_object_get(first, "attempts")), 3);
	cr_expect_str_eq(json_string_value(json_object_get(first, "last_error")), "HTTP 500");
	cr_expect_str_eq(json_string_value(json_object_get(first, "route")), "enterprise");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(first, "recipient"), "kind")), "enterprise");
	cr_expect(json_is_string(json_object_get(first, "dead_at")));
	cr_expect(json_is_null(json_object_get(first, "next_attempt_at")));
	long long first_id = (long long)json_integer_value(json_object_get(first, "id"));
	const char *cursor = json_string_value(json_object_get(page, "next_cursor"));
	cr_assert_not_null(cursor);
	snprintf(path, sizeof path, "/api/v1/admin/outbox?state=dead&kind=%s&limit=4&cursor=%s", test_kind(), cursor);
	json_decref(page);
	page = get_json(srv.port, &admin, path, 200);
	cr_expect_eq(json_array_size(json_object_get(page, "items")), 2);
	cr_expect(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
	snprintf(path, sizeof path, "/api/v1/admin/outbox?state=pending&kind=%s", test_kind());
	page = get_json(srv.port, &admin, path, 200);
	cr_expect_eq(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
	json_decref(get_json(srv.port, &admin, "/api/v1/admin/outbox?state=lost", 400));
	/* operators only */
	json_decref(get_json(srv.port, &specialist, "/api/v1/admin/outbox", 403));
	snprintf(path, sizeof path, "/api/v1/admin/outbox/%lld/retry", first_id);
	cr_expect_eq(api_call(srv.port, &specialist, "POST", path, NULL, NULL), 403);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'dead'"), 6);

	/* retry one: pending, due now, attempts reset */
	json_t *m = NULL;
	cr_assert_eq(api_call(srv.port, &admin, "POST", path, NULL, &m), 200);
	cr_expect_str_eq(json_string_value(json_object_get(m, "state")), "pending");
	cr_expect_eq(json_integer_value(json_object_get(m, "attempts")), 0);
	cr_expect(json_is_null(json_object_get(m, "dead_at")));
	cr_expect(json_is_string(json_object_get(m, "next_attempt_at")));
	json_decref(m);
	cr_expect_eq(api_call(srv.port, &admin, "POST", "/api/v1/admin/outbox/999999999999/retry", NULL, NULL), 404);
	cr_expect_eq(api_call(srv.port, &admin, "POST", "/api/v1/admin/outbox/abc/retry", NULL, NULL), 404);
	/* and every dead one to an org (messages 2 and 5), by the bulk retry */
	char body[160];
	snprintf(body, sizeof body, "{\"kind\":\"%s\",\"recipient_kind\":\"org\"}", test_kind());
	json_t *r = NULL;
	cr_assert_eq(api_call(srv.port, &admin, "POST", "/api/v1/admin/outbox/retry", body, &r), 200);
	cr_expect_eq(json_integer_value(json_object_get(r, "retried")), 2);
	json_decref(r);
	cr_expect_eq(api_call(srv.port, &specialist, "POST", "/api/v1/admin/outbox/retry", body, NULL), 403);
	cr_expect_eq(api_call(srv.port, &admin, "POST", "/api/v1/admin/outbox/retry", "{\"recipient_kind\":\"nobody\"}",
			      NULL), 400);
	cr_expect_eq(api_call(srv.port, &admin, "POST", "/api/v1/admin/outbox/retry", "{\"colour\":1}", NULL), 400);
	cr_expect_eq(mine(db, "SELECT string_agg(split_part(idempotency_key, ':', 2), '' ORDER BY id) FROM outbox"
			      " WHERE kind = $1 AND state = 'pending' AND attempts = 0 AND dead_at IS NULL"), 125,
		     "messages 1, 2 and 5 should be pending");

	/* the gateway works again: the retried messages are delivered, the others stay dead */
	receiver_start(&rx, NULL);
	start_worker(&w, &rx, NULL);
	long delivered = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered'", 3, 30000);
	cr_assert_eq(delivered, 3, "%ld of 3 retried messages delivered; worker log %s", delivered, w.log_path);
	pid_t healthy_pid = w.pid;
	stop_worker_clean(&w);
	cr_assert(worker_delivery_totals(db, healthy_pid, &hb_delivered, &hb_failed));
	cr_expect_eq(hb_delivered, 3);
	cr_expect_eq(hb_failed, 0);
	/* /metrics sums every worker's heartbeat: these two workers' are in it */
	cr_expect_geq(metric_value(srv.port, "suqiu_outbox_delivered_total"), 3);
	cr_expect_geq(metric_value(srv.port, "suqiu_outbox_failed_total"), 18);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered' AND attempts = 1"), 3);
	cr_expect_eq(mine(db, "SELECT string_agg(split_part(idempotency_key, ':', 2), '' ORDER BY id) FROM outbox"
			      " WHERE kind = $1 AND state = 'dead' AND attempts = 3"), 346);
	n = receiver_posts(&rx, &posts);
	cr_expect_eq(n, 3);
	for (size_t i = 0; i < n; i++)
		cr_expect(posts[i].sig_ok && posts[i].attempt == 1 && posts[i].status == 200, "%s", posts[i].key);
	rx_posts_free(posts, n);
	cr_assert_eq(receiver_stop(&rx), 0);

	/* a delivered message is not retried */
	json_t *problem = NULL;
	cr_expect_eq(api_call(srv.port, &admin, "POST", path, NULL, &problem), 409);
	cr_expect_str_eq(json_string_value(json_object_get(problem, "code")), "conflict");
	json_decref(problem);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered'"), 3);
	server_stop_clean(&srv);
	PQfinish(db);
}

Test(delivery, an_interrupted_delivery_is_sent_again_with_the_same_key)
{
	PGconn *db = test_db();
	insert_messages(db, 10, 0);
	/* the receiver takes its time to answer, so that the worker dies with the batch in flight */
	struct receiver rx;
	receiver_start(&rx, (const char *const[]){ "--delay-ms", "1500", NULL });
	/* one batch of 10, all in flight at once: the lease is 1 round x 3000 ms + 2000 ms */
	const char *const env[] = { "SUQIU_WEBHOOK_TIMEOUT_MS=3000", "SUQIU_WEBHOOK_PARALLEL=10", "SUQIU_OUTBOX_BATCH=10",
				    NULL };
	struct server_proc a;
	start_worker(&a, &rx, env);
	struct rx_post *posts = NULL;
	size_t n = 0;
	for (int i = 0; i < 200 && n < 10; i++) {
		usleep(50000);
		rx_posts_free(posts, n);
		n = receiver_posts(&rx, &posts);
	}
	cr_assert_eq(n, 10, "the receiver got %zu of 10 POSTs; worker log %s", n, a.log_path);
	rx_posts_free(posts, n);
	cr_assert_eq(server_stop(&a, SIGKILL, 5), 128 + SIGKILL);
	/* leased to the dead worker, counted as tried, not delivered */
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'pending' AND attempts = 1"
			      " AND leased_by IS NOT NULL AND next_attempt_at > now()"), 10);

	struct server_proc b;
	start_worker(&b, &rx, env);
	long delivered = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered'", 10, 30000);
	cr_assert_eq(delivered, 10, "%ld of 10 delivered after the lease expired; worker log %s", delivered, b.log_path);
	stop_worker_clean(&b);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND attempts = 2 AND leased_by IS NULL"), 10);
	n = receiver_posts(&rx, &posts);
	cr_assert_eq(n, 20, "%zu POSTs: each message twice", n);
	for (int i = 1; i <= 10; i++) {
		char key[96];
		key_of(i, key, sizeof key);
		const struct rx_post *p[3];
		cr_assert_eq(posts_of(posts, n, key, p, 3), 2, "key %s", key);
		cr_expect(p[0]->sig_ok && p[1]->sig_ok, "%s: bad signature", key);
		cr_expect_eq(p[0]->attempt, 1);
		cr_expect_eq(p[1]->attempt, 2);
		cr_expect_eq(p[0]->id, p[1]->id);
		/* not before the first worker's lease ran out */
		cr_expect_geq(p[1]->ms - p[0]->ms, 4500, "%s: sent again after %lld ms", key, p[1]->ms - p[0]->ms);
	}
	rx_posts_free(posts, n);
	finish(&rx, db);
}

Test(delivery, a_route_without_a_url_stays_pending)
{
	PGconn *db = test_db();
	insert_messages(db, 6, 0);
	struct receiver rx;
	receiver_start(&rx, NULL);
	struct server_proc w;
	start_worker_env(&w, (const char *const[]){ env_kv("SUQIU_WEBHOOK_ORG_URL", receiver_url(&rx, "/im")),
		NULL });
	/* org and user notices (4 of 6) go; enterprise notices wait for a worker with an SMS gateway */
	long delivered = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'delivered'", 4, 30000);
	cr_assert_eq(delivered, 4, "worker log %s", w.log_path);
	usleep(300000);
	stop_worker_clean(&w);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'pending' AND attempts = 0"
			      " AND recipient_kind = 'enterprise' AND leased_by IS NULL"), 2);
	struct rx_post *posts;
	size_t n = receiver_posts(&rx, &posts);
	cr_expect_eq(n, 4);
	rx_posts_free(posts, n);
	/* the routes: escalations whoever receives them, then by recipient */
	cr_expect_eq(db_scalar(db, "SELECT count(*) FROM (VALUES ('sla_warning', 'user', 'escalation'),"
				   " ('sla_overdue', 'org', 'escalation'), ('sla_supervision', 'enterprise', 'escalation'),"
				   " ('received', 'enterprise', 'enterprise'), ('dispatched', 'org', 'org'),"
				   " ('accepted', 'user', 'org')) AS v (kind, rk, route)"
				   " WHERE outbox_route(kind, rk) = route", 0, NULL), 6);
	finish(&rx, db);
}

Test(delivery, timeouts_and_refused_connections_are_failures)
{
	PGconn *db = test_db();
	insert_messages(db, 2, 0); /* 1 to an enterprise, 2 to an org */
	struct receiver slow, gone;
	receiver_start(&slow, (const char *const[]){ "--delay-ms", "3000", NULL });
	receiver_start(&gone, NULL);
	cr_assert_eq(receiver_stop(&gone), 0); /* nothing listens on its port now */
	struct server_proc w;
	start_worker_env(&w, (const char *const[]){ env_kv("SUQIU_WEBHOOK_ENTERPRISE_URL", receiver_url(&slow, "/")),
		env_kv("SUQIU_WEBHOOK_ORG_URL", receiver_url(&gone, "/")), "SUQIU_WEBHOOK_TIMEOUT_MS=300",
		"SUQIU_OUTBOX_MAX_ATTEMPTS=1", NULL });
	long dead = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state = 'dead'", 2, 30000);
	cr_assert_eq(dead, 2, "worker log %s", w.log_path);
	stop_worker_clean(&w);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND recipient_kind = 'enterprise' AND attempts = 1"
			      " AND last_error LIKE 'Timeout%'"), 1);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND recipient_kind = 'org' AND attempts = 1"
			      " AND last_error LIKE 'Couldn''t connect%'"), 1);
	finish(&slow, db);
}

Test(delivery, a_message_whose_last_attempt_was_interrupted_is_dead_not_resent)
{
	PGconn *db = test_db();
	insert_messages(db, 2, 0);
	/* message 1: its 3rd and last attempt was leased by a worker that died (the lease ran out);
	 * message 2: its 2nd attempt was, so it has one more */
	mine(db, "WITH u AS (UPDATE outbox SET attempts = CASE WHEN idempotency_key LIKE '%:1' THEN 3 ELSE 2 END,"
		 " leased_by = 'ghost:1:0', next_attempt_at = now() - interval '1 second' WHERE kind = $1 RETURNING 1)"
		 " SELECT count(*) FROM u");
	struct receiver rx;
	receiver_start(&rx, NULL);
	struct server_proc w;
	start_worker(&w, &rx, (const char *const[]){ "SUQIU_OUTBOX_MAX_ATTEMPTS=3", NULL });
	long done = wait_mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND state <> 'pending'", 2, 30000);
	cr_assert_eq(done, 2, "worker log %s", w.log_path);
	stop_worker_clean(&w);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND idempotency_key LIKE '%:1' AND state = 'dead'"
			      " AND attempts = 3 AND last_error = 'attempt 3 was interrupted (its lease expired)'"), 1);
	cr_expect_eq(mine(db, "SELECT count(*) FROM outbox WHERE kind = $1 AND idempotency_key LIKE '%:2'"
			      " AND state = 'delivered' AND attempts = 3"), 1);
	struct rx_post *posts;
	size_t n = receiver_posts(&rx, &posts);
	cr_assert_eq(n, 1);
	cr_expect_eq(posts[0].attempt, 3);
	rx_posts_free(posts, n);
	finish(&rx, db);
}
