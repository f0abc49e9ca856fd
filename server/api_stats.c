/*
 * api_stats: the leadership metrics (issue 4, README "Metrics").
 *
 *   GET /api/v1/stats/overview?from=&to=                     the district (or the caller's scope) as one row
 *   GET /api/v1/stats/orgs?from=&to=                         one row per bureau and town
 *   GET /api/v1/stats/categories?from=&to=                   one row per category with tickets
 *   GET /api/v1/stats/trend?granularity=day|week|month&from=&to=   one row per bucket
 *
 * Each takes ?format=csv for the same table as CSV (UTF-8 with a BOM, for
 * Excel). The period and its defaults are core/stats.h's; who sees what is
 * authz_stats_reach (core/authz.h). Every figure is defined in the README;
 * the SQL below is that definition.
 *
 * One statement per view and reach: it takes the period's tickets (by
 * created_at, through tickets_created) and aggregates their rows, their
 * assignments, SLA legs, ratings and extension requests in one pass each
 * by the row's key, so its cost grows with the tickets of the period,
 * never with a subquery per ticket. A
 * statement that outlives SUQIU_DB_STATEMENT_TIMEOUT_MS answers 503
 * query_timeout.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/csv.h"
#include "core/db.h"
#include "core/stats.h"
#include "core/timefmt.h"

/* ---- the SQL ---------------------------------------------------------- */

/* The org path col lies within the caller's org subtree ($3). */
#define WITHIN(col) "(" col " = $3 OR " col " LIKE $3 || '.%')"

/* The period's tickets ($1 <= created_at < $2) within reach: every one, a
 * town's enterprises', or those an org subtree was ever assigned. */
#define REACH_ALL " AND $3::text IS NOT NULL" /* every statement takes the same parameters */
#define REACH_TOWN " AND " WITHIN("town.path")
#define REACH_ORG " AND EXISTS (SELECT 1 FROM assignments sa WHERE sa.ticket_id = t.id AND " WITHIN("sa.org_path") ")"
/* Assignments and clocks of an org reach are its subtree's only. */
#define OWN_ALL(col) "true"
#define OWN_ORG(col) WITHIN(col)

#define STATE_COUNTS \
	"count(*) FILTER (WHERE state = 'new') AS st_new, count(*) FILTER (WHERE state = 'answered') AS st_answered," \
	" count(*) FILTER (WHERE state = 'dispatched') AS st_dispatched," \
	" count(*) FILTER (WHERE state = 'returned') AS st_returned," \
	" count(*) FILTER (WHERE state = 'in_progress') AS st_in_progress," \
	" count(*) FILTER (WHERE state = 'suspended') AS st_suspended," \
	" count(*) FILTER (WHERE state = 'resolved') AS st_resolved, count(*) FILTER (WHERE state = 'feedback') AS st_feedback," \
	" count(*) FILTER (WHERE state = 'closed') AS st_closed, count(*) FILTER (WHERE state = 'rectifying') AS st_rectifying," \
	" count(*) FILTER (WHERE state = 'rejected') AS st_rejected, count(*) FILTER (WHERE state = 'merged') AS st_merged"
/* met and missed legs of a kind; a running leg past its deadline (not suspended) is missed already */
#define LEG(l) \
	" count(*) FILTER (WHERE leg = '" l "' AND outcome = 'met') AS " l "_met," \
	" count(*) FILTER (WHERE leg = '" l "' AND (outcome = 'missed' OR late)) AS " l "_missed,"
#define MEASURED_RESOLVE "leg = 'resolve' AND outcome IN ('met', 'missed')"
/* closed after being handled: rated, ruled on or closed unrated (not withdrawn) */
#define CLOSED_HANDLED "state = 'closed' AND close_reason IN ('rated', 'ruled', 'unrated')"

/* Repeated demands (一类事): the period's tickets (merged ones aside) of one
 * category whose titles are equal once lower-cased and stripped of spaces
 * and punctuation (tn.k), raised by two enterprises or more. Grouped with
 * plain aggregates only, so that PostgreSQL may hash rather than sort a
 * year of titles; the listing's ticket numbers are gathered for its 100
 * clusters only (CLUSTER_ITEMS). */
#define CLUSTERS_CTE \
	", tn AS MATERIALIZED (SELECT tk.number, tk.title, tk.category_id, tk.enterprise_id, regexp_replace(lower(tk.title)," \
	"    '[[:space:][:punct:]，。、；：？！“”‘’（）《》【】…—·～]+', '', 'g') AS k FROM tk WHERE tk.state <> 'merged')" \
	", cl AS (SELECT category_id, k, min(title COLLATE \"C\") AS title, count(*) AS n FROM tn" \
	"  GROUP BY category_id, k HAVING min(enterprise_id) < max(enterprise_id))"
