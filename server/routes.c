/*
 * routes: the route table. Every endpoint of the server is one row here;
 * handlers live in one file per resource (api_*.c, ops.c).
 */
#include "server/router.h"

#include "server/api.h"
#include "server/ops.h"
#include "server/calendar.h"
#include "server/static.h"
#include "server/stream.h"

/* The OpenAPI description is a file of the web folder, served under the API's path. */
static void api_openapi(struct reqctx *ctx)
{
	free(ctx->path);
	ctx->path = xstrdup("/openapi.json");
	static_serve(ctx);
}

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define DELETE EVHTTP_REQ_DELETE
#define PATCH EVHTTP_REQ_PATCH
#define PUT EVHTTP_REQ_PUT

const struct route routes[] = {
	/* operations */
	{ GET, "/healthz", ops_healthz, ROUTE_PUBLIC },
	{ GET, "/readyz", ops_readyz, ROUTE_PUBLIC },
	{ GET, "/metrics", ops_metrics, ROUTE_PUBLIC },
	{ GET, "/api/v1/openapi.json", api_openapi, ROUTE_PUBLIC },
	/* accounts */
	{ POST, "/api/v1/auth/login", api_login, ROUTE_PUBLIC | ROUTE_JSON },
	{ POST, "/api/v1/auth/logout", api_logout, 0 },
	{ GET, "/api/v1/me", api_me, 0 },
	{ GET, "/api/v1/auth/demo-logins", api_demo_logins, ROUTE_PUBLIC },
	/* organisations */
	{ GET, "/api/v1/orgs", api_orgs_list, 0 },
	{ POST, "/api/v1/orgs", api_orgs_create, ROUTE_JSON },
	{ GET, "/api/v1/orgs/:id", api_orgs_get, 0 },
	{ POST, "/api/v1/orgs/:id/disable", api_orgs_disable, 0 },
	{ GET, "/api/v1/orgs/:id/users", api_orgs_users, 0 },
	/* users */
	{ GET, "/api/v1/users", api_users_list, 0 },
	{ POST, "/api/v1/users", api_users_create, ROUTE_JSON },
	{ POST, "/api/v1/users/:id/disable", api_users_disable, 0 },
	{ POST, "/api/v1/users/:id/enable", api_users_enable, 0 },
	/* enterprises, categories, knowledge base */
	{ GET, "/api/v1/enterprises", api_enterprises_list, 0 },
	{ POST, "/api/v1/enterprises", api_enterprises_create, ROUTE_JSON },
	{ GET, "/api/v1/enterprises/:id", api_enterprises_get, 0 },
	{ GET, "/api/v1/categories", api_categories_list, 0 },
	{ POST, "/api/v1/categories", api_categories_create, ROUTE_JSON },
	{ PATCH, "/api/v1/categories/:id", api_categories_update, ROUTE_JSON },
	{ GET, "/api/v1/kb", api_kb_search, 0 },
	{ POST, "/api/v1/kb", api_kb_create, ROUTE_JSON },
	{ PATCH, "/api/v1/kb/:id", api_kb_update, ROUTE_JSON },
	/* tickets */
	{ GET, "/api/v1/stream", stream_subscribe, 0 },
	{ GET, "/api/v1/tickets", api_tickets_list, 0 },
	{ POST, "/api/v1/tickets", api_tickets_create, ROUTE_JSON },
	{ POST, "/api/v1/tickets/import", api_tickets_import, 0 },
	{ GET, "/api/v1/tickets/:id", api_tickets_get, 0 },
	{ GET, "/api/v1/tickets/:id/events", api_tickets_events, 0 },
	{ GET, "/api/v1/tickets/:id/similar", api_tickets_similar, 0 },
	{ GET, "/api/v1/tickets/:id/attachments", api_attachments_list, 0 },
	{ POST, "/api/v1/tickets/:id/attachments", api_attachments_upload, ROUTE_UPLOAD },
	{ GET, "/api/v1/tickets/:id/attachments/:aid", api_attachments_get, 0 },
	{ POST, "/api/v1/tickets/:id/actions/:action", api_ticket_action, ROUTE_JSON },
	/* the working-time calendar */
	{ GET, "/api/v1/calendar/add-working-time", api_calendar_add_time, 0 },
	{ GET, "/api/v1/calendar/add-working-days", api_calendar_add_days, 0 },
	{ GET, "/api/v1/calendar/working-time", api_calendar_working_time, 0 },
	{ GET, "/api/v1/calendar/:year", api_calendar_year_get, 0 },
	{ PUT, "/api/v1/calendar/:year", api_calendar_year_put, ROUTE_JSON },
	/* SLA policies */
	{ GET, "/api/v1/sla-policies", api_sla_list, 0 },
	{ GET, "/api/v1/sla-policies/effective", api_sla_effective, 0 },
	{ POST, "/api/v1/sla-policies", api_sla_create, ROUTE_JSON },
	{ PATCH, "/api/v1/sla-policies/:id", api_sla_update, ROUTE_JSON },
	/* the leadership metrics */
	{ GET, "/api/v1/stats/overview", api_stats_overview, 0 },
	{ GET, "/api/v1/stats/orgs", api_stats_orgs, 0 },
	{ GET, "/api/v1/stats/categories", api_stats_categories, 0 },
	{ GET, "/api/v1/stats/trend", api_stats_trend, 0 },
	{ GET, "/api/v1/stats/targets", api_stats_targets_get, 0 },
	{ PUT, "/api/v1/stats/targets", api_stats_targets_put, ROUTE_JSON },
	/* API tokens */
	{ GET, "/api/v1/tokens", api_tokens_list, 0 },
	{ POST, "/api/v1/tokens", api_tokens_create, ROUTE_JSON },
	{ DELETE, "/api/v1/tokens/:id", api_tokens_revoke, 0 },
	/* the notification outbox (operators) */
	{ GET, "/api/v1/admin/outbox", api_outbox_list, 0 },
	{ POST, "/api/v1/admin/outbox/retry", api_outbox_retry_dead, ROUTE_JSON },
	{ POST, "/api/v1/admin/outbox/:id/retry", api_outbox_retry, 0 },
};

const int route_count = (int)(sizeof routes / sizeof routes[0]);
