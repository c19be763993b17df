package accounts

import "github.com/canopy-iam/canopy/internal/apperr"

// The wire codes of account creation, declared once with their kinds.
var (
	codeEmailFormat    = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.Email.Format"}
	codeRealNameLength = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.RealName.Length"}
	codeMobileFormat   = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.MobilePhone.Format"}
	codeWeakPassword   = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.Password.TooWeak"}
	codeAccountExists  = apperr.Code{Kind: apperr.KindConflict, Name: "EntityAlreadyExists.Account"}
)

// codeSignInRefused is Canopy's one answer to a refused root sign-in
// (RootSignIn): the console page is not part of the cloud's API, and a
// single code keeps it from telling why.
var codeSignInRefused = apperr.Code{Kind: apperr.KindDenied, Name: "InvalidCredentials"}
