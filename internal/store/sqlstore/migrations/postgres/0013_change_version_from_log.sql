-- Nothing changes on PostgreSQL: writers still bump change_counter, whose
-- table lock queues them. Only SQLite takes a Write's version from the
-- change log (see the SQLite migration of the same number); the number is
-- kept the same in both dialects.
SELECT 1;
