package iam

import (
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// IdentityLayer is the authorizer's source of identity policies: a RAM
// user's own and its groups', or the policies of the role a session
// assumed. It satisfies authz.Source without importing it.
type IdentityLayer struct{ svc *Service }

// IdentityLayer returns the service's identity-policy source.
func (s *Service) IdentityLayer() IdentityLayer { return IdentityLayer{svc: s} }

// Layer implements authz.Source.
func (IdentityLayer) Layer() policy.LayerType { return policy.LayerIdentityBased }

// Scope implements authz.Source: the user or role, by id (an account id,
// then "user" or "role": no other source's scope starts that way). Root
// has no identity policies (it needs none in its own account).
func (IdentityLayer) Scope(p *model.Principal) string {
	id := p.Identity()
	if id.Type == "" || id.ID == "" {
		return ""
	}
	return id.Key()
}

// Policies implements authz.Source.
func (l IdentityLayer) Policies(tx store.Tx, p *model.Principal) ([]policy.Doc, error) {
	id := p.Identity()
	if id.Type == model.IdentityRole {
		return l.svc.rolePoliciesByID(tx, id.AccountID, id.Name, id.ID)
	}
	return l.svc.IdentityPolicies(tx, p)
}

// rolePoliciesByID returns the policies of a role, but none when the role
// of that name is not the one with that id: a session of a deleted role
// never inherits the policies of a new role that took its name.
func (s *Service) rolePoliciesByID(tx store.Tx, accountID, name, id string) ([]policy.Doc, error) {
	r, err := s.FindRole(tx, accountID, name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.ID != id {
		return nil, nil
	}
	return principalDocs(tx, accountID, PrincipalRole, r.ID)
}