#define CLUSTER_ITEMS \
	"(SELECT coalesce(json_agg(json_build_object('category_id', x.category_id, 'category_code', x.code," \
	"   'category', x.name, 'title', x.title, 'tickets', x.n, 'enterprises', x.enterprises, 'numbers', x.numbers)" \
	"   ORDER BY x.n DESC, x.code, x.title), '[]')" \
	" FROM (SELECT top.category_id, top.title, top.n, c.code, c.name, count(DISTINCT tn.enterprise_id) AS enterprises," \
	"   array_agg(tn.number ORDER BY tn.number) AS numbers" \
	"  FROM (SELECT * FROM cl ORDER BY n DESC, category_id, title LIMIT 100) top" \
	"  JOIN tn ON tn.category_id = top.category_id AND tn.k = top.k JOIN categories c ON c.id = top.category_id" \
	"  GROUP BY top.category_id, top.k, top.title, top.n, c.code, c.name) x)"

/*
 * One view: TG is the SELECT list's key g of a ticket tk (and FROM items
 * after tk it needs); AKEY the key of an assignment a (with tg); FKEY the
 * key of a feedback leg k (with its ticket tk and its org ko: not tg, whose
 * key the planner would take for a filter on a constant and misestimate,
 * looking the legs up ticket by ticket); BY and GROUP how the aggregates
 * select and group by their key; ROWS the FROM item of the rows
 * (exposing g) and ON how the aggregates join them; HEAD their own columns. An assignment's legs take its key
 * (their org is the assignment's).
 */
#define STATS_SQL(REACH, OWN, BY, GROUP, TG, AKEY, FKEY, EXTRA, ROWS, ON, HEAD, ORDER) \
	"WITH tk AS MATERIALIZED (SELECT t.id, t.number, t.title, t.state, t.category_id, t.enterprise_id, t.created_at," \
	"   t.close_reason, t.rework_count, t.return_count, t.supervision_count" \
	"  FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id JOIN orgs town ON town.id = e.town_id" \
	"  WHERE t.created_at >= $1::timestamptz AND t.created_at < $2::timestamptz" REACH ")," \
	" tg AS MATERIALIZED (SELECT tk.id, tk.state, tk.close_reason, tk.rework_count, tk.return_count," \
	"   tk.supervision_count, " TG ")," \
	" ro AS (SELECT DISTINCT ev.ticket_id FROM ticket_events ev JOIN tk ON tk.id = ev.ticket_id" \
	"  WHERE ev.action = 'reopen')," \
	" asg AS MATERIALIZED (SELECT a.id, a.ticket_id, a.lead, a.accepted_at, a.returned_at, tg.return_count, " AKEY " AS g" \
	"  FROM assignments a JOIN tg ON tg.id = a.ticket_id WHERE " OWN("a.org_path") ")," \
	/* legs of assignments through their assignment (an inner join: the legs without one, feedback and \
	 * rating, never meet a hash table, where they would all chain under one NULL key), then the \
	 * specialists' feedback legs */ \
	" ck AS (SELECT k.ticket_id, k.leg, k.outcome, k.stage, k.duration_minutes, asg.lead, asg.accepted_at," \
	"   " LATE " AS late, asg.g" \
	"  FROM asg JOIN sla_clocks k ON k.assignment_id = asg.id" \
	"  UNION ALL SELECT k.ticket_id, k.leg, k.outcome, k.stage, k.duration_minutes, NULL, NULL, " LATE ", " FKEY \
	"  FROM sla_clocks k JOIN tk ON tk.id = k.ticket_id JOIN orgs ko ON ko.id = k.org_id" \
	"  WHERE k.leg = 'feedback' AND " OWN("ko.path") ")," \
	" ta AS (SELECT " BY("g") ", count(*) AS tickets, " STATE_COUNTS "," \
	"   count(*) FILTER (WHERE " CLOSED_HANDLED ") AS closed_handled," \
	"   count(*) FILTER (WHERE " CLOSED_HANDLED " AND rework_count = 0 AND ro.ticket_id IS NULL) AS resolved_kept," \
	"   count(*) FILTER (WHERE state = 'closed' AND close_reason = 'unrated') AS closed_unrated," \
	"   sum(rework_count) AS rectifications, sum(supervision_count) AS supervisions_manual" \
	"  FROM tg LEFT JOIN ro ON ro.ticket_id = tg.id" GROUP("g") ")," \
	" ra AS (SELECT " BY("tg.g") ", count(*) AS ratings, count(*) FILTER (WHERE r.score >= 3) AS satisfied" \
	"  FROM ratings r JOIN tg ON tg.id = r.ticket_id WHERE NOT r.excluded" GROUP("tg.g") ")," \
	" aa AS (SELECT " BY("g") ", count(*) FILTER (WHERE lead) AS dispatches," \
	"   count(*) FILTER (WHERE returned_at IS NOT NULL) AS returns," \
	"   count(DISTINCT ticket_id) FILTER (WHERE returned_at IS NOT NULL AND return_count >= 2) AS bounced" \
	"  FROM asg" GROUP("g") ")," \
	" xa AS (SELECT " BY("asg.g") ", count(*) AS extensions_requested," \
	"   count(*) FILTER (WHERE x.state = 'approved') AS extensions_approved" \
	"  FROM extension_requests x JOIN asg ON asg.id = x.assignment_id" GROUP("asg.g") ")," \
	" ca AS (SELECT " BY("g") "," \
	"   count(*) FILTER (WHERE leg = 'accept' AND outcome = 'met' AND lead AND accepted_at IS NOT NULL) AS accepted_on_time," \
	LEG("accept") LEG("contact") LEG("resolve") LEG("feedback") \
	"   count(DISTINCT ticket_id) FILTER (WHERE late) AS overdue_now," \
	"   count(*) FILTER (WHERE stage = 'supervised') AS supervisions_auto," \
	"   count(*) FILTER (WHERE " MEASURED_RESOLVE ") AS resolve_legs," \
	"   round(avg(duration_minutes) FILTER (WHERE " MEASURED_RESOLVE ") / 60.0, 2) AS hours_mean," \
	"   round((percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_minutes)" \
	"     FILTER (WHERE " MEASURED_RESOLVE "))::numeric / 60.0, 2) AS hours_p90" \
	"  FROM ck" GROUP("g") ")" EXTRA \
	" SELECT " HEAD ", " FIGURE_COLUMNS \
	" FROM " ROWS " LEFT JOIN ta " ON " LEFT JOIN ra " ON " LEFT JOIN aa " ON " LEFT JOIN xa " ON \
	" LEFT JOIN ca " ON " ORDER BY " ORDER
