-- 10. Resource Directory invitations (internal/directory/handshakes.go).
--
-- An invitation is kept in the management account that sent it, and
-- indexed in the invitee's account, so each side lists its own with one
-- key range. Ids begin with their creation time, so key order is
-- creation order.
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('rd-handshake', 'directory', 'handshake id', 'invitee account id',
        'an invitation the management account sent'),
    ('rd-invitation', 'directory', 'handshake id', 'management account id',
        'an invitation addressed to this account, pointing at the sender');
