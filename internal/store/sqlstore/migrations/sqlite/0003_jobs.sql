-- Background jobs (internal/jobs); see store/jobs.go. Same conventions as
-- 0001_init.sql. Version 0002 belongs to another change: migrations apply
-- in version order, each once, and need not be contiguous.
--
-- A job is claimable when state = 'ready', run_at_ns <= now and lease_ns
-- <= now (never claimed, released, or its claimer's lease ran out). A claim
-- sets owner and lease_ns and counts an attempt; completion deletes the row;
-- giving up sets state = 'failed' and keeps last_error.
CREATE TABLE jobs (
    id         TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL, -- '' = no deduplication key
    payload    BLOB    NOT NULL,
    state      TEXT    NOT NULL, -- 'ready' | 'failed'
    run_at_ns  INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    last_error TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    lease_ns   INTEGER NOT NULL,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
-- Claims walk ready jobs in due order. Statements repeat the predicates
-- literally so that prepared statements may use the partial indexes.
CREATE INDEX jobs_due ON jobs (run_at_ns, id) WHERE state = 'ready';
-- At most one ready job per (kind, key): Enqueue's ON CONFLICT DO NOTHING
-- deduplicates on it.
CREATE UNIQUE INDEX jobs_key ON jobs (kind, key) WHERE state = 'ready' AND key <> '';
CREATE INDEX jobs_kind ON jobs (kind, id);
CREATE INDEX jobs_failed ON jobs (updated_ns) WHERE state = 'failed';
