// Package apperr defines the error value every layer returns: the cloud's
// wire code, a Kind that says what sort of failure it is, and a message for
// the user. Domain code builds these; the edge (internal/api) maps each Kind
// to an HTTP status in one table and encodes the cloud's error envelope. The
// package knows nothing of HTTP, so domain packages that use it do not
// either.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the edge. Each kind has one HTTP status
// (internal/api), whatever the product: a code's status is part of the
// cloud's contract, and each package's catalogue (its errors.go) fixes it by
// declaring the code with its kind, once.
type Kind uint8

const (
	// KindInternal is an unexpected failure (500); its cause is never shown.
	KindInternal Kind = iota
	// KindInvalid: the request is malformed or breaks a rule (400).
	KindInvalid
	// KindDenied: the caller is not allowed (403).
	KindDenied
	// KindNotFound: the addressed entity does not exist (404).
	KindNotFound
	// KindMethodNotAllowed: the HTTP method is not supported (405).
	KindMethodNotAllowed
	// KindConflict: the state of an entity forbids the call (409).
	KindConflict
	// KindTooLarge: the request body is too large (413).
	KindTooLarge
	// KindThrottled: too many requests; the cloud answers these with 400.
	KindThrottled
	// KindUnavailable: a dependency (storage) cannot serve now; retryable (503).
	KindUnavailable
)

// Error is a user-visible error with the cloud's wire code.
type Error struct {
	Kind    Kind
	Code    string // the cloud's code, e.g. "EntityNotExist.User"
	Message string
	// Denied carries the AccessDeniedDetail of an authorization failure.
	Denied *AccessDenied
	// Diagnostic is appended to Message in the answer to the caller only:
	// it may echo what the caller sent, secrets included (the server's
	// string to sign of a SignatureDoesNotMatch), so it is never audited
	// or logged.
	Diagnostic string
	cause      error
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

// Code is one wire code with its kind, declared once in a package's
// catalogue (errors.go) and used wherever the package fails that way.
type Code struct {
	Kind Kind
	Name string // the cloud's spelling, even its typos
}

// New builds an error with this code and a formatted message.
func (c Code) New(format string, args ...any) *Error { return New(c.Kind, c.Name, format, args...) }

// Wrap builds an error with this code whose internal cause (logged, never
// shown) is cause.
func (c Code) Wrap(cause error, format string, args ...any) *Error {
	e := c.New(format, args...)
	e.cause = cause
	return e
}

// Is reports whether err carries this code.
func (c Code) Is(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c.Name
}

// Family is a group of codes that share a prefix and a kind, such as
// InvalidParameter.<Name> or EntityNotExist.<Entity>.
type Family struct {
	Kind   Kind
	Prefix string // e.g. "EntityNotExist."
}

// Of is the member of the family for one suffix (a parameter, an entity).
func (f Family) Of(suffix string) Code { return Code{Kind: f.Kind, Name: f.Prefix + suffix} }

// Has reports whether err's code belongs to the family.
func (f Family) Has(err error) bool {
	var e *Error
	return errors.As(err, &e) && len(e.Code) > len(f.Prefix) && e.Code[:len(f.Prefix)] == f.Prefix
}

// New builds an error of a kind with a formatted message.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure. Its message never reveals the cause.
func Internal(cause error) *Error {
	return &Error{Kind: KindInternal, Code: "InternalError",
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

// Is reports whether err is an *Error of the given kind.
func Is(err error, kind Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

// The codes every product shares.
var (
	codeInvalidParameter = Code{Kind: KindInvalid, Name: "InvalidParameter"}
	missingParameter     = Family{Kind: KindInvalid, Prefix: "MissingParameter."}
)

// InvalidParameter is the generic 400 for a malformed parameter.
func InvalidParameter(format string, args ...any) *Error {
	return codeInvalidParameter.New(format, args...)
}

// MissingParameter reports a required parameter that was not sent, as
// MissingParameter.<Name> (the binder's spelling too).
func MissingParameter(name string) *Error {
	return missingParameter.Of(name).New("The input parameter %q that is mandatory for processing this request is not supplied.", name)
}