/* a running leg past its deadline, not suspended: late now */
#define LATE "(k.outcome IS NULL AND k.suspended_at IS NULL AND k.deadline < now())"

#define Z(c) "coalesce(" c ", 0) AS " c
#define FIGURE_COLUMNS \
	Z("tickets") ", " Z("st_new") ", " Z("st_answered") ", " Z("st_dispatched") ", " Z("st_returned") ", " \
	Z("st_in_progress") ", " Z("st_suspended") ", " Z("st_resolved") ", " Z("st_feedback") ", " Z("st_closed") ", " \
	Z("st_rectifying") ", " Z("st_rejected") ", " Z("st_merged") ", " Z("dispatches") ", " Z("accepted_on_time") ", " \
	Z("closed_handled") ", " Z("resolved_kept") ", " Z("ratings") ", " Z("satisfied") ", " Z("closed_unrated") ", " \
	Z("accept_met") ", " Z("accept_missed") ", " Z("contact_met") ", " Z("contact_missed") ", " Z("resolve_met") ", " \
	Z("resolve_missed") ", " Z("feedback_met") ", " Z("feedback_missed") ", " Z("resolve_legs") ", hours_mean, hours_p90, " \
	Z("returns") ", " Z("bounced") ", " Z("extensions_requested") ", " Z("extensions_approved") ", " Z("overdue_now") ", " \
	"coalesce(supervisions_auto, 0) + coalesce(supervisions_manual, 0) AS supervisions, " Z("supervisions_auto") ", " \
	Z("supervisions_manual") ", " Z("rectifications")

/* Aggregates by key; or, for the overview, over everything at once: one
 * group without a GROUP BY, so that no aggregate needs its input sorted (a
 * DISTINCT or a percentile forbids hashing groups; sorting a year's 600,000
 * legs took a fifth of the query). */
#define BY_KEY(col) col
#define GROUP_KEY(col) " GROUP BY " col
#define BY_ONE(col) "0 AS g"
#define GROUP_ONE(col) ""

