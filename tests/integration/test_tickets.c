/*
 * Integration: the lifecycle API end to end against the real server and
 * database: the whole 收集 → 分派 → 处置 → 反馈 → 评价 story, reading scope
 * and de-identification, concurrent accepts, idempotent creation, and bad
 * input that must change nothing.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tickets_util.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

WORLD_SUITE(tickets, 240);

static json_t *get(enum who as, const char *fmt, long long id)
{
	char path[256];
	snprintf(path, sizeof path, fmt, id);
	json_t *j = NULL;
	int status = api_call(w.port, &w.s[as], "GET", path, NULL, &j);
	cr_assert_eq(status, 200, "GET %s as %s: %d", path, who_names[as], status);
	return j;
}

static bool items_contain(json_t *list, long long id)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(list, "items"), i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			return true;
	return false;
}

Test(tickets, the_whole_story_from_submission_to_closure)
{
	/* a run-unique word makes these two more alike than any other ticket of qiye1's */
	char title[128];
	snprintf(title, sizeof title, "去年社保补贴到账查询 %s", unique_suffix());
	long long earlier = ticket_new(&w, QIYE1, title);
	snprintf(title, sizeof title, "招用应届生社保补贴申请 %s", unique_suffix());
	long long id = ticket_new(&w, QIYE1, title);
	cr_assert_str_eq(ticket_state(id), "new");

	/* the specialist sees it in the queue, with similar tickets and KB answers */
	json_t *queue = get(ZHUANYUAN, "/api/v1/tickets?queue=mine&limit=200", 0);
	cr_assert(items_contain(queue, id), "the new ticket is in the specialist's queue");
	json_decref(queue);
	json_t *similar = get(ZHUANYUAN, "/api/v1/tickets/%lld/similar", id);
	cr_assert(items_contain(similar, earlier), "the enterprise's earlier ticket is listed as similar");
	cr_assert(!items_contain(similar, id));
	json_decref(similar);
	json_t *kb = get(ZHUANYUAN, "/api/v1/kb?q=%%E7%%A4%%BE%%E4%%BF%%9D", 0); /* 社保 */
	cr_assert_gt(json_array_size(json_object_get(kb, "items")), 0, "KB suggestions for 社保");
	json_decref(kb);

	char extra[512];
	long long bureau_a = org_named("区市场监管局"), town_b = org_named("莘庄镇"), bureau_c = org_named("区人社局");
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld,\"assist_org_ids\":[%lld],\"note\":\"请核实后办理\"",
		 bureau_a, town_b);
	act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
	cr_assert_str_eq(ticket_state(id), "dispatched");
	act_ok(&w, SHICHANG, id, "return", "\"code\":\"not_our_function\",\"basis\":\"社保补贴不属于市场监管职能\"");
	cr_assert_str_eq(ticket_state(id), "returned");
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld", bureau_c);
	act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
	act_ok(&w, RENSHE, id, "accept", "");
	cr_assert_str_eq(ticket_state(id), "in_progress");
	act_ok(&w, RENSHE, id, "contact", "\"method\":\"电话\",\"note\":\"已电话联系刘经理\"");
	act_ok(&w, RENSHE, id, "suspend", "\"question\":\"请补充招用人员名单及劳动合同\"");
	cr_assert_str_eq(ticket_state(id), "suspended");
	act_ok(&w, QIYE1, id, "supply", "\"answer\":\"名单和合同已补充\"");
	cr_assert_str_eq(ticket_state(id), "in_progress");
	/* the lead cannot resolve while the assisting town has not contributed */
	json_t *j = NULL;
	cr_assert_eq(act(&w, RENSHE, id, "resolve", "\"resolution\":\"x\"", &j), 409);
	cr_assert_str_eq(json_string_value(json_object_get(j, "code")), "action_unavailable");
	json_decref(j);
	act_ok(&w, XINZHUANG_BAN, id, "accept", "");
	act_ok(&w, XINZHUANG_BAN, id, "contribute", "\"text\":\"镇企业服务办已核实用工情况属实\"");
	act_ok(&w, RENSHE, id, "request_extension", "\"days\":3,\"reason\":\"需与税务核对参保记录\"");
	act_ok(&w, DUBAN, id, "approve_extension", "\"note\":\"同意延期3个工作日\"");
	act_ok(&w, RENSHE, id, "resolve", "\"resolution\":\"已指导企业线上申报,补贴将于本月发放\"");
	cr_assert_str_eq(ticket_state(id), "resolved");
	act_ok(&w, ZHUANYUAN, id, "feedback", "");
	cr_assert_str_eq(ticket_state(id), "feedback");
	act_ok(&w, QIYE1, id, "rate", "\"score\":2,\"comment\":\"办理太慢\"");
	cr_assert_str_eq(ticket_state(id), "feedback");
	act_ok(&w, DUBAN, id, "rule_rating", "\"decision\":\"rectify\",\"note\":\"请加快发放并回访\"");
	cr_assert_str_eq(ticket_state(id), "rectifying");
	act_ok(&w, RENSHE, id, "resolve", "\"resolution\":\"补贴已发放到账\"");
	act_ok(&w, ZHUANYUAN, id, "feedback", "\"text\":\"补贴已于今日到账,请查收\"");
	act_ok(&w, QIYE1, id, "rate", "\"score\":4,\"comment\":\"满意\"");
	cr_assert_str_eq(ticket_state(id), "closed");

	/* the timeline lists every step in order, with its actor */
	static const char *const steps[][2] = {
		{ "create", "刘洋" }, { "dispatch", "王晓燕" }, { "return", "李建国" }, { "dispatch", "王晓燕" },
		{ "accept", "马俊" }, { "contact", "马俊" }, { "suspend", "马俊" }, { "supply", "刘洋" },
		{ "accept", "何静" }, { "contribute", "何静" }, { "request_extension", "马俊" },
		{ "approve_extension", "周立群" }, { "resolve", "马俊" }, { "feedback", "王晓燕" }, { "rate", "刘洋" },
		{ "rule_rating", "周立群" }, { "resolve", "马俊" }, { "feedback", "王晓燕" }, { "rate", "刘洋" },
	};
	json_t *events = get(QIYE1, "/api/v1/tickets/%lld/events", id);
	json_t *items = json_object_get(events, "items");
	cr_assert_eq(json_array_size(items), sizeof steps / sizeof steps[0]);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *e = json_array_get(items, i);
		cr_assert_str_eq(json_string_value(json_object_get(e, "action")), steps[i][0], "step %zu", i);
		cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "actor"), "name")), steps[i][1],
				 "actor of step %zu", i);
		cr_assert_not_null(strstr(json_string_value(json_object_get(e, "summary")), steps[i][1]));
	}
	json_decref(events);

	/* the enterprise's progress notices are in the outbox */
	char text[24];
	snprintf(text, sizeof text, "%lld", id);
	const char *p[] = { text };
	PGconn *db = test_db();
	PGresult *res = PQexecParams(db, "SELECT string_agg(kind, ',' ORDER BY id) FROM outbox"
				     " WHERE ticket_id = $1 AND recipient_kind = 'enterprise'", 1, NULL, p, NULL, NULL, 0);
	cr_assert_str_eq(PQgetvalue(res, 0, 0), "received,dispatched,dispatched,accepted,contacted,suspended,feedback,"
						 "rectifying,feedback");
	PQclear(res);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM outbox WHERE ticket_id = $1 AND recipient_kind = 'org'"
				   " AND kind = 'assigned'", 1, p), 3, "bureau A, town B, bureau C were told of their assignments");
	cr_assert_eq(db_scalar(db, "SELECT count(DISTINCT idempotency_key) - count(*) FROM outbox WHERE ticket_id = $1",
			       1, p), 0);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM ratings WHERE ticket_id = $1", 1, p), 2);
	PQfinish(db);
}

