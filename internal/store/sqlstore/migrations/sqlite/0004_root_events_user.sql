-- Canopy schema v4 (SQLite). Same as
-- migrations/postgres/0004_root_events_user.sql.
--
-- The audit events of the root identity are indexed under user_name ':root'
-- (audit.RootUser), no longer 'root', which is also a valid RAM user name
-- and what the events of a RAM user named root are indexed under.
-- LookupEvents maps User=root to ':root'; the events stored before this
-- version are moved there so that it still finds them.
--
-- An event is the root identity's when its record (data, the JSON that
-- audit.Event encodes, field order fixed by the struct) has
-- userIdentity.type "root-account". The bytes are searched rather than
-- parsed: a parse error would stop the migration, and the sequence cannot
-- occur anywhere else in a record, where quotes inside values are escaped.
UPDATE events SET user_name = ':root'
WHERE user_name = 'root'
  AND instr(data, CAST('"userIdentity":{"type":"root-account"' AS BLOB)) > 0;
