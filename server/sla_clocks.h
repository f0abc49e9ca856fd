/*
 * sla_clocks: which SLA clocks a ticket action starts, stops, suspends or
 * moves (DESIGN.md §4), as the ticket_apply statement writes them.
 *
 *   dispatch (and a forced return, a summons): accept and resolve for the
 *       new lead assignment, accept for each new assisting one;
 *   accept: the assignment's accept leg stops; the lead's first contact starts;
 *   return: the org's accept leg stops, its other legs are cancelled;
 *   contact: the lead's first contact stops;
 *   suspend / supply: every running leg is suspended / resumes, pushed by
 *       the working time spent suspended (core/sla.h sla_shift);
 *   approve_extension: the lead's resolve deadline moves by the days asked;
 *   resolve: the lead's resolve stops (other legs of the lead are
 *       cancelled); the specialist's feedback starts;
 *   feedback: feedback stops; the enterprise's rating window starts;
 *   send_back: feedback stops; a new resolve starts (the rectify amount);
 *   rate: the rating window stops;
 *   rule_rating rectify: a new resolve starts (the rectify amount,
 *       15 working days by default);
 *   release: the released assignment's legs are cancelled;
 *   answer, reject, merge, withdraw: every running leg is cancelled.
 * A leg that stops records met (at or before its deadline) or missed, and
 * its working time; a cancelled one neither.
 */
#ifndef SUQIU_SERVER_SLA_CLOCKS_H
#define SUQIU_SERVER_SLA_CLOCKS_H

#include <jansson.h>
#include <stdint.h>

#include "core/lifecycle.h"
#include "core/workcal.h"
#include "server/tickets.h"

/* What an action does to clocks. */
struct sla_change {
	enum ticket_action action;
	const char *outcome;               /* of actions with a decision */
	const struct lc_assignment *mine;  /* the caller's assignment (accept, return, release...) */
	long long new_lead_org;            /* an inserted lead assignment's org, 0 = none */
	const json_t *new_assist_orgs;     /* inserted assisting assignments' org ids, may be NULL */
	long long dispatcher;              /* the specialist responsible for feedback */
};

/* The clock operations of change c on ticket t at now, for ticket_apply's
 * "clocks" input: {"start": [...], "update": [...]}; NULL when there are
 * none. (Workers wake on the event the action announces and look again
 * for the nearest timer.) */
json_t *sla_clock_ops(const struct ticket *t, const struct sla_change *c, const struct workcal *cal, int64_t now);

#endif