Test(tickets, each_role_reads_only_its_scope)
{
	long long id = ticket_new(&w, QIYE1, "厂房消防验收咨询");
	char extra[128];
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld", org_named("区市场监管局"));
	act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld", id);
	static const struct {
		enum who who;
		int status;
	} reads[] = {
		{ QIYE1, 200 }, { QIYE2, 404 }, { ZHUANYUAN, 200 }, { SHICHANG, 200 }, { SHICHANG_LEAD, 200 },
		{ RENSHE, 404 }, { GUIHUA, 404 }, { DUBAN, 200 }, { LINGDAO, 200 }, { XINZHUANG, 200 }, { ADMIN, 404 },
	};
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		json_t *j = NULL;
		int status = api_call(w.port, &w.s[reads[i].who], "GET", path, NULL, &j);
		cr_expect_eq(status, reads[i].status, "%s reads the ticket: %d", who_names[reads[i].who], status);
		if (status == 200 && reads[i].who == XINZHUANG) {
			json_t *contact = json_object_get(j, "contact");
			cr_expect_str_eq(json_string_value(json_object_get(contact, "phone")), "138****5678");
			cr_expect_str_eq(json_string_value(json_object_get(contact, "name")), "刘*");
			cr_expect_eq(json_array_size(json_object_get(j, "allowed_actions")), 0, "a town viewer only reads");
		}
		if (status == 200 && reads[i].who == QIYE1)
			cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "contact"), "phone")),
					 "13812345678");
		if (status == 200 && reads[i].who == LINGDAO)
			cr_expect_eq(json_array_size(json_object_get(j, "allowed_actions")), 0, "a leader only reads");
		json_decref(j);
		/* lists agree with single reads */
		if (reads[i].who == ADMIN)
			continue;
		json_t *list = get(reads[i].who, "/api/v1/tickets?limit=200", 0);
		cr_expect_eq(items_contain(list, id), reads[i].status == 200, "%s's list", who_names[reads[i].who]);
		json_decref(list);
	}
	/* the events and the similar list are as private as the ticket */
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/events", id);
	cr_assert_eq(api_call(w.port, &w.s[QIYE2], "GET", path, NULL, NULL), 404);
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/similar", id);
	cr_assert_eq(api_call(w.port, &w.s[GUIHUA], "GET", path, NULL, NULL), 404);
}

struct racer {
	enum who who;
	long long id;
	int version;
	pthread_barrier_t *barrier;
	int status;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	char path[128], body[64];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/actions/accept", r->id);
	snprintf(body, sizeof body, "{\"version\":%d}", r->version);
	pthread_barrier_wait(r->barrier);
	struct http_resp resp;
	r->status = http_do(w.port, "POST", path, w.s[r->who].headers, body, &resp) ? resp.status : -1;
	if (r->status != -1)
		http_resp_free(&resp);
	return NULL;
}

