-- Canopy schema v5 (SQLite). Same as migrations/postgres/0005_event_batches.sql.
--
-- The events of calls that wrote nothing else (reads, refusals) no longer
-- cost one row each: a node appends them to its own segment log under
-- --data, durable before the answer, and a background indexer folds the
-- log into event_batches, one row per batch of up to 512 events, indexed
-- by event_postings: one row per (batch, account, attribute, value) with
-- the positions of the matching events in the batch and their time range.
-- Events of writes stay rows of events, committed with their write.

ALTER TABLE events ADD COLUMN resource_type TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN resource_name TEXT NOT NULL DEFAULT '';

-- Every LookupEvents attribute is an index range on events too.
CREATE INDEX events_id ON events (account_id, id, time_ns);
CREATE INDEX events_rw ON events (account_id, event_rw, time_ns, id);
CREATE INDEX events_key ON events (account_id, access_key_id, time_ns, id);
CREATE INDEX events_service ON events (account_id, service_name, time_ns, id);
CREATE INDEX events_rtype ON events (account_id, resource_type, time_ns, id);
CREATE INDEX events_rname ON events (account_id, resource_name, time_ns, id);

CREATE TABLE event_batches (
    id     INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: nodes cache batches by id
    max_ns INTEGER NOT NULL,                  -- newest event (retention)
    data   BLOB    NOT NULL                   -- count, offsets, events (store.AppendEvent)
) STRICT;
CREATE INDEX event_batches_age ON event_batches (max_ns);

-- attr '' with value '' lists all of an account's events; EventId postings
-- hold a bucket of ids (see sqlstore/fold.go), the rest exact values.
-- Newest-first lookups walk (.., max_ns), oldest-first (.., min_ns).
CREATE TABLE event_postings (
    account_id TEXT    NOT NULL,
    attr       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    max_ns     INTEGER NOT NULL,
    min_ns     INTEGER NOT NULL,
    batch_id   INTEGER NOT NULL,
    positions  BLOB    NOT NULL,
    PRIMARY KEY (account_id, attr, value, max_ns, batch_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_postings_oldest ON event_postings (account_id, attr, value, min_ns, batch_id);
CREATE INDEX event_postings_batch ON event_postings (batch_id);

-- How far each node's segment log is folded (moved in the fold's own
-- transaction, so a fold is stored exactly once).
CREATE TABLE event_logs (
    log_id      TEXT    NOT NULL PRIMARY KEY,
    segment     INTEGER NOT NULL,
    seg_offset  INTEGER NOT NULL,
    updated_ns  INTEGER NOT NULL
) STRICT;

-- The signature nonces of folded calls, one row per fold, kept until the
-- newest expires: a restarted node reloads them into memory.
CREATE TABLE nonce_batches (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    max_expires_ns INTEGER NOT NULL,
    data           BLOB    NOT NULL
) STRICT;
CREATE INDEX nonce_batches_expiry ON nonce_batches (max_expires_ns);
