package authz

import "github.com/canopy-iam/canopy/internal/apperr"

// codeNoPermission is every product's refusal by policy (403, with
// AccessDeniedDetail).
var codeNoPermission = apperr.Code{Kind: apperr.KindDenied, Name: "NoPermission"}