Test(tickets, two_handlers_accepting_at_once_one_wins_fifty_times)
{
	char extra[128];
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld", org_named("区市场监管局"));
	for (int round = 0; round < 50; round++) {
		long long id = ticket_new(&w, ZHUANYUAN, "营业执照变更登记咨询");
		act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
		pthread_barrier_t barrier;
		pthread_barrier_init(&barrier, NULL, 2);
		struct racer a = { SHICHANG, id, ticket_version(id), &barrier, 0 };
		struct racer b = { SHICHANG_LEAD, id, a.version, &barrier, 0 };
		pthread_t ta, tb;
		pthread_create(&ta, NULL, race, &a);
		pthread_create(&tb, NULL, race, &b);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&barrier);
		cr_assert((a.status == 200 && b.status == 409) || (a.status == 409 && b.status == 200),
			  "round %d: %d and %d", round, a.status, b.status);
		char text[24];
		snprintf(text, sizeof text, "%lld", id);
		const char *p[] = { text };
		PGconn *db = test_db();
		cr_assert_eq(db_scalar(db, "SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND action = 'accept'",
				       1, p), 1);
		cr_assert_eq(db_scalar(db, "SELECT count(*) FROM assignments WHERE ticket_id = $1 AND state = 'accepted'",
				       1, p), 1);
		PQfinish(db);
	}
}

Test(tickets, a_retried_create_with_the_same_idempotency_key_returns_the_first_ticket)
{
	char headers[768], key[64];
	snprintf(key, sizeof key, "retry-%s", unique_suffix());
	snprintf(headers, sizeof headers, "%sIdempotency-Key: %s\r\n", w.s[QIYE1].headers, key);
	char body[256];
	snprintf(body, sizeof body, "{\"category_id\":%lld,\"title\":\"重复提交测试\",\"description\":\"网络中断后重试\"}",
		 category_coded("ZC"));
	long long ids[3];
	for (int i = 0; i < 3; i++) {
		struct http_resp r;
		cr_assert(http_do(w.port, "POST", "/api/v1/tickets", headers, body, &r));
		cr_assert_eq(r.status, i == 0 ? 201 : 200, "attempt %d: %d", i, r.status);
		json_t *j = resp_json(&r);
		ids[i] = (long long)json_integer_value(json_object_get(j, "id"));
		json_decref(j);
		http_resp_free(&r);
	}
	cr_assert_eq(ids[0], ids[1]);
	cr_assert_eq(ids[0], ids[2]);
	PGconn *db = test_db();
	const char *p[] = { key };
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM tickets WHERE idempotency_key = $1", 1, p), 1);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
				   " WHERE t.idempotency_key = $1", 1, p), 1);
	PQfinish(db);
}

/* A refused request answers 4xx problem+json and changes nothing. */
static void refused(enum who as, long long id, const char *action, const char *body, int status, const char *code)
{
	char *before = ticket_snapshot(id);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/actions/%s", id, action);
	struct http_resp r;
	cr_assert(http_do(w.port, "POST", path, w.s[as].headers, body, &r));
	json_t *j = resp_json(&r);
	cr_expect_eq(r.status, status, "%s %s: %d, expected %d: %s", action, body, r.status, status, r.body);
	cr_expect_not_null(strstr(r.head, "application/problem+json"), "%s %s", action, body);
	if (code)
		cr_expect_str_eq(json_string_value(json_object_get(j, "code")), code, "%s %s", action, body);
	json_decref(j);
	http_resp_free(&r);
	char *after = ticket_snapshot(id);
	cr_expect_str_eq(after, before, "%s %s changed the ticket", action, body);
	free(before);
	free(after);
}

