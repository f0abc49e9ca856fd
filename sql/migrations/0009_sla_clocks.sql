-- SLA clocks, escalation and delivery (issue 4, DESIGN.md §4).
--
-- One row per leg of a ticket whose clock has started: accept, first
-- contact and resolve of an assignment, then feedback (the specialist) and
-- the rating window (the enterprise). Its instants are computed by the
-- server when the clock starts (core/sla.c, with the working calendar):
-- warn_at (the warning share of the allowed time), deadline, supervise_at
-- (the supervision delay after the deadline; NULL for the rating window).
-- Suspension, resumption and extensions move them; nothing else does.
--
-- due_at is the timer: the instant of the next escalation stage, NULL when
-- none is pending (stopped, suspended, or past the last stage). Workers
-- claim rows with due_at <= now() FOR UPDATE SKIP LOCKED through the
-- partial index, so a sweep costs what is due, not what is open.
CREATE TABLE sla_clocks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id        bigint NOT NULL REFERENCES tickets (id),
    assignment_id    bigint REFERENCES assignments (id),       -- NULL: feedback and rating legs
    org_id           bigint NOT NULL REFERENCES orgs (id),      -- whose clock it is, counted against
    leg              text NOT NULL CHECK (leg IN ('accept', 'contact', 'resolve', 'feedback', 'rating')),
    clock            text NOT NULL CHECK (clock IN ('working', 'calendar')),
    started_at       timestamptz NOT NULL,
    allowed_minutes  integer NOT NULL CHECK (allowed_minutes >= 0), -- as the clock counts them
    warn_at          timestamptz NOT NULL,
    deadline         timestamptz NOT NULL,
    supervise_at     timestamptz,
    stage            text NOT NULL DEFAULT 'running' CHECK (stage IN ('running', 'warned', 'overdue', 'supervised')),
    due_at           timestamptz,
    suspended_at     timestamptz,
    suspended_minutes integer NOT NULL DEFAULT 0,               -- pushed by resumptions, in total
    extended_minutes integer NOT NULL DEFAULT 0,                -- added by approved extensions, in total
    flagged          boolean NOT NULL DEFAULT false,            -- crossed a year without calendar data
    stopped_at       timestamptz,
    outcome          text CHECK (outcome IN ('met', 'missed', 'cancelled')),
    duration_minutes integer,                                   -- working time taken, suspensions excluded
    CHECK ((stopped_at IS NULL) = (outcome IS NULL)),
    CHECK (outcome IS NULL OR due_at IS NULL)
);
CREATE INDEX sla_clocks_due ON sla_clocks (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX sla_clocks_ticket ON sla_clocks (ticket_id, id);
CREATE INDEX sla_clocks_open ON sla_clocks (org_id, deadline) WHERE outcome IS NULL;
CREATE INDEX sla_clocks_stopped ON sla_clocks (stopped_at) WHERE stopped_at IS NOT NULL;

-- The timer of a clock at stage: the instant of the next stage (core/sla.c
-- sla_due; the rating window has no supervise_at, so it ends at overdue).
-- Writers that move instants compute due_at with it from the row's stage as
-- it is when they write, so a worker's escalation in between is kept.
CREATE FUNCTION sla_next_due(p_stage text, p_warn timestamptz, p_deadline timestamptz, p_supervise timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_stage WHEN 'running' THEN p_warn WHEN 'warned' THEN p_deadline WHEN 'overdue' THEN p_supervise END
$$;

-- The outbox gains a lease: a worker takes a batch by pushing next_attempt_at
-- past the delivery timeout (SKIP LOCKED, committed at once), delivers
-- without holding a transaction, and records each result. A worker killed
-- mid-batch leaves its lease to expire; the message is sent again with the
-- same idempotency key.
ALTER TABLE outbox ADD COLUMN leased_by text;
ALTER TABLE outbox ADD COLUMN dead_at timestamptz;
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE state = 'dead';

-- Worker health: one row per worker process, beaten every sweep, with its
-- running totals (the server's /metrics sums them).
CREATE TABLE worker_heartbeats (
    worker_id    text PRIMARY KEY,
    host         text NOT NULL,
    pid          integer NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    beat_at      timestamptz NOT NULL DEFAULT now(),
    escalations  jsonb NOT NULL DEFAULT '{}',   -- {"warning": n, "overdue": n, ...}
    delivered    bigint NOT NULL DEFAULT 0,
    failed       bigint NOT NULL DEFAULT 0
);

GRANT SELECT, INSERT, UPDATE ON sla_clocks TO suqiu_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON worker_heartbeats TO suqiu_app;
