/*
 * Integration: the leadership metrics (GET /api/v1/stats/...) against a small
 * data set built by hand through the real API, every figure checked
 * exactly (README "Metrics" defines them).
 *
 * The tickets are made now and then moved, as the owner role, into March
 * 2021 (created_at only), a month no other suite uses, so the figures of
 * that period are this test's alone. Lateness is made as test_sla makes
 * time pass: a leg's deadline is moved into the past before the action that
 * stops it (missed), or left there (running late: overdue now); the
 * working time a resolution took is written into its stopped leg. The
 * rating window's end and an escalation to supervision are left to a real
 * suqiu-worker.
 *
 * The data set (K1, K2: this test's categories, 24×7 clock; A 区市场监管局,
 * B 莘庄镇, C 区人社局, G 区规划资源局; qiye1's enterprise is in 莘庄镇, qiye2's in 七宝镇):
 *   T1 qiye1 K1 "园区路灯不亮", 03-01: A accepts, contacts, resolves (120 min), feedback, rated 5
 *   T2 qiye2 K1 "园区 路灯不亮！", 03-02: A accepts late, contacts, resolves (600), rated 2, rectified,
 *      resolves again (300), rated 4
 *   T3 qiye1 K2 "社保补贴咨询", 03-09: C returns, A returns, C accepts, suspends, extension approved,
 *      resolves (900), feedback, closed unrated by the worker
 *   T4 qiye2 K2 "社保补贴咨询", 03-10: A accepts, resolves late (60), rated 1, appeal upheld (excluded),
 *      closed by the supervisor's ruling
 *   T5 qiye1 K1 "厂房漏水", 03-16: lead A (accepts, its contact runs late), assisting B (accepts late),
 *      extension denied, supervised by hand
 *   T6 qiye1 K2 "其他问题", 03-23: new
 *   T7 qiye2 K1 "加装电梯审批", 03-24: dispatched to G, never accepted: the worker escalates to supervision
 *   T8 qiye1 K1 "证照办理", 03-31 10:00: answered, reopened, A accepts, resolves (30), feedback late, rated 3
 *   T9 qiye2 K2 "测试撤回", 03-31 23:30: withdrawn
 *   T10 qiye1 K1 "期外诉求", 04-01 00:00: outside the period
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tickets_util.h"

WORLD_SUITE(stats, 300);

#define FROM "2021-03-01"
#define TO "2021-03-31"
#define PERIOD "from=" FROM "&to=" TO

/* Runs query with the ticket id and one text parameter. */
static void exec2(const char *query, long long id, const char *text)
{
	char a[24];
	snprintf(a, sizeof a, "%lld", id);
	const char *p[] = { a, text };
	PQclear(db_sql(query, text ? 2 : 1, p));
}

/* A category of this test's own with a 24×7 policy in minutes: accept 60,
 * contact 60, resolve 600, feedback 60, warning at 50 %, supervision 30
 * minutes after a deadline; rating window 7 days. */
static long long category(const char *name)
{
	char code[32];
	snprintf(code, sizeof code, "ST%c%d", name[0] == '=' ? 'B' : 'A', (int)getpid() % 100000);
	return calendar_category(code, name, 60, 60, 600, 60, 30);
}

static long long ticket(enum who as, long long cat, const char *title, const char *created_at)
{
	long long id = ticket_in_category(&w, as, cat, title);
	exec2("UPDATE tickets SET created_at = $2::timestamptz WHERE id = $1", id, created_at);
	return id;
}

static void dispatch(long long t, const char *lead, const char *assist)
{
	char extra[128];
	if (assist)
		snprintf(extra, sizeof extra, "\"lead_org_id\": %lld, \"assist_org_ids\": [%lld]", org_named(lead),
			 org_named(assist));
	else
		snprintf(extra, sizeof extra, "\"lead_org_id\": %lld", org_named(lead));
	act_ok(&w, ZHUANYUAN, t, "dispatch", extra);
}

/* The running leg's deadline (of org, or any) is now in the past. */
static void late(long long t, const char *leg, const char *org)
{
	char q[256];
	snprintf(q, sizeof q, "UPDATE sla_clocks SET deadline = now() - interval '1 minute' WHERE ticket_id = $1"
		 " AND leg = $2 AND outcome IS NULL%s", org ? " AND org_id = (SELECT id FROM orgs WHERE name = $3)" : "");
	char a[24];
	snprintf(a, sizeof a, "%lld", t);
	const char *p[] = { a, leg, org };
	PGresult *res = db_sql(q, org ? 3 : 2, p);
	cr_assert_eq(atoi(PQcmdTuples(res)), 1, "no running %s leg on ticket %lld", leg, t);
	PQclear(res);
}