Test(tickets, bad_action_input_is_refused_and_changes_nothing)
{
	long long id = ticket_new(&w, QIYE1, "用电增容申请");
	char body[512];
	int v = ticket_version(id);
	refused(ZHUANYUAN, id, "dispatch", "{\"lead_org_id\":3}", 400, "missing_field");
	snprintf(body, sizeof body, "{\"version\":\"%d\",\"lead_org_id\":3}", v);
	refused(ZHUANYUAN, id, "dispatch", body, 400, "invalid_type");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":3,\"colour\":\"red\"}", v);
	refused(ZHUANYUAN, id, "dispatch", body, 400, "unknown_field");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":999999}", v);
	refused(ZHUANYUAN, id, "dispatch", body, 422, "unprocessable");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":%lld}", v, org_named("闵行区企业服务中心"));
	refused(ZHUANYUAN, id, "dispatch", body, 422, "unprocessable");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":3,\"assist_org_ids\":[3]}", v);
	refused(ZHUANYUAN, id, "dispatch", body, 400, "invalid_value");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":3,\"assist_org_ids\":[13,13]}", v);
	refused(ZHUANYUAN, id, "dispatch", body, 400, "invalid_value");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":3,\"assist_org_ids\":\"13\"}", v);
	refused(ZHUANYUAN, id, "dispatch", body, 400, "invalid_type");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":3}", v - 1);
	refused(ZHUANYUAN, id, "dispatch", body, 409, "version_conflict");
	snprintf(body, sizeof body, "{\"version\":%d,\"lead_org_id\":3}", v);
	refused(ZHUANYUAN, id, "launch", body, 404, "unknown_action");
	refused(QIYE1, id, "dispatch", body, 403, "forbidden");
	refused(QIYE2, id, "withdraw", "{\"version\":1,\"reason\":\"x\"}", 404, "not_found");
	char big[6000];
	snprintf(big, sizeof big, "{\"version\":%d,\"answer\":\"%0*d\"}", v, 5001, 0);
	refused(ZHUANYUAN, id, "answer", big, 400, "invalid_value");
	snprintf(body, sizeof body, "{\"version\":%d,\"answer\":\"   \"}", v);
	refused(ZHUANYUAN, id, "answer", body, 400, NULL);
	snprintf(body, sizeof body, "{\"version\":%d,\"answer\":\"\xff\xfe\"}", v);
	refused(ZHUANYUAN, id, "answer", body, 400, "invalid_utf8");
	refused(ZHUANYUAN, id, "answer", "{\"version\":1,", 400, "invalid_json");
	refused(ZHUANYUAN, id, "answer", "[1,2]", 400, NULL);
	snprintf(body, sizeof body, "{\"version\":%d,\"score\":6}", v);
	refused(QIYE1, id, "rate", body, 400, "invalid_value");
	snprintf(body, sizeof body, "{\"version\":%d,\"score\":4}", v);
	refused(QIYE1, id, "rate", body, 409, "invalid_transition");
	snprintf(body, sizeof body, "{\"version\":%d,\"code\":\"lazy\",\"basis\":\"x\"}", v);
	refused(SHICHANG, id, "return", body, 400, "invalid_value");
	snprintf(body, sizeof body, "{\"version\":%d,\"decision\":\"maybe\",\"note\":\"x\"}", v);
	refused(DUBAN, id, "rule_rating", body, 400, "invalid_value");
	snprintf(body, sizeof body, "{\"version\":%d,\"note\":\"x\"}", v);
	refused(ZHUANYUAN, id, "close_unrated", body, 403, NULL);
	refused(LINGDAO, id, "supervise", body, 403, "forbidden");
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "POST", "/api/v1/tickets/abc/actions/answer", "{\"version\":1}",
			      NULL), 404);
}

Test(tickets, bad_intake_is_refused_and_creates_nothing)
{
	PGconn *db = test_db();
	/* every case below has title "t" and description "d", which no other test creates */
	const char *const sql = "SELECT count(*) FROM tickets WHERE title = 't' AND description = 'd'";
	long before = db_scalar(db, sql, 0, NULL);
	char body[512];
	long long cat = category_coded("ZC");
	static const struct {
		enum who who;
		const char *fmt;
		int status;
	} cases[] = {
		{ QIYE1, "{\"title\":\"t\",\"description\":\"d\"}", 400 },
		{ QIYE1, "{\"category_id\":%lld,\"title\":\"t\"}", 400 },
		{ QIYE1, "{\"category_id\":999999,\"title\":\"t\",\"description\":\"d\"}", 422 },
		{ QIYE1, "{\"category_id\":%lld,\"title\":1,\"description\":\"d\"}", 400 },
		{ QIYE1, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"channel\":\"visit\"}", 403 },
		{ QIYE1, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"enterprise_id\":2}", 403 },
		{ QIYE1, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"urgency\":\"asap\"}", 400 },
		{ QIYE1, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"contact_phone\":\"call me\"}", 400 },
		{ ZHUANYUAN, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"channel\":\"visit\"}", 400 },
		{ ZHUANYUAN, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"channel\":\"portal\","
			     "\"enterprise_id\":1}", 400 },
		{ ZHUANYUAN, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\",\"channel\":\"phone\","
			     "\"enterprise_id\":999999}", 422 },
		{ SHICHANG, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\"}", 403 },
		{ LINGDAO, "{\"category_id\":%lld,\"title\":\"t\",\"description\":\"d\"}", 403 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(body, sizeof body, cases[i].fmt, cat);
		json_t *j = NULL;
		int status = api_call(w.port, &w.s[cases[i].who], "POST", "/api/v1/tickets", body, &j);
		cr_expect_eq(status, cases[i].status, "case %zu (%s): %d", i, body, status);
		cr_expect_not_null(json_object_get(j, "code"), "case %zu has a problem code", i);
		json_decref(j);
	}
	cr_assert_eq(db_scalar(db, sql, 0, NULL), before);
	PQfinish(db);
}

static json_t *import(const char *content_type, const char *body, int want_status)
{
	char headers[768];
	snprintf(headers, sizeof headers, "%sContent-Type: %s\r\n", w.s[ZHUANYUAN].headers, content_type);
	struct http_resp r;
	cr_assert(http_do(w.port, "POST", "/api/v1/tickets/import", headers, body, &r));
	cr_assert_eq(r.status, want_status, "import (%s): %d %s", content_type, r.status, r.body);
	json_t *j = resp_json(&r);
	http_resp_free(&r);
	return j;
}

/* Tickets whose external reference starts with prefix (tests run in parallel:
 * only rows of one's own batch can be counted). */
static long long count_refs(const char *prefix)
{
	char like[64];
	snprintf(like, sizeof like, "%s%%", prefix);
	const char *p[] = { like };
	PGconn *db = test_db();
	long long n = db_scalar(db, "SELECT count(*) FROM tickets WHERE external_ref LIKE $1", 1, p);
	PQfinish(db);
	return n;
}

static const char *row_status(json_t *report, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(report, "rows"), i), "status"));
}

