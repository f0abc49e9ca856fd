-- The leadership dashboard's targets (issue 5: "headline KPIs ... against
-- configurable targets (e.g. 90% resolution)"; README "The leadership
-- dashboard"). A KPI meets its target when its figure is at least the value
-- ('min': rates, in percent 0-100) or at most the value ('max': counts and
-- hours, >= 0). Admins change the values (PUT /api/v1/stats/targets,
-- server/api_stats_targets.c); which KPIs have a target, and of which kind,
-- belongs to the dashboard and changes only with a migration, so the
-- application's role may update a value and nothing else.
CREATE TABLE stats_targets (
    metric     text PRIMARY KEY CHECK (metric ~ '^[a-z_]+(\.[a-z_]+)?$'), -- the figure's JSON key ("on_time.accept")
    position   smallint NOT NULL UNIQUE,                                  -- the dashboard's order
    kind       text NOT NULL CHECK (kind IN ('min', 'max')),
    value      numeric(9, 2) NOT NULL CHECK (value >= 0 AND value <= CASE kind WHEN 'min' THEN 100 ELSE 1000000 END),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint REFERENCES users (id)
);

-- The targets the dashboard has shipped with: 响应率 95%, 解决率 90% (the
-- Minhang 2024 plan's "90%解决率"), 满意率 90%, 按时签收率 95%, 按时办结率 90%,
-- no ticket overdue now, at most 10 supervisions, resolution in 35 working
-- hours on average (five working days of seven hours).
INSERT INTO stats_targets (metric, position, kind, value)
VALUES ('response_rate',      1, 'min', 95),
       ('resolution_rate',    2, 'min', 90),
       ('satisfaction_rate',  3, 'min', 90),
       ('on_time.accept',     4, 'min', 95),
       ('on_time.resolve',    5, 'min', 90),
       ('overdue_now',        6, 'max', 0),
       ('supervisions.total', 7, 'max', 10),
       ('resolve_hours.mean', 8, 'max', 35);

GRANT SELECT, UPDATE (value, updated_at, updated_by) ON stats_targets TO suqiu_app;
