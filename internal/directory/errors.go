package directory

import "github.com/canopy-iam/canopy/internal/apperr"

// The Resource Directory wire codes (ResourceManager 2020-03-31), declared
// once with their kinds. The directory spells its not-found family
// EntityNotExists (with an "s"), unlike RAM. Almost every business rule is
// a 409; a duplicate folder name is documented as 400.
var (
	entityNotExists  = apperr.Family{Kind: apperr.KindNotFound, Prefix: "EntityNotExists."}
	invalidParameter = apperr.Family{Kind: apperr.KindInvalid, Prefix: "InvalidParameter."}
	missingParameter = apperr.Family{Kind: apperr.KindInvalid, Prefix: "MissingParameter."}

	codeNotInUse            = apperr.Code{Kind: apperr.KindNotFound, Name: "ResourceDirectoryNotInUse"}
	codeDirectoryGone       = apperr.Code{Kind: apperr.KindNotFound, Name: "SpecifiedResourceDirectoryNotExists"}
	codeAlreadyHasDirectory = apperr.Code{Kind: apperr.KindConflict, Name: "EntityAlreadyExists.ResourceDirectory"}
	codeInAnotherDirectory  = apperr.Code{Kind: apperr.KindConflict, Name: "NotSupport.AccountInAnotherResourceDirectory"}
	codeDirectoryNotEmpty   = apperr.Code{Kind: apperr.KindConflict, Name: "DeleteConflict.ResourceDirectory.Account"}
	codeMemberAccessDenied  = apperr.Code{Kind: apperr.KindDenied, Name: "MemberAccountAccessDenied"}

	codeFolderNameUsed     = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.Folder.Name.AlreadyUsed"}
	codeFolderDepth        = apperr.Code{Kind: apperr.KindConflict, Name: "LimitExceeded.Folder.Depth"}
	codeFolderQuota        = apperr.Code{Kind: apperr.KindConflict, Name: "QuotaExceeded.Folder.Count"}
	codeFolderHasFolders   = apperr.Code{Kind: apperr.KindConflict, Name: "DeleteConflict.Folder.SubFolder"}
	codeFolderHasAccounts  = apperr.Code{Kind: apperr.KindConflict, Name: "DeleteConflict.Folder.Account"}
	codeMemberQuota        = apperr.Code{Kind: apperr.KindConflict, Name: "LimitExceeded.Account"}
	codeDisplayNameUsed    = apperr.Code{Kind: apperr.KindConflict, Name: "InvalidParameter.Account.DisplayName.AlreadyUsed"}
	codeAccountNameUsed    = apperr.Code{Kind: apperr.KindConflict, Name: "EntityAlreadyExists.ResourceDirectory.Account"}
	codePayerNotMember     = apperr.Code{Kind: apperr.KindConflict, Name: "NotSupport.PayerAccountInAnotherResourceDirectory"}
	codeTypeOrStatus       = apperr.Code{Kind: apperr.KindConflict, Name: "AccountTypeOrStatusMismatch"}
	codeNameOrTypeMissing  = apperr.Code{Kind: apperr.KindConflict, Name: "MissingDisplayNameOrAccountType"}
	codeTypeMismatch       = apperr.Code{Kind: apperr.KindConflict, Name: "AccountTypeMismatch"}
	codeLegalEntity        = apperr.Code{Kind: apperr.KindConflict, Name: "LegalEntityDifferent"}
	codeLegalEntityInvite  = apperr.Code{Kind: apperr.KindConflict, Name: "LegalEntityMismatch"}
	codeCallerIdentity     = apperr.Code{Kind: apperr.KindConflict, Name: "CallerIdentityError"}
	codeCallerIdentityDel  = apperr.Code{Kind: apperr.KindConflict, Name: "CallerIdentityError.DeleteAccount"}
	codeMissingSecurity    = apperr.Code{Kind: apperr.KindConflict, Name: "MissingSecurityInfo"}
	codePrimaryAkInUse     = apperr.Code{Kind: apperr.KindConflict, Name: "PrimaryAkInUse"}
	codeBadVerification    = apperr.Code{Kind: apperr.KindConflict, Name: "Invalid.VerificationCode"}
	codeMobileExists       = apperr.Code{Kind: apperr.KindConflict, Name: "AccountSecureMobileAlreadyExists"}
	codeMobileCountry      = apperr.Code{Kind: apperr.KindConflict, Name: "InvalidParameter.MobileCountryCode"}
	codeCodesPerDay        = apperr.Code{Kind: apperr.KindConflict, Name: "SendValidateCodeExceedsLimitForAccount"}
	codeFrequency          = apperr.Code{Kind: apperr.KindConflict, Name: "LimitExceeded.Frequency"}
	codeEmailUsed          = apperr.Code{Kind: apperr.KindConflict, Name: "InvalidParameter.Email.AlreadyUsed"}
	codeHandshakeExists    = apperr.Code{Kind: apperr.KindConflict, Name: "EntityAlreadyExists.Handshake"}
	codeHandshakeStatus    = apperr.Code{Kind: apperr.KindConflict, Name: "HandshakeStatusMismatch"}
	codeInvitationRate     = apperr.Code{Kind: apperr.KindConflict, Name: "LimitExceeded.InvitationRate"}
	codeNoDeletionLicense  = apperr.Code{Kind: apperr.KindConflict, Name: "NoLicense.ResourceDirectory"}
	codeMemberTypeDelete   = apperr.Code{Kind: apperr.KindConflict, Name: "MemberTypeError.DeleteAccount"}
	codeDeleting           = apperr.Code{Kind: apperr.KindConflict, Name: "NotSupportedOperation.DeletingAccount"}
	codeChecking           = apperr.Code{Kind: apperr.KindConflict, Name: "NotSupportedOperation.CheckingAccount"}
	codeNoCheck            = apperr.Code{Kind: apperr.KindConflict, Name: "EntityNotExists.CheckAccount"}
	codeAccountGoneDelete  = apperr.Code{Kind: apperr.KindConflict, Name: "AccountNotExist.DeleteAccount"}
	codeHasPayer           = apperr.Code{Kind: apperr.KindConflict, Name: "NotSupport.HasPayerAccount"}
	codeMissingMobile      = apperr.Code{Kind: apperr.KindConflict, Name: "MissingSecureMobilePhone"}
	codeManagementNameUsed = apperr.Code{Kind: apperr.KindConflict, Name: "InvalidParameter.ManagementAccountName.AlreadyUsed"}
	codeManagementName     = apperr.Code{Kind: apperr.KindConflict, Name: "InvalidParameter.ManagementAccountName"}
	codeManagementSecurity = apperr.Code{Kind: apperr.KindConflict, Name: "InvalidParameter.ManagementAccountSecurityInfo"}
)