/* the unit (bureau or town: a child of the district) of an org path */
#define UNIT(path) "nullif(split_part(" path ", '.', 2), '')::bigint"
#define OVERVIEW_SQL(REACH, OWN) STATS_SQL(REACH, OWN, BY_ONE, GROUP_ONE, "0 AS g FROM tk", "tg.g", "0", CLUSTERS_CTE, \
	/* one row, each aggregate one group: joined ON true, since "USING (g)" with a constant g would \
	 * become a filter "g = 0" in every scan, misestimated to nested loops over a year's legs */ \
	"(SELECT 0 AS g) r", "ON true", \
	"(SELECT count(*) FROM cl) AS repeated_clusters, (SELECT coalesce(sum(n), 0) FROM cl) AS repeated_tickets, " \
	CLUSTER_ITEMS " AS clusters", "r.g")
/* tickets count for the unit of their latest lead assignment */
#define ORGS_SQL(REACH, OWN, ROWS_OWN) STATS_SQL(REACH, OWN, BY_KEY, GROUP_KEY, \
	UNIT("la.org_path") " AS g FROM tk LEFT JOIN (SELECT DISTINCT ON (a.ticket_id) a.ticket_id," \
	"  a.org_path FROM assignments a JOIN tk ON tk.id = a.ticket_id WHERE a.lead ORDER BY a.ticket_id, a.id DESC) la" \
	" ON la.ticket_id = tk.id", UNIT("a.org_path"), UNIT("ko.path"), "", \
	"(SELECT o.id AS g, o.name, o.kind FROM orgs o WHERE o.kind IN ('bureau', 'town')" ROWS_OWN ") r", "USING (g)", \
	"r.g AS org_id, r.name AS org_name, r.kind AS org_kind", "r.kind, r.g")
#define CATEGORIES_SQL(REACH, OWN) STATS_SQL(REACH, OWN, BY_KEY, GROUP_KEY, "tk.category_id AS g FROM tk", "tg.g", "tk.category_id", \
	CLUSTERS_CTE, \
	"(SELECT DISTINCT g FROM tg) r JOIN categories c ON c.id = r.g LEFT JOIN categories pc ON pc.id = c.parent_id" \
	" LEFT JOIN (SELECT category_id AS g, count(*) AS repeated_clusters, sum(n) AS repeated_tickets FROM cl" \
	"  GROUP BY category_id) rc USING (g)", "USING (g)", \
	"c.id AS category_id, c.code AS category_code, c.name AS category_name, pc.name AS parent_name," \
	" coalesce(rc.repeated_clusters, 0) AS repeated_clusters, coalesce(rc.repeated_tickets, 0) AS repeated_tickets", \
	"c.code")
/* buckets in Asia/Shanghai local time ($4: day, week or month), every one of the period even when empty */
#define TREND_KEY "date_trunc($4::text, tk.created_at AT TIME ZONE 'Asia/Shanghai')"
#define TREND_SQL(REACH, OWN) STATS_SQL(REACH, OWN, BY_KEY, GROUP_KEY, \
	TREND_KEY " AS g FROM tk", "tg.g", TREND_KEY, "", \
	"(SELECT generate_series(date_trunc($4::text, $1::timestamptz AT TIME ZONE 'Asia/Shanghai')," \
	"   $2::timestamptz AT TIME ZONE 'Asia/Shanghai' - interval '1 microsecond', ('1 ' || $4::text)::interval) AS g) r", \
	"USING (g)", \
	"to_char(r.g, 'YYYY-MM-DD') AS bucket", "r.g")

#define ORGS_ROWS_ALL ""
#define ORGS_ROWS_ORG " AND o.id = " UNIT("$3")

enum view { VIEW_OVERVIEW, VIEW_ORGS, VIEW_CATEGORIES, VIEW_TREND, VIEW__COUNT };

/* statements[view][reach - 1]: STATS_ALL, STATS_ORG, STATS_TOWN. Reports: planned for their
 * period each time (a generic plan, blind to the dates, would treat three years like a day). */
