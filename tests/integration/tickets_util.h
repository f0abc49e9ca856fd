/*
 * tickets_util: what the ticket suites share on top of the harness:
 * sessions of the demo users, actions with the current version, and
 * snapshots of a ticket's rows for "a refused request changed nothing".
 */
#ifndef SUQIU_TESTS_TICKETS_UTIL_H
#define SUQIU_TESTS_TICKETS_UTIL_H

#include <jansson.h>

#include "harness.h"

/* The demo users the ticket suites act as (seed-demo). */
enum who {
	QIYE1,         /* enterprise user of enterprise 1 (莘庄镇) */
	QIYE2,         /* enterprise user of another enterprise (七宝镇) */
	ZHUANYUAN,     /* specialist, district center */
	SHICHANG,      /* handler, 区市场监管局 (bureau A) */
	SHICHANG_LEAD, /* leader, 区市场监管局 */
	RENSHE,        /* handler, 区人社局 (bureau C) */
	XINZHUANG_BAN, /* handler, 莘庄镇 (town B) */
	GUIHUA,        /* handler, 区规划资源局: never involved (foreign org) */
	DUBAN,         /* supervisor */
	LINGDAO,       /* leader: read-only */
	XINZHUANG,     /* town viewer, 莘庄镇 */
	ADMIN,
	WHO__COUNT
};

struct world {
	int port;
	struct session s[WHO__COUNT];
};

extern const char *const who_names[WHO__COUNT];

/* Logs every demo user in. */
void world_login(struct world *w, int port);
/* A suite's .init and .fini: start a server and log everyone in; stop it. */
void world_open(struct server_proc *srv, struct world *w);
void world_close(struct server_proc *srv);
/* Declares srv and w for a suite whose tests each get a fresh server and
 * every demo user logged in. */
#define WORLD_SUITE(name, seconds) \
	static struct server_proc srv; \
	static struct world w; \
	static void start(void) { world_open(&srv, &w); } \
	static void stop(void) { world_close(&srv); } \
	TestSuite(name, .init = start, .fini = stop, .timeout = seconds)
long long org_named(const char *name);
long long enterprise_of(enum who w);
long long category_coded(const char *code);
long long user_named(const char *username);
/* The latest assignment of ticket to the org named org. */
long long assignment_of(long long ticket, const char *org);

/* Creates a portal ticket as qiye1 (or a visit ticket for enterprise 1 as
 * the specialist when as == ZHUANYUAN); returns its id. */
long long ticket_new(struct world *w, enum who as, const char *title);
/* A portal ticket of category as the enterprise user as; returns its id. */
long long ticket_in_category(struct world *w, enum who as, long long category, const char *title);
/* A new category (code, named name + code) with a 24×7 policy whose legs
 * take the given minutes (accept, contact, resolve, feedback), warning at
 * 50 % and supervision delay minutes after a deadline; returns its id. */
long long calendar_category(const char *code, const char *name, int accept, int contact, int resolve, int feedback,
			    int delay);
/* The ticket's version and state as stored. */
int ticket_version(long long id);
const char *ticket_state(long long id); /* static buffer */

/* POSTs action on ticket id as who with {"version": <current>, extra...};
 * extra is JSON object members without braces ("" for none). */
int act(struct world *w, enum who as, long long id, const char *action, const char *extra, json_t **out);
/* The same and asserts the status. */
void act_ok(struct world *w, enum who as, long long id, const char *action, const char *extra);

/* A statement as the schema owner (this process's connection); fails the
 * test on an error. PQclear the result. */
PGresult *db_sql(const char *query, int n, const char *const *params);
/* The first cell of query with $1 = a (and $2 = b unless NULL) as a
 * number; -1 when there is no row or it is NULL. */
long long db_scalar_of(const char *query, long long a, const char *b);
/* As if seconds had passed for SLA clock id (its instants and timer move
 * back), and wakes the workers. */
void clock_elapse(long long id, int seconds);
/* Waits up to 10 s for the ticket's first event of action and asserts
 * there is exactly one. */
void await_event(long long ticket, const char *action);

/* The working calendar in the database, built the way the server builds
 * it (core/workcal.h); workcal_free it. */
struct workcal *db_calendar(void);

/* Everything about a ticket in one string: its row, assignments, events,
 * ratings, extension requests and outbox; free it. */
char *ticket_snapshot(long long id);

#endif
