-- Canopy schema v17 (PostgreSQL). Same as migrations/sqlite/0017_event_records_compact.sql.
--
-- An event's record may now be stored in audit's compact form (its first
-- byte 0x01; audit/record_compact.go), rendered as JSON when LookupEvents
-- reads it. This binary reads records of both forms; a binary from before
-- would answer LookupEvents with the compact bytes, so this version keeps
-- it off the database. Nothing is rewritten.
SELECT 1;