/* The working minutes the latest measured resolve leg of t took. */
static void took(long long t, const char *minutes)
{
	exec2("UPDATE sla_clocks SET duration_minutes = $2::int WHERE id = (SELECT max(id) FROM sla_clocks"
	      " WHERE ticket_id = $1 AND leg = 'resolve' AND outcome IN ('met', 'missed'))", t, minutes);
}

/* As if seconds had passed for the running leg of t (the worker's view). */
static void elapse(long long t, const char *leg, int seconds)
{
	clock_elapse(db_scalar_of("SELECT id FROM sla_clocks WHERE ticket_id = $1 AND leg = $2 AND outcome IS NULL", t, leg),
		     seconds);
}

struct data {
	long long k1, k2, t[11];
};

/* Builds the data set of the file comment. */
static void build(struct data *d)
{
	d->k1 = category("统计测试一");
	d->k2 = category("=统计测试二"); /* a name that a spreadsheet would take for a formula */
	long long *t = d->t;
	t[1] = ticket(QIYE1, d->k1, "园区路灯不亮", "2021-03-01T10:00:00+08:00");
	t[2] = ticket(QIYE2, d->k1, "园区 路灯不亮！", "2021-03-02T10:00:00+08:00");
	t[3] = ticket(QIYE1, d->k2, "社保补贴咨询", "2021-03-09T10:00:00+08:00");
	t[4] = ticket(QIYE2, d->k2, "社保补贴咨询", "2021-03-10T10:00:00+08:00");
	t[5] = ticket(QIYE1, d->k1, "厂房漏水", "2021-03-16T10:00:00+08:00");
	t[6] = ticket(QIYE1, d->k2, "其他问题", "2021-03-23T10:00:00+08:00");
	t[7] = ticket(QIYE2, d->k1, "加装电梯审批", "2021-03-24T10:00:00+08:00");
	t[8] = ticket(QIYE1, d->k1, "证照办理", "2021-03-31T10:00:00+08:00");
	t[9] = ticket(QIYE2, d->k2, "测试撤回", "2021-03-31T23:30:00+08:00");
	t[10] = ticket(QIYE1, d->k1, "期外诉求", "2021-04-01T00:00:00+08:00");

	/* T1: on time throughout, rated 5 */
	dispatch(t[1], "区市场监管局", NULL);
	act_ok(&w, SHICHANG, t[1], "accept", "");
	act_ok(&w, SHICHANG, t[1], "contact", "\"method\": \"电话\"");
	act_ok(&w, SHICHANG, t[1], "resolve", "\"resolution\": \"已修复\"");
	took(t[1], "120");
	act_ok(&w, ZHUANYUAN, t[1], "feedback", "");
	act_ok(&w, QIYE1, t[1], "rate", "\"score\": 5");

	/* T2: accepted late, rated 2, rectified, rated 4 */
	dispatch(t[2], "区市场监管局", NULL);
	late(t[2], "accept", NULL);
	act_ok(&w, SHICHANG, t[2], "accept", "");
	act_ok(&w, SHICHANG, t[2], "contact", "\"method\": \"上门\"");
	act_ok(&w, SHICHANG, t[2], "resolve", "\"resolution\": \"已处理\"");
	took(t[2], "600");
	act_ok(&w, ZHUANYUAN, t[2], "feedback", "");
	act_ok(&w, QIYE2, t[2], "rate", "\"score\": 2");
	act_ok(&w, DUBAN, t[2], "rule_rating", "\"decision\": \"rectify\", \"note\": \"请整改\"");
	act_ok(&w, SHICHANG, t[2], "resolve", "\"resolution\": \"已整改\"");
	took(t[2], "300");
	act_ok(&w, ZHUANYUAN, t[2], "feedback", "");
	act_ok(&w, QIYE2, t[2], "rate", "\"score\": 4");

	/* T3: returned twice (bounced), suspended, extended, closed unrated (below) */
	dispatch(t[3], "区人社局", NULL);
	act_ok(&w, RENSHE, t[3], "return", "\"code\": \"not_our_function\", \"basis\": \"非本局职能\"");
	dispatch(t[3], "区市场监管局", NULL);
	act_ok(&w, SHICHANG, t[3], "return", "\"code\": \"not_our_function\", \"basis\": \"属人社局\"");
	dispatch(t[3], "区人社局", NULL);
	act_ok(&w, RENSHE, t[3], "accept", "");
	act_ok(&w, RENSHE, t[3], "suspend", "\"question\": \"请补充参保证明\"");
	act_ok(&w, QIYE1, t[3], "supply", "\"answer\": \"已上传\"");
	act_ok(&w, RENSHE, t[3], "request_extension", "\"days\": 3, \"reason\": \"需会商\"");
	act_ok(&w, DUBAN, t[3], "approve_extension", "");
	act_ok(&w, RENSHE, t[3], "resolve", "\"resolution\": \"已发放\"");
	took(t[3], "900");
	act_ok(&w, ZHUANYUAN, t[3], "feedback", "");

	/* T4: resolved late, rated 1, the appeal upheld, closed by ruling */
	dispatch(t[4], "区市场监管局", NULL);
	act_ok(&w, SHICHANG, t[4], "accept", "");
	late(t[4], "resolve", NULL);
	act_ok(&w, SHICHANG, t[4], "resolve", "\"resolution\": \"已答复\"");
	took(t[4], "60");
	act_ok(&w, ZHUANYUAN, t[4], "feedback", "");
	act_ok(&w, QIYE2, t[4], "rate", "\"score\": 1");
	act_ok(&w, SHICHANG, t[4], "appeal", "\"reason\": \"恶意差评\"");
	act_ok(&w, DUBAN, t[4], "rule_appeal", "\"decision\": \"exclude\"");
	act_ok(&w, DUBAN, t[4], "rule_rating", "\"decision\": \"close\", \"note\": \"已解释\"");

	/* T5: in progress, its contact overdue, the assisting town late, an extension denied, supervised */
	dispatch(t[5], "区市场监管局", "莘庄镇");
	act_ok(&w, SHICHANG, t[5], "accept", "");
	late(t[5], "accept", "莘庄镇");
	act_ok(&w, XINZHUANG_BAN, t[5], "accept", "");
	late(t[5], "contact", NULL);
	act_ok(&w, SHICHANG, t[5], "request_extension", "\"days\": 2, \"reason\": \"需现场勘查\"");
	act_ok(&w, DUBAN, t[5], "deny_extension", "\"note\": \"不予延期\"");
	act_ok(&w, DUBAN, t[5], "supervise", "\"note\": \"请加快办理\"");

	/* T7: dispatched, never accepted (escalated below) */
	dispatch(t[7], "区规划资源局", NULL);

	/* T8: answered, reopened, handled, feedback late, rated 3 */
	act_ok(&w, ZHUANYUAN, t[8], "answer", "\"answer\": \"请到窗口办理\"");
	act_ok(&w, DUBAN, t[8], "reopen", "\"reason\": \"答复不充分\"");
	dispatch(t[8], "区市场监管局", NULL);
	act_ok(&w, SHICHANG, t[8], "accept", "");
	act_ok(&w, SHICHANG, t[8], "resolve", "\"resolution\": \"已办结\"");
	took(t[8], "30");
	late(t[8], "feedback", NULL);
	act_ok(&w, ZHUANYUAN, t[8], "feedback", "");
	act_ok(&w, QIYE1, t[8], "rate", "\"score\": 3");

	/* T9: withdrawn; T10 outside the period */
	act_ok(&w, QIYE2, t[9], "withdraw", "\"reason\": \"已自行解决\"");
	dispatch(t[10], "区市场监管局", NULL);

	/* the worker: T3's rating window ends, T7's acceptance goes to supervision */
	struct server_proc worker;
	worker_start(&worker, NULL);
	elapse(t[3], "rating", 8 * 86400);
	elapse(t[7], "accept", 3 * 3600);
	await_event(t[3], "close_unrated");
	await_event(t[7], "sla_supervision");
	server_stop_clean(&worker);
	cr_assert_str_eq(ticket_state(t[3]), "closed");
}

