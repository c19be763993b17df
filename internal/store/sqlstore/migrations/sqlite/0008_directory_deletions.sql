-- 8. Resource Directory member deletions (internal/directory).
--
-- The management account keeps one record per member it checked or
-- deleted: the last pre-deletion check and the last deletion submitted,
-- which stay readable after the member is gone.
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('rd-deletion', 'directory', 'member account id', '',
        'the last deletion check and deletion of a member, kept after it is gone');
