package cloudsso

import "github.com/canopy-iam/canopy/internal/apperr"

// The CloudSSO (cloudsso 2021-05-15) wire codes, declared once with their
// kinds. The not-found family is EntityNotExists (with an "s"), as RD's.
// HTTP statuses follow the reference's proposal (section 6.2): not found
// 404; already exists, deletion and operation conflicts 409; invalid and
// missing parameters and quotas 400; a caller that may not use CloudSSO
// at all 403. The codes the cloud was seen to send are marked "observed";
// the others are the reference's proposals or ours.
var (
	entityNotExists     = apperr.Family{Kind: apperr.KindNotFound, Prefix: "EntityNotExists."}
	entityAlreadyExists = apperr.Family{Kind: apperr.KindConflict, Prefix: "EntityAlreadyExists."}
	invalidParameter    = apperr.Family{Kind: apperr.KindInvalid, Prefix: "InvalidParameter."}
	missingParameter    = apperr.Family{Kind: apperr.KindInvalid, Prefix: "MissingParameter."}
	quotaExceeded       = apperr.Family{Kind: apperr.KindInvalid, Prefix: "QuotaExceeded."}
	deletionConflict    = apperr.Family{Kind: apperr.KindConflict, Prefix: "DeletionConflict."}

	// observed
	codeNoDirectory = entityNotExists.Of("Directory")
	codeNoUser      = entityNotExists.Of("User")
	codeNoGroup     = entityNotExists.Of("Group")
	// DeletionConflict.User.AccessAssigment and .Group.AccessAssigment
	// (sic, observed) are refused by the access-assignment files.

	// proposed or ours
	codeNoGroupMember = entityNotExists.Of("GroupMember")
	codeNoMFADevice   = entityNotExists.Of("MFADevice")

	codeDirectoryExists   = entityAlreadyExists.Of("Directory")
	codeDirectoryNameUsed = entityAlreadyExists.Of("DirectoryName")
	codeUserExists        = entityAlreadyExists.Of("User")
	codeUserEmailUsed     = entityAlreadyExists.Of("User.Email")
	codeGroupExists       = entityAlreadyExists.Of("Group")
	codeGroupMemberExists = entityAlreadyExists.Of("GroupMember")

	codeDirectoryNotEmpty = deletionConflict.Of("Directory")
	codeUserHasMFA        = deletionConflict.Of("User.MFADevice")
	codeUserInGroup       = deletionConflict.Of("User.Group")
	codeGroupHasUsers     = deletionConflict.Of("Group.User")

	codeUserQuota   = quotaExceeded.Of("User")
	codeGroupQuota  = quotaExceeded.Of("Group")
	codeDeviceQuota = quotaExceeded.Of("MFADevice")

	// A caller that is not the management account of a resource directory
	// cannot enable CloudSSO (the cloud's code is unverified).
	codeNotManagementAccount = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.NotManagementAccount"}
	// Directory calls before EnableService.
	codeServiceNotEnabled = apperr.Code{Kind: apperr.KindConflict, Name: "OperationConflict.ServiceNotEnabled"}
	// DisableService while a directory exists.
	codeServiceInUse = apperr.Code{Kind: apperr.KindConflict, Name: "OperationConflict.DirectoryExists"}
	// ResetUserPassword while SSO logon through an external IdP is on.
	codeSSOEnabled = apperr.Code{Kind: apperr.KindConflict, Name: "OperationConflict.SSOEnabled"}
)

// ---- Access configurations, assignments, provisioning and tasks
// (access*.go, assign*.go, provision*.go, task*.go). ----
var (
	// observed
	codeNoAccessConfiguration = entityNotExists.Of("AccessConfiguration")
	codeNoAccessAssignment    = entityNotExists.Of("AccessAssignment")
	codeNoProvisioning        = entityNotExists.Of("AccessConfigurationProvisioning")
	codeNoTask                = entityNotExists.Of("Task")
	codeACProvisioned         = deletionConflict.Of("AccessConfiguration.Provisioning")
	codeACAssigned            = deletionConflict.Of("AccessConfiguration.AccessAssignment")
	codeACTaskRunning         = deletionConflict.Of("AccessConfiguration.Task")
	codeProvisioningAssigned  = deletionConflict.Of("AccessConfigurationProvisioning.AccessAssignment")
	codeUserAssigned          = deletionConflict.Of("User.AccessAssigment")  // sic
	codeGroupAssigned         = deletionConflict.Of("Group.AccessAssigment") // sic
	codeTaskConflict          = apperr.Code{Kind: apperr.KindConflict, Name: "OperationConflict.Task"}

	// proposed by the reference, or ours
	codeNoSystemPolicy     = entityNotExists.Of("SystemPolicy")
	codeNoPermissionPolicy = entityNotExists.Of("PermissionPolicy")
	// A TargetId that is no member of the caller's resource directory.
	codeNoTarget           = entityNotExists.Of("Target")
	codeACExists           = entityAlreadyExists.Of("AccessConfiguration")
	codePolicyInACExists   = entityAlreadyExists.Of("PermissionPolicy")
	codeAssignmentExists   = entityAlreadyExists.Of("AccessAssignment")
	codeACHasPolicies      = deletionConflict.Of("AccessConfiguration.PermissionPolicy")
	codeACQuota            = quotaExceeded.Of("AccessConfiguration")
	codeSystemPolicyQuota  = quotaExceeded.Of("SystemPolicyPerAccessConfiguration")
	codeInlinePolicyQuota  = quotaExceeded.Of("InlinePolicyPerAccessConfiguration")
	codeBadInlinePolicy    = invalidParameter.Of("InlinePolicyDocument")
	codeInlinePolicyLength = invalidParameter.Of("InlinePolicyDocument.Length")
)

// ---- end of access configurations, assignments, provisioning and tasks ----

// ---- The user portal's sign-in (portal_signin.go, portal_mfa.go). ----
var (
	// One refusal for an unknown user, a wrong password and a locked
	// user, so the sign-in page enumerates nobody (RAM's code).
	codeSignInFailed = apperr.Code{Kind: apperr.KindDenied, Name: "InvalidCredentials"}
	// After a correct password only: the user is disabled.
	codeUserDisabled = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.UserDisabled"}
	// The source address is outside LoginNetworkMasks (RAM's code).
	codeNetworkRefused = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.LoginNetworkMask"}
	codeWrongMFACode   = invalidParameter.Of("AuthenticationCode")
	codeOldPassword    = invalidParameter.Of("OldPassword")
	// The portal hands out no CLI/SDK credentials unless
	// AllowUserToGetCredentials is on.
	codeCredentialsNotAllowed = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.GetCredentials"}
)

// ---- SCIM synchronization and its server credentials (scim.go). ----
var (
	// observed
	codeNoSCIMCredential = entityNotExists.Of("SCIMCredential")

	// ours: the cloud allows two credentials per directory
	codeSCIMCredentialQuota = quotaExceeded.Of("SCIMCredential")
)
