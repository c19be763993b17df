package iam

import (
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// IdentityPolicies returns the default-version documents of the policies
// attached to a RAM user and to its groups. Each Key names the document's
// exact content: a system policy never changes ("System/<name>/v1"); a
// custom version never changes either, and the key carries the policy's
// internal id so a policy deleted and created again under the same name
// gets new keys. A user that no longer exists has no policies, and
// neither has a principal whose UserId is not the id of the user now
// holding its name: like a role session (rolePoliciesByID), the principal
// of a deleted user never inherits what a new user of that name is given.
func (s *Service) IdentityPolicies(tx store.Tx, p *model.Principal) ([]policy.Doc, error) {
	if p.Kind != model.RAMUser {
		return nil, nil // root needs none; roles are served by rolePoliciesByID
	}
	u, _, err := userRecord(tx, p.AccountID, p.UserName)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if p.UserID != "" && u.ID != p.UserID {
		return nil, nil
	}
	docs, err := principalDocs(tx, p.AccountID, PrincipalUser, u.ID)
	if err != nil {
		return nil, err
	}
	ms, err := membershipsOfUser(tx, p.AccountID, u.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		more, err := principalDocs(tx, p.AccountID, PrincipalGroup, m.GroupID)
		if err != nil {
			return nil, err
		}
		docs = append(docs, more...)
	}
	return docs, nil
}

func principalDocs(tx store.Tx, accountID string, t PrincipalType, id string) ([]policy.Doc, error) {
	as, err := principalAttachments(tx, accountID, t, id)
	if err != nil {
		return nil, err
	}
	docs := make([]policy.Doc, 0, len(as))
	for _, a := range as {
		if a.PolicyType == PolicyTypeSystem {
			if sp, ok := findSystemPolicy(a.PolicyName); ok {
				docs = append(docs, policy.Doc{Key: "System/" + sp.Name + "/" + systemVersion, Document: sp.Document})
			}
			continue
		}
		p, _, err := customPolicy(tx, accountID, a.PolicyName)
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		n, err := parseVersionID(p.DefaultVersion)
		if err != nil {
			return nil, err
		}
		v, _, err := policyVersions.Get(tx, accountID, versionKey(p.Name, n))
		if err != nil {
			return nil, err
		}
		docs = append(docs, policy.Doc{Key: "Custom/" + accountID + "/" + p.ID + "/" + v.VersionID, Document: v.Document})
	}
	return docs, nil
}

// ResolveUserID returns the id of a RAM user (the AccessKey cache builds a
// user's principal with it); store.ErrNotFound (wrapped) when the user does
// not exist. Unlike the API's lookups it wants the stored spelling: it is
// given a key's owner, which renames keep equal to the user's name, and a
// principal must carry the name policies see.
func (s *Service) ResolveUserID(tx store.Tx, accountID, userName string) (string, error) {
	u, _, err := users.Get(tx, accountID, lookupKey(userName))
	if err != nil {
		return "", err
	}
	if u.Name != userName {
		return "", store.ErrNotFound
	}
	return u.ID, nil
}
