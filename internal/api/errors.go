package api

import (
	"errors"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/store"
)

// The wire codes of the endpoint itself (routing, reading the request).
var (
	codeInvalidVersion = apperr.Code{Kind: apperr.KindNotFound, Name: "InvalidVersion"}
	codeUnknownAction  = apperr.Code{Kind: apperr.KindNotFound, Name: "InvalidAction.NotFound"}
	codeMethod         = apperr.Code{Kind: apperr.KindMethodNotAllowed, Name: "UnsupportedHTTPMethod"}
	codeTooLarge       = apperr.Code{Kind: apperr.KindTooLarge, Name: "RequestEntityTooLarge"}
	codeUnreadable     = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidRequest"}
	// codeUnavailable is the retryable 503 of a store that cannot write.
	codeUnavailable = apperr.Code{Kind: apperr.KindUnavailable, Name: "ServiceUnavailable"}
	// codeThrottled refuses a source address that failed authentication
	// too often (the cloud's plain Throttling, 400).
	codeThrottled = apperr.Code{Kind: apperr.KindThrottled, Name: "Throttling"}
	// invalidParameter is InvalidParameter.<Name>, the binder's code for a
	// value of the wrong type.
	invalidParameter = apperr.Family{Kind: apperr.KindInvalid, Prefix: "InvalidParameter."}
)

// storageError is err as the caller's error: a full store is the
// retryable 503 that names storage, anything unknown an internal error.
func storageError(err error) *apperr.Error {
	if errors.Is(err, store.ErrStorageFull) && !apperr.Is(err, apperr.KindUnavailable) {
		return codeUnavailable.Wrap(err, "The service is temporarily unavailable: its storage is full. Retry later.")
	}
	return apperr.As(err)
}