/* ---- reading the API ---------------------------------------------------- */

static json_t *get(enum who as, const char *path)
{
	json_t *j = NULL;
	int status = api_call(w.port, &w.s[as], "GET", path, NULL, &j);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	cr_assert_eq(status, 200, "GET %s as %s: %d %s", path, who_names[as], status, text ? text : "");
	free(text);
	return j;
}

/* The member at a dotted path ("a.b.c"). */
static json_t *at(json_t *j, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return j;
}

#define COUNT(j, path, want) \
	cr_assert_eq(json_integer_value(at(j, path)), (want), "%s is %lld, not %lld", path, \
		     (long long)json_integer_value(at(j, path)), (long long)(want))

/* A rate {numerator, denominator, rate}; rate < 0 = null. */
static void rate_is(json_t *j, const char *path, long long num, long long den, double rate)
{
	json_t *r = at(j, path);
	cr_assert(json_is_object(r), "%s missing", path);
	cr_assert_eq(json_integer_value(json_object_get(r, "numerator")), num, "%s numerator %lld", path,
		     (long long)json_integer_value(json_object_get(r, "numerator")));
	cr_assert_eq(json_integer_value(json_object_get(r, "denominator")), den, "%s denominator %lld", path,
		     (long long)json_integer_value(json_object_get(r, "denominator")));
	if (rate < 0)
		cr_assert(json_is_null(json_object_get(r, "rate")), "%s: rate is not null", path);
	else
		cr_assert_float_eq(json_number_value(json_object_get(r, "rate")), rate, 1e-9, "%s rate %f", path,
				   json_number_value(json_object_get(r, "rate")));
}

