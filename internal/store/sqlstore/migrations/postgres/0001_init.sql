-- Canopy schema v1 (PostgreSQL). Same shape as migrations/sqlite/0001_init.sql.
--
-- Every identifier column is COLLATE "C" so ORDER BY and range scans use
-- byte order, exactly like SQLite, whatever the database's default locale.
-- Times are BIGINT unix nanoseconds (0 = zero time).

CREATE TABLE accounts (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    email         TEXT COLLATE "C" NOT NULL UNIQUE,
    real_name     TEXT   NOT NULL,
    mobile        TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    type          TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    data          BYTEA  NOT NULL,
    created_ns    BIGINT NOT NULL,
    updated_ns    BIGINT NOT NULL
);

CREATE TABLE access_keys (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    user_name     TEXT COLLATE "C" NOT NULL,
    status        TEXT   NOT NULL,
    sealed_secret BYTEA  NOT NULL,
    created_ns    BIGINT NOT NULL,
    updated_ns    BIGINT NOT NULL,
    last_used_ns  BIGINT NOT NULL
);
CREATE INDEX access_keys_user ON access_keys (account_id, user_name, created_ns, id);

CREATE TABLE records (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    kind       TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    ref        TEXT COLLATE "C" NOT NULL,
    data       BYTEA  NOT NULL,
    created_ns BIGINT NOT NULL,
    updated_ns BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, key)
);
-- Only records that have a ref: Query.Ref is never "". Partial, the index
-- also cannot compete with the primary key for a keyed lookup (PostgreSQL
-- picked it for point reads on a table without statistics yet). Queries by
-- ref repeat the predicate literally so that prepared (generic) plans may
-- use the index.
CREATE INDEX records_ref ON records (account_id, kind, ref, key) WHERE ref <> '';

CREATE TABLE events (
    account_id    TEXT COLLATE "C" NOT NULL,
    time_ns       BIGINT NOT NULL,
    id            TEXT COLLATE "C" NOT NULL,
    event_name    TEXT COLLATE "C" NOT NULL,
    service_name  TEXT COLLATE "C" NOT NULL,
    event_rw      TEXT COLLATE "C" NOT NULL,
    user_name     TEXT COLLATE "C" NOT NULL,
    access_key_id TEXT COLLATE "C" NOT NULL,
    error_code    TEXT COLLATE "C" NOT NULL,
    data          BYTEA  NOT NULL,
    PRIMARY KEY (account_id, time_ns, id)
);
CREATE INDEX events_id ON events (account_id, id);
CREATE INDEX events_name ON events (account_id, event_name, time_ns, id);
CREATE INDEX events_user ON events (account_id, user_name, time_ns, id);
CREATE INDEX events_key ON events (account_id, access_key_id, time_ns, id);
CREATE INDEX events_service ON events (account_id, service_name, time_ns, id);

-- UNLOGGED: nonces only need to outlive the signature window, and skipping
-- WAL keeps the per-request nonce insert cheap. A PostgreSQL crash empties
-- the table, which reopens replays for at most one window (see design.md).
CREATE UNLOGGED TABLE nonces (
    access_key_id TEXT COLLATE "C" NOT NULL,
    value         TEXT COLLATE "C" NOT NULL,
    expires_ns    BIGINT NOT NULL,
    -- Expiry first: it derives from the signed timestamp (a replay has the
    -- same key) and grows with time, so inserts append to the index
    -- instead of landing on random pages, and Sweep deletes a key prefix.
    PRIMARY KEY (expires_ns, access_key_id, value)
);

CREATE TABLE change_counter (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO change_counter (id, version) VALUES (1, 0);

-- No index on at_ns: Sweep finds its cutoff walking versions in order
-- (times grow with versions), and every Write saves an index page.
CREATE TABLE change_log (
    version    BIGINT NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    at_ns      BIGINT NOT NULL,
    PRIMARY KEY (version, account_id, kind, key)
);
