package console

import "github.com/canopy-iam/canopy/internal/apperr"

// The console's own refusals. Each one answers something no action
// decides (a page, a form's own field, a sign-in step that is not an API
// call); wherever an action is behind a page, the page shows that
// action's code, message and request id instead (a RAM page never checks
// a name, a type or a length the action checks itself).
var (
	// pageNotFound: a console URL that is no page (no action is involved).
	pageNotFound = apperr.Code{Kind: apperr.KindNotFound, Name: "PageNotFound"}
	// codeCSRF: a post without the session's token or from another
	// origin; it is refused before any action runs.
	codeCSRF = apperr.Code{Kind: apperr.KindDenied, Name: "Forbidden.CSRF"}
	// codeBadLogon, codeNoAccount, codeWrongMFA, codeNewPassword: the
	// sign-in pages' steps, which are console logons, not API actions.
	codeBadLogon    = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.LogonName"}
	codeNoAccount   = apperr.Code{Kind: apperr.KindNotFound, Name: "EntityNotExist.Account"}
	codeWrongMFA    = apperr.Code{Kind: apperr.KindDenied, Name: "InvalidParameter.AuthenticationCode"}
	codeNewPassword = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.NewPassword.Mismatch"}
	// codeNoOutbox: the development-mode Outbox page, which is no action.
	codeNoOutbox = apperr.Code{Kind: apperr.KindNotFound, Name: "Forbidden.DevelopmentModeOff"}
	// codeBadQuery: a form's own field no action reads: the Event Query's
	// date text, the Grant Permission panel's selection (1 to 5 policies,
	// "<type>:<name>" checkbox values), the batch bar's selection of users,
	// an empty custom password (UpdateLoginProfile without one would keep
	// the old password silently).
	codeBadQuery = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter"}
	// codeTooLarge: a form post over maxFormBytes, refused before any
	// action runs, with the code the RPC endpoint gives such a body.
	codeTooLarge = apperr.Code{Kind: apperr.KindTooLarge, Name: "RequestEntityTooLarge"}
	// codeAlreadySwitched: Log On while acting as a role (no chaining from the console).
	codeAlreadySwitched = apperr.Code{Kind: apperr.KindConflict, Name: "OperationConflict.RoleSessionActive"}
	// The Switch to Resource Account dialog's own checks (rd_switch.go):
	// its risk checkbox and verification code exist in the console only.
	codeRiskNotAccepted = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.RiskNotAccepted"}
	codeSwitchCode      = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidVerificationCode"}
	codeNoContact       = apperr.Code{Kind: apperr.KindConflict, Name: "MissingSecurityInfo"}
	// codeThrottled: a sign-in from an address that failed authentication
	// too often (on the API or here), with the API's code for the same.
	codeThrottled = apperr.Code{Kind: apperr.KindThrottled, Name: "Throttling"}
)
