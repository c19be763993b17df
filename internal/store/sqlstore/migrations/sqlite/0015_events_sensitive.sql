-- Canopy schema v15 (SQLite). Same as migrations/postgres/0015_events_sensitive.sql.
--
-- LookupEvents' SensitiveAction attribute becomes an index range like the
-- others: event rows get a sensitive column ('true' or ''), filled here
-- from the records already stored (their JSON says
-- "eventAttributes":{"SensitiveAction":"true"}, store.SensitiveMarker).
-- Folded batches get SensitiveAction postings from this version on; a
-- refused sensitive call folded before it is not found by this filter
-- (every successful one is a row, and is).

ALTER TABLE events ADD COLUMN sensitive TEXT NOT NULL DEFAULT '';
UPDATE events SET sensitive = 'true'
    WHERE CAST(data AS TEXT) LIKE '%"eventAttributes":{"SensitiveAction":"true"}%';
CREATE INDEX events_sensitive ON events (account_id, sensitive, time_ns, id);
