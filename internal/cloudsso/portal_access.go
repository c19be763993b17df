package cloudsso

import (
	"sort"

	"github.com/canopy-iam/canopy/internal/store"
)

// PortalAccess is one way in for a user of the portal: an account and an
// access configuration assigned to the user directly or through a group,
// with what entering needs (reference 8.3).
type PortalAccess struct {
	AccountID               string
	AccountName             string // the member's display name
	AccessConfigurationID   string
	AccessConfigurationName string
	SessionDuration         int    // seconds the console or CLI session lasts
	RelayState              string // first console page; "" = console home
	// RoleARN is the reserved role to assume in the account, and
	// SAMLProviderARN the federated principal its trust policy names.
	RoleARN         string
	SAMLProviderARN string
	// Provisioned is false while the configuration is not (or no longer)
	// provisioned in the account: there is no role to assume yet.
	Provisioned bool
	// Via names where the access comes from: "User" and/or group ids.
	Via []string
}

// PortalAccessFor lists, for a user of the directory, every (account,
// access configuration) pair assigned to the user or to a group the user
// belongs to, sorted by account then configuration name. A disabled user
// has none.
func (s *Service) PortalAccessFor(tx store.Tx, d *Directory, userID string) ([]PortalAccess, error) {
	u, _, err := userByID(tx, d, userID)
	if err != nil {
		return nil, err
	}
	out := []PortalAccess{}
	if u.Status != Enabled {
		return out, nil
	}
	groupIDs, err := s.GroupsOfUser(tx, d, u.ID)
	if err != nil {
		return nil, err
	}
	principals := append([]string{u.ID}, groupIDs...)
	byPair := map[string]*PortalAccess{}
	for _, pid := range principals {
		as, err := assignments.List(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, ""), Ref: pid})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			via := a.PrincipalID
			if a.PrincipalType == PrincipalUser {
				if a.PrincipalID != u.ID {
					continue
				}
				via = PrincipalUser
			}
			key := a.TargetID + "/" + a.AccessConfigurationID
			if pa, ok := byPair[key]; ok {
				pa.Via = append(pa.Via, via)
				continue
			}
			ac, _, err := accessConfigurationByID(tx, d, a.AccessConfigurationID)
			if codeNoAccessConfiguration.Is(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			tg, err := s.target(tx, d, TargetTypeAccount, a.TargetID)
			if codeNoTarget.Is(err) {
				continue // the account left the directory
			}
			if err != nil {
				return nil, err
			}
			provisioned, err := provisionings.Exists(tx, d.AccountID, provisioningKey(d, ac.ID, a.TargetID))
			if err != nil {
				return nil, err
			}
			byPair[key] = &PortalAccess{AccountID: a.TargetID, AccountName: tg.Name, AccessConfigurationID: ac.ID,
				AccessConfigurationName: ac.Name, SessionDuration: ac.SessionDuration, RelayState: ac.RelayState,
				RoleARN: ReservedRoleARN(a.TargetID, ac.Name), SAMLProviderARN: SAMLProviderARN(a.TargetID, d.ID),
				Provisioned: provisioned, Via: []string{via}}
		}
	}
	for _, pa := range byPair {
		out = append(out, *pa)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].AccountID != out[j].AccountID {
			return out[i].AccountID < out[j].AccountID
		}
		return lowerASCII(out[i].AccessConfigurationName) < lowerASCII(out[j].AccessConfigurationName)
	})
	return out, nil
}