Test(tickets, a_12345_batch_imported_twice_creates_its_tickets_once)
{
	const char *s = unique_suffix();
	char json_batch[2048], csv_batch[2048];
	snprintf(json_batch, sizeof json_batch,
		 "[{\"external_ref\":\"J%s-1\",\"credit_code\":\"91310112MA1D5HH9NP\",\"category_code\":\"RS\","
		 "\"title\":\"招工难\",\"description\":\"企业反映招工难\",\"contact_phone\":\"13800001111\"},"
		 "{\"external_ref\":\"J%s-2\",\"credit_code\":\"91310112526728231C\",\"category_code\":\"SD01\","
		 "\"title\":\"停电\",\"description\":\"厂区频繁停电\",\"urgency\":\"urgent\"},"
		 "{\"external_ref\":\"J%s-3\",\"credit_code\":\"91310112526728231X\",\"category_code\":\"SD01\","
		 "\"title\":\"校验位错\",\"description\":\"d\"},"
		 "{\"external_ref\":\"J%s-4\",\"credit_code\":\"91310112MA1D5HH9NP\",\"category_code\":\"NOPE\","
		 "\"title\":\"无此分类\",\"description\":\"d\"},"
		 "{\"external_ref\":\"J%s-1\",\"credit_code\":\"91310112MA1D5HH9NP\",\"category_code\":\"RS\","
		 "\"title\":\"同批重复\",\"description\":\"d\"},"
		 "{\"external_ref\":\"J%s-5\",\"title\":\"缺字段\"}, 42]", s, s, s, s, s, s);
	snprintf(csv_batch, sizeof csv_batch,
		 "external_ref,credit_code,category_code,title,description,contact_phone\r\n"
		 "C%s-1,91310112MA1D5HH9NP,RS,\"招工难,求助\",\"企业反映\"\"招工难\"\"\",13800001111\r\n"
		 "C%s-2,91310112526728231C,SD01,停电,\"厂区频繁停电\n影响生产\",\r\n"
		 "C%s-3,91310112526728231c,SD01,小写代码,d,\r\n", s, s, s);
	char jprefix[32], cprefix[32];
	snprintf(jprefix, sizeof jprefix, "J%s-", s);
	snprintf(cprefix, sizeof cprefix, "C%s-", s);
	json_t *first = import("application/json", json_batch, 200);
	cr_assert_eq(json_integer_value(json_object_get(first, "created")), 2);
	cr_assert_eq(json_integer_value(json_object_get(first, "errors")), 5);
	static const char *const want[] = { "created", "created", "error", "error", "error", "error", "error" };
	for (size_t i = 0; i < 7; i++)
		cr_expect_str_eq(row_status(first, i), want[i], "row %zu", i + 1);
	json_t *again = import("application/json", json_batch, 200);
	cr_assert_eq(json_integer_value(json_object_get(again, "created")), 0);
	cr_assert_eq(json_integer_value(json_object_get(again, "duplicates")), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(again, "rows"), 0), "ticket_id")),
		     json_integer_value(json_object_get(json_array_get(json_object_get(first, "rows"), 0), "ticket_id")),
		     "a duplicate reports the first ticket");
	json_decref(first);
	json_decref(again);
	json_t *csv = import("text/csv; charset=utf-8", csv_batch, 200);
	cr_assert_eq(json_integer_value(json_object_get(csv, "created")), 2);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(csv, "rows"), 2), "code")),
			 "invalid_credit_code");
	json_decref(csv);
	csv = import("text/csv", csv_batch, 200);
	cr_assert_eq(json_integer_value(json_object_get(csv, "duplicates")), 2);
	json_decref(csv);
	cr_assert_eq(count_refs(jprefix), 2);
	cr_assert_eq(count_refs(cprefix), 2);

	/* the quoted CSV cells arrived intact */
	char ref[64];
	snprintf(ref, sizeof ref, "C%s-1", s);
	const char *p[] = { ref };
	PGconn *db = test_db();
	PGresult *res = PQexecParams(db, "SELECT title, description, channel FROM tickets WHERE external_ref = $1", 1,
				     NULL, p, NULL, NULL, 0);
	cr_assert_str_eq(PQgetvalue(res, 0, 0), "招工难,求助");
	cr_assert_str_eq(PQgetvalue(res, 0, 1), "企业反映\"招工难\"");
	cr_assert_str_eq(PQgetvalue(res, 0, 2), "hotline_12345");
	PQclear(res);
	PQfinish(db);
}

