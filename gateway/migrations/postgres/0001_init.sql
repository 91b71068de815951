-- The gateway's store, version 1, in PostgreSQL's dialect: the same tables as
-- migrations/sqlite/0001_init.sql. Every row an account's owner writes carries the
-- owner's generation; a write whose generation is not the account's is refused.

-- Counters updated inside the transactions that use them: `seq` is the event log's
-- last sequence number. Allocating seq by updating this row in the event's own
-- transaction serializes the writers on its row lock (held until commit), so seqs
-- become visible in commit order on every node: a reader that has seen seq 101 can
-- never later find a 100 that committed late.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('seq', 0);

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT UNIQUE,
    desktop     BOOLEAN NOT NULL DEFAULT false,
    origin      TEXT,
    state       TEXT NOT NULL,
    reason      TEXT,
    user_name   TEXT,
    nick_name   TEXT,
    session     TEXT,
    generation  BIGINT NOT NULL,
    node        TEXT,
    created_ms  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL
);

CREATE TABLE events (
    seq         BIGINT PRIMARY KEY,
    account     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    generation  BIGINT NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX events_by_account ON events (account, seq);

CREATE TABLE contacts (
    account     TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    nick_name   TEXT NOT NULL,
    remark_name TEXT NOT NULL,
    alias       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    generation  BIGINT NOT NULL,
    PRIMARY KEY (account, user_name)
);

CREATE TABLE messages (
    account     TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    msg_id      TEXT NOT NULL,
    local_id    TEXT,
    chat        TEXT NOT NULL,
    sender      TEXT NOT NULL,
    outgoing    BOOLEAN NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT,
    file_name   TEXT,
    time        BIGINT NOT NULL,
    revoked     BOOLEAN NOT NULL DEFAULT false,
    message     TEXT,
    generation  BIGINT NOT NULL,
    PRIMARY KEY (account, seq)
);
CREATE UNIQUE INDEX messages_by_msg_id ON messages (account, msg_id);
CREATE INDEX messages_by_chat ON messages (account, chat, seq);

CREATE TABLE outbox (
    hook        TEXT NOT NULL,
    account     TEXT NOT NULL,
    delivered   BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    retries     BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    generation  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL,
    PRIMARY KEY (hook, account)
);

CREATE TABLE idempotency (
    account     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state       TEXT NOT NULL,
    status      BIGINT,
    answer      TEXT,
    generation  BIGINT NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (account, key)
);
