-- 12. CloudSSO record kinds (internal/cloudsso).
--
-- A CloudSSO directory and everything in it live in the management account
-- that enabled the service; keys of directory objects start with the
-- directory id, so each directory is a key range. Directory names are
-- unique across all accounts: their claims live in the reserved registry
-- account 0000000000000000, created on first use.
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('sso-service', 'cloudsso', '''service''', '',
        'the CloudSSO switch of a management account'),
    ('sso-directory', 'cloudsso', 'directory id', '',
        'a CloudSSO directory with its counters and portal settings'),
    ('sso-directory-name', 'cloudsso', 'lower(directory name)', 'account id',
        'claim in the registry account: directory names are globally unique'),
    ('sso-user', 'cloudsso', 'directory id/lower(user name)', 'user id',
        'a CloudSSO user, found by name with a key and by id with its ref'),
    ('sso-user-email', 'cloudsso', 'directory id/lower(email)', 'user id',
        'claim: user e-mail addresses are unique in a directory'),
    ('sso-credential', 'cloudsso', 'directory id/user id', '',
        'a user password hash with its history and sign-in failures'),
    ('sso-group', 'cloudsso', 'directory id/lower(group name)', 'group id',
        'a CloudSSO group, found by name with a key and by id with its ref'),
    ('sso-group-member', 'cloudsso', 'directory id/group id/user id', 'user id',
        'a user in a group: members of a group are a key range, groups of a user a ref lookup'),
    ('sso-mfa-device', 'cloudsso', 'directory id/user id/device id', 'device id',
        'a TOTP device a user bound in the portal, its secret sealed with the keyring');