static void hours_is(json_t *j, const char *path, double want)
{
	json_t *v = at(j, path);
	if (want < 0)
		cr_assert(json_is_null(v), "%s is not null", path);
	else
		cr_assert_float_eq(json_number_value(v), want, 1e-9, "%s is %f", path, json_number_value(v));
}

/* The item of items whose member key (dotted) is the integer id or the string s. */
static json_t *item(json_t *body, const char *key, long long id, const char *s)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(body, "items"), i, it) {
		json_t *v = at(it, key);
		if ((s && json_is_string(v) && strcmp(json_string_value(v), s) == 0) || (!s && json_integer_value(v) == id))
			return it;
	}
	cr_assert_fail("no item with %s = %lld %s", key, id, s ? s : "");
	return NULL;
}

static const char *number_of(long long t)
{
	static char buf[4][32];
	static int i;
	i = (i + 1) % 4;
	char a[24];
	snprintf(a, sizeof a, "%lld", t);
	const char *p[] = { a };
	PGresult *res = db_sql("SELECT number FROM tickets WHERE id = $1", 1, p);
	snprintf(buf[i], sizeof buf[i], "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return buf[i];
}

/* ---- the figures -------------------------------------------------------- */

static void check_overview(const struct data *d)
{
	json_t *b = get(LINGDAO, "/api/v1/stats/overview?" PERIOD);
	cr_assert_str_eq(json_string_value(at(b, "period.from")), "2021-03-01T00:00:00.000+08:00");
	cr_assert_str_eq(json_string_value(at(b, "period.to")), "2021-04-01T00:00:00.000+08:00");
	cr_assert_str_eq(json_string_value(at(b, "scope")), "all");
	json_t *f = json_object_get(b, "figures");
	COUNT(f, "tickets", 9);
	COUNT(f, "states.closed", 6);
	COUNT(f, "states.in_progress", 1);
	COUNT(f, "states.new", 1);
	COUNT(f, "states.dispatched", 1);
	COUNT(f, "states.feedback", 0);
	COUNT(f, "states.merged", 0);
	COUNT(f, "dispatches", 9);
	rate_is(f, "response_rate", 5, 9, 0.5556);
	rate_is(f, "resolution_rate", 3, 5, 0.6);
	rate_is(f, "satisfaction_rate", 3, 4, 0.75);
	rate_is(f, "on_time.accept", 7, 10, 0.7);
	rate_is(f, "on_time.contact", 2, 3, 0.6667);
	rate_is(f, "on_time.resolve", 5, 6, 0.8333);
	rate_is(f, "on_time.feedback", 5, 6, 0.8333);
	COUNT(f, "resolve_hours.legs", 6);
	hours_is(f, "resolve_hours.mean", 5.58);  /* 2010 minutes / 6 */
	hours_is(f, "resolve_hours.p90", 12.5);   /* between 600 and 900 minutes */
	COUNT(f, "returns", 2);
	COUNT(f, "bounced", 1);
	COUNT(f, "extensions.requested", 2);
	COUNT(f, "extensions.approved", 1);
	COUNT(f, "overdue_now", 2);
	COUNT(f, "supervisions.total", 2);
	COUNT(f, "supervisions.automatic", 1);
	COUNT(f, "supervisions.manual", 1);
	COUNT(f, "rectifications", 1);
	COUNT(f, "closed_unrated", 1);
	/* 一类事: T1 + T2 (K1, same title once normalised), T3 + T4 (K2) */
	COUNT(f, "repeated_demands.clusters", 2);
	COUNT(f, "repeated_demands.tickets", 4);
	json_t *items = at(f, "repeated_demands.items");
	cr_assert_eq(json_array_size(items), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *c = json_array_get(items, i);
		bool k1 = json_integer_value(json_object_get(c, "category_id")) == d->k1;
		long long a = k1 ? d->t[1] : d->t[3], z = k1 ? d->t[2] : d->t[4];
		COUNT(c, "tickets", 2);
		COUNT(c, "enterprises", 2);
		json_t *numbers = json_object_get(c, "numbers");
		cr_assert_eq(json_array_size(numbers), 2);
		cr_assert_str_eq(json_string_value(json_array_get(numbers, 0)), number_of(a));
		cr_assert_str_eq(json_string_value(json_array_get(numbers, 1)), number_of(z));
		/* no enterprise names nor contacts in a cluster */
		char *text = json_dumps(c, 0);
		cr_assert_null(strstr(text, "刘洋"));
		cr_assert_null(strstr(text, "138"));
		cr_assert_null(strstr(text, "enterprise_id"));
		free(text);
	}
	json_decref(b);
}

static void check_orgs(void)
{
	json_t *b = get(LINGDAO, "/api/v1/stats/orgs?" PERIOD);
	/* one row per bureau and town, none for the district or the center */
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(b, "items"), i, it) {
		const char *kind = json_string_value(at(it, "org.kind"));
		cr_assert(strcmp(kind, "bureau") == 0 || strcmp(kind, "town") == 0, "%s", kind);
	}
	json_t *a = item(b, "org.id", org_named("区市场监管局"), NULL);
	COUNT(a, "tickets", 5); /* T1 T2 T4 T5 T8: its latest lead assignment */
	COUNT(a, "states.closed", 4);
	COUNT(a, "states.in_progress", 1);
	COUNT(a, "dispatches", 6);
	rate_is(a, "response_rate", 4, 6, 0.6667);
	rate_is(a, "resolution_rate", 2, 4, 0.5);
	rate_is(a, "satisfaction_rate", 3, 4, 0.75);
	rate_is(a, "on_time.accept", 5, 6, 0.8333); /* T1 T3(return) T4 T5 T8 met, T2 missed */
	rate_is(a, "on_time.contact", 2, 3, 0.6667);
	rate_is(a, "on_time.resolve", 4, 5, 0.8);
	rate_is(a, "on_time.feedback", 0, 0, -1); /* the specialist's legs are the center's */
	COUNT(a, "resolve_hours.legs", 5);
	hours_is(a, "resolve_hours.mean", 3.7); /* 1110 / 5 minutes */
	hours_is(a, "resolve_hours.p90", 8.0);  /* 300 + 0.6 × 300 minutes */
	COUNT(a, "returns", 1);
	COUNT(a, "bounced", 1);
	COUNT(a, "extensions.requested", 1);
	COUNT(a, "extensions.approved", 0);
	COUNT(a, "overdue_now", 1);
	COUNT(a, "supervisions.total", 1);
	COUNT(a, "supervisions.manual", 1);
	COUNT(a, "rectifications", 1);
	COUNT(a, "closed_unrated", 0);

	json_t *c = item(b, "org.id", org_named("区人社局"), NULL);
	COUNT(c, "tickets", 1);
	COUNT(c, "dispatches", 2);
	rate_is(c, "response_rate", 1, 2, 0.5);
	rate_is(c, "resolution_rate", 1, 1, 1.0);
	rate_is(c, "satisfaction_rate", 0, 0, -1);
	rate_is(c, "on_time.accept", 2, 2, 1.0);
	hours_is(c, "resolve_hours.mean", 15.0);
	hours_is(c, "resolve_hours.p90", 15.0);
	COUNT(c, "returns", 1);
	COUNT(c, "bounced", 1);
	COUNT(c, "extensions.requested", 1);
	COUNT(c, "extensions.approved", 1);
	COUNT(c, "closed_unrated", 1);

	json_t *town = item(b, "org.id", org_named("莘庄镇"), NULL);
	COUNT(town, "tickets", 0);
	COUNT(town, "dispatches", 0);
	rate_is(town, "response_rate", 0, 0, -1);
	rate_is(town, "on_time.accept", 0, 1, 0.0); /* assisting on T5, late */

	json_t *g = item(b, "org.id", org_named("区规划资源局"), NULL);
	COUNT(g, "tickets", 1);
	COUNT(g, "states.dispatched", 1);
	rate_is(g, "response_rate", 0, 1, 0.0);
	rate_is(g, "on_time.accept", 0, 1, 0.0); /* running past its deadline */
	COUNT(g, "overdue_now", 1);
	COUNT(g, "supervisions.automatic", 1);
	COUNT(g, "supervisions.total", 1);
	hours_is(g, "resolve_hours.mean", -1);

	json_t *other = item(b, "org.id", org_named("区经委"), NULL);
	COUNT(other, "tickets", 0);
	rate_is(other, "satisfaction_rate", 0, 0, -1);
	json_decref(b);
}

