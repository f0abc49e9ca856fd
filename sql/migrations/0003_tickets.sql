-- The lifecycle (issue 3): enterprises, categories, the knowledge base, tickets,
-- their assignments, the append-only event log, the notification outbox,
-- ratings, extension requests and attachments.

-- Trigram indexes make Chinese substring search (LIKE '%…%') fast: the
-- database's C.UTF-8 ctype lets pg_trgm take CJK characters as word characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- 一企一档: one record per enterprise, keyed by its unified social credit code
-- (GB 32100-2015; the check character is verified by the server, core/creditcode.c).
CREATE TABLE enterprises (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credit_code text NOT NULL UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$'),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    town_id     bigint NOT NULL REFERENCES orgs (id),
    industry    text CHECK (industry IS NULL OR length(industry) BETWEEN 1 AND 50),
    size        text CHECK (size IN ('micro', 'small', 'medium', 'large')),
    address     text CHECK (address IS NULL OR length(address) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprises_town ON enterprises (town_id);
CREATE INDEX enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops);

CREATE TABLE enterprise_contacts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id bigint NOT NULL REFERENCES enterprises (id),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
    phone         text NOT NULL CHECK (phone ~ '^[0-9+-]{5,20}$'),
    title         text CHECK (title IS NULL OR length(title) BETWEEN 1 AND 50),
    is_primary    boolean NOT NULL DEFAULT false
);
CREATE INDEX enterprise_contacts_enterprise ON enterprise_contacts (enterprise_id, id);

-- enterprise users belong to one enterprise; nobody else does
ALTER TABLE users ADD COLUMN enterprise_id bigint REFERENCES enterprises (id);
ALTER TABLE users ADD CONSTRAINT users_enterprise_role
    CHECK ((role = 'enterprise') = (enterprise_id IS NOT NULL)) NOT VALID;

-- Demand categories: a tree with GB/T 39666-style codes.
CREATE TABLE categories (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id       bigint REFERENCES categories (id),
    code            text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Z]{2,12}$'),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
    default_urgency text NOT NULL DEFAULT 'normal' CHECK (default_urgency IN ('normal', 'urgent', 'critical')),
    lead_org_ids    bigint[] NOT NULL DEFAULT '{}',
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (parent_id, name)
);

-- 知识库: answers specialists give again and again.
CREATE TABLE kb_articles (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id bigint REFERENCES categories (id),
    question    text NOT NULL CHECK (length(btrim(question)) BETWEEN 1 AND 500),
    answer      text NOT NULL CHECK (length(btrim(answer)) BETWEEN 1 AND 10000),
    tags        text[] NOT NULL DEFAULT '{}',
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
CREATE INDEX kb_articles_text_trgm ON kb_articles USING gin ((question || ' ' || answer) gin_trgm_ops);

-- Ticket numbers (MH-2026-000123) take their sequence part from here; a
-- sequence never serialises concurrent intakes (numbers may skip on rollback).
CREATE SEQUENCE ticket_number_seq;

CREATE TABLE tickets (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             text NOT NULL UNIQUE,
    enterprise_id      bigint NOT NULL REFERENCES enterprises (id),
    channel            text NOT NULL CHECK (channel IN ('portal', 'visit', 'phone', 'hotline_12345', 'api')),
    external_ref       text CHECK (external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 64),
    category_id        bigint NOT NULL REFERENCES categories (id),
    urgency            text NOT NULL CHECK (urgency IN ('normal', 'urgent', 'critical')),
    title              text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 100),
    description        text NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 5000),
    contact_name       text CHECK (contact_name IS NULL OR length(contact_name) BETWEEN 1 AND 50),
    contact_phone      text CHECK (contact_phone IS NULL OR contact_phone ~ '^[0-9+-]{5,20}$'),
    state              text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'answered', 'dispatched', 'returned',
                           'in_progress', 'suspended', 'resolved', 'feedback', 'closed', 'rectifying', 'rejected', 'merged')),
    version            integer NOT NULL DEFAULT 1,
    -- where supply (after a suspension) and send_back (after a resolution) lead
    resume_state       text CHECK (resume_state IN ('in_progress', 'rectifying')),
    merged_into        bigint REFERENCES tickets (id),
    close_reason       text CHECK (close_reason IN ('rated', 'ruled', 'withdrawn', 'unrated')),
    answer             text,
    resolution         text,
    feedback_text      text,
    feedback_round     integer NOT NULL DEFAULT 0,
    rework_count       integer NOT NULL DEFAULT 0,
    return_count       integer NOT NULL DEFAULT 0,
    return_disputed    boolean NOT NULL DEFAULT false,
    supervision_count  integer NOT NULL DEFAULT 0,
    withdrawal_check   text CHECK (withdrawal_check IN ('voluntary', 'pressed')),
    extension_cap      integer NOT NULL DEFAULT 2 CHECK (extension_cap >= 0),
    created_by         bigint NOT NULL REFERENCES users (id),
    idempotency_key    text CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 100),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, external_ref),
    UNIQUE (created_by, idempotency_key)
);
CREATE INDEX tickets_enterprise ON tickets (enterprise_id, id);
CREATE INDEX tickets_state ON tickets (state, id);
CREATE INDEX tickets_category ON tickets (category_id, created_at);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_text_trgm ON tickets USING gin ((title || ' ' || description) gin_trgm_ops);

