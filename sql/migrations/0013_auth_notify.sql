-- The servers remember who a session or API token is for a few seconds
-- (server/authcache.h). Whatever may make such an answer wrong is announced
-- on the channel suqiu_auth when its transaction commits, whoever wrote it
-- (the API, suqiu-admin, plain SQL), and every server forgets what it names:
--   'c:<token_hash>'  a session or token was revoked, expired, shortened,
--                     made idle, moved to another user, or deleted while live;
--   'u:<user id>'     a user changed or was deleted;
--   '*'               an org changed (names and paths are part of the
--                     answer), or sessions/tokens were truncated.
-- A session's routine last-use refresh (last_seen_at moving forward) and
-- the removal of long-dead sessions announce nothing, so that they do not
-- serialise on NOTIFY's commit-time lock.
-- What to announce: TG_ARGV[0] is 'credential', 'user' or 'all'.
CREATE FUNCTION auth_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'credential' THEN
        PERFORM pg_notify('suqiu_auth', 'c:' || OLD.token_hash);
    ELSIF TG_ARGV[0] = 'user' THEN
        PERFORM pg_notify('suqiu_auth', 'u:' || OLD.id);
    ELSE
        PERFORM pg_notify('suqiu_auth', '*');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_auth_notify AFTER UPDATE ON sessions FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.idle_timeout IS DISTINCT FROM NEW.idle_timeout OR NEW.last_seen_at < OLD.last_seen_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION auth_notify('credential');
CREATE TRIGGER sessions_auth_notify_delete AFTER DELETE ON sessions FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > now())
    EXECUTE FUNCTION auth_notify('credential');
CREATE TRIGGER sessions_auth_notify_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION auth_notify('all');

CREATE TRIGGER api_tokens_auth_notify AFTER UPDATE ON api_tokens FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION auth_notify('credential');
CREATE TRIGGER api_tokens_auth_notify_delete AFTER DELETE ON api_tokens FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL)
    EXECUTE FUNCTION auth_notify('credential');
CREATE TRIGGER api_tokens_auth_notify_truncate AFTER TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION auth_notify('all');

CREATE TRIGGER users_auth_notify AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW)
    EXECUTE FUNCTION auth_notify('user');
CREATE TRIGGER users_auth_notify_delete AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION auth_notify('user');

CREATE TRIGGER orgs_auth_notify AFTER UPDATE OR DELETE ON orgs
    FOR EACH STATEMENT EXECUTE FUNCTION auth_notify('all');