static struct pgstmt statements[VIEW__COUNT][3] = {
	[VIEW_OVERVIEW] = {
		PGSTMT_REPORT("stats_overview_all", OVERVIEW_SQL(REACH_ALL, OWN_ALL)),
		PGSTMT_REPORT("stats_overview_org", OVERVIEW_SQL(REACH_ORG, OWN_ORG)),
		PGSTMT_REPORT("stats_overview_town", OVERVIEW_SQL(REACH_TOWN, OWN_ALL)),
	},
	[VIEW_ORGS] = {
		PGSTMT_REPORT("stats_orgs_all", ORGS_SQL(REACH_ALL, OWN_ALL, ORGS_ROWS_ALL)),
		PGSTMT_REPORT("stats_orgs_org", ORGS_SQL(REACH_ORG, OWN_ORG, ORGS_ROWS_ORG)),
		PGSTMT_REPORT("stats_orgs_town", ORGS_SQL(REACH_TOWN, OWN_ALL, ORGS_ROWS_ALL)),
	},
	[VIEW_CATEGORIES] = {
		PGSTMT_REPORT("stats_categories_all", CATEGORIES_SQL(REACH_ALL, OWN_ALL)),
		PGSTMT_REPORT("stats_categories_org", CATEGORIES_SQL(REACH_ORG, OWN_ORG)),
		PGSTMT_REPORT("stats_categories_town", CATEGORIES_SQL(REACH_TOWN, OWN_ALL)),
	},
	[VIEW_TREND] = {
		PGSTMT_REPORT("stats_trend_all", TREND_SQL(REACH_ALL, OWN_ALL)),
		PGSTMT_REPORT("stats_trend_org", TREND_SQL(REACH_ORG, OWN_ORG)),
		PGSTMT_REPORT("stats_trend_town", TREND_SQL(REACH_TOWN, OWN_ALL)),
	},
};

/* ---- the figures ------------------------------------------------------- */

enum fkind {
	F_COUNT, /* an integer column */
	F_RATE,  /* {numerator, denominator, rate}: col / den, rate null when den is 0 */
	F_LEG,   /* an on-time rate: col_met / (col_met + col_missed) */
	F_HOURS, /* a number of hours, or null */
};

/* One figure of a row: where it goes in the JSON ("a" or "a.b"), its
 * zh-CN CSV header and the result columns it comes from. */
struct figure {
	const char *key;
	const char *label;
	enum fkind kind;
	const char *col, *den;
};

static const struct figure figures[] = {
	{ "tickets", "诉求数", F_COUNT, "tickets", NULL },
	{ "states.new", "待分派", F_COUNT, "st_new", NULL },
	{ "states.answered", "直接答复", F_COUNT, "st_answered", NULL },
	{ "states.dispatched", "待签收", F_COUNT, "st_dispatched", NULL },
	{ "states.returned", "已退回", F_COUNT, "st_returned", NULL },
	{ "states.in_progress", "处置中", F_COUNT, "st_in_progress", NULL },
	{ "states.suspended", "挂起", F_COUNT, "st_suspended", NULL },
	{ "states.resolved", "已办结", F_COUNT, "st_resolved", NULL },
	{ "states.feedback", "待评价", F_COUNT, "st_feedback", NULL },
	{ "states.closed", "已关闭", F_COUNT, "st_closed", NULL },
	{ "states.rectifying", "整改中", F_COUNT, "st_rectifying", NULL },
	{ "states.rejected", "不予受理", F_COUNT, "st_rejected", NULL },
	{ "states.merged", "已合并", F_COUNT, "st_merged", NULL },
	{ "response_rate", "响应率", F_RATE, "accepted_on_time", "dispatches" },
	{ "resolution_rate", "解决率", F_RATE, "resolved_kept", "closed_handled" },
	{ "satisfaction_rate", "满意率", F_RATE, "satisfied", "ratings" },
	{ "on_time.accept", "按时签收率", F_LEG, "accept", NULL },
	{ "on_time.contact", "按时首次联系率", F_LEG, "contact", NULL },
	{ "on_time.resolve", "按时办结率", F_LEG, "resolve", NULL },
	{ "on_time.feedback", "按时反馈率", F_LEG, "feedback", NULL },
	{ "resolve_hours.legs", "办结时长样本数", F_COUNT, "resolve_legs", NULL },
	{ "resolve_hours.mean", "平均办结工时", F_HOURS, "hours_mean", NULL },
	{ "resolve_hours.p90", "办结工时P90", F_HOURS, "hours_p90", NULL },
	{ "dispatches", "派发次数", F_COUNT, "dispatches", NULL },
	{ "returns", "退回次数", F_COUNT, "returns", NULL },
	{ "bounced", "多次退回工单数", F_COUNT, "bounced", NULL },
	{ "extensions.requested", "延期申请", F_COUNT, "extensions_requested", NULL },
	{ "extensions.approved", "延期批准", F_COUNT, "extensions_approved", NULL },
	{ "overdue_now", "当前超期工单数", F_COUNT, "overdue_now", NULL },
	{ "supervisions.total", "督办次数", F_COUNT, "supervisions", NULL },
	{ "supervisions.automatic", "超期自动督办", F_COUNT, "supervisions_auto", NULL },
	{ "supervisions.manual", "人工督办", F_COUNT, "supervisions_manual", NULL },
	{ "rectifications", "整改次数", F_COUNT, "rectifications", NULL },
	{ "closed_unrated", "逾期未评价关闭", F_COUNT, "closed_unrated", NULL },
};
#define N_FIGURES (sizeof figures / sizeof figures[0])