Test(tickets, a_malformed_batch_is_refused_whole)
{
	const char *s = unique_suffix();
	char prefix[32], body[1024];
	snprintf(prefix, sizeof prefix, "M%s-", s);
	json_t *j;
	j = import("text/plain", "a,b", 415);
	json_decref(j);
	j = import("application/json", "{\"rows\":[]}", 400);
	json_decref(j);
	j = import("application/json", "[", 400);
	json_decref(j);
	j = import("application/json", "[]", 400);
	json_decref(j);
	/* a good row does not get in with a broken one after it */
	snprintf(body, sizeof body, "external_ref,credit_code,category_code,title,description\r\n"
		 "M%s-1,91310112MA1D5HH9NP,RS,t,d\r\n\"M%s-2,91310112MA1D5HH9NP,RS,t,d\r\n", s, s);
	j = import("text/csv", body, 400);
	json_decref(j);
	snprintf(body, sizeof body, "[{\"external_ref\":\"M%s-3\",\"credit_code\":\"91310112MA1D5HH9NP\","
		 "\"category_code\":\"RS\",\"title\":\"t\",\"description\":\"d\"},", s);
	j = import("application/json", body, 400);
	json_decref(j);
	j = import("text/csv", "external_ref,colour\r\nx,red\r\n", 400);
	cr_assert_str_eq(json_string_value(json_object_get(j, "code")), "unknown_field");
	json_decref(j);
	j = import("text/csv", "external_ref,credit_code\r\n", 400);
	json_decref(j);
	j = import("text/csv", "title\r\n\xff\xfe\r\n", 400);
	cr_assert_str_eq(json_string_value(json_object_get(j, "code")), "invalid_utf8");
	json_decref(j);
	/* only specialists import */
	char headers[768];
	snprintf(headers, sizeof headers, "%sContent-Type: application/json\r\n", w.s[SHICHANG].headers);
	struct http_resp r;
	cr_assert(http_do(w.port, "POST", "/api/v1/tickets/import", headers, "[]", &r));
	cr_assert_eq(r.status, 403);
	http_resp_free(&r);
	cr_assert_eq(count_refs(prefix), 0);
}

Test(tickets, the_hotline_integration_creates_with_a_bearer_token_once_per_order_number)
{
	char body[512];
	snprintf(body, sizeof body, "{\"user_id\":%lld,\"name\":\"12345热线对接 %s\"}", user_named("zhuanyuan"),
		 unique_suffix());
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "POST", "/api/v1/tokens", body, &j), 201);
	char headers[256];
	snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", json_string_value(json_object_get(j, "token")));
	json_decref(j);
	snprintf(body, sizeof body, "{\"enterprise_id\":%lld,\"channel\":\"hotline_12345\",\"external_ref\":\"H%s\","
		 "\"category_id\":%lld,\"title\":\"热线转办\",\"description\":\"市民热线反映企业诉求\"}",
		 enterprise_of(QIYE1), unique_suffix(), category_coded("QT"));
	long long ids[2];
	for (int i = 0; i < 2; i++) {
		struct http_resp r;
		cr_assert(http_do(w.port, "POST", "/api/v1/tickets", headers, body, &r));
		cr_assert_eq(r.status, i ? 200 : 201, "attempt %d: %d %s", i, r.status, r.body);
		j = resp_json(&r);
		ids[i] = (long long)json_integer_value(json_object_get(j, "id"));
		cr_assert_str_eq(json_string_value(json_object_get(j, "channel")), "hotline_12345");
		json_decref(j);
		http_resp_free(&r);
	}
	cr_assert_eq(ids[0], ids[1]);
	/* a bearer token cannot use the channels of people */
	struct http_resp r;
	const char *visit = "{\"enterprise_id\":1,\"channel\":\"visit\",\"category_id\":1,\"title\":\"t\",\"description\":\"d\"}";
	cr_assert(http_do(w.port, "POST", "/api/v1/tickets", headers, visit, &r));
	cr_assert_eq(r.status, 400);
	http_resp_free(&r);
}

/* An open event stream of one user: a raw socket, read with deadlines. */
static int stream_open(enum who as)
{
	int fd = tcp_connect(w.port);
	cr_assert_geq(fd, 0);
	char req[768];
	int n = snprintf(req, sizeof req, "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n%sAccept: text/event-stream\r\n\r\n",
			 w.s[as].headers);
	cr_assert_eq(write(fd, req, (size_t)n), n);
	return fd;
}

/* Reads from fd until needle has arrived or ms have passed. */
static bool stream_wait_for(int fd, const char *needle, int ms, char *seen, size_t seen_len)
{
	size_t used = strlen(seen);
	long long deadline = now_ms() + ms;
	while (!strstr(seen, needle)) {
		long long left = deadline - now_ms();
		if (left <= 0 || used + 1 >= seen_len)
			return false;
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		ssize_t got = read(fd, seen + used, seen_len - used - 1);
		if (got <= 0)
			return false;
		used += (size_t)got;
		seen[used] = '\0';
	}
	return true;
}

Test(tickets, live_updates_reach_those_who_may_see_the_ticket_within_a_second)
{
	int own = stream_open(QIYE1), specialist = stream_open(ZHUANYUAN), foreign = stream_open(QIYE2);
	static char seen_own[65536], seen_specialist[65536], seen_foreign[65536];
	cr_assert(stream_wait_for(own, "suqiu live updates", 2000, seen_own, sizeof seen_own));
	cr_assert(stream_wait_for(specialist, "suqiu live updates", 2000, seen_specialist, sizeof seen_specialist));
	cr_assert(stream_wait_for(foreign, "suqiu live updates", 2000, seen_foreign, sizeof seen_foreign));
	cr_assert_not_null(strstr(seen_own, "text/event-stream"));
	long long id = ticket_new(&w, QIYE1, "实时推送测试");
	char needle[64];
	snprintf(needle, sizeof needle, "\"ticket_id\":%lld,", id);
	long long t0 = now_ms();
	cr_assert(stream_wait_for(own, needle, 1000, seen_own, sizeof seen_own), "the enterprise's stream: %s", seen_own);
	cr_assert(stream_wait_for(specialist, needle, 1000, seen_specialist, sizeof seen_specialist));
	cr_assert_lt(now_ms() - t0, 1000);
	char extra[128];
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld", org_named("区市场监管局"));
	act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
	snprintf(needle, sizeof needle, "\"action\":\"dispatch\",\"from_state\":\"new\",\"to_state\":\"dispatched\"");
	cr_assert(stream_wait_for(own, needle, 1000, seen_own, sizeof seen_own));
	/* who may see an event is not told to the browser */
	cr_assert_null(strstr(seen_own, "org_paths"));
	cr_assert_null(strstr(seen_own, "enterprise_id"));
	/* another enterprise hears nothing of it */
	snprintf(needle, sizeof needle, "\"ticket_id\":%lld,", id);
	cr_assert_not(stream_wait_for(foreign, needle, 500, seen_foreign, sizeof seen_foreign), "%s", seen_foreign);
	close(own);
	close(specialist);
	close(foreign);
	/* a stream needs a login */
	struct http_resp r;
	cr_assert(http_do(w.port, "GET", "/api/v1/stream", NULL, NULL, &r));
	cr_assert_eq(r.status, 401);
	http_resp_free(&r);
}

