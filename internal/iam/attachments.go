package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// PrincipalType names what a policy is attached to.
type PrincipalType string

// Principal types, spelled as in the error codes (EntityNotExist.User.Policy).
const (
	PrincipalUser  PrincipalType = "User"
	PrincipalGroup PrincipalType = "Group"
	PrincipalRole  PrincipalType = "Role"
)

// Attachment limits per user, group or role.
const (
	MaxCustomPoliciesPerPrincipal = 10
	MaxSystemPoliciesPerPrincipal = 20
)

// attachment grants a policy to a principal. Its key
// <type>:<principal id>/<policy type>:<policy key> lists a principal's
// policies as a key range; its Ref <policy type>:<policy key> lists the
// principals of a policy (ListEntitiesForPolicy, AttachmentCount).
type attachment struct {
	PrincipalType PrincipalType
	PrincipalID   string
	PolicyType    string
	PolicyName    string
	Attached      time.Time
}

func principalPrefix(t PrincipalType, id string) string { return string(t) + ":" + id + "/" }

func attachmentKey(t PrincipalType, principalID, policyType, policyName string) string {
	return principalPrefix(t, principalID) + policyRef(policyType, policyName)
}

// resolvePrincipal validates a principal name and returns its id.
func resolvePrincipal(tx store.Tx, accountID string, t PrincipalType, name string) (string, error) {
	switch t {
	case PrincipalUser:
		u, _, err := lookupUser(tx, accountID, name)
		if err != nil {
			return "", err
		}
		return u.ID, nil
	case PrincipalGroup:
		g, _, err := lookupGroup(tx, accountID, name)
		if err != nil {
			return "", err
		}
		return g.ID, nil
	default:
		r, _, err := lookupRole(tx, accountID, name)
		if err != nil {
			return "", err
		}
		return r.ID, nil
	}
}

func principalAttachments(tx store.Tx, accountID string, t PrincipalType, id string) ([]attachment, error) {
	return attachments.List(tx, store.Query{AccountID: accountID, Prefix: principalPrefix(t, id)})
}

// AttachPolicy grants a system or custom policy to a user, group or role.
func (s *Service) AttachPolicy(tx store.Tx, accountID string, t PrincipalType, principalName, policyType, policyName string, now time.Time) error {
	if err := checkPolicyType(policyType); err != nil {
		return err
	}
	if err := s.guardReservedAttachment(t, principalName, policyType, policyName); err != nil {
		return err
	}
	id, err := resolvePrincipal(tx, accountID, t, principalName)
	if err != nil {
		return err
	}
	p, err := resolvePolicy(tx, accountID, policyType, policyName)
	if err != nil {
		return err
	}
	existing, err := principalAttachments(tx, accountID, t, id)
	if err != nil {
		return err
	}
	same, max := 0, MaxCustomPoliciesPerPrincipal
	if policyType == PolicyTypeSystem {
		max = MaxSystemPoliciesPerPrincipal
	}
	for _, a := range existing {
		if a.PolicyType == policyType && lookupKey(a.PolicyName) == lookupKey(p.Name) {
			return alreadyExists(string(t)+".Policy", "The %s policy %q is already attached to the %s %q.", policyType, policyName, lowerType(t), principalName)
		}
		if a.PolicyType == policyType {
			same++
		}
	}
	if same >= max {
		return limitExceeded(string(t)+".Policy", "The %s %q already has %d %s policies attached, the maximum.", lowerType(t), principalName, max, policyType)
	}
	a := attachment{PrincipalType: t, PrincipalID: id, PolicyType: policyType, PolicyName: p.Name, Attached: now}
	return attachments.Insert(tx, accountID, attachmentKey(t, id, policyType, p.Name), policyRef(policyType, p.Name), &a, now)
}

func lowerType(t PrincipalType) string {
	switch t {
	case PrincipalUser:
		return "user"
	case PrincipalGroup:
		return "group"
	}
	return "role"
}