/* The identity columns of each view's rows, before the figures. */
struct head {
	const char *col;
	const char *key;   /* JSON: "a" or "a.b" */
	const char *label; /* CSV header */
	bool number;
};
static const struct head head_overview[] = {
	{ "repeated_clusters", "repeated_demands.clusters", "一类事数", true },
	{ "repeated_tickets", "repeated_demands.tickets", "一类事涉及诉求数", true },
	{ NULL, NULL, NULL, false },
};
static const struct head head_orgs[] = {
	{ "org_id", "org.id", "机构ID", true },
	{ "org_name", "org.name", "机构", false },
	{ "org_kind", "org.kind", "类型", false },
	{ NULL, NULL, NULL, false },
};
static const struct head head_categories[] = {
	{ "category_id", "category.id", "分类ID", true },
	{ "category_code", "category.code", "分类代码", false },
	{ "category_name", "category.name", "分类", false },
	{ "parent_name", "category.parent", "上级分类", false },
	{ "repeated_clusters", "repeated_demands.clusters", "一类事数", true },
	{ "repeated_tickets", "repeated_demands.tickets", "一类事涉及诉求数", true },
	{ NULL, NULL, NULL, false },
};
static const struct head head_trend[] = {
	{ "bucket", "bucket", "周期起始日", false },
	{ NULL, NULL, NULL, false },
};

static const struct {
	const char *name;
	const struct head *head;
} views[VIEW__COUNT] = {
	[VIEW_OVERVIEW] = { "overview", head_overview },
	[VIEW_ORGS] = { "orgs", head_orgs },
	[VIEW_CATEGORIES] = { "categories", head_categories },
	[VIEW_TREND] = { "trend", head_trend },
};

/* A result column by name; -1 when absent (a bug: the SQL and the tables above disagree). */
static int column(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

static long long cell_ll(const PGresult *res, int r, const char *name)
{
	int c = column(res, name);
	return c < 0 || PQgetisnull(res, r, c) ? 0 : atoll(PQgetvalue(res, r, c));
}

/* Sets obj["a.b"] = v, making the intermediate object; v is stolen. */
static void set_path(json_t *obj, const char *key, json_t *v)
{
	const char *dot = strchr(key, '.');
	if (!dot) {
		json_object_set_new(obj, key, v);
		return;
	}
	char parent[64];
	snprintf(parent, sizeof parent, "%.*s", (int)(dot - key), key);
	json_t *p = json_object_get(obj, parent);
	if (!p) {
		p = json_object();
		json_object_set_new(obj, parent, p);
	}
	json_object_set_new(p, dot + 1, v);
}

/* The numerator and denominator of a rate figure. */
static void rate_parts(const PGresult *res, int r, const struct figure *f, long long *num, long long *den)
{
	if (f->kind == F_LEG) {
		char met[40], missed[40];
		snprintf(met, sizeof met, "%s_met", f->col);
		snprintf(missed, sizeof missed, "%s_missed", f->col);
		*num = cell_ll(res, r, met);
		*den = *num + cell_ll(res, r, missed);
	} else {
		*num = cell_ll(res, r, f->col);
		*den = cell_ll(res, r, f->den);
	}
}

static json_t *row_json(const PGresult *res, int r, const struct head *head)
{
	json_t *row = json_object();
	for (const struct head *h = head; h->col; h++) {
		int c = column(res, h->col);
		set_path(row, h->key, h->number ? api_cell_int(res, r, c) : api_cell_str(res, r, c));
	}
	for (size_t i = 0; i < N_FIGURES; i++) {
		const struct figure *f = &figures[i];
		long long num, den;
		double rate;
		switch (f->kind) {
		case F_COUNT:
			set_path(row, f->key, json_integer(cell_ll(res, r, f->col)));
			break;
		case F_HOURS: {
			int c = column(res, f->col);
			set_path(row, f->key, c < 0 || PQgetisnull(res, r, c) ? json_null() : json_real(atof(PQgetvalue(res, r, c))));
			break;
		}
		case F_RATE:
		case F_LEG:
			rate_parts(res, r, f, &num, &den);
			set_path(row, f->key, json_pack("{s:I, s:I, s:o}", "numerator", (json_int_t)num, "denominator",
							(json_int_t)den, "rate", stats_rate(num, den, &rate) ? json_real(rate)
													  : json_null()));
			break;
		}
	}
	return row;
}

/* ---- CSV ---------------------------------------------------------------- */

static void csv_header(struct csv_out *o, const struct head *head)
{
	for (const struct head *h = head; h->col; h++)
		csv_text(o, h->label);
	for (size_t i = 0; i < N_FIGURES; i++) {
		const struct figure *f = &figures[i];
		char label[96];
		if (f->kind == F_RATE || f->kind == F_LEG) {
			snprintf(label, sizeof label, "%s分子", f->label);
			csv_text(o, label);
			snprintf(label, sizeof label, "%s分母", f->label);
			csv_text(o, label);
		}
		csv_text(o, f->label);
	}
	csv_end_record(o);
}

static void csv_row(struct csv_out *o, const PGresult *res, int r, const struct head *head)
{
	char num[40];
	for (const struct head *h = head; h->col; h++) {
		int c = column(res, h->col);
		const char *v = c < 0 || PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		if (h->number)
			csv_raw(o, v);
		else
			csv_text(o, v);
	}
	for (size_t i = 0; i < N_FIGURES; i++) {
		const struct figure *f = &figures[i];
		long long n, d;
		double rate;
		switch (f->kind) {
		case F_COUNT:
			snprintf(num, sizeof num, "%lld", cell_ll(res, r, f->col));
			csv_raw(o, num);
			break;
		case F_HOURS: {
			int c = column(res, f->col);
			csv_raw(o, c < 0 || PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c));
			break;
		}
		case F_RATE:
		case F_LEG:
			rate_parts(res, r, f, &n, &d);
			snprintf(num, sizeof num, "%lld", n);
			csv_raw(o, num);
			snprintf(num, sizeof num, "%lld", d);
			csv_raw(o, num);
			if (stats_rate(n, d, &rate)) {
				snprintf(num, sizeof num, "%.4f", rate);
				csv_raw(o, num);
			} else {
				csv_raw(o, NULL);
			}
			break;
		}
	}
	csv_end_record(o);
}

