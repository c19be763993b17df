package cloudsso

import (
	"time"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// The permission policies of an access configuration: RAM system policies
// by name (they must exist in RAM's catalogue) and one inline policy
// document, checked by the same policy engine RAM uses for custom
// policies, so that provisioning never meets a document RAM refuses.

// NewPermissionPolicy is the input of AddPermissionPolicyToAccess-
// Configuration.
type NewPermissionPolicy struct {
	Type     string // System | Inline
	Name     string
	Document string // Inline only
}

func checkPolicyType(param, t string) error {
	if t == "" {
		return missingParameter.Of(param).New("The parameter %s is required.", param)
	}
	return checkEnum(param, t, PolicyTypeSystem, PolicyTypeInline)
}

func checkPolicyName(param, name string) error {
	return checkPlainName(param, name, MaxPermissionPolicyName, "-_.", "letters, digits and - _ . characters")
}

// checkInlineDocument validates an inline policy with the policy engine.
func checkInlineDocument(param, doc string) error {
	if doc == "" {
		return missingParameter.Of(param).New("The parameter %s is required for an inline policy.", param)
	}
	if n := utf8.RuneCountInString(doc); n > MaxInlinePolicyDocument || len(doc) > 4*MaxInlinePolicyDocument {
		return codeInlinePolicyLength.New("The parameter %s must be at most %d characters long.", param, MaxInlinePolicyDocument)
	}
	if _, err := policy.Parse(doc, policy.Identity); err != nil {
		return codeBadInlinePolicy.New("The inline policy document is malformed: %v", err)
	}
	return nil
}

// systemPolicyName returns the catalogue's spelling of a RAM system
// policy, or EntityNotExists.SystemPolicy.
func (s *Service) systemPolicyName(tx store.Tx, accountID, name string) (string, error) {
	p, _, err := s.iam.GetPolicy(tx, accountID, iam.PolicyTypeSystem, name)
	if apperr.Is(err, apperr.KindNotFound) || apperr.Is(err, apperr.KindInvalid) {
		return "", codeNoSystemPolicy.New("The system policy %q does not exist in RAM.", clip(name))
	}
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

// editPolicies loads a configuration for a policy change and stores the
// change as a new revision.
func (s *Service) editPolicies(tx store.Tx, accountID, directoryID, id string, now time.Time,
	change func(d *Directory, ac *AccessConfiguration) error) error {
	d, ac, rec, err := configurationOf(tx, accountID, directoryID, id)
	if err != nil {
		return err
	}
	if err := change(d, ac); err != nil {
		return err
	}
	ac.Updated = now
	return s.revise(tx, d, ac, rec, now)
}

// AddPermissionPolicyToAccessConfiguration adds a system policy (up to
// 20) or the inline policy (one).
func (s *Service) AddPermissionPolicyToAccessConfiguration(tx store.Tx, accountID, directoryID, id string, n NewPermissionPolicy, now time.Time) error {
	if err := checkPolicyType("PermissionPolicyType", n.Type); err != nil {
		return err
	}
	if err := checkPolicyName("PermissionPolicyName", n.Name); err != nil {
		return err
	}
	if n.Type == PolicyTypeInline {
		if err := checkInlineDocument("InlinePolicyDocument", n.Document); err != nil {
			return err
		}
	}
	return s.editPolicies(tx, accountID, directoryID, id, now, func(d *Directory, ac *AccessConfiguration) error {
		systems := 0
		for _, p := range ac.Policies {
			if p.Type == PolicyTypeSystem {
				systems++
			}
		}
		p := PermissionPolicy{Type: n.Type, Name: n.Name, Added: now}
		switch n.Type {
		case PolicyTypeSystem:
			name, err := s.systemPolicyName(tx, accountID, n.Name)
			if err != nil {
				return err
			}
			p.Name = name
			for _, q := range ac.Policies {
				if q.Type == PolicyTypeSystem && q.Name == name {
					return codePolicyInACExists.New("The system policy %s is already in the access configuration %s.", name, ac.ID)
				}
			}
			if systems >= MaxSystemPoliciesPerAC {
				return codeSystemPolicyQuota.New("The access configuration %s already has %d system policies, the maximum.", ac.ID, MaxSystemPoliciesPerAC)
			}
		case PolicyTypeInline:
			if in := ac.inline(); in != nil {
				if in.Name == n.Name {
					return codePolicyInACExists.New("The inline policy %s is already in the access configuration %s.", n.Name, ac.ID)
				}
				return codeInlinePolicyQuota.New("The access configuration %s already has the inline policy %s; it may have %d (UpdateInlinePolicyForAccessConfiguration changes it).", ac.ID, in.Name, MaxInlinePoliciesPerAC)
			}
			p.Document = n.Document
		}
		ac.Policies = append(ac.Policies, p)
		return nil
	})
}

// RemovePermissionPolicyFromAccessConfiguration removes one policy (an
// inline policy is gone for good).
func (s *Service) RemovePermissionPolicyFromAccessConfiguration(tx store.Tx, accountID, directoryID, id, policyType, name string, now time.Time) error {
	if err := checkPolicyType("PermissionPolicyType", policyType); err != nil {
		return err
	}
	if err := checkPolicyName("PermissionPolicyName", name); err != nil {
		return err
	}
	return s.editPolicies(tx, accountID, directoryID, id, now, func(d *Directory, ac *AccessConfiguration) error {
		for i, p := range ac.Policies {
			if p.Type == policyType && equalPolicyName(p, name) {
				ac.Policies = append(ac.Policies[:i:i], ac.Policies[i+1:]...)
				return nil
			}
		}
		return codeNoPermissionPolicy.New("The access configuration %s has no %s policy %q.", ac.ID, policyType, clip(name))
	})
}

// equalPolicyName compares names as RAM does for system policies (any
// case) and exactly for the inline policy, whose name is the caller's.
func equalPolicyName(p PermissionPolicy, name string) bool {
	if p.Type == PolicyTypeSystem {
		return lowerASCII(p.Name) == lowerASCII(name)
	}
	return p.Name == name
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// UpdateInlinePolicyForAccessConfiguration replaces the inline policy's
// document.
func (s *Service) UpdateInlinePolicyForAccessConfiguration(tx store.Tx, accountID, directoryID, id, name, doc string, now time.Time) error {
	if err := checkPolicyName("InlinePolicyName", name); err != nil {
		return err
	}
	if err := checkInlineDocument("NewInlinePolicyDocument", doc); err != nil {
		return err
	}
	return s.editPolicies(tx, accountID, directoryID, id, now, func(d *Directory, ac *AccessConfiguration) error {
		in := ac.inline()
		if in == nil || in.Name != name {
			return codeNoPermissionPolicy.New("The access configuration %s has no inline policy %q.", ac.ID, clip(name))
		}
		in.Document = doc
		return nil
	})
}

// ListPermissionPoliciesInAccessConfiguration lists a configuration's
// policies; policyType "" lists both kinds.
func (s *Service) ListPermissionPoliciesInAccessConfiguration(tx store.Tx, accountID, directoryID, id, policyType string) ([]PermissionPolicy, error) {
	if policyType != "" {
		if err := checkEnum("PermissionPolicyType", policyType, PolicyTypeSystem, PolicyTypeInline); err != nil {
			return nil, err
		}
	}
	_, ac, err := s.AccessConfiguration(tx, accountID, directoryID, id)
	if err != nil {
		return nil, err
	}
	out := []PermissionPolicy{}
	for _, p := range ac.Policies {
		if policyType == "" || p.Type == policyType {
			out = append(out, p)
		}
	}
	return out, nil
}
