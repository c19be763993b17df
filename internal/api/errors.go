package api

import "github.com/canopy-iam/canopy/internal/apperr"

// The wire codes of the endpoint itself (routing, reading the request).
var (
	codeInvalidVersion = apperr.Code{Kind: apperr.KindNotFound, Name: "InvalidVersion"}
	codeUnknownAction  = apperr.Code{Kind: apperr.KindNotFound, Name: "InvalidAction.NotFound"}
	codeMethod         = apperr.Code{Kind: apperr.KindMethodNotAllowed, Name: "UnsupportedHTTPMethod"}
	codeTooLarge       = apperr.Code{Kind: apperr.KindTooLarge, Name: "RequestEntityTooLarge"}
	codeUnreadable     = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidRequest"}
	// invalidParameter is InvalidParameter.<Name>, the binder's code for a
	// value of the wrong type.
	invalidParameter = apperr.Family{Kind: apperr.KindInvalid, Prefix: "InvalidParameter."}
)
