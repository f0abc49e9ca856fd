-- A return the supervisor has ruled on (审定: upheld) cannot be disputed again;
-- the next return (after a new dispatch) can.
ALTER TABLE tickets ADD COLUMN return_ruled boolean NOT NULL DEFAULT false;
