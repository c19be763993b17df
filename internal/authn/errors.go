package authn

import "github.com/canopy-iam/canopy/internal/apperr"

// The wire codes of authentication, as the cloud spells them.
var (
	codeIncompleteSignature    = apperr.Code{Kind: apperr.KindInvalid, Name: "IncompleteSignature"}
	codeSignatureDoesNotMatch  = apperr.Code{Kind: apperr.KindInvalid, Name: "SignatureDoesNotMatch"}
	codeSignatureMethod        = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidSignatureMethod"}
	codeSignatureVersion       = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.SignatureVersion"}
	codeTimestampFormat        = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidTimeStamp.Format"}
	codeTimestampExpired       = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidTimeStamp.Expired"}
	codeNonceUsed              = apperr.Code{Kind: apperr.KindInvalid, Name: "SignatureNonceUsed"}
	codeKeyNotFound            = apperr.Code{Kind: apperr.KindNotFound, Name: "InvalidAccessKeyId.NotFound"}
	codeKeyInactive            = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidAccessKeyId.Inactive"}
	codeMissingSecurityToken   = apperr.Code{Kind: apperr.KindInvalid, Name: "MissingSecurityToken"}
	codeSecurityTokenMalformed = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidSecurityToken.Malformed"}
)
