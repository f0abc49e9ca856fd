-- SLA policies (issue 4, DESIGN.md §4): the allowed time for each leg of a
-- ticket, per category × urgency. A policy for a category also covers its
-- children; a NULL category is the district's default for the urgency.
-- Durations are an amount and a unit: working 'minutes' or working 'days'
-- (core/workcal.h: days end at the close of office hours, the start's own
-- date not counted). With the 'calendar' clock (24×7, for very urgent
-- categories) minutes are wall-clock minutes and days 24-hour periods.
CREATE TABLE sla_policies (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id        bigint REFERENCES categories (id),
    urgency            text NOT NULL CHECK (urgency IN ('normal', 'urgent', 'critical')),
    clock              text NOT NULL DEFAULT 'working' CHECK (clock IN ('working', 'calendar')),
    accept_amount      integer NOT NULL CHECK (accept_amount > 0),
    accept_unit        text NOT NULL CHECK (accept_unit IN ('minutes', 'days')),
    contact_amount     integer NOT NULL CHECK (contact_amount > 0),
    contact_unit       text NOT NULL CHECK (contact_unit IN ('minutes', 'days')),
    resolve_amount     integer NOT NULL CHECK (resolve_amount > 0),
    resolve_unit       text NOT NULL CHECK (resolve_unit IN ('minutes', 'days')),
    feedback_amount    integer NOT NULL CHECK (feedback_amount > 0),
    feedback_unit      text NOT NULL CHECK (feedback_unit IN ('minutes', 'days')),
    rectify_amount     integer NOT NULL DEFAULT 15 CHECK (rectify_amount > 0),
    rectify_unit       text NOT NULL DEFAULT 'days' CHECK (rectify_unit IN ('minutes', 'days')),
    rating_window_days integer NOT NULL DEFAULT 7 CHECK (rating_window_days BETWEEN 1 AND 90),
    warning_share      numeric(3, 2) NOT NULL DEFAULT 0.80 CHECK (warning_share > 0 AND warning_share < 1),
    supervision_delay_minutes integer NOT NULL DEFAULT 480 CHECK (supervision_delay_minutes > 0),
    extension_cap      integer NOT NULL DEFAULT 2 CHECK (extension_cap BETWEEN 0 AND 10),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         bigint REFERENCES users (id)
);
CREATE UNIQUE INDEX sla_policies_one_per_key ON sla_policies ((coalesce(category_id, 0)), urgency);

-- The policy that governs a ticket of category_id and urgency: the
-- category's own, else its parent's, else the district default.
CREATE FUNCTION sla_policy_for(p_category bigint, p_urgency text) RETURNS SETOF sla_policies
LANGUAGE sql STABLE AS $$
    SELECT p.* FROM sla_policies p
    LEFT JOIN categories c ON c.id = p_category
    WHERE p.urgency = p_urgency
      AND (p.category_id = p_category OR p.category_id = c.parent_id OR p.category_id IS NULL)
    ORDER BY (p.category_id = p_category) DESC NULLS LAST, (p.category_id IS NULL)
    LIMIT 1
$$;

-- The district defaults of DESIGN.md §4: accept within 1 working day (urgent: 2
-- working hours), first contact 1 working day, resolve 5 working days, feedback
-- 1 working day, rating window 7 calendar days. Category policies (e.g. 15 days
-- for complex matters) are data of each deployment (the demo's: seed/demo_5_sla.sql).
INSERT INTO sla_policies (category_id, urgency, clock, accept_amount, accept_unit, contact_amount, contact_unit,
                          resolve_amount, resolve_unit, feedback_amount, feedback_unit)
VALUES (NULL, 'normal',   'working',  1,   'days',    1,   'days',    5,    'days',    1,   'days'),
       (NULL, 'urgent',   'working',  120, 'minutes', 240, 'minutes', 5,    'days',    1,   'days'),
       (NULL, 'critical', 'calendar', 30,  'minutes', 60,  'minutes', 1440, 'minutes', 120, 'minutes');

GRANT SELECT, INSERT, UPDATE, DELETE ON sla_policies TO suqiu_app;