/* The overview's clusters (a JSON array built by the SQL); a new reference. */
static json_t *clusters_of(const PGresult *res)
{
	json_t *clusters = json_loads(PQgetvalue(res, 0, column(res, "clusters")), 0, NULL);
	return clusters ? clusters : json_array();
}

/* The overview's clusters as a second table after an empty line. */
static void csv_clusters(struct csv_out *o, json_t *clusters)
{
	static const char *const labels[] = { "一类事:分类代码", "分类", "标题", "企业数", "诉求数", "工单编号" };
	csv_end_record(o);
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		csv_text(o, labels[i]);
	csv_end_record(o);
	size_t i, j;
	json_t *c, *n;
	json_array_foreach(clusters, i, c) {
		char num[24], *numbers = NULL;
		size_t len = 0;
		csv_text(o, json_string_value(json_object_get(c, "category_code")));
		csv_text(o, json_string_value(json_object_get(c, "category")));
		csv_text(o, json_string_value(json_object_get(c, "title")));
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(c, "enterprises")));
		csv_raw(o, num);
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(c, "tickets")));
		csv_raw(o, num);
		json_array_foreach(json_object_get(c, "numbers"), j, n) {
			const char *s = json_string_value(n);
			size_t sl = strlen(s ? s : "");
			numbers = xrealloc(numbers, len + sl + 2);
			if (len)
				numbers[len++] = ' ';
			memcpy(numbers + len, s ? s : "", sl);
			len += sl;
			numbers[len] = '\0';
		}
		csv_text(o, numbers ? numbers : "");
		free(numbers);
		csv_end_record(o);
	}
}

/* ---- the request ------------------------------------------------------- */

struct stats_req {
	enum view view;
	struct stats_period period;
	enum authz_stats_reach reach;
	bool csv;
	char from[TIMEFMT_LEN], to[TIMEFMT_LEN];
};

/* The last day of the period (to is exclusive), for file names. */
static void last_day(int64_t to, char out[16])
{
	char t[TIMEFMT_LEN];
	timefmt_rfc3339(to - 1, 0, t);
	snprintf(out, 16, "%.10s", t);
}

