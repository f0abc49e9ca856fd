-- Notification delivery (issue 4, worker/delivery.c): which webhook a
-- message goes to, and an index that lets a worker find the due messages of
-- the webhooks it has without walking past those of the others.
--
-- A district may configure only some webhooks (say the enterprises' SMS
-- gateway but no IM bot for staff yet): the other messages stay pending,
-- and would otherwise pile up at the head of outbox_due, where every claim
-- would scan them again. With the route as the index's first column a claim
-- costs what is due on its routes, however many wait on the others.

-- The webhook of a message: escalations (written by the SLA workers) go to
-- the escalation webhook whoever receives them; other notices by recipient.
CREATE FUNCTION outbox_route(kind text, recipient_kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN kind IN ('sla_warning', 'sla_overdue', 'sla_supervision') THEN 'escalation'
                WHEN recipient_kind = 'enterprise' THEN 'enterprise'
                ELSE 'org' END
$$;
GRANT EXECUTE ON FUNCTION outbox_route(text, text) TO suqiu_app;

CREATE INDEX outbox_due_route ON outbox (outbox_route(kind, recipient_kind), next_attempt_at)
    WHERE state = 'pending';
