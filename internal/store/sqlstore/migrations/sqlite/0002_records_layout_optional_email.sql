-- Canopy schema v2 (SQLite). Same shape as
-- migrations/postgres/0002_records_layout_optional_email.sql.
--
-- 1. The layout of the records table, kind by kind.
--
-- records (0001) holds the documents of every domain: one row per
-- (account_id, kind, key), the document as JSON in data. What a key and a
-- ref are made of differs by kind and is chosen so that each listing the
-- API needs is a key range (key >= prefix) or a ref lookup (records_ref).
-- The domains declare the same layout in code, one typed collection per
-- kind (store.Collection: internal/iam/records.go); a test in internal/iam
-- keeps this table and those declarations equal. A domain that adds kinds
-- adds their rows in its own migration.
--
-- record_kinds documents; nothing references it. records keeps no foreign
-- key to it: every request that writes pays for the records insert, and
-- the kinds are fixed by code, not by data.
--
-- Names of users, groups, roles, custom policies and MFA devices are unique
-- regardless of case: their keys are lower-cased, and every lookup by name
-- finds the stored spelling whatever case it is given. Everything that
-- hangs off a user, group or role is keyed by its id, so a rename rewrites
-- one record.
CREATE TABLE record_kinds (
    kind       TEXT NOT NULL PRIMARY KEY,
    owner      TEXT NOT NULL, -- the package that declares the collection
    key_layout TEXT NOT NULL,
    ref_layout TEXT NOT NULL, -- '' when the kind sets no ref
    notes      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

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

-- 2. Accounts without an email or a password.
--
-- A Resource Directory resource account has neither. email becomes
-- nullable: NULL is "no email", so any number of accounts may have none
-- (a UNIQUE index treats NULLs as distinct) while present emails stay
-- unique, and no lookup by email can ever match an account without one.
-- password_hash stays NOT NULL; '' means the root user has no password.
--
-- SQLite cannot drop NOT NULL or an inline UNIQUE in place, so the table is
-- rebuilt. access_keys and records reference accounts (id): with foreign
-- keys on (they are, and PRAGMA foreign_keys cannot change inside the
-- migration's transaction), dropping accounts counts a violation for every
-- row that references it. defer_foreign_keys holds those until COMMIT, and
-- copying the rows back into the new accounts table resolves every one of
-- them, so the commit succeeds only if no reference was lost. The copy goes
-- through a scratch table because the new table must be created under the
-- name the references use.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE accounts_v1 AS SELECT * FROM accounts;
DROP TABLE accounts;

CREATE TABLE accounts (
    id            TEXT    NOT NULL PRIMARY KEY,
    email         TEXT,   -- lower-cased; NULL = none
    real_name     TEXT    NOT NULL,
    mobile        TEXT    NOT NULL,
    password_hash TEXT    NOT NULL, -- '' = none
    type          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    data          BLOB    NOT NULL,
    created_ns    INTEGER NOT NULL,
    updated_ns    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX accounts_email ON accounts (email);

INSERT INTO accounts (id, email, real_name, mobile, password_hash, type, status, data, created_ns, updated_ns)
    SELECT id, NULLIF(email, ''), real_name, mobile, password_hash, type, status, data, created_ns, updated_ns
    FROM accounts_v1;
DROP TABLE accounts_v1;