static void check_categories(const struct data *d)
{
	json_t *b = get(LINGDAO, "/api/v1/stats/categories?" PERIOD);
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 2);
	json_t *k1 = item(b, "category.id", d->k1, NULL);
	COUNT(k1, "tickets", 5);
	COUNT(k1, "repeated_demands.clusters", 1);
	COUNT(k1, "repeated_demands.tickets", 2);
	rate_is(k1, "satisfaction_rate", 3, 4, 0.75);
	rate_is(k1, "resolution_rate", 1, 3, 0.3333); /* T1; not T2 (rectified), not T8 (reopened) */
	COUNT(k1, "overdue_now", 2);
	json_t *k2 = item(b, "category.id", d->k2, NULL);
	COUNT(k2, "tickets", 4);
	cr_assert_eq(strncmp(json_string_value(at(k2, "category.name")), "=统计测试二", strlen("=统计测试二")), 0);
	rate_is(k2, "satisfaction_rate", 0, 0, -1); /* T4's rating is excluded: none left */
	rate_is(k2, "resolution_rate", 2, 2, 1.0);
	COUNT(k2, "states.closed", 3);
	COUNT(k2, "returns", 2);
	json_decref(b);
}

static void check_trend(void)
{
	json_t *b = get(LINGDAO, "/api/v1/stats/trend?granularity=week&" PERIOD);
	cr_assert_str_eq(json_string_value(json_object_get(b, "granularity")), "week");
	static const struct {
		const char *bucket;
		int tickets;
	} weeks[] = { { "2021-03-01", 2 }, { "2021-03-08", 2 }, { "2021-03-15", 1 }, { "2021-03-22", 2 },
		      { "2021-03-29", 2 } };
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 5);
	for (size_t i = 0; i < 5; i++) {
		json_t *it = json_array_get(json_object_get(b, "items"), i);
		cr_assert_str_eq(json_string_value(json_object_get(it, "bucket")), weeks[i].bucket);
		COUNT(it, "tickets", weeks[i].tickets);
	}
	json_t *w1 = json_array_get(json_object_get(b, "items"), 0);
	rate_is(w1, "satisfaction_rate", 2, 3, 0.6667); /* T1 5; T2 2 and 4 */
	COUNT(w1, "rectifications", 1);
	json_t *w3 = json_array_get(json_object_get(b, "items"), 2);
	COUNT(w3, "supervisions.manual", 1);
	json_decref(b);

	b = get(LINGDAO, "/api/v1/stats/trend?granularity=day&" PERIOD);
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 31, "every day, the empty ones too");
	COUNT(json_array_get(json_object_get(b, "items"), 30), "tickets", 2); /* 03-31, 23:30 in Shanghai too */
	json_decref(b);
	b = get(LINGDAO, "/api/v1/stats/trend?granularity=month&" PERIOD);
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 1);
	COUNT(json_array_get(json_object_get(b, "items"), 0), "tickets", 9);
	json_decref(b);
}

