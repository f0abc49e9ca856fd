-- The leadership metrics (issue 4, README "Metrics", server/api_stats.c).
--
-- The statistics read a period's tickets through tickets_created and join
-- their assignments, clocks and ratings through the indexes those tables
-- already have by ticket. Four lookups had none:
--
-- the legs of an assignment (accept, contact, resolve), which the
-- statistics reach through the assignment (its org is theirs): a month's
-- figures look up its assignments' legs instead of scanning every leg;
CREATE INDEX sla_clocks_assignment ON sla_clocks (assignment_id) WHERE assignment_id IS NOT NULL;
-- the specialists' feedback legs, a seventh of all legs, by ticket;
CREATE INDEX sla_clocks_feedback ON sla_clocks (ticket_id) WHERE leg = 'feedback';
--
-- a reopened ticket (the supervisor's reopen: not "resolved and kept" in
-- the resolution rate) is found among the few events of that action, not
-- by walking every event of every ticket;
CREATE INDEX ticket_events_reopen ON ticket_events (ticket_id) WHERE action = 'reopen';
-- and extension requests are counted for the assignment (hence the org)
-- that asked.
CREATE INDEX extension_requests_assignment ON extension_requests (assignment_id);
