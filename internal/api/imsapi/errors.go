package imsapi

import "github.com/canopy-iam/canopy/internal/apperr"

// The IMS-only wire codes of the adapter (the use cases' codes are iam's).
var (
	codeInvalidMFAType           = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.Type"}
	codeInvalidVerificationTypes = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.VerificationTypes"}
)