static void check_scope(const struct data *d)
{
	/* a town viewer: its town's enterprises only (qiye1's: T1 T3 T5 T6 T8); no cluster spans two of them */
	json_t *b = get(XINZHUANG, "/api/v1/stats/overview?" PERIOD);
	cr_assert_str_eq(json_string_value(json_object_get(b, "scope")), "town");
	json_t *f = json_object_get(b, "figures");
	COUNT(f, "tickets", 5);
	COUNT(f, "repeated_demands.clusters", 0);
	cr_assert_eq(json_array_size(at(f, "repeated_demands.items")), 0);
	rate_is(f, "satisfaction_rate", 2, 2, 1.0); /* T1 5, T8 3 */
	json_decref(b);
	b = get(XINZHUANG, "/api/v1/stats/categories?" PERIOD);
	COUNT(item(b, "category.id", d->k2, NULL), "tickets", 2); /* T3 T6 */
	json_decref(b);

	/* a bureau: what it was assigned (T1 T2 T3 T4 T5 T8), its own assignments and legs, its own row */
	b = get(SHICHANG, "/api/v1/stats/overview?" PERIOD);
	cr_assert_str_eq(json_string_value(json_object_get(b, "scope")), "org");
	f = json_object_get(b, "figures");
	COUNT(f, "tickets", 6);
	COUNT(f, "dispatches", 6);
	rate_is(f, "response_rate", 4, 6, 0.6667);
	rate_is(f, "on_time.accept", 5, 6, 0.8333);
	rate_is(f, "on_time.feedback", 0, 0, -1);
	COUNT(f, "returns", 1);
	json_decref(b);
	b = get(SHICHANG_LEAD, "/api/v1/stats/orgs?" PERIOD);
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 1);
	COUNT(item(b, "org.id", org_named("区市场监管局"), NULL), "dispatches", 6);
	json_decref(b);

	/* enterprises see no statistics */
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[QIYE1], "GET", "/api/v1/stats/overview?" PERIOD, NULL, &j), 403);
	cr_assert_str_eq(json_string_value(json_object_get(j, "code")), "forbidden");
	json_decref(j);
	cr_assert_eq(api_call(w.port, &w.s[QIYE2], "GET", "/api/v1/stats/trend", NULL, NULL), 403);
	/* supervisors, admins and specialists (who read every ticket) see the district */
	b = get(DUBAN, "/api/v1/stats/overview?" PERIOD);
	COUNT(json_object_get(b, "figures"), "tickets", 9);
	json_decref(b);
	b = get(ZHUANYUAN, "/api/v1/stats/overview?" PERIOD);
	cr_assert_str_eq(json_string_value(json_object_get(b, "scope")), "all");
	COUNT(json_object_get(b, "figures"), "tickets", 9);
	json_decref(b);
	b = get(ADMIN, "/api/v1/stats/orgs?" PERIOD);
	COUNT(item(b, "org.id", org_named("区人社局"), NULL), "dispatches", 2);
	json_decref(b);
}

