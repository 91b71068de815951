-- The gateway's store, version 1. Every row an account's owner writes carries the
-- owner's generation (always 1 on one node; the several-nodes store fences stale
-- owners with it).

-- Counters updated inside the transactions that use them: `seq` is the event log's
-- last sequence number. Allocating seq by updating this row in the event's own
-- transaction serializes the writers on it, so seqs become visible in commit order:
-- a reader that has seen seq 101 can never later find a 100 that committed late.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('seq', 0);

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT UNIQUE,
    desktop     INTEGER NOT NULL DEFAULT 0,
    origin      TEXT,
    state       TEXT NOT NULL,
    reason      TEXT,
    user_name   TEXT,
    nick_name   TEXT,
    -- The saved session (SessionState JSON), written with the events it produced.
    session     TEXT,
    generation  INTEGER NOT NULL,
    node        TEXT,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);

-- The event log: each boundary event once, in seq order.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    account     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX events_by_account ON events (account, seq);

-- Each contact as the boundary's `contacts` query shows it (`body`), with the columns
-- the filters use.
CREATE TABLE contacts (
    account     TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    nick_name   TEXT NOT NULL,
    remark_name TEXT NOT NULL,
    alias       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    PRIMARY KEY (account, user_name)
);

-- Message history, in and out; `seq` is the seq of the event that carried it.
CREATE TABLE messages (
    account     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    msg_id      TEXT NOT NULL,
    local_id    TEXT,
    chat        TEXT NOT NULL,
    sender      TEXT NOT NULL,
    outgoing    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT,
    file_name   TEXT,
    time        INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0,
    message     TEXT,
    generation  INTEGER NOT NULL,
    PRIMARY KEY (account, seq)
);
CREATE UNIQUE INDEX messages_by_msg_id ON messages (account, msg_id);
CREATE INDEX messages_by_chat ON messages (account, chat, seq);

-- The webhook outbox: per hook and account, the last seq delivered (2xx); every later
-- event of the account is still to deliver, in order.
CREATE TABLE outbox (
    hook        TEXT NOT NULL,
    account     TEXT NOT NULL,
    delivered   INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    retries     INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    generation  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    PRIMARY KEY (hook, account)
);

-- Idempotency keys and their answers: a key runs its command once.
CREATE TABLE idempotency (
    account     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state       TEXT NOT NULL,
    status      INTEGER,
    answer      TEXT,
    generation  INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (account, key)
);
