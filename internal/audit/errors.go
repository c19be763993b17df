package audit

import "github.com/canopy-iam/canopy/internal/apperr"

// The wire codes of ActionTrail's LookupEvents, as the cloud spells them.
var (
	codeInvalidStartTime   = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameterStartTime"}
	codeInvalidEndTime     = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameterEndTime"}
	codeInvalidCombination = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameterCombination"}
	// CodeInvalidQuery is any other malformed LookupEvents parameter.
	CodeInvalidQuery = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidQueryParameter"}
)
