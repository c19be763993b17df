-- 9. Resource Directory: the records of the legacy e-mail flows
-- (CreateCloudAccount, PromoteResourceAccount), kept in the management
-- account under their RecordId. A record holds the SHA-256 of its current
-- mail's link secret, never the secret.
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('rd-legacy-record', 'directory', 'record id', 'account id',
        'a CreateCloudAccount or PromoteResourceAccount waiting for, or ended by, its e-mail confirmation');