static void reply_csv(struct reqctx *ctx, struct stats_req *q, const PGresult *res)
{
	struct csv_out o;
	const struct head *head = views[q->view].head;
	csv_out_init(&o, true);
	csv_header(&o, head);
	for (int r = 0; r < PQntuples(res); r++)
		csv_row(&o, res, r, head);
	if (q->view == VIEW_OVERVIEW && PQntuples(res) == 1) {
		json_t *clusters = clusters_of(res);
		csv_clusters(&o, clusters);
		json_decref(clusters);
	}
	char disposition[160], last[16];
	last_day(q->period.to, last);
	snprintf(disposition, sizeof disposition, "attachment; filename=\"suqiu-stats-%s-%.10s-%s.csv\"",
		 views[q->view].name, q->from, last);
	http_header(ctx, "Content-Disposition", disposition);
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, o.buf, o.len);
	csv_out_finish(&o);
	http_reply_buffer(ctx, 200, "text/csv; charset=utf-8", buf);
}

static void on_stats(enum pgpool_status st, PGresult *res, void *arg)
{
	struct reqctx *ctx = arg;
	struct stats_req *q = ctx->state;
	if (st == PGPOOL_QUERY_ERROR && strcmp(db_sqlstate(res), "57014") == 0) {
		http_header(ctx, "Retry-After", "5");
		http_reply_problem(ctx, "query_timeout", "the statistics took longer than the statement timeout; "
				   "try a shorter period");
		return;
	}
	if (st != PGPOOL_OK) {
		http_reply_db_error(ctx, st, res);
		return;
	}
	if (q->csv) {
		reply_csv(ctx, q, res);
		return;
	}
	const struct head *head = views[q->view].head;
	json_t *body = json_pack("{s:{s:s, s:s}, s:s}", "period", "from", q->from, "to", q->to, "scope",
				 authz_stats_reach_name(q->reach));
	if (q->view == VIEW_TREND)
		json_object_set_new(body, "granularity", json_string(stats_granularity_name(q->period.granularity)));
	if (q->view == VIEW_OVERVIEW) {
		json_t *row = PQntuples(res) ? row_json(res, 0, head) : json_object();
		if (PQntuples(res)) {
			json_object_set_new(json_object_get(row, "repeated_demands"), "items", clusters_of(res));
		}
		json_object_set_new(body, "figures", row);
	} else {
		json_t *items = json_array();
		for (int r = 0; r < PQntuples(res); r++)
			json_array_append_new(items, row_json(res, r, head));
		json_object_set_new(body, "items", items);
	}
	api_reply_json_short(ctx, 200, body);
}

static void stats(struct reqctx *ctx, enum view view)
{
	static const char *const plain[] = { "from", "to", "format", NULL };
	static const char *const trend[] = { "from", "to", "format", "granularity", NULL };
	enum authz_stats_reach reach = authz_stats_reach(&ctx->who);
	if (reach == STATS_NONE) {
		http_reply_problem(ctx, "forbidden", "your role may not read the statistics");
		return;
	}
	if (!api_query_known(ctx, view == VIEW_TREND ? trend : plain))
		return;
	struct stats_req *q = xcalloc(1, sizeof *q);
	ctx->state = q;
	ctx->state_free = free;
	q->view = view;
	q->reach = reach;
	const char *format = http_query_param(ctx, "format");
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		http_reply_problem(ctx, "invalid_query", "format must be json or csv");
		return;
	}
	q->csv = format && strcmp(format, "csv") == 0;
	enum stats_granularity g = STATS_NONE_G;
	if (view == VIEW_TREND && !stats_granularity_parse(http_query_param(ctx, "granularity"), &g)) {
		http_reply_problem(ctx, "invalid_query", "granularity must be day, week or month");
		return;
	}
	char err[160];
	if (!stats_period_parse(http_query_param(ctx, "from"), http_query_param(ctx, "to"), g, (int64_t)time(NULL),
				&q->period, err, sizeof err)) {
		http_reply_problem(ctx, "invalid_query", "%s", err);
		return;
	}
	timefmt_rfc3339(q->period.from, 0, q->from);
	timefmt_rfc3339(q->period.to, 0, q->to);
	const char *params[] = { q->from, q->to, ctx->who.org_path, stats_granularity_name(g) };
	http_query(ctx, &statements[view][reach - 1], view == VIEW_TREND ? 4 : 3, params, on_stats);
}

void api_stats_overview(struct reqctx *ctx)
{
	stats(ctx, VIEW_OVERVIEW);
}

void api_stats_orgs(struct reqctx *ctx)
{
	stats(ctx, VIEW_ORGS);
}

void api_stats_categories(struct reqctx *ctx)
{
	stats(ctx, VIEW_CATEGORIES);
}

void api_stats_trend(struct reqctx *ctx)
{
	stats(ctx, VIEW_TREND);
}