/* The raw body of a CSV export. */
static void csv_get(const char *path, struct http_resp *r)
{
	cr_assert(http_do(w.port, "GET", path, w.s[LINGDAO].headers, NULL, r));
	cr_assert_eq(r->status, 200, "%s: %d %s", path, r->status, r->body);
	cr_assert_str_eq(resp_header(r, "Content-Type"), "text/csv; charset=utf-8");
	cr_assert_eq(memcmp(r->body, "\xEF\xBB\xBF", 3), 0, "no BOM");
}

static void check_csv(const struct data *d)
{
	struct http_resp r;
	csv_get("/api/v1/stats/overview?format=csv&" PERIOD, &r);
	cr_assert_str_eq(resp_header(&r, "Content-Disposition"),
			 "attachment; filename=\"suqiu-stats-overview-2021-03-01-2021-03-31.csv\"");
	/* header, the row (clusters 2, their tickets 4, tickets 9, the states, the 三率 as numerator, denominator, rate) */
	cr_assert_eq(strncmp(r.body + 3, "一类事数,一类事涉及诉求数,诉求数,待分派,", strlen("一类事数,一类事涉及诉求数,诉求数,待分派,")),
		     0, "%.200s", r.body);
	const char *row = strstr(r.body, "\r\n");
	cr_assert_not_null(row);
	cr_assert_eq(strncmp(row + 2, "2,4,9,1,0,1,0,1,0,0,0,6,0,0,0,5,9,0.5556,3,5,0.6000,3,4,0.7500,7,10,0.7000,",
			     strlen("2,4,9,1,0,1,0,1,0,0,0,6,0,0,0,5,9,0.5556,3,5,0.6000,3,4,0.7500,7,10,0.7000,")), 0,
		     "%.300s", row + 2);
	/* the clusters table after an empty line, with the ticket numbers */
	char want[160];
	snprintf(want, sizeof want, "\r\n\r\n一类事:分类代码,分类,标题,企业数,诉求数,工单编号\r\n");
	cr_assert_not_null(strstr(r.body, want), "%s", r.body);
	snprintf(want, sizeof want, ",2,2,%s %s\r\n", number_of(d->t[1]), number_of(d->t[2]));
	cr_assert_not_null(strstr(r.body, want), "%s", r.body);
	/* the category whose name starts with = is neutralised */
	snprintf(want, sizeof want, ",'=统计测试二");
	cr_assert_not_null(strstr(r.body, want), "%s", r.body);
	http_resp_free(&r);

	csv_get("/api/v1/stats/categories?format=csv&" PERIOD, &r);
	cr_assert_not_null(strstr(r.body, ",'=统计测试二"), "%s", r.body);
	cr_assert_null(strstr(r.body, ",=统计"), "%s", r.body);
	http_resp_free(&r);
	csv_get("/api/v1/stats/orgs?format=csv&" PERIOD, &r);
	cr_assert_eq(strncmp(r.body + 3, "机构ID,机构,类型,诉求数,", strlen("机构ID,机构,类型,诉求数,")), 0);
	char line[128];
	snprintf(line, sizeof line, "\r\n%lld,区规划资源局,bureau,1,0,0,1,", org_named("区规划资源局"));
	cr_assert_not_null(strstr(r.body, line), "%s", r.body);
	http_resp_free(&r);
	csv_get("/api/v1/stats/trend?format=csv&granularity=month&" PERIOD, &r);
	cr_assert_not_null(strstr(r.body, "\r\n2021-03-01,9,"), "%s", r.body);
	cr_assert_str_eq(resp_header(&r, "Content-Disposition"),
			 "attachment; filename=\"suqiu-stats-trend-2021-03-01-2021-03-31.csv\"");
	http_resp_free(&r);
}

Test(stats, every_figure_of_a_hand_built_month)
{
	struct data d;
	build(&d);
	check_overview(&d);
	check_orgs();
	check_categories(&d);
	check_trend();
	check_scope(&d);
	check_csv(&d);
	/* the same period as instants: the result does not change */
	json_t *b = get(LINGDAO, "/api/v1/stats/overview?from=2021-03-01T00:00:00%2B08:00&to=2021-03-31T16:00:00Z");
	COUNT(json_object_get(b, "figures"), "tickets", 9);
	json_decref(b);
	b = get(LINGDAO, "/api/v1/stats/overview?from=2021-03-01&to=2021-03-31T23:00:00%2B08:00");
	COUNT(json_object_get(b, "figures"), "tickets", 8); /* T9 at 23:30 is after it */
	json_decref(b);
}

