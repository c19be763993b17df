-- Canopy schema v2 (PostgreSQL). Same shape as
-- migrations/sqlite/0002_records_layout_optional_email.sql, which explains
-- the layout of the records table and why email becomes optional.

-- 1. The layout of the records table, kind by kind (documentation: nothing
-- references this table, and records keeps no foreign key to it).
CREATE TABLE record_kinds (
    kind       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    owner      TEXT NOT NULL, -- the package that declares the collection
    key_layout TEXT NOT NULL,
    ref_layout TEXT NOT NULL, -- '' when the kind sets no ref
    notes      TEXT NOT NULL
);

INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('user', 'iam', 'lower(name)', 'user id',
        'RAM user; found by id through the ref'),
    ('group', 'iam', 'lower(name)', 'group id',
        'user group; found by id through the ref'),
    ('role', 'iam', 'lower(name)', 'role id',
        'RAM role; found by id through the ref'),
    ('policy', 'iam', 'lower(name)', '',
        'custom policy (system policies are a catalogue in code)'),
    ('policy-version', 'iam', 'lower(policy name)/<version number, 6 digits>', '',
        'one version of a custom policy; zero padding keeps numeric order'),
    ('membership', 'iam', '<group id>/<user id>', 'user id',
        'a group''s members are a key range, a user''s groups a ref lookup'),
    ('attachment', 'iam', '<principal type>:<principal id>/<policy type>:lower(policy name)', '<policy type>:lower(policy name)',
        'a principal''s policies are a key range, a policy''s principals a ref lookup'),
    ('login-profile', 'iam', 'user id', '',
        'console logon of a user: password hashes and flags'),
    ('mfa-device', 'iam', 'lower(device name)', 'creating user id while unbound',
        'virtual MFA device; the TOTP seed is sealed; the ref caps self-service'),
    ('mfa-binding', 'iam', 'user id', '',
        'the device bound to a user (one per user)'),
    ('setting', 'iam', 'setting name', '',
        'account-wide setting: password-policy, security-preference, account-alias');

-- 2. Accounts without an email or a password. NULL is "no email": the
-- UNIQUE constraint treats NULLs as distinct, so any number of accounts may
-- have none while present emails stay unique. password_hash stays NOT
-- NULL; '' means the root user has no password.
ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL;
UPDATE accounts SET email = NULL WHERE email = '';
