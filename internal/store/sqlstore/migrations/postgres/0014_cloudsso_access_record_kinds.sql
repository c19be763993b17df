-- 14. CloudSSO access configurations, assignments, provisionings and tasks
-- (internal/cloudsso access*.go, assign*.go, provision*.go, task*.go).
--
-- All live in the management account under the directory id. A task lock
-- exists while a task runs on a (configuration, account): its unique key
-- refuses a second write there with OperationConflict.Task.
INSERT INTO record_kinds (kind, owner, key_layout, ref_layout, notes) VALUES
    ('sso-access-configuration', 'cloudsso', 'directory id/lower(configuration name)', 'configuration id',
        'an access configuration with its system and inline policies'),
    ('sso-access-assignment', 'cloudsso', 'directory id/configuration id/target id/principal type/principal id', 'principal id',
        'a user or group given a configuration on a member account'),
    ('sso-provisioning', 'cloudsso', 'directory id/configuration id/target id', 'target id',
        'a configuration provisioned as a reserved role in a member account'),
    ('sso-task', 'cloudsso', 'directory id/start time/task id', 'task id',
        'an asynchronous assignment or provisioning task and its outcome'),
    ('sso-task-lock', 'cloudsso', 'directory id/configuration id/target id', '',
        'the running task of a configuration on an account');