-- 主办 (lead) and 协办 (assisting) orgs of a ticket, each with its own state.
-- org_path is copied from orgs (orgs never move) so that scope checks need no join.
CREATE TABLE assignments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id      bigint NOT NULL REFERENCES tickets (id),
    org_id         bigint NOT NULL REFERENCES orgs (id),
    org_path       text NOT NULL,
    lead           boolean NOT NULL,
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'returned', 'done')),
    handler_id     bigint REFERENCES users (id),
    dispatched_by  bigint REFERENCES users (id),
    dispatched_at  timestamptz NOT NULL DEFAULT now(),
    note           text,
    accepted_at    timestamptz,
    contacted_at   timestamptz,
    contact_method text,
    returned_at    timestamptz,
    return_code    text CHECK (return_code IN ('not_our_function', 'not_our_area', 'ownership_unclear',
                                               'information_missing', 'other')),
    return_basis   text,
    done_at        timestamptz,
    outcome        text CHECK (outcome IN ('resolved', 'contributed', 'released', 'closed')),
    contribution   text
);
CREATE INDEX assignments_ticket ON assignments (ticket_id, id);
CREATE INDEX assignments_org_open ON assignments (org_path text_pattern_ops, state);
CREATE UNIQUE INDEX assignments_one_open_per_org ON assignments (ticket_id, org_id) WHERE state IN ('pending', 'accepted');
CREATE UNIQUE INDEX assignments_one_open_lead ON assignments (ticket_id) WHERE lead AND state IN ('pending', 'accepted');

-- The audit trail: append-only (suqiu_app may only INSERT and SELECT).
CREATE TABLE ticket_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    actor_id   bigint REFERENCES users (id),          -- NULL: the system (suqiu-worker)
    actor_role text NOT NULL,
    actor_org  bigint REFERENCES orgs (id),
    action     text NOT NULL,
    from_state text,
    to_state   text NOT NULL,
    payload    jsonb NOT NULL DEFAULT '{}',
    summary    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- Notifications, written in the transaction of the event that causes them;
-- delivered by suqiu-worker (SLA issue). recipient_kind says what recipient_id is.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint REFERENCES ticket_events (id),
    ticket_id       bigint REFERENCES tickets (id),
    recipient_kind  text NOT NULL CHECK (recipient_kind IN ('enterprise', 'org', 'user')),
    recipient_id    bigint NOT NULL,
    kind            text NOT NULL,
    title           text NOT NULL,
    body            text NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_ticket ON outbox (ticket_id, id);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';

-- 好差评: one rating per feedback round; a bad one is ruled on by the supervisor
-- and may be appealed once by the lead org (an upheld appeal excludes it from
-- statistics, the row stays).
CREATE TABLE ratings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     bigint NOT NULL REFERENCES tickets (id),
    round         integer NOT NULL,
    score         integer NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment       text,
    rated_by      bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    ruling        text CHECK (ruling IN ('rectify', 'close')),
    ruling_note   text,
    ruled_at      timestamptz,
    appeal_state  text CHECK (appeal_state IN ('pending', 'excluded', 'upheld')),
    appeal_reason text,
    appealed_at   timestamptz,
    excluded      boolean NOT NULL DEFAULT false,
    UNIQUE (ticket_id, round)
);

CREATE TABLE extension_requests (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     bigint NOT NULL REFERENCES tickets (id),
    assignment_id bigint NOT NULL REFERENCES assignments (id),
    days          integer NOT NULL CHECK (days BETWEEN 1 AND 60),
    reason        text NOT NULL,
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied')),
    requested_by  bigint REFERENCES users (id),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    decided_by    bigint REFERENCES users (id),
    decided_at    timestamptz,
    decision_note text
);
CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests (ticket_id) WHERE state = 'pending';

-- Files attached to a ticket; the type is sniffed from the content on upload.
CREATE TABLE attachments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES tickets (id),
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type text NOT NULL,
    size         integer NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content      bytea NOT NULL,
    uploaded_by  bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

GRANT SELECT, INSERT, UPDATE ON enterprises, enterprise_contacts, categories, kb_articles TO suqiu_app;
GRANT DELETE ON enterprise_contacts TO suqiu_app;
GRANT SELECT, INSERT, UPDATE ON tickets, assignments, ratings, extension_requests, outbox TO suqiu_app;
GRANT SELECT, INSERT ON ticket_events, attachments TO suqiu_app;
GRANT USAGE ON SEQUENCE ticket_number_seq TO suqiu_app;