/* ---- bad requests --------------------------------------------------------- */

static void bad(const char *path, const char *detail)
{
	json_t *j = NULL;
	cr_assert_eq(api_call(w.port, &w.s[LINGDAO], "GET", path, NULL, &j), 400, "%s", path);
	cr_assert_str_eq(json_string_value(json_object_get(j, "code")), "invalid_query", "%s", path);
	const char *got = json_string_value(json_object_get(j, "detail"));
	cr_assert(got && strstr(got, detail), "%s: %s", path, got ? got : "(no detail)");
	json_decref(j);
}

Test(stats, bad_parameters_are_refused_with_400)
{
	bad("/api/v1/stats/overview?from=2021-03-31&to=2021-03-01", "before");
	bad("/api/v1/stats/orgs?from=2021-02-30", "from must be");
	bad("/api/v1/stats/categories?to=tomorrow", "to must be");
	bad("/api/v1/stats/overview?from=2018-01-01&to=2021-12-31", "at most 1096 days");
	bad("/api/v1/stats/trend?granularity=year", "granularity");
	bad("/api/v1/stats/overview?granularity=week", "unknown query parameter \"granularity\"");
	bad("/api/v1/stats/orgs?org=3", "unknown query parameter \"org\"");
	bad("/api/v1/stats/overview?format=xlsx", "format");
	bad("/api/v1/stats/overview?from=2021-03-01&from=2021-03-02", "twice");
	/* anonymous: 401 */
	cr_assert_eq(api_call(w.port, NULL, "GET", "/api/v1/stats/overview", NULL, NULL), 401);
}

Test(stats, defaults_and_empty_periods)
{
	/* the current month by default; a trend's 12 weeks */
	json_t *b = get(LINGDAO, "/api/v1/stats/overview");
	cr_assert_not_null(at(b, "figures.tickets"));
	json_decref(b);
	b = get(LINGDAO, "/api/v1/stats/trend");
	cr_assert_str_eq(json_string_value(json_object_get(b, "granularity")), "week");
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 12);
	json_decref(b);
	/* a period without tickets: zero counts, null rates with their zero denominators */
	b = get(LINGDAO, "/api/v1/stats/overview?from=2001-01-01&to=2001-01-31");
	json_t *f = json_object_get(b, "figures");
	COUNT(f, "tickets", 0);
	rate_is(f, "response_rate", 0, 0, -1);
	rate_is(f, "satisfaction_rate", 0, 0, -1);
	rate_is(f, "on_time.resolve", 0, 0, -1);
	hours_is(f, "resolve_hours.p90", -1);
	cr_assert_eq(json_array_size(at(f, "repeated_demands.items")), 0);
	json_decref(b);
	b = get(LINGDAO, "/api/v1/stats/categories?from=2001-01-01&to=2001-01-31");
	cr_assert_eq(json_array_size(json_object_get(b, "items")), 0);
	json_decref(b);
}

/* ---- a query over the statement timeout -------------------------------------- */

Test(stats, a_query_over_the_statement_timeout_is_a_503_that_says_retry)
{
	/* a server whose statements may take 300 ms; the figures are held up
	 * past that by a lock on ratings (which they read and login does not) */
	static const char *env[] = { "SUQIU_DB_STATEMENT_TIMEOUT_MS=300", NULL };
	struct server_proc slow;
	server_start(&slow, env);
	struct session s;
	cr_assert_eq(login(slow.port, "lingdao", DEMO_PASSWORD, &s), 200);
	PGconn *db = test_db();
	PQclear(PQexec(db, "BEGIN"));
	PGresult *locked = PQexec(db, "LOCK TABLE ratings IN ACCESS EXCLUSIVE MODE");
	cr_assert_eq(PQresultStatus(locked), PGRES_COMMAND_OK, "%s", PQerrorMessage(db));
	PQclear(locked);
	struct http_resp r;
	cr_assert(http_do(slow.port, "GET", "/api/v1/stats/overview?" PERIOD, s.headers, NULL, &r));
	PQclear(PQexec(db, "ROLLBACK"));
	PQfinish(db);
	cr_assert_eq(r.status, 503, "%s", r.body);
	cr_assert_str_eq(resp_header(&r, "Content-Type"), "application/problem+json; charset=utf-8");
	cr_assert_str_eq(resp_header(&r, "Retry-After"), "5");
	json_t *j = resp_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(j, "code")), "query_timeout");
	cr_assert_str_eq(json_string_value(json_object_get(j, "title")), "查询超时,请缩小统计范围后重试");
	json_decref(j);
	http_resp_free(&r);
	/* the lock gone, the same question is answered */
	cr_assert_eq(api_call(slow.port, &s, "GET", "/api/v1/stats/overview?" PERIOD, NULL, NULL), 200);
	server_stop_clean(&slow);
}
