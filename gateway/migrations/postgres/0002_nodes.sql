-- Several nodes sharing the store (version 2): leases, live nodes, the command table.

-- The lease: `node` owns the account until `lease_until` (the database's clock, so
-- the nodes' clocks do not matter). Taking an account bumps `generation`: every
-- write of the previous owner is refused from then on (fencing). `qr_url` lets any
-- node show the QR code its owner waits on.
ALTER TABLE accounts ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE accounts ADD COLUMN qr_url TEXT;

-- Live nodes: a node renews `heartbeat` with its leases; one whose heartbeat is older
-- than the lease time is dead. `stopped` is set by a graceful stop (SIGTERM).
CREATE TABLE nodes (
    name          TEXT PRIMARY KEY,
    url           TEXT,
    max_accounts  BIGINT,
    started       TIMESTAMPTZ NOT NULL,
    heartbeat     TIMESTAMPTZ NOT NULL,
    stopped       BOOLEAN NOT NULL DEFAULT false
);

-- Calls for an account owned by another node (and account creations placed on
-- another node): the caller inserts a row, the owner (or whoever owns the account
-- when it looks) runs it and writes the answer, the caller reads it.
CREATE TABLE remote_commands (
    id              BIGSERIAL PRIMARY KEY,
    account         TEXT,
    node            TEXT,
    kind            TEXT NOT NULL,
    request         TEXT NOT NULL,
    idempotency_key TEXT,
    state           TEXT NOT NULL DEFAULT 'pending',
    runner          TEXT,
    status          BIGINT,
    answer          TEXT,
    created         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX remote_commands_pending ON remote_commands (state, account);
