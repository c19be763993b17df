-- Canopy schema v15 (PostgreSQL). Same as migrations/sqlite/0015_events_sensitive.sql.
--
-- LookupEvents' SensitiveAction attribute becomes an index range like the
-- others: event rows get a sensitive column ('true' or ''), filled here
-- from the records already stored (their JSON says
-- "eventAttributes":{"SensitiveAction":"true"}, store.SensitiveMarker).
-- Folded batches get SensitiveAction postings from this version on; a
-- refused sensitive call folded before it is not found by this filter
-- (every successful one is a row, and is).

ALTER TABLE events ADD COLUMN sensitive TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE events SET sensitive = 'true'
    WHERE position(convert_to('"eventAttributes":{"SensitiveAction":"true"}', 'UTF8') in data) > 0;
CREATE INDEX events_sensitive ON events (account_id, sensitive, time_ns, id);