static int upload(enum who as, long long id, const char *filename, const char *content, json_t **out)
{
	char path[256], headers[768];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/attachments?filename=%s", id, filename);
	snprintf(headers, sizeof headers, "%sContent-Type: application/octet-stream\r\n", w.s[as].headers);
	struct http_resp r;
	cr_assert(http_do(w.port, "POST", path, headers, content, &r));
	int status = r.status;
	if (out)
		*out = resp_json(&r);
	http_resp_free(&r);
	return status;
}

Test(tickets, attachments_are_typed_by_content_and_served_only_to_those_who_see_the_ticket)
{
	long long id = ticket_new(&w, QIYE1, "附件测试");
	const char *pdf = "%PDF-1.7\n%营业执照副本\n1 0 obj<<>>endobj\n%%EOF\n";
	json_t *j = NULL;
	cr_assert_eq(upload(QIYE1, id, "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf", pdf, &j), 201); /* 营业执照.pdf */
	long long aid = (long long)json_integer_value(json_object_get(j, "id"));
	cr_assert_str_eq(json_string_value(json_object_get(j, "content_type")), "application/pdf");
	cr_assert_str_eq(json_string_value(json_object_get(j, "filename")), "营业执照.pdf");
	json_decref(j);
	/* the name does not decide the type */
	cr_assert_eq(upload(QIYE1, id, "photo.png", "MZ\x90 this is a program", &j), 415);
	json_decref(j);
	cr_assert_eq(upload(QIYE1, id, "scan.pdf", "\x89PNG\r\n\x1a\n-image-data", &j), 201);
	cr_assert_str_eq(json_string_value(json_object_get(j, "content_type")), "image/png");
	json_decref(j);
	/* bad names, empty files, strangers, read-only roles */
	cr_assert_eq(upload(QIYE1, id, "a%2Fb.pdf", pdf, NULL), 400);
	cr_assert_eq(upload(QIYE1, id, "", pdf, NULL), 400);
	cr_assert_eq(upload(QIYE1, id, "empty.pdf", "", NULL), 400);
	cr_assert_eq(upload(QIYE2, id, "x.pdf", pdf, NULL), 404);
	cr_assert_eq(upload(LINGDAO, id, "x.pdf", pdf, NULL), 403);
	/* 10 MiB at most */
	size_t big = 10 * 1024 * 1024 + 1;
	char *huge = malloc(big + 1);
	memset(huge, 'A', big);
	memcpy(huge, "%PDF-", 5);
	huge[big] = '\0';
	cr_assert_eq(upload(QIYE1, id, "big.pdf", huge, NULL), 413);
	huge[big - 1] = '\0'; /* exactly 10 MiB */
	cr_assert_eq(upload(QIYE1, id, "max.pdf", huge, NULL), 201);
	free(huge);

	char path[128];
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/attachments", id);
	cr_assert_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", path, NULL, &j), 200);
	cr_assert_eq(json_array_size(json_object_get(j, "items")), 3);
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[QIYE2], "GET", path, NULL, NULL), 404);
	snprintf(path, sizeof path, "/api/v1/tickets/%lld/attachments/%lld", id, aid);
	struct http_resp r;
	cr_assert(http_do(w.port, "GET", path, w.s[XINZHUANG].headers, NULL, &r));
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body_len, strlen(pdf));
	cr_assert_eq(memcmp(r.body, pdf, r.body_len), 0, "the file comes back byte for byte");
	cr_assert_str_eq(resp_header(&r, "Content-Type"), "application/pdf");
	cr_assert_not_null(strstr(resp_header(&r, "Content-Disposition"), "attachment; filename*=UTF-8''"));
	http_resp_free(&r);
	cr_assert(http_do(w.port, "GET", path, w.s[QIYE2].headers, NULL, &r));
	cr_assert_eq(r.status, 404);
	http_resp_free(&r);
	/* the upload is on the timeline */
	json_t *events = get(QIYE1, "/api/v1/tickets/%lld/events", id);
	json_t *last = json_array_get(json_object_get(events, "items"), json_array_size(json_object_get(events, "items")) - 1);
	cr_assert_str_eq(json_string_value(json_object_get(last, "action")), "attach");
	json_decref(events);
}

