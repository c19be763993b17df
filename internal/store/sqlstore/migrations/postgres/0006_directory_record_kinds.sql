-- 6. Resource Directory record kinds (internal/directory).
--
-- The directory keeps its documents in records like iam: the directory,
-- its folders, members, name claims, invitations and codes in the
-- management account; one membership record in every account that manages
-- or belongs to a directory. Members and folders of a directory are key
-- ranges of the management account; a folder's children and members are
-- ref lookups. (0005 is left to the audit log's migration.)
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('rd-directory', 'directory', '''directory''', '',
        'the resource directory an account manages, with its counters'),
    ('rd-membership', 'directory', '''membership''', 'management account id',
        'the directory an account manages or belongs to (at most one)'),
    ('rd-folder', 'directory', 'folder id', 'parent folder id',
        'a folder with its ancestors as a materialized path; Root has no parent'),
    ('rd-member', 'directory', 'account id', 'folder id',
        'a member account as the directory sees it'),
    ('rd-display-name', 'directory', 'lower(display name)', 'account id',
        'claim: member display names are unique in a directory'),
    ('rd-login-name', 'directory', 'lower(account name)', 'account id',
        'claim: member login names are unique in a directory');
