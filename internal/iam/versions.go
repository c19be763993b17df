package iam

import (
	"fmt"
	"strconv"
	"time"

	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// MaxPolicyVersions is the number of versions a custom policy may keep.
const MaxPolicyVersions = 5

// Rotate strategies of CreatePolicyVersion.
const (
	RotateNone         = "None"
	RotateDeleteOldest = "DeleteOldestNonDefaultVersionWhenLimitExceeded"
)

// PolicyVersion is one version of a policy.
type PolicyVersion struct {
	ID        string // "v1", "v2" ...
	Document  string
	Created   time.Time
	IsDefault bool
}

// versionRecord is a stored version of a custom policy.
type versionRecord struct {
	VersionID string
	Document  string
	Created   time.Time
}

// Version keys zero-pad the number so key order is numeric order.
func versionPrefix(policyName string) string { return lookupKey(policyName) + "/" }

func versionKey(policyName string, n int) string {
	return fmt.Sprintf("%s%06d", versionPrefix(policyName), n)
}

// parseVersionID turns "v<n>" into n, refusing anything else with
// InvalidParameter.VersionId.Format.
func parseVersionID(id string) (int, error) {
	if len(id) >= 2 && len(id) <= 7 && id[0] == 'v' && id[1] != '0' {
		if n, err := strconv.Atoi(id[1:]); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, invalid("VersionId", "Format", "The parameter VersionId must look like v1, v2 ...; got %q.", id)
}

// newVersion allocates the next version id of p.
func (p *policyRecord) newVersion(doc string, now time.Time) versionRecord {
	v := versionRecord{VersionID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: now}
	p.NextVersion++
	return v
}

func (v *versionRecord) view(defaultVersion string) *PolicyVersion {
	return &PolicyVersion{ID: v.VersionID, Document: v.Document, Created: v.Created, IsDefault: v.VersionID == defaultVersion}
}

// policyVersion returns one version of a resolved policy.
func policyVersion(tx store.Tx, accountID string, p *Policy, id string) (*PolicyVersion, error) {
	n, err := parseVersionID(id)
	if err != nil {
		return nil, err
	}
	if p.Type == PolicyTypeSystem {
		sp, _ := findSystemPolicy(p.Name)
		if id != systemVersion {
			return nil, versionNotExist(p.Name, id)
		}
		return &PolicyVersion{ID: systemVersion, Document: sp.Document, Created: catalogueDate, IsDefault: true}, nil
	}
	v, _, err := policyVersions.Get(tx, accountID, versionKey(p.Name, n))
	if err != nil {
		if isNotFound(err) {
			return nil, versionNotExist(p.Name, id)
		}
		return nil, err
	}
	return v.view(p.DefaultVersion), nil
}

func versionNotExist(policyName, id string) error {
	return notExist("Policy.Version", "The policy %q has no version %q.", policyName, id)
}

// GetPolicyVersion returns one version of a system or custom policy.
func (s *Service) GetPolicyVersion(tx store.Tx, accountID, policyType, name, versionID string) (*PolicyVersion, error) {
	if _, err := parseVersionID(versionID); err != nil {
		return nil, err
	}
	p, err := resolvePolicy(tx, accountID, policyType, name)
	if err != nil {
		return nil, err
	}
	return policyVersion(tx, accountID, p, versionID)
}

// ListPolicyVersions lists every version of a policy, oldest first.
func (s *Service) ListPolicyVersions(tx store.Tx, accountID, policyType, name string) ([]PolicyVersion, error) {
	p, err := resolvePolicy(tx, accountID, policyType, name)
	if err != nil {
		return nil, err
	}
	if p.Type == PolicyTypeSystem {
		v, err := policyVersion(tx, accountID, p, systemVersion)
		if err != nil {
			return nil, err
		}
		return []PolicyVersion{*v}, nil
	}
	vs, err := policyVersions.List(tx, store.Query{AccountID: accountID, Prefix: versionPrefix(name)})
	if err != nil {
		return nil, err
	}
	out := make([]PolicyVersion, len(vs))
	for i := range vs {
		out[i] = *vs[i].view(p.DefaultVersion)
	}
	return out, nil
}

// CreatePolicyVersion adds a version to a custom policy. At the limit it
// fails with LimitExceeded.Policy.Version, unless rotate asks to drop the
// oldest version that is not the default.
func (s *Service) CreatePolicyVersion(tx store.Tx, accountID, name, doc string, setDefault bool, rotate string, now time.Time) (*PolicyVersion, error) {
	if err := s.guardReserved("policy", name); err != nil {
		return nil, err
	}
	if rotate != "" {
		if err := checkEnum("RotateStrategy", rotate, RotateNone, RotateDeleteOldest); err != nil {
			return nil, err
		}
	}
	if err := checkDocument("PolicyDocument", doc, policy.Identity, MaxPolicyDocumentLength); err != nil {
		return nil, err
	}
	p, rec, err := lookupCustomPolicy(tx, accountID, name)
	if err != nil {
		return nil, err
	}
	versions, err := policyVersions.Records(tx, store.Query{AccountID: accountID, Prefix: versionPrefix(name)})
	if err != nil {
		return nil, err
	}
	if len(versions) >= MaxPolicyVersions {
		if rotate != RotateDeleteOldest {
			return nil, limitExceeded("Policy.Version", "The policy %q already has %d versions, the maximum; delete one or use RotateStrategy=%s.", name, MaxPolicyVersions, RotateDeleteOldest)
		}
		if err := deleteOldestNonDefault(tx, accountID, p, versions); err != nil {
			return nil, err
		}
	}
	n := p.NextVersion
	v := p.newVersion(doc, now)
	if setDefault {
		p.DefaultVersion = v.VersionID
	}
	p.Updated = now
	if err := policyVersions.Insert(tx, accountID, versionKey(p.Name, n), "", &v, now); err != nil {
		return nil, err
	}
	if err := customPolicies.Update(tx, rec, p, now); err != nil {
		return nil, err
	}
	return v.view(p.DefaultVersion), nil
}

// deleteOldestNonDefault drops the oldest version other than the default
// (versions are listed oldest first).
func deleteOldestNonDefault(tx store.Tx, accountID string, p *policyRecord, versions []store.Record) error {
	vs, err := policyVersions.DecodeAll(versions)
	if err != nil {
		return err
	}
	for i, v := range vs {
		if v.VersionID != p.DefaultVersion {
			return policyVersions.Delete(tx, accountID, versions[i].Key)
		}
	}
	return nil
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(tx store.Tx, accountID, name, versionID string) error {
	if err := s.guardReserved("policy", name); err != nil {
		return err
	}
	n, err := parseVersionID(versionID)
	if err != nil {
		return err
	}
	p, _, err := lookupCustomPolicy(tx, accountID, name)
	if err != nil {
		return err
	}
	if p.DefaultVersion == versionID {
		return deleteConflict("Policy.Version.Default", "The version %s is the default of the policy %q and cannot be deleted.", versionID, name)
	}
	err = policyVersions.Delete(tx, accountID, versionKey(p.Name, n))
	if isNotFound(err) {
		return versionNotExist(name, versionID)
	}
	return err
}

// SetDefaultPolicyVersion makes a version the effective one.
func (s *Service) SetDefaultPolicyVersion(tx store.Tx, accountID, name, versionID string, now time.Time) error {
	if err := s.guardReserved("policy", name); err != nil {
		return err
	}
	n, err := parseVersionID(versionID)
	if err != nil {
		return err
	}
	p, rec, err := lookupCustomPolicy(tx, accountID, name)
	if err != nil {
		return err
	}
	if exists, err := policyVersions.Exists(tx, accountID, versionKey(p.Name, n)); err != nil {
		return err
	} else if !exists {
		return versionNotExist(name, versionID)
	}
	p.DefaultVersion, p.Updated = versionID, now
	return customPolicies.Update(tx, rec, p, now)
}
