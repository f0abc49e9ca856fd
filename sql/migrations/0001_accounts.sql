-- Accounts: the organisation tree, users, sessions, API tokens and login attempts.
-- Applied by `suqiu-admin migrate` as suqiu_owner; suqiu_app gets only the rights granted below.

-- The org tree: one district at the root, bureaus, towns and the enterprise
-- service center under it, offices under those. path holds the ids from the
-- root ("1.4.9") so that "is X inside Y's subtree" is a prefix test.
CREATE TABLE orgs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id   bigint REFERENCES orgs (id),
    kind        text NOT NULL CHECK (kind IN ('district', 'center', 'bureau', 'town', 'office')),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    short_name  text CHECK (short_name IS NULL OR length(btrim(short_name)) BETWEEN 1 AND 20),
    path        text NOT NULL UNIQUE,
    disabled_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (parent_id, name)
);
-- one district per deployment
CREATE UNIQUE INDEX orgs_single_root ON orgs ((true)) WHERE parent_id IS NULL;
CREATE INDEX orgs_parent ON orgs (parent_id);
CREATE INDEX orgs_path_prefix ON orgs (path text_pattern_ops);

CREATE FUNCTION orgs_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent orgs%ROWTYPE;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.parent_id IS DISTINCT FROM OLD.parent_id OR NEW.kind <> OLD.kind OR NEW.path <> OLD.path THEN
            RAISE EXCEPTION 'an org cannot move or change kind' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.parent_id IS NULL THEN
        IF NEW.kind <> 'district' THEN
            RAISE EXCEPTION 'only the district may be the root of the org tree' USING ERRCODE = 'check_violation';
        END IF;
        NEW.path := NEW.id::text;
        RETURN NEW;
    END IF;
    SELECT * INTO parent FROM orgs WHERE id = NEW.parent_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'parent org % does not exist', NEW.parent_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.kind = 'district'
       OR (NEW.kind IN ('center', 'bureau', 'town') AND parent.kind <> 'district')
       OR (NEW.kind = 'office' AND parent.kind NOT IN ('center', 'bureau', 'town')) THEN
        RAISE EXCEPTION 'an org of kind % cannot sit under an org of kind %', NEW.kind, parent.kind
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.path := parent.path || '.' || NEW.id::text;
    RETURN NEW;
END
$$;
CREATE TRIGGER orgs_place BEFORE INSERT OR UPDATE ON orgs FOR EACH ROW EXECUTE FUNCTION orgs_place();

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9_.-]{2,63}$'),
    display_name  text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 64),
    role          text NOT NULL CHECK (role IN ('enterprise', 'specialist', 'bureau_handler', 'bureau_leader',
                                                'supervisor', 'leader', 'town_viewer', 'admin')),
    org_id        bigint NOT NULL REFERENCES orgs (id),
    phone         text CHECK (phone IS NULL OR phone ~ '^[0-9+-]{5,20}$'),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_org ON users (org_id, id);

-- A web session. Only the SHA-256 of its token is stored.
CREATE TABLE sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    idle_timeout interval NOT NULL CHECK (idle_timeout > interval '0'),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    client_addr  text,
    user_agent   text
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- A bearer token for an integration (12345 import, gateways). It acts as its user.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      bigint NOT NULL REFERENCES users (id),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Every login attempt, for throttling per account and per client address.
CREATE TABLE login_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username     text NOT NULL,
    client_addr  text NOT NULL,
    succeeded    boolean NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_user ON login_attempts (username, attempted_at);
CREATE INDEX login_attempts_failed_addr ON login_attempts (client_addr, attempted_at) WHERE NOT succeeded;
CREATE INDEX login_attempts_time ON login_attempts (attempted_at);

GRANT SELECT, INSERT, UPDATE ON orgs, users TO suqiu_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO suqiu_app;
GRANT SELECT, INSERT, UPDATE ON api_tokens TO suqiu_app;
GRANT SELECT, INSERT, DELETE ON login_attempts TO suqiu_app;
