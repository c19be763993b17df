package signature

import (
	"errors"
	"strconv"
)

// Sentinel errors. Callers test them with errors.Is; the concrete values
// returned are often *ParamError or *MismatchError wrapping one of these.
var (
	// ErrDuplicateParameter: a name occurs twice in one source, or in both
	// the query and the form body. "Last one wins" would let a proxy and
	// this server disagree on the value, so duplicates are always rejected.
	ErrDuplicateParameter = errors.New("duplicate parameter")
	// ErrMalformedEncoding: a '%' not followed by two hex digits.
	ErrMalformedEncoding = errors.New("malformed percent-encoding")
	// ErrInvalidUTF8: a name or value is not valid UTF-8 once decoded
	// (this includes overlong forms and encoded surrogates).
	ErrInvalidUTF8 = errors.New("parameter is not valid UTF-8")
	// ErrEmptyKey: a segment such as "=value" that has no name.
	ErrEmptyKey = errors.New("empty parameter name")
	// ErrControlCharacter: a control character (C0, DEL or C1) in a name,
	// or a NUL byte in a value.
	ErrControlCharacter = errors.New("control character in parameter")
	// ErrTooManyParameters: more than MaxParameters parameters.
	ErrTooManyParameters = errors.New("too many parameters")

	// ErrSignatureMismatch: the recomputed signature differs from the one
	// sent. The concrete error is a *MismatchError.
	ErrSignatureMismatch = errors.New("signature does not match")

	// ErrMalformedAuthorization: the V3 Authorization header does not have
	// the exact shape the SDKs produce.
	ErrMalformedAuthorization = errors.New("malformed Authorization header")
	// ErrUnsupportedAlgorithm: an ACS3 algorithm other than ACS3-HMAC-SHA256
	// (ACS3-HMAC-SM3, ACS3-RSA-SHA256, ...).
	ErrUnsupportedAlgorithm = errors.New("unsupported signature algorithm")
	// ErrIncompleteSignature: a V3 request does not sign all of host,
	// x-acs-action, x-acs-content-sha256, x-acs-date, x-acs-signature-nonce
	// and x-acs-version.
	ErrIncompleteSignature = errors.New("incomplete signature: a required header is not signed")
	// ErrPayloadHashMismatch: x-acs-content-sha256 is not the SHA-256 of the
	// body that arrived.
	ErrPayloadHashMismatch = errors.New("x-acs-content-sha256 does not match the request body")
)

// maxKeyInMessage bounds how much of an attacker-supplied name is echoed in
// an error message.
const maxKeyInMessage = 64

// ParamError reports a parsing failure and the parameter it concerns.
type ParamError struct {
	Err error  // one of the parameter sentinels above
	Key string // decoded name when known, otherwise the raw (still encoded) text
}

func (e *ParamError) Error() string {
	if e.Key == "" {
		return e.Err.Error()
	}
	key := e.Key
	if len(key) > maxKeyInMessage {
		key = key[:maxKeyInMessage] + "..."
	}
	return e.Err.Error() + ": " + strconv.Quote(key)
}

func (e *ParamError) Unwrap() error { return e.Err }

// MismatchError is returned when a signature does not verify. It carries what
// the server signed so the caller can build the diagnostic message the classic
// SDK understands ("... server string to sign is:<StringToSign>").
type MismatchError struct {
	StringToSign string
	// CanonicalRequest is the V3 canonical request; empty for V1.
	CanonicalRequest string
}

func (e *MismatchError) Error() string { return ErrSignatureMismatch.Error() }

func (e *MismatchError) Unwrap() error { return ErrSignatureMismatch }
