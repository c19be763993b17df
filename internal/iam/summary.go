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
	for _, c := range []struct {
		kind string
		dst  *int
	}{
		{kindUser, &out.Users}, {kindGroup, &out.Groups}, {kindRole, &out.Roles},
		{kindPolicy, &out.Policies}, {kindMFADevice, &out.MFADevices}, {kindMFABinding, &out.MFADevicesInUse},
	} {
		n, err := tx.Records().Count(store.Query{AccountID: accountID, Kind: c.kind})
		if err != nil {
			return nil, err
		}
		*c.dst = n
	}
	return &out, nil
}
