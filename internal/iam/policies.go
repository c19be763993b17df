package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// MaxCustomPolicies is the number of custom policies an account may have.
const MaxCustomPolicies = 1500

// Policy is a system or custom policy as the API shows it.
type Policy struct {
	Name            string
	Type            string // PolicyTypeSystem | PolicyTypeCustom
	Description     string
	DefaultVersion  string
	Created         time.Time
	Updated         time.Time
	AttachmentCount int
}

// policyRecord is a stored custom policy. ID tells apart two policies that
// had the same name at different times, so a cached compiled document of a
// deleted policy can never stand in for its successor.
type policyRecord struct {
	ID             string
	Name           string
	Description    string
	DefaultVersion string
	NextVersion    int // version ids are never reused within a policy
	Created        time.Time
	Updated        time.Time
}

func (p *policyRecord) view() *Policy {
	return &Policy{Name: p.Name, Type: PolicyTypeCustom, Description: p.Description,
		DefaultVersion: p.DefaultVersion, Created: p.Created, Updated: p.Updated}
}

func (sp *systemPolicy) view() *Policy {
	return &Policy{Name: sp.Name, Type: PolicyTypeSystem, Description: sp.Description,
		DefaultVersion: systemVersion, Created: catalogueDate, Updated: catalogueDate}
}

// NewPolicy is the input of CreatePolicy.
type NewPolicy struct {
	Name        string
	Description string
	Document    string
}

