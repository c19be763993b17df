-- 7. Resource Directory verification codes (internal/directory).
--
-- One record per account and purpose (binding a member's security phone,
-- enabling a directory with a new management account), kept in the
-- account the code is about: the live code as a keyed hash (HMAC under a
-- key derived from the KEK, never the code itself), where it was sent,
-- when it expires, its wrong tries, and the sends of the last 24 hours
-- (the daily and per-minute limits).
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('rd-verification-code', 'directory', 'purpose', '',
        'the live SMS verification code of one purpose, hashed, with its send window');
