-- The leadership metrics (issue 4, README "Metrics", server/api_stats.c).
--
-- The statistics read a period's tickets through tickets_created and join
-- their assignments, clocks and ratings through the indexes those tables
-- already have by ticket. Two lookups had none:
--
-- a reopened ticket (the supervisor's reopen: not "resolved and kept" in
-- the resolution rate) is found among the few events of that action, not
-- by walking every event of every ticket;
CREATE INDEX ticket_events_reopen ON ticket_events (ticket_id) WHERE action = 'reopen';
-- and extension requests are counted for the assignment (hence the org)
-- that asked.
CREATE INDEX extension_requests_assignment ON extension_requests (assignment_id);
