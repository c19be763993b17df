// Package apperr defines the error value every layer returns: the cloud's
// wire code, its HTTP status and a message for the user. Domain code builds
// these; the API layer encodes them into the cloud's error envelope.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a user-visible error with the cloud's wire code.
type Error struct {
	Status  int    // HTTP status, 4xx for anything a caller can cause
	Code    string // the cloud's code, e.g. "EntityNotExist.User"
	Message string
	// Denied carries the AccessDeniedDetail of an authorization failure.
	Denied *AccessDenied
	cause  error
}

// AccessDenied is the AccessDeniedDetail object of a NoPermission error.
type AccessDenied struct {
	AuthAction               string
	AuthPrincipalType        string
	AuthPrincipalOwnerId     string
	AuthPrincipalDisplayName string
	PolicyType               string
	NoPermissionType         string
	EncodedDiagnosticMessage string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap exposes the internal cause (never shown to callers).
func (e *Error) Unwrap() error { return e.cause }

// New builds an error with a formatted message.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadRequest is a 400 error.
func BadRequest(code, format string, args ...any) *Error {
	return New(http.StatusBadRequest, code, format, args...)
}

// NotFound is a 404 error.
func NotFound(code, format string, args ...any) *Error {
	return New(http.StatusNotFound, code, format, args...)
}

// Conflict is a 409 error.
func Conflict(code, format string, args ...any) *Error {
	return New(http.StatusConflict, code, format, args...)
}

// Forbidden is a 403 error.
func Forbidden(code, format string, args ...any) *Error {
	return New(http.StatusForbidden, code, format, args...)
}

// Internal wraps an unexpected failure. Its message never reveals the cause.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalError",
		Message: "The request processing has failed due to some unknown error.", cause: cause}
}

// As converts any error into an *Error, treating unknown errors as internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// InvalidParameter is the generic 400 for a malformed parameter.
func InvalidParameter(format string, args ...any) *Error {
	return BadRequest("InvalidParameter", format, args...)
}

// MissingParameter reports a required parameter that was not sent, as
// MissingParameter.<Name> (the binder's spelling too).
func MissingParameter(name string) *Error {
	return BadRequest("MissingParameter."+name, "The input parameter %q that is mandatory for processing this request is not supplied.", name)
}
