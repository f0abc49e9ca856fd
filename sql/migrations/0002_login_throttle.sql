-- Login throttling counters: one row per username and one per client address,
-- counting attempts within a fixed window. A login bumps both rows with an upsert
-- before the password is checked; the row lock serialises concurrent attempts, so
-- a burst sent at once cannot slip past the limit. A success resets its account's
-- row and takes its own attempt back from the address's. login_attempts stays the
-- audit record of every attempt.
CREATE TABLE login_throttle (
    scope        text NOT NULL CHECK (scope IN ('account', 'address')),
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    attempts     integer NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO suqiu_app;
