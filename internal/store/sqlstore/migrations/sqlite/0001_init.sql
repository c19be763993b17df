-- Canopy schema v1 (SQLite).
--
-- Conventions shared with the PostgreSQL migration:
--   * times are INTEGER unix nanoseconds (0 = zero time), so both dialects
--     store and compare them identically;
--   * ids and keys are TEXT compared byte-wise (SQLite's default BINARY
--     collation; PostgreSQL declares COLLATE "C");
--   * documents are opaque BLOBs (JSON written by the services).
-- STRICT makes SQLite reject values of the wrong type instead of coercing.

CREATE TABLE accounts (
    id            TEXT    NOT NULL PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    real_name     TEXT    NOT NULL,
    mobile        TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    data          BLOB    NOT NULL,
    created_ns    INTEGER NOT NULL,
    updated_ns    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE access_keys (
    id            TEXT    NOT NULL PRIMARY KEY,
    account_id    TEXT    NOT NULL REFERENCES accounts (id),
    user_name     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    sealed_secret BLOB    NOT NULL,
    created_ns    INTEGER NOT NULL,
    updated_ns    INTEGER NOT NULL,
    last_used_ns  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
-- ListForUser / CountForUser, already in list order.
CREATE INDEX access_keys_user ON access_keys (account_id, user_name, created_ns, id);

CREATE TABLE records (
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    ref        TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    PRIMARY KEY (account_id, kind, key)
) STRICT, WITHOUT ROWID;
-- Only records that have a ref: Query.Ref is never "". Partial, the index
-- also cannot compete with the primary key for a keyed lookup (PostgreSQL
-- picked it for point reads on a table without statistics yet). Queries by
-- ref repeat the predicate literally so that prepared (generic) plans may
-- use the index.
CREATE INDEX records_ref ON records (account_id, kind, ref, key) WHERE ref <> '';

-- Events are appended for every API call, so each B-tree they touch costs
-- at least one page write per group commit: the table is clustered on the
-- lookup key (WITHOUT ROWID: no separate rowid tree and unique index), and
-- only the two filters users reach for most (EventName, User) have their own
-- index. EventAccessKeyId, ServiceName, EventRW and EventId filter a scan of
-- the account's time range. The key also makes a retried append idempotent.
CREATE TABLE events (
    account_id    TEXT    NOT NULL,
    time_ns       INTEGER NOT NULL,
    id            TEXT    NOT NULL,
    event_name    TEXT    NOT NULL,
    service_name  TEXT    NOT NULL,
    event_rw      TEXT    NOT NULL,
    user_name     TEXT    NOT NULL,
    access_key_id TEXT    NOT NULL,
    error_code    TEXT    NOT NULL,
    data          BLOB    NOT NULL,
    PRIMARY KEY (account_id, time_ns, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX events_name ON events (account_id, event_name, time_ns, id);
CREATE INDEX events_user ON events (account_id, user_name, time_ns, id);

CREATE TABLE nonces (
    access_key_id TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    expires_ns    INTEGER NOT NULL,
    -- Expiry first: it derives from the signed timestamp (a replay has the
    -- same key) and grows with time, so inserts append to the index
    -- instead of landing on random pages, and Sweep deletes a key prefix.
    PRIMARY KEY (expires_ns, access_key_id, value)
) STRICT, WITHOUT ROWID;

-- One row; every committed Write that changed something bumps it.
CREATE TABLE change_counter (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO change_counter (id, version) VALUES (1, 0);

-- No index on at_ns: Sweep finds its cutoff walking versions in order
-- (times grow with versions), and every Write saves an index page.
CREATE TABLE change_log (
    version    INTEGER NOT NULL,
    account_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    at_ns      INTEGER NOT NULL,
    PRIMARY KEY (version, account_id, kind, key)
) STRICT, WITHOUT ROWID;