// CreatePolicy creates a custom policy whose first version, v1, is its
// default.
func (s *Service) CreatePolicy(tx store.Tx, accountID string, n NewPolicy, now time.Time) (*Policy, error) {
	if err := checkName("PolicyName", n.Name, policyNameRule); err != nil {
		return nil, err
	}
	if err := s.guardReserved("policy", n.Name); err != nil {
		return nil, err
	}
	if err := checkLength("Description", n.Description, maxDescription); err != nil {
		return nil, err
	}
	if err := checkDocument("PolicyDocument", n.Document, policy.Identity, MaxPolicyDocumentLength); err != nil {
		return nil, err
	}
	// Names are unique regardless of case, system policies included.
	if sp, taken := findSystemPolicy(n.Name); taken {
		return nil, alreadyExists("Policy", "The policy name %q is taken by the system policy %s.", n.Name, sp.Name)
	}
	count, err := customPolicies.Count(tx, store.Query{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	if count >= MaxCustomPolicies {
		return nil, limitExceeded("Policy", "The account already has %d custom policies, the maximum.", MaxCustomPolicies)
	}
	p := &policyRecord{ID: model.NewEntityID(), Name: n.Name, Description: n.Description, NextVersion: 1,
		Created: now, Updated: now}
	v := p.newVersion(n.Document, now)
	p.DefaultVersion = v.VersionID
	if err := customPolicies.Insert(tx, accountID, lookupKey(p.Name), "", p, now); err != nil {
		if isConflict(err) {
			return nil, alreadyExists("Policy", "The policy %q already exists (policy names are unique regardless of case).", n.Name)
		}
		return nil, err
	}
	if err := policyVersions.Insert(tx, accountID, versionKey(p.Name, 1), "", &v, now); err != nil {
		return nil, err
	}
	return p.view(), nil
}

// customPolicy finds a custom policy by name, in any case.
func customPolicy(tx store.Tx, accountID, name string) (*policyRecord, store.Record, error) {
	p, rec, err := customPolicies.Get(tx, accountID, lookupKey(name))
	if isNotFound(err) {
		return nil, rec, policyNotExist(PolicyTypeCustom, name)
	}
	if err != nil {
		return nil, rec, err
	}
	return p, rec, nil
}

// lookupCustomPolicy validates the name and finds the custom policy.
func lookupCustomPolicy(tx store.Tx, accountID, name string) (*policyRecord, store.Record, error) {
	if err := checkName("PolicyName", name, policyNameRule); err != nil {
		return nil, store.Record{}, err
	}
	return customPolicy(tx, accountID, name)
}

// policyRef names a policy in attachments: "<type>:<lookup key>".
func policyRef(policyType, name string) string { return policyType + ":" + lookupKey(name) }

func attachmentCount(tx store.Tx, accountID, policyType, name string) (int, error) {
	return attachments.Count(tx, store.Query{AccountID: accountID, Ref: policyRef(policyType, name)})
}

// resolvePolicy validates (type, name) and returns the policy with its
// attachment count in this account.
func resolvePolicy(tx store.Tx, accountID, policyType, name string) (*Policy, error) {
	if err := checkPolicyType(policyType); err != nil {
		return nil, err
	}
	if err := checkName("PolicyName", name, policyNameRule); err != nil {
		return nil, err
	}
	var p *Policy
	if policyType == PolicyTypeSystem {
		sp, ok := findSystemPolicy(name)
		if !ok {
			return nil, policyNotExist(PolicyTypeSystem, name)
		}
		p = sp.view()
	} else {
		rec, _, err := customPolicy(tx, accountID, name)
		if err != nil {
			return nil, err
		}
		p = rec.view()
	}
	n, err := attachmentCount(tx, accountID, policyType, name)
	p.AttachmentCount = n
	return p, err
}

// GetPolicy returns a policy and its default version.
func (s *Service) GetPolicy(tx store.Tx, accountID, policyType, name string) (*Policy, *PolicyVersion, error) {
	p, err := resolvePolicy(tx, accountID, policyType, name)
	if err != nil {
		return nil, nil, err
	}
	v, err := policyVersion(tx, accountID, p, p.DefaultVersion)
	if err != nil {
		return nil, nil, err
	}
	return p, v, nil
}

// UpdatePolicyDescription changes a custom policy's description.
func (s *Service) UpdatePolicyDescription(tx store.Tx, accountID, name, description string, now time.Time) (*Policy, error) {
	if err := s.guardReserved("policy", name); err != nil {
		return nil, err
	}
	if err := checkLength("NewDescription", description, maxDescription); err != nil {
		return nil, err
	}
	p, rec, err := lookupCustomPolicy(tx, accountID, name)
	if err != nil {
		return nil, err
	}
	p.Description, p.Updated = description, now
	return p.view(), customPolicies.Update(tx, rec, p, now)
}

// DeletePolicy deletes a custom policy that is attached nowhere and has
// only its default version left.
func (s *Service) DeletePolicy(tx store.Tx, accountID, name string) error {
	if err := s.guardReserved("policy", name); err != nil {
		return err
	}
	p, rec, err := lookupCustomPolicy(tx, accountID, name)
	if err != nil {
		return err
	}
	attached, err := attachments.Records(tx, store.Query{AccountID: accountID, Ref: policyRef(PolicyTypeCustom, name)})
	if err != nil {
		return err
	}
	if len(attached) > 0 {
		var first attachment
		if err := attachments.Decode(attached[0], &first); err != nil {
			return err
		}
		kind := first.PrincipalType
		return deleteConflict("Policy."+string(kind), "The policy %q is still attached to %d principal(s), at least one %s; detach it first.", name, len(attached), kind)
	}
	versions, err := policyVersions.Records(tx, store.Query{AccountID: accountID, Prefix: versionPrefix(p.Name)})
	if err != nil {
		return err
	}
	if len(versions) > 1 {
		return deleteConflict("Policy.Version", "The policy %q still has %d versions besides the default; delete them first.", name, len(versions)-1)
	}
	for _, v := range versions {
		if err := policyVersions.Delete(tx, accountID, v.Key); err != nil {
			return err
		}
	}
	return customPolicies.Delete(tx, accountID, rec.Key)
}

// ListPolicies pages through system policies (first) and custom policies,
// each in name order. policyType "" lists both.
func (s *Service) ListPolicies(tx store.Tx, accountID, policyType string, req PageRequest) (Page[Policy], error) {
	if policyType != "" {
		if err := checkPolicyType(policyType); err != nil {
			return Page[Policy]{}, err
		}
	}
	size, err := req.size()
	if err != nil {
		return Page[Policy]{}, err
	}
	// The marker's key is "S:<key>" inside the system catalogue, "C:<key>"
	// inside the custom policies.
	scope := "policies|" + policyType
	after, err := s.decodeMarker(accountID, scope, req.Marker)
	if err != nil {
		return Page[Policy]{}, err
	}
	phase, afterKey := "", ""
	if after != "" {
		if len(after) < 2 || after[1] != ':' || (after[0] != 'S' && after[0] != 'C') {
			return Page[Policy]{}, invalidMarker()
		}
		phase, afterKey = after[:1], after[2:]
	}
	var out []Policy
	var keys []string
	if policyType != PolicyTypeCustom && phase != "C" {
		for _, sp := range systemPoliciesAfter(afterKey) {
			if len(out) > size {
				break
			}
			out = append(out, *sp.view())
			keys = append(keys, "S:"+lookupKey(sp.Name))
		}
		afterKey = ""
	}
	if policyType != PolicyTypeSystem && len(out) <= size {
		recs, err := customPolicies.Records(tx, store.Query{AccountID: accountID, After: afterKey, Limit: size + 1 - len(out)})
		if err != nil {
			return Page[Policy]{}, err
		}
		ps, err := customPolicies.DecodeAll(recs)
		if err != nil {
			return Page[Policy]{}, err
		}
		for i := range ps {
			out = append(out, *ps[i].view())
			keys = append(keys, "C:"+recs[i].Key)
		}
	}
	var end pageEnd
	if len(out) > size {
		out = out[:size]
		end = pageEnd{truncated: true, marker: s.encodeMarker(accountID, scope, keys[size-1])}
	}
	for i := range out {
		if out[i].AttachmentCount, err = attachmentCount(tx, accountID, out[i].Type, out[i].Name); err != nil {
			return Page[Policy]{}, err
		}
	}
	return pageOf(out, end), nil
}
