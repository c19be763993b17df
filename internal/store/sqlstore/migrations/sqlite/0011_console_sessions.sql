-- 11. Console sessions (internal/console/session.go).
--
-- A signed-in console session is kept in the account of the person it
-- belongs to, under its absolute end and the SHA-256 of its id (the
-- cookie holds the id, the store never does), so every node of a cluster
-- sees it, signing out or revoking it on one node ends it on all, and an
-- account's expired sessions come first in key order (purged when the
-- account opens a new one).
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('console-session', 'console', 'expiry unix seconds.sha256(session id)', '',
        'a console sign-in: who, its stage, timeouts, CSRF token');
