-- Canopy schema v5 (PostgreSQL). Same as migrations/sqlite/0005_event_batches.sql,
-- which explains it. On PostgreSQL the nonces table is also where nodes
-- claim the nonces of reads (committed without waiting for the flush:
-- each node's segment log is their durable record), so a replay on
-- another node is refused.

ALTER TABLE events ADD COLUMN resource_type TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN resource_name TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE INDEX events_rw ON events (account_id, event_rw, time_ns, id);
CREATE INDEX events_rtype ON events (account_id, resource_type, time_ns, id);
CREATE INDEX events_rname ON events (account_id, resource_name, time_ns, id);

CREATE TABLE event_batches (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    max_ns BIGINT NOT NULL,
    data   BYTEA  NOT NULL
);
CREATE INDEX event_batches_age ON event_batches (max_ns);

CREATE TABLE event_postings (
    account_id TEXT COLLATE "C" NOT NULL,
    attr       TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL,
    max_ns     BIGINT NOT NULL,
    min_ns     BIGINT NOT NULL,
    batch_id   BIGINT NOT NULL,
    positions  BYTEA  NOT NULL,
    PRIMARY KEY (account_id, attr, value, max_ns, batch_id)
);
CREATE INDEX event_postings_oldest ON event_postings (account_id, attr, value, min_ns, batch_id);
CREATE INDEX event_postings_batch ON event_postings (batch_id);

CREATE TABLE event_logs (
    log_id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    segment     BIGINT NOT NULL,
    seg_offset  BIGINT NOT NULL,
    updated_ns  BIGINT NOT NULL
);

CREATE TABLE nonce_batches (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    max_expires_ns BIGINT NOT NULL,
    data           BYTEA  NOT NULL
);
CREATE INDEX nonce_batches_expiry ON nonce_batches (max_expires_ns);
