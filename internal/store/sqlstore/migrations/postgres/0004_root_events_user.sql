-- Canopy schema v4 (PostgreSQL). Same as
-- migrations/sqlite/0004_root_events_user.sql, which explains it: the root
-- identity's past audit events move from user_name 'root' to ':root'
-- (audit.RootUser), where LookupEvents now looks for User=root.
UPDATE events SET user_name = ':root'
WHERE user_name = 'root'
  AND position(convert_to('"userIdentity":{"type":"root-account"', 'UTF8') IN data) > 0;
