package console

import "github.com/canopy-iam/canopy/internal/apperr"

// The console's own refusals (the pages' errors; actions answer with their
// products' codes).
var (
	pageNotFound    = apperr.Code{Kind: apperr.KindNotFound, Name: "PageNotFound"}
	codeCSRF        = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.CSRF"}
	codeBadLogon    = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.LogonName"}
	codeNoAccount   = apperr.Code{Kind: apperr.KindNotFound, Name: "EntityNotExist.Account"}
	codeWrongMFA    = apperr.Code{Kind: apperr.KindDenied, Name: "InvalidParameter.AuthenticationCode"}
	codeNoOutbox    = apperr.Code{Kind: apperr.KindNotFound, Name: "Forbidden.DevelopmentModeOff"}
	codeBadQuery    = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter"}
	codeNewPassword = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.NewPassword.Mismatch"}
	// codeAlreadySwitched: Log On while acting as a role (no chaining from the console).
	codeAlreadySwitched = apperr.Code{Kind: apperr.KindConflict, Name: "OperationConflict.RoleSessionActive"}
	// The Switch to Resource Account dialog's own checks (rd_switch.go).
	codeRiskNotAccepted = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.RiskNotAccepted"}
	codeSwitchCode      = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidVerificationCode"}
	codeNoContact       = apperr.Code{Kind: apperr.KindConflict, Name: "MissingSecurityInfo"}
)