// notExists is EntityNotExists.<Entity>.
func notExists(entity, format string, args ...any) error {
	return entityNotExists.Of(entity).New(format, args...)
}

// invalid is InvalidParameter.<Param>.
func invalid(param, format string, args ...any) error {
	return invalidParameter.Of(param).New(format, args...)
}

// missing is MissingParameter.<Param>.
func missing(param string) error {
	return missingParameter.Of(param).New("The parameter %s is required.", param)
}

func noDirectory() error {
	return notExists("ResourceDirectory", "The account has no resource directory enabled: enable one with EnableResourceDirectory, or call as the management account.")
}

func folderNotExists(id string) error {
	return notExists("Folder", "The folder %q does not exist in the resource directory.", id)
}

func accountNotExists(id string) error {
	return notExists("Account", "The account %q is not a member of the resource directory.", id)
}

// ramIdentityOnly is the refusal of the management account's root user
// where the cloud wants a RAM identity, saying what to use instead.
func ramIdentityOnly(code apperr.Code, what string) error {
	return code.New("The root user of the management account cannot %s: use a RAM user or role of the management account with AliyunResourceDirectoryFullAccess (and AliyunSTSAssumeRoleAccess to log on to members).", what)
}

// codeDirectoryHasFolders refuses destroying a directory that still has
// folders besides Root (the reference documents only the members' code;
// this one follows its pattern, unverified).
var codeDirectoryHasFolders = apperr.Code{Kind: apperr.KindConflict, Name: "DeleteConflict.ResourceDirectory.Folder"}

// Invitations.
var (
	codeAlreadyMember   = apperr.Code{Kind: apperr.KindConflict, Name: "EntityAlreadyExists.ResourceDir.Account"}
	codeInvalidAccount  = apperr.Code{Kind: apperr.KindConflict, Name: "Invalid.AccountType"}
	codeNoteLength      = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.Note.Length"}
	codeTargetEntity    = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.TargetEntity"}
	codeTargetType      = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.TargetType"}
	codeHandshakeFormat = apperr.Code{Kind: apperr.KindInvalid, Name: "InvalidParameter.HandshakeId"}
)

func handshakeNotExists(id string) error {
	return notExists("Handshake", "The invitation %q does not exist or is not addressed to or sent by this account.", clip(id))
}
