-- From this version on, a SQLite Write no longer bumps change_counter: its
-- version is the change log's newest plus one (the log's last page, which
-- the Write changes anyway), which saves one page, a WAL frame of the four,
-- per single-row commit (see changes.go). change_counter keeps its last
-- value as the floor of versions (Sweep raises it before it empties the log).
-- There is nothing to convert: the counter was never below the log's newest
-- version. This migration is recorded so that an older binary, which would
-- go on bumping the stale counter and reuse versions, refuses the database.
SELECT 1;
