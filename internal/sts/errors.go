package sts

import "github.com/canopy-iam/canopy/internal/apperr"

// The STS wire codes, declared once with their kinds (sts.md, signing.md).
var (
	invalidParameter   = apperr.Family{Kind: apperr.KindInvalid, Prefix: "InvalidParameter."}
	codeRoleNotExist   = apperr.Code{Kind: apperr.KindNotFound, Name: "EntityNotExist.Role"}
	codeNoPermission   = apperr.Code{Kind: apperr.KindDenied, Name: "NoPermission"}
	codeTokenMalformed = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidSecurityToken.Malformed"}
	codeTokenMismatch  = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidSecurityToken.MismatchWithAccessKey"}
	codeTokenExpired   = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidSecurityToken.Expired"}
	codeMissingToken   = apperr.Code{Kind: apperr.KindInvalid, Name: "MissingSecurityToken"}
)
