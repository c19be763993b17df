package directory

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Enabling a directory with a new management account
// (SendVerificationCodeForEnableRD, then EnableResourceDirectory with
// EnableMode=NewManagementAccount). As the cloud documents it: a brand-new
// account <prefix>@rdadmin.aliyunid.com is created with the caller's
// enterprise verification (legal entity) and the verified phone as its
// security phone; it becomes the management account of the new directory,
// and the calling account becomes a member of it (a cloud account that
// only the new management account can remove).
//
// The new account is a cloud account without a password: like a resource
// account switched to a cloud account, its owner would set one through
// password recovery with the security phone, which Canopy does not have
// yet. Its way in is a RAM role, ManagementAccessRoleName, created in the
// new account with AdministratorAccess and trusting the calling account:
// the caller's RAM identities that may sts:AssumeRole use it to set up the
// new account's own administrators, after which they should delete it.

// ManagementDomain is the domain of new management accounts' names.
const ManagementDomain = "rdadmin.aliyunid.com"

// ManagementAccessRoleName is the role in a new management account that
// the account which created it assumes to get in.
const ManagementAccessRoleName = "ResourceDirectoryManagementAccessRole"

// SendEnableCode sends the code EnableResourceDirectory in
// NewManagementAccount mode checks, to phone ("" = the caller's security
// phone); it returns when the code expires.
func (s *Service) SendEnableCode(tx store.Tx, accountID, phone string, now time.Time) (time.Time, error) {
	if phone != "" {
		if err := checkPhone("SecureMobilePhone", phone, func(msg string) error { return invalid("SecureMobilePhone", "%s", msg) }); err != nil {
			return time.Time{}, err
		}
	}
	caller, err := tx.Accounts().Get(accountID)
	if err != nil {
		return time.Time{}, err
	}
	if err := notInDirectory(tx, accountID); err != nil {
		return time.Time{}, err
	}
	if phone == "" {
		if phone = caller.Mobile; phone == "" {
			return time.Time{}, codeMissingMobile.New("The account has no security phone: give SecureMobilePhone.")
		}
	}
	return s.sendCode(tx, accountID, purposeEnableRD, phone, "to enable a resource directory with a new management account", now)
}

// managementName returns the login name MAName asks for: a full
// <prefix>@rdadmin.aliyunid.com or the prefix alone, lower-cased.
func managementName(maName string) (string, error) {
	if maName == "" {
		return "", missing("MAName")
	}
	prefix, domain, hasDomain := strings.Cut(maName, "@")
	if hasDomain && !strings.EqualFold(domain, ManagementDomain) {
		return "", codeManagementName.New("The MAName %q must end with @%s.", clip(maName), ManagementDomain)
	}
	if len(prefix) < 2 || len(prefix) > 50 {
		return "", codeManagementName.New("The prefix of MAName must be 2 to 50 characters; got %d.", len(prefix))
	}
	if problem := loginPrefixProblem(prefix); problem != "" {
		return "", codeManagementName.New("The prefix of MAName %q %s.", clip(prefix), problem)
	}
	return strings.ToLower(prefix + "@" + ManagementDomain), nil
}

func (s *Service) enableNewManagementAccount(tx store.Tx, accountID string, req EnableRequest, now time.Time) (*Directory, error) {
	name, err := managementName(req.MAName)
	if err != nil {
		return nil, err
	}
	phone := req.MASecureMobilePhone
	if phone != "" {
		if err := checkPhone("MASecureMobilePhone", phone, func(msg string) error { return codeManagementSecurity.New("%s", msg) }); err != nil {
			return nil, err
		}
	}
	if req.VerificationCode == "" {
		return nil, missing("VerificationCode")
	}
	caller, err := tx.Accounts().Get(accountID)
	if err != nil {
		return nil, err
	}
	if err := notInDirectory(tx, accountID); err != nil {
		return nil, err
	}
	if phone == "" {
		if phone = caller.Mobile; phone == "" {
			return nil, codeMissingMobile.New("The account has no security phone: give MASecureMobilePhone.")
		}
	}
	if _, err := tx.Accounts().GetByEmail(name); err == nil {
		return nil, codeManagementNameUsed.New("The name %s is already used by another account.", name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	// Last check, as a wrong code is committed (counted) when refused.
	if err := s.checkCode(tx, accountID, purposeEnableRD, phone, req.VerificationCode, now); err != nil {
		return nil, err
	}
	ma := store.Account{ID: model.NewAccountID(), Email: name, RealName: caller.RealName, Mobile: phone,
		Type: accounts.TypeCloudAccount, Status: accounts.StatusActive, Created: now, Updated: now}
	if err := tx.Accounts().Insert(ma); err != nil {
		return nil, err // a clash of random 16-digit ids (the name is free): the caller may retry
	}
	d, err := s.enable(tx, ma, now)
	if err != nil {
		return nil, err
	}
	if err := s.admitCreator(tx, d, caller, now); err != nil {
		return nil, err
	}
	if err := s.grantManagementAccess(tx, ma.ID, caller.ID, now); err != nil {
		return nil, err
	}
	return d, nil
}

// admitCreator makes the calling account a member of the directory its new
// management account manages, as an invited cloud account would join.
func (s *Service) admitCreator(tx store.Tx, d *Directory, caller store.Account, now time.Time) error {
	_, drec, err := managed(tx, d.MasterAccountID)
	if err != nil {
		return err
	}
	return s.joinCloudAccount(tx, d, drec, caller, nil, now)
}

// grantManagementAccess writes, in the new management account, the role
// the creating account assumes to get in (see the top of this file).
func (s *Service) grantManagementAccess(tx store.Tx, managementID, creatorID string, now time.Time) error {
	_, err := s.iam.CreateRole(tx, managementID, iam.NewRole{Name: ManagementAccessRoleName, TrustPolicy: accessRoleTrust(creatorID),
		Description: "Access from the account that created this management account; delete it once the account has administrators of its own."}, now)
	if err != nil {
		return err
	}
	return s.iam.AttachPolicy(tx, managementID, iam.PrincipalRole, ManagementAccessRoleName, iam.PolicyTypeSystem, accessRolePolicy, now)
}
