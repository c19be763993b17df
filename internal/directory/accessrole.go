package directory

import (
	"errors"
	"time"

	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// AccessRoleName is the role every member gets, trusted by the management
// account: administrators reach a member by assuming it, never with the
// member's root credentials.
const AccessRoleName = "ResourceDirectoryAccountAccessRole"

// accessRolePolicy is what the access role may do in the member (the
// cloud's documented choice for the role the directory creates).
const accessRolePolicy = "AdministratorAccess"

// accessRoleTrust trusts every RAM identity of the management account
// (its root user is refused by STS anyway).
func accessRoleTrust(managementAccountID string) string {
	return `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["` +
		model.RootARN(managementAccountID) + `"]}}],"Version":"1"}`
}

// grantAccessRole writes, in the member's account, the access role trusted
// by the management account with AdministratorAccess attached. A member
// that already has a role of that name (an invited account that made one
// itself) keeps it untouched: Canopy never widens a trust policy an account
// wrote.
func (s *Service) grantAccessRole(tx store.Tx, memberAccountID, managementAccountID string, now time.Time) error {
	if _, err := s.iam.FindRole(tx, memberAccountID, AccessRoleName); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err := s.iam.CreateRole(tx, memberAccountID, iam.NewRole{Name: AccessRoleName, TrustPolicy: accessRoleTrust(managementAccountID),
		Description: "Access from the management account of the resource directory."}, now)
	if err != nil {
		return err
	}
	return s.iam.AttachPolicy(tx, memberAccountID, iam.PrincipalRole, AccessRoleName, iam.PolicyTypeSystem, accessRolePolicy, now)
}

// revokeAccessRole removes, in the member's account, the access role and
// its policy attachments (a cloud account that leaves the directory).
func (s *Service) revokeAccessRole(tx store.Tx, memberAccountID string) error {
	if _, err := s.iam.FindRole(tx, memberAccountID, AccessRoleName); errors.Is(err, store.ErrNotFound) {
		return nil // never created, or removed by the member itself
	} else if err != nil {
		return err
	}
	attached, err := s.iam.ListPoliciesFor(tx, memberAccountID, iam.PrincipalRole, AccessRoleName)
	if err != nil {
		return err
	}
	for _, p := range attached {
		if err := s.iam.DetachPolicy(tx, memberAccountID, iam.PrincipalRole, AccessRoleName, p.Type, p.Name); err != nil {
			return err
		}
	}
	return s.iam.DeleteRole(tx, memberAccountID, AccessRoleName)
}
