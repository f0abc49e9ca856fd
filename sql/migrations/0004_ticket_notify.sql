-- Live updates: every ticket event is announced on the channel suqiu_events
-- when its transaction commits (NOTIFY is transactional), whoever wrote it:
-- the server's transitions and intake, the worker's escalations. The payload
-- carries what a server needs to decide who may see it (the enterprise, its
-- town's org path, the paths of the orgs ever assigned), which the server
-- strips before passing the event on to browsers (GET /api/v1/stream).
CREATE FUNCTION ticket_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('suqiu_events', json_build_object(
        'event_id', NEW.id, 'ticket_id', NEW.ticket_id, 'number', t.number, 'action', NEW.action,
        'from_state', NEW.from_state, 'to_state', NEW.to_state, 'version', t.version,
        'enterprise_id', t.enterprise_id, 'town_path', town.path,
        'org_paths', (SELECT coalesce(json_agg(DISTINCT a.org_path), '[]') FROM assignments a
                      WHERE a.ticket_id = NEW.ticket_id))::text)
    FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id JOIN orgs town ON town.id = e.town_id
    WHERE t.id = NEW.ticket_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_events_notify AFTER INSERT ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_notify();
