/*
 * sla: the SLA clock of one leg of a ticket (DESIGN.md §4). Pure: the
 * server computes a leg's instants with it when the clock starts, moves
 * them on resumption and extension, and measures the leg when it stops;
 * the worker walks the escalation ladder with it. Instants are unix
 * seconds; "minutes" are counted the way the leg's clock counts them.
 *
 * Rules
 * -----
 * Clock: SLA_WORKING counts working time (core/workcal.h: office hours of
 * working days, a day ends at the close of office hours and the start's own
 * date is not counted). SLA_CALENDAR (24×7) counts wall-clock minutes and
 * 24-hour days. The rating window is always calendar days.
 *
 * Start (sla_start): deadline = start + the policy's amount of the leg;
 * allowed = the clock's minutes from start to deadline; warn_at = start +
 * floor(allowed × warning_share) minutes; supervise_at = deadline +
 * supervision_delay minutes (none for the rating window, whose last stage
 * closes the ticket).
 *
 * Resumption (sla_shift): a suspension of p minutes (as the clock counts
 * them, from suspended_at to the resumption) pushes warn_at, deadline and
 * supervise_at each by p minutes, so the gaps between them are kept.
 * Extension: the deadline moves by n working days (add_days from the old
 * deadline; 24-hour days on a calendar clock) and warn_at and supervise_at
 * move by the same minutes (sla_extend).
 *
 * Stop (sla_measure): a leg is met when it stops at or before its deadline;
 * its duration is the clock's minutes from start to stop less the minutes
 * it spent suspended.
 *
 * Escalation ladder (sla_next_stage): running → warned (at warn_at) →
 * overdue (at deadline) → supervised (at supervise_at); the rating window
 * stops at overdue, which closes the ticket unrated. A stage happens once:
 * the clock remembers the last one reached, and its timer (due_at) is the
 * instant of the next (sla_due).
 */
#ifndef SUQIU_CORE_SLA_H
#define SUQIU_CORE_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/workcal.h"
#include "core/xalloc.h"

enum sla_leg { SLA_ACCEPT, SLA_CONTACT, SLA_RESOLVE, SLA_FEEDBACK, SLA_RATING, SLA__LEGS };
enum sla_clock { SLA_WORKING, SLA_CALENDAR };
enum sla_stage { SLA_RUNNING, SLA_WARNED, SLA_OVERDUE, SLA_SUPERVISED, SLA__STAGES };

/* An allowed time: amount minutes, or amount days. */
struct sla_amount {
	int amount;
	bool days;
};

/* A policy row (sla_policies). */
struct sla_policy {
	enum sla_clock clock;
	struct sla_amount accept, contact, resolve, feedback, rectify;
	int rating_window_days;
	int warning_percent;           /* 1..99: warning_share × 100 */
	int supervision_delay_minutes;
	int extension_cap;
};

/* The instants of one running leg. supervise_at 0 = no supervision stage. */
struct sla_instants {
	enum sla_clock clock;
	int64_t started, warn_at, deadline, supervise_at;
	long allowed_minutes;
};

const char *sla_leg_name(enum sla_leg leg);
const char *sla_leg_label(enum sla_leg leg); /* zh-CN: 签收, 首次联系, ... */
bool sla_leg_parse(const char *name, enum sla_leg *leg) MUSTCHECK;
const char *sla_stage_name(enum sla_stage stage);
bool sla_stage_parse(const char *name, enum sla_stage *stage) MUSTCHECK;
const char *sla_clock_name(enum sla_clock clock);
bool sla_clock_parse(const char *name, enum sla_clock *clock) MUSTCHECK;

/* The clock's minutes: adding n to t, and counting from..to (may be
 * negative). cal may be NULL for a calendar clock. */
int64_t sla_add_minutes(const struct workcal *cal, enum sla_clock clock, int64_t t, long n, bool *flagged);
long sla_minutes_between(const struct workcal *cal, enum sla_clock clock, int64_t from, int64_t to, bool *flagged);

/* Starts leg at now under policy p. rectify: the resolve leg of a
 * rectification (the policy's rectify amount). */
struct sla_instants sla_start(const struct workcal *cal, const struct sla_policy *p, enum sla_leg leg, bool rectify,
			      int64_t now, bool *flagged);
/* Pushes k by the clock's minutes from suspended_at to now; returns them. */
long sla_shift(const struct workcal *cal, struct sla_instants *k, int64_t suspended_at, int64_t now, bool *flagged);
/* Moves k's deadline by days (see above); returns the minutes it moved. */
long sla_extend(const struct workcal *cal, struct sla_instants *k, int days, bool *flagged);
/* Whether a leg stopping at stopped met deadline, and its duration. */
bool sla_met(int64_t deadline, int64_t stopped);
long sla_duration(const struct workcal *cal, enum sla_clock clock, int64_t started, int64_t stopped,
		  long suspended_minutes, bool *flagged);

/* The stage after from on leg's ladder; from itself when it is the last. */
enum sla_stage sla_next_stage(enum sla_leg leg, enum sla_stage from);
/* The instant the stage after from is due, 0 when there is none. */
int64_t sla_due(enum sla_leg leg, enum sla_stage from, const struct sla_instants *k);

/* What reaching a stage does. Recipients of its notices: */
enum sla_to {
	SLA_TO_HANDLER,     /* the assignment's handler, else its org */
	SLA_TO_SPECIALIST,  /* the specialist who dispatched, else the center */
	SLA_TO_ORG_LEADERS, /* the clock's org's leaders, else the org */
	SLA_TO_SUPERVISORS, /* the district's supervisors, else the district */
	SLA_TO_ENTERPRISE,
};
/* "handler", "specialist", "org_leaders", "supervisors", "enterprise" (for
 * logs and documents; suqiu-worker resolves them to users, worker/timers.c). */
const char *sla_to_name(enum sla_to to);

struct sla_step {
	const char *action;      /* the event's action: sla_warning, sla_overdue, ... */
	const char *label;       /* zh-CN: 预警, 超期催办, 督办, 邀请评价, 逾期未评价关闭 */
	bool closes;             /* the ticket closes unrated (lifecycle close_unrated) */
	enum sla_to to[2];
	int n_to;
};
/* The step of reaching stage on leg; NULL for SLA_RUNNING. */
const struct sla_step *sla_step(enum sla_leg leg, enum sla_stage stage);

/* The zh-CN text of a step for a ticket: the event summary and the notice
 * body. deadline_local: "11月23日 17:00". Caller frees. */
char *sla_step_summary(const struct sla_step *s, enum sla_leg leg, const char *deadline_local);
char *sla_step_notice(const struct sla_step *s, enum sla_leg leg, enum sla_to to, const char *number,
		      const char *title, const char *deadline_local);
/* Writes "11月23日 17:00" (Asia/Shanghai) for t. */
void sla_format_local(int64_t t, char out[32]);

#endif
