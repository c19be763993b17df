package app

import "github.com/canopy-iam/canopy/internal/apperr"

// codeSessionAccountGone refuses the temporary credentials of a role whose
// account was deleted: the key names nothing that exists any more.
var codeSessionAccountGone = apperr.Code{Kind: apperr.KindNotFound, Name: "InvalidAccessKeyId.NotFound"}
