package cloudsso

import "github.com/canopy-iam/canopy/internal/store"

// The record kinds of access configurations, assignments, provisionings
// and tasks (migration 0014), all in the management account, under the
// directory id like the rest of the directory.
var (
	accessConfigs = store.Collection[AccessConfiguration]{Kind: "sso-access-configuration",
		Key: "directory id/lower(configuration name)", Ref: "configuration id"}
	assignments = store.Collection[Assignment]{Kind: "sso-access-assignment",
		Key: "directory id/configuration id/target id/principal type/principal id", Ref: "principal id"}
	provisionings = store.Collection[Provisioning]{Kind: "sso-provisioning",
		Key: "directory id/configuration id/target id", Ref: "target id"}
	tasks     = store.Collection[Task]{Kind: "sso-task", Key: "directory id/start time/task id", Ref: "task id"}
	taskLocks = store.Collection[taskLock]{Kind: "sso-task-lock", Key: "directory id/configuration id/target id"}
)