// DetachPolicy revokes a policy from a user, group or role.
func (s *Service) DetachPolicy(tx store.Tx, accountID string, t PrincipalType, principalName, policyType, policyName string) error {
	if err := checkPolicyType(policyType); err != nil {
		return err
	}
	if err := s.guardReservedAttachment(t, principalName, policyType, policyName); err != nil {
		return err
	}
	id, err := resolvePrincipal(tx, accountID, t, principalName)
	if err != nil {
		return err
	}
	if _, err := resolvePolicy(tx, accountID, policyType, policyName); err != nil {
		return err
	}
	err = attachments.Delete(tx, accountID, attachmentKey(t, id, policyType, policyName))
	if isNotFound(err) {
		return notExist(string(t)+".Policy", "The %s policy %q is not attached to the %s %q.", policyType, policyName, lowerType(t), principalName)
	}
	return err
}

// AttachedPolicy is one policy of a principal.
type AttachedPolicy struct {
	Policy
	Attached time.Time
}

// ListPoliciesFor lists the policies attached to a user, group or role.
func (s *Service) ListPoliciesFor(tx store.Tx, accountID string, t PrincipalType, principalName string) ([]AttachedPolicy, error) {
	id, err := resolvePrincipal(tx, accountID, t, principalName)
	if err != nil {
		return nil, err
	}
	as, err := principalAttachments(tx, accountID, t, id)
	if err != nil {
		return nil, err
	}
	out := make([]AttachedPolicy, 0, len(as))
	for _, a := range as {
		p, err := attachedPolicy(tx, accountID, a)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, AttachedPolicy{Policy: *p, Attached: a.Attached})
		}
	}
	return out, nil
}

// attachedPolicy returns the policy an attachment names; nil when it is
// gone (a custom policy cannot be deleted while attached, so only a
// corrupted store gets there).
func attachedPolicy(tx store.Tx, accountID string, a attachment) (*Policy, error) {
	if a.PolicyType == PolicyTypeSystem {
		sp, ok := findSystemPolicy(a.PolicyName)
		if !ok {
			return nil, nil
		}
		return sp.view(), nil
	}
	p, _, err := customPolicy(tx, accountID, a.PolicyName)
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	return p.view(), nil
}

// Attached pairs an entity with the date a policy was attached to it.
type Attached[T any] struct {
	Entity   T
	Attached time.Time
}

// PolicyEntities are the principals a policy is attached to.
type PolicyEntities struct {
	Users  []Attached[User]
	Groups []Attached[Group]
	Roles  []Attached[Role]
}

// ListEntitiesForPolicy lists the users, groups and roles of a policy.
func (s *Service) ListEntitiesForPolicy(tx store.Tx, accountID, policyType, policyName string) (*PolicyEntities, error) {
	p, err := resolvePolicy(tx, accountID, policyType, policyName)
	if err != nil {
		return nil, err
	}
	as, err := attachments.List(tx, store.Query{AccountID: accountID, Ref: policyRef(p.Type, p.Name)})
	if err != nil {
		return nil, err
	}
	out := &PolicyEntities{}
	for _, a := range as {
		switch a.PrincipalType {
		case PrincipalUser:
			if u, err := userByID(tx, accountID, a.PrincipalID); err != nil {
				return nil, err
			} else if u != nil {
				out.Users = append(out.Users, Attached[User]{*u, a.Attached})
			}
		case PrincipalGroup:
			if g, err := groupByID(tx, accountID, a.PrincipalID); err != nil {
				return nil, err
			} else if g != nil {
				out.Groups = append(out.Groups, Attached[Group]{*g, a.Attached})
			}
		case PrincipalRole:
			if r, err := roleByID(tx, accountID, a.PrincipalID); err != nil {
				return nil, err
			} else if r != nil {
				out.Roles = append(out.Roles, Attached[Role]{*r, a.Attached})
			}
		}
	}
	return out, nil
}
