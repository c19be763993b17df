package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// Role limits.
const (
	MaxRoles                  = 1000
	MinSessionDuration        = 3600
	MaxSessionDuration        = 43200
	DefaultMaxSessionDuration = 3600
)

// Role is a RAM role, as stored.
type Role struct {
	ID                 string
	Name               string
	Description        string
	TrustPolicy        string // AssumeRolePolicyDocument
	MaxSessionDuration int
	Created            time.Time
	Updated            time.Time
}

// ARN is the role's resource name in account accountID.
func (r *Role) ARN(accountID string) string { return model.RoleARN(accountID, r.Name) }

// NewRole is the input of CreateRole.
type NewRole struct {
	Name               string
	Description        string
	TrustPolicy        string
	MaxSessionDuration *int // nil = DefaultMaxSessionDuration
}

func checkSessionDuration(param string, v int) error {
	if v < MinSessionDuration || v > MaxSessionDuration {
		return invalid(param, "", "The parameter %s must be in the range of %d and %d seconds; got %d.", param, MinSessionDuration, MaxSessionDuration, v)
	}
	return nil
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(tx store.Tx, accountID string, n NewRole, now time.Time) (*Role, error) {
	if err := checkName("RoleName", n.Name, roleNameRule); err != nil {
		return nil, err
	}
	if err := s.guardReserved("role", n.Name); err != nil {
		return nil, err
	}
	if err := checkLength("Description", n.Description, maxDescription); err != nil {
		return nil, err
	}
	if err := checkDocument("AssumeRolePolicyDocument", n.TrustPolicy, policy.Trust, maxTrustPolicy); err != nil {
		return nil, err
	}
	duration := DefaultMaxSessionDuration
	if n.MaxSessionDuration != nil {
		duration = *n.MaxSessionDuration
		if err := checkSessionDuration("MaxSessionDuration", duration); err != nil {
			return nil, err
		}
	}
	count, err := roles.Count(tx, store.Query{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	if count >= MaxRoles {
		return nil, limitExceeded("Role", "The account already has %d roles, the maximum.", MaxRoles)
	}
	r := &Role{ID: model.NewEntityID(), Name: n.Name, Description: n.Description, TrustPolicy: n.TrustPolicy,
		MaxSessionDuration: duration, Created: now, Updated: now}
	if err := roles.Insert(tx, accountID, lookupKey(r.Name), r.ID, r, now); err != nil {
		if isConflict(err) {
			return nil, alreadyExists("Role", "The role %q already exists (role names are unique regardless of case).", n.Name)
		}
		return nil, err
	}
	return r, nil
}

func lookupRole(tx store.Tx, accountID, name string) (*Role, store.Record, error) {
	if err := checkName("RoleName", name, roleNameRule); err != nil {
		return nil, store.Record{}, err
	}
	r, rec, err := roles.Get(tx, accountID, lookupKey(name))
	if isNotFound(err) {
		return nil, rec, roleNotExist(name)
	}
	if err != nil {
		return nil, rec, err
	}
	return r, rec, nil
}

// GetRole returns a role by name, in any case, with its stored spelling.
func (s *Service) GetRole(tx store.Tx, accountID, name string) (*Role, error) {
	r, _, err := lookupRole(tx, accountID, name)
	return r, err
}

// FindRole returns a role by name ignoring case (as every lookup does), for
// STS: role ARNs may spell a role name in another case (the cloud
// lower-cases the ARNs of its service roles). Unlike GetRole it does not
// validate the name and returns store.ErrNotFound (wrapped) when there is
// none.
func (s *Service) FindRole(tx store.Tx, accountID, name string) (*Role, error) {
	r, _, err := roles.Get(tx, accountID, lookupKey(name))
	return r, err
}

// RoleUpdate lists the changes of UpdateRole; nil or "" leaves a field.
type RoleUpdate struct {
	NewTrustPolicy        string
	NewDescription        string
	NewMaxSessionDuration *int
}

// UpdateRole changes the trust policy, description or session length.
func (s *Service) UpdateRole(tx store.Tx, accountID, name string, up RoleUpdate, now time.Time) (*Role, error) {
	if err := s.guardReserved("role", name); err != nil {
		return nil, err
	}
	if up.NewTrustPolicy != "" {
		if err := checkDocument("NewAssumeRolePolicyDocument", up.NewTrustPolicy, policy.Trust, maxTrustPolicy); err != nil {
			return nil, err
		}
	}
	if err := checkLength("NewDescription", up.NewDescription, maxDescription); err != nil {
		return nil, err
	}
	if up.NewMaxSessionDuration != nil {
		if err := checkSessionDuration("NewMaxSessionDuration", *up.NewMaxSessionDuration); err != nil {
			return nil, err
		}
	}
	r, rec, err := lookupRole(tx, accountID, name)
	if err != nil {
		return nil, err
	}
	setIf(&r.TrustPolicy, up.NewTrustPolicy)
	setIf(&r.Description, up.NewDescription)
	if up.NewMaxSessionDuration != nil {
		r.MaxSessionDuration = *up.NewMaxSessionDuration
	}
	r.Updated = now
	return r, roles.Update(tx, rec, r, now)
}

// DeleteRole deletes a role without attached policies.
func (s *Service) DeleteRole(tx store.Tx, accountID, name string) error {
	if err := s.guardReserved("role", name); err != nil {
		return err
	}
	r, rec, err := lookupRole(tx, accountID, name)
	if err != nil {
		return err
	}
	n, err := attachments.Count(tx, store.Query{AccountID: accountID, Prefix: principalPrefix(PrincipalRole, r.ID)})
	if err != nil {
		return err
	}
	if n > 0 {
		return deleteConflict("Role.Policy", "The role %q still has %d attached policy(ies); detach them first.", name, n)
	}
	return roles.Delete(tx, accountID, rec.Key)
}

// ListRoles pages through the roles in name order.
func (s *Service) ListRoles(tx store.Tx, accountID string, req PageRequest) (Page[Role], error) {
	items, end, err := listPage(s, tx, roles, store.Query{AccountID: accountID}, req, nil)
	if err != nil {
		return Page[Role]{}, err
	}
	return pageOf(items, end), nil
}

// roleByID finds a role by id; nil when there is none.
func roleByID(tx store.Tx, accountID, id string) (*Role, error) {
	return byRef(tx, roles, accountID, id)
}
