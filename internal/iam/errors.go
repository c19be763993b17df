package iam

import (
	"errors"
	"strings"

	"github.com/canopy-iam/canopy/internal/apperr"
)

// The helpers below build the cloud's RAM error codes. RAM spells the
// not-found family EntityNotExist (no "s"), unlike Resource Directory.

func notExist(entity, format string, args ...any) *apperr.Error {
	return apperr.NotFound("EntityNotExist."+entity, format, args...)
}

func alreadyExists(entity, format string, args ...any) *apperr.Error {
	return apperr.Conflict("EntityAlreadyExists."+entity, format, args...)
}

func deleteConflict(what, format string, args ...any) *apperr.Error {
	return apperr.Conflict("DeleteConflict."+what, format, args...)
}

func limitExceeded(what, format string, args ...any) *apperr.Error {
	return apperr.Conflict("LimitExceeded."+what, format, args...)
}

func invalid(param, problem, format string, args ...any) *apperr.Error {
	code := "InvalidParameter." + param
	if problem != "" {
		code += "." + problem
	}
	return apperr.BadRequest(code, format, args...)
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
	return apperr.BadRequest("MalformedPolicyDocument", "The policy document is malformed: %v", err)
}

// isNotExist reports a wire not-found error (EntityNotExist.*).
func isNotExist(err error) bool {
	var e *apperr.Error
	return errors.As(err, &e) && strings.HasPrefix(e.Code, "EntityNotExist.")
}
