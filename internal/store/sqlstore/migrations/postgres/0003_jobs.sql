-- Background jobs (PostgreSQL). Same shape as migrations/sqlite/0003_jobs.sql;
-- version 0002 belongs to another change (migrations apply in version order,
-- each once, and need not be contiguous).
CREATE TABLE jobs (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    kind       TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    payload    BYTEA  NOT NULL,
    state      TEXT COLLATE "C" NOT NULL,
    run_at_ns  BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    last_error TEXT   NOT NULL,
    owner      TEXT COLLATE "C" NOT NULL,
    lease_ns   BIGINT NOT NULL,
    created_ns BIGINT NOT NULL,
    updated_ns BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at_ns, id) WHERE state = 'ready';
CREATE UNIQUE INDEX jobs_key ON jobs (kind, key) WHERE state = 'ready' AND key <> '';
CREATE INDEX jobs_kind ON jobs (kind, id);
CREATE INDEX jobs_failed ON jobs (updated_ns) WHERE state = 'failed';
