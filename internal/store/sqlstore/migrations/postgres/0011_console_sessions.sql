-- 11. Console sessions (internal/console/session.go).
--
-- A signed-in console session is kept in the account of the person it
-- belongs to, under the SHA-256 of its id (the cookie holds the id, the
-- store never does), so every node of a cluster sees it, and signing out
-- or revoking it on one node ends it on all.
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('console-session', 'console', 'sha256(session id)', '',
        'a console sign-in: who, its stage, timeouts, CSRF token');
