-- Canopy schema v16 (SQLite). Same as migrations/postgres/0016_event_batches_v1.sql.
--
-- Folded event batches may now be stored in layout 1 (sqlstore/fold.go):
-- the records compressed as one S2 block, postings as runs of positions.
-- This binary reads batches of both layouts; a binary from before cannot
-- read layout 1 (its lookups would fail on them), so this version keeps
-- it off the database. Nothing is rewritten.
SELECT 1;
