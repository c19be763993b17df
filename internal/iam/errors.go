package iam

import "github.com/canopy-iam/canopy/internal/apperr"

// The RAM and IMS wire codes, declared once with their kinds. RAM spells
// the not-found family EntityNotExist (no "s"), unlike Resource Directory,
// which declares its own.
var (
	entityNotExist      = apperr.Family{Kind: apperr.KindNotFound, Prefix: "EntityNotExist."}
	entityAlreadyExists = apperr.Family{Kind: apperr.KindConflict, Prefix: "EntityAlreadyExists."}
	deleteConflicts     = apperr.Family{Kind: apperr.KindConflict, Prefix: "DeleteConflict."}
	limitsExceeded      = apperr.Family{Kind: apperr.KindConflict, Prefix: "LimitExceeded."}
	invalidParameter    = apperr.Family{Kind: apperr.KindInvalid, Prefix: "InvalidParameter."}
	missingParameter    = apperr.Family{Kind: apperr.KindInvalid, Prefix: "MissingParameter."}

	codeMalformedPolicy = apperr.Code{Kind: apperr.KindInvalid, Name: "MalformedPolicyDocument"}
	// codeNoPermission refuses self-service the security preference
	// forbids (authorization builds its own NoPermission with the detail).
	codeNoPermission = apperr.Code{Kind: apperr.KindDenied, Name: "NoPermission"}
	// codeMFACodeFailed is the legacy RAM code for wrong MFA codes
	// (unverified; 403 as RAM's other authentication refusals).
	codeMFACodeFailed  = apperr.Code{Kind: apperr.KindDenied, Name: "CheckAuthenticationCodeFail"}
	codeNotSupportRoot = apperr.Code{Kind: apperr.KindInvalid, Name: "NotSupport.Account"}
	// codeReservedEntity refuses writes to the roles and policies CloudSSO
	// provisions (reserved.go; the cloud's code is unverified).
	codeReservedEntity = apperr.Code{Kind: apperr.KindDenied, Name: "NoPermission.ReservedEntity"}

	// Console logon refusals (signin.go): no API answers them, the
	// console shows them. codeSignInFailed is the same for every failed
	// password step, so it reveals no user.
	codeSignInFailed    = apperr.Code{Kind: apperr.KindDenied, Name: "InvalidCredentials"}
	codeLogonDisabled   = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.LoginProfileInactive"}
	codePasswordExpired = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.PasswordExpired"}
	codeNetworkRefused  = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.LoginNetworkMask"}
)

func notExist(entity, format string, args ...any) *apperr.Error {
	return entityNotExist.Of(entity).New(format, args...)
}

func alreadyExists(entity, format string, args ...any) *apperr.Error {
	return entityAlreadyExists.Of(entity).New(format, args...)
}

func deleteConflict(what, format string, args ...any) *apperr.Error {
	return deleteConflicts.Of(what).New(format, args...)
}

func limitExceeded(what, format string, args ...any) *apperr.Error {
	return limitsExceeded.Of(what).New(format, args...)
}

// invalid is InvalidParameter.<Param>[.<Problem>].
func invalid(param, problem, format string, args ...any) *apperr.Error {
	if problem != "" {
		param += "." + problem
	}
	return invalidParameter.Of(param).New(format, args...)
}

func userNotExist(name string) *apperr.Error {
	return notExist("User", "The user %q does not exist.", name)
}

func groupNotExist(name string) *apperr.Error {
	return notExist("Group", "The group %q does not exist.", name)
}

func roleNotExist(name string) *apperr.Error {
	return notExist("Role", "The role %q does not exist.", name)
}

func policyNotExist(policyType, name string) *apperr.Error {
	return notExist("Policy", "The %s policy %q does not exist.", policyType, name)
}

func malformedPolicy(err error) *apperr.Error {
	return codeMalformedPolicy.New("The policy document is malformed: %v", err)
}

// IsNoMFADevice reports the error of a user without a bound MFA device
// (EntityNotExist.User.MFADevice), which IMS answers as IsMFAEnable=false.
func IsNoMFADevice(err error) bool { return entityNotExist.Of("User.MFADevice").Is(err) }

// isNotExist reports a wire not-found error (EntityNotExist.*).
func isNotExist(err error) bool { return entityNotExist.Has(err) }
