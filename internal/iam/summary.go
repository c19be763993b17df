package iam

import (
	"github.com/canopy-iam/canopy/internal/store"
)

// AccountSummary counts an account's RAM entities next to their quotas.
type AccountSummary struct {
	Users, Groups, Roles, Policies int
	MFADevices, MFADevicesInUse    int
}

// GetAccountSummary counts the account's users, groups, roles, custom
// policies and MFA devices.
func (s *Service) GetAccountSummary(tx store.Tx, accountID string) (*AccountSummary, error) {
	var out AccountSummary
	q := store.Query{AccountID: accountID}
	for _, c := range []struct {
		count func(store.Tx, store.Query) (int, error)
		dst   *int
	}{
		{users.Count, &out.Users}, {groups.Count, &out.Groups}, {roles.Count, &out.Roles},
		{customPolicies.Count, &out.Policies}, {mfaDevices.Count, &out.MFADevices}, {mfaBindings.Count, &out.MFADevicesInUse},
	} {
		n, err := c.count(tx, q)
		if err != nil {
			return nil, err
		}
		*c.dst = n
	}
	return &out, nil
}