Test(tickets, list_filters_are_checked)
{
	static const char *const bad[] = {
		"/api/v1/tickets?state=bogus", "/api/v1/tickets?state=new,,closed", "/api/v1/tickets?org_id=x",
		"/api/v1/tickets?category_id=-1", "/api/v1/tickets?enterprise_id=0", "/api/v1/tickets?created_from=yesterday",
		"/api/v1/tickets?created_to=2026-02-30T00:00:00%2B08:00", "/api/v1/tickets?urgency=asap",
		"/api/v1/tickets?channel=fax", "/api/v1/tickets?queue=yours", "/api/v1/tickets?limit=0",
		"/api/v1/tickets?limit=201", "/api/v1/tickets?cursor=abc", "/api/v1/tickets?assignment_state=lost",
		"/api/v1/tickets?q=",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = NULL;
		cr_expect_eq(api_call(w.port, &w.s[ZHUANYUAN], "GET", bad[i], NULL, &j), 400, "%s", bad[i]);
		cr_expect_str_eq(json_string_value(json_object_get(j, "code")), "invalid_query", "%s", bad[i]);
		json_decref(j);
	}
	/* and good ones work together */
	json_t *j = get(ZHUANYUAN, "/api/v1/tickets?state=new,dispatched&urgency=normal&channel=portal&limit=5"
				   "&created_from=2020-01-01T00:00:00%%2B08:00&q=%%E8%%A1%%A5%%E8%%B4%%B4", 0);
	cr_assert(json_is_array(json_object_get(j, "items")));
	cr_assert_leq(json_array_size(json_object_get(j, "items")), 5);
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[ADMIN], "GET", "/api/v1/tickets", NULL, NULL), 403, "admins do not read tickets");
	cr_assert_eq(api_call(w.port, &w.s[LINGDAO], "GET", "/api/v1/tickets?queue=mine", NULL, NULL), 200);
}

/* Found in review: an org holding the lead and (through its office) an
 * assisting assignment; a dispute left behind by a rejection; an answer
 * from "returned" leaving the last round's assisting orgs open. */
Test(tickets, assignments_and_disputes_stay_consistent)
{
	long long id = ticket_new(&w, QIYE1, "主办与所属科室协办");
	char extra[160];
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld,\"assist_org_ids\":[%lld]", org_named("区市场监管局"),
		 org_named("登记注册科"));
	act_ok(&w, ZHUANYUAN, id, "dispatch", extra);
	act_ok(&w, SHICHANG, id, "accept", "");
	cr_assert_str_eq(ticket_state(id), "in_progress", "the bureau accepted the lead");
	act_ok(&w, SHICHANG, id, "return", "\"code\":\"other\",\"basis\":\"科室不参与\"");
	cr_assert_str_eq(ticket_state(id), "in_progress", "returning the office's part leaves the lead alone");
	char text[24];
	snprintf(text, sizeof text, "%lld", id);
	const char *p[] = { text };
	PGconn *db = test_db();
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM assignments WHERE ticket_id = $1 AND lead AND state = 'accepted'",
			       1, p), 1);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM assignments WHERE ticket_id = $1 AND NOT lead AND state = 'returned'",
			       1, p), 1);
	cr_assert_eq(db_scalar(db, "SELECT return_count FROM tickets WHERE id = $1", 1, p), 0);

	/* dispute → the supervisor rejects instead of ruling → reopened: triage works again */
	long long t2 = ticket_new(&w, QIYE1, "争议退回后不予受理再重开");
	snprintf(extra, sizeof extra, "\"lead_org_id\":%lld,\"assist_org_ids\":[%lld]", org_named("区规划资源局"),
		 org_named("区人社局"));
	act_ok(&w, ZHUANYUAN, t2, "dispatch", extra);
	act_ok(&w, RENSHE, t2, "accept", "");
	act_ok(&w, GUIHUA, t2, "return", "\"code\":\"not_our_function\",\"basis\":\"非本局职能\"");
	act_ok(&w, ZHUANYUAN, t2, "dispute_return", "\"reason\":\"属于规划资源职能\"");
	act_ok(&w, DUBAN, t2, "reject", "\"reason\":\"不属于涉企诉求\"");
	act_ok(&w, DUBAN, t2, "reopen", "\"reason\":\"企业补充了材料\"");
	act_ok(&w, ZHUANYUAN, t2, "answer", "\"answer\":\"可通过一网通办申请\"");
	snprintf(text, sizeof text, "%lld", t2);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM assignments WHERE ticket_id = $1 AND state IN ('pending', 'accepted')",
			       1, p), 0, "no assignment is left open on an answered ticket");
	cr_assert_eq(db_scalar(db, "SELECT return_disputed::int FROM tickets WHERE id = $1", 1, p), 0);

	/* answered straight from "returned": the assisting org of that round is released too */
	long long t3 = ticket_new(&w, QIYE1, "退回后直接答复");
	act_ok(&w, ZHUANYUAN, t3, "dispatch", extra);
	act_ok(&w, RENSHE, t3, "accept", "");
	act_ok(&w, GUIHUA, t3, "return", "\"code\":\"information_missing\",\"basis\":\"材料不全\"");
	act_ok(&w, ZHUANYUAN, t3, "answer", "\"answer\":\"已电话答复企业\"");
	snprintf(text, sizeof text, "%lld", t3);
	cr_assert_eq(db_scalar(db, "SELECT count(*) FROM assignments WHERE ticket_id = $1 AND state IN ('pending', 'accepted')",
			       1, p), 0, "no assignment is left open on an answered ticket");
	PQfinish(db);
}
