package cloudsso

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Provisioning (reference 2.5, 5.6) writes an access configuration into a
// member account through RAM, as the directory writes its access role:
//
//   - the role AliyunReservedSSO-<configuration name>, whose trust policy
//     trusts the directory as a federated SAML principal
//     acs:ram::<member>:saml-provider/AliyunReservedSSO-<DirectoryId>
//     (the cloud's role-SSO pattern; Canopy has no SAML provider entity,
//     so the provider is a name the trust policy and the portal agree on,
//     and the statement requires saml:recipient to be the role-SSO
//     endpoint, as the cloud's role-SSO trust policies do). Its
//     MaxSessionDuration is the configuration's session duration, raised
//     to RAM's minimum of 3600 seconds;
//   - the custom policy AliyunReservedSSO-<name>-InlinePolicy holding the
//     inline policy, when there is one;
//   - the attachments of the system policies and of that custom policy.
//
// Provisioning again replaces all of it with the configuration's current
// revision; deprovisioning removes it. The names are reserved: RAM refuses
// every other writer (iam.ReservedWriter is the provisioner's door).

// Provisioning statuses.
const (
	ProvisioningProvisioned       = "Provisioned"
	ProvisioningDeprovisionFailed = "DeprovisionFailed"
)

// TargetTypeAccount is the only target type: a resource directory member.
const TargetTypeAccount = "RD-Account"

// SAMLRecipient is the role-SSO endpoint the reserved roles' trust
// policies require as saml:recipient (the portal's assume path passes it).
const SAMLRecipient = "https://signin.alibabacloud.com/saml-role/sso"

// Provisioning is one configuration provisioned in one account.
type Provisioning struct {
	DirectoryID           string
	AccessConfigurationID string
	TargetID              string
	Status                string // Provisioned | ReprovisionRequired | DeprovisionFailed
	Revision              int    // of the configuration, when last provisioned
	RoleName              string
	PolicyNames           []string
	SAMLProviderName      string
	Created               time.Time // first provisioning
	Updated               time.Time // last provisioning
}

// ReservedRoleName is the role a configuration is provisioned as.
func ReservedRoleName(configurationName string) string {
	return iam.ReservedSSOPrefix + configurationName
}

// ReservedInlinePolicyName is the custom policy holding the inline policy.
func ReservedInlinePolicyName(configurationName string) string {
	return ReservedRoleName(configurationName) + "-InlinePolicy"
}

// SAMLProviderName names the directory as an identity provider in members.
func SAMLProviderName(directoryID string) string { return iam.ReservedSSOPrefix + directoryID }

// SAMLProviderARN is the federated principal the reserved roles trust.
func SAMLProviderARN(memberID, directoryID string) string {
	return "acs:ram::" + memberID + ":saml-provider/" + SAMLProviderName(directoryID)
}

// ReservedRoleARN is the role to assume in a member, lower-cased as the
// cloud writes the ARNs of the roles it reserves.
func ReservedRoleARN(memberID, configurationName string) string {
	return model.RoleARN(memberID, strings.ToLower(ReservedRoleName(configurationName)))
}

// reservedTrust trusts the directory's SAML provider in the member.
func reservedTrust(memberID, directoryID string) string {
	return `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Federated":["` +
		SAMLProviderARN(memberID, directoryID) + `"]},"Condition":{"StringEquals":{"saml:recipient":"` +
		SAMLRecipient + `"}}}],"Version":"1"}`
}

func provisioningKey(d *Directory, acID, targetID string) string { return scoped(d.ID, acID, targetID) }

// provisionInMember writes (or rewrites) the configuration's role, inline
// policy and attachments in the member and records the provisioning.
func (s *Service) provisionInMember(tx store.Tx, d *Directory, ac *AccessConfiguration, memberID string, now time.Time) error {
	w := s.iam.ReservedWriter()
	roleName, policyName := ReservedRoleName(ac.Name), ReservedInlinePolicyName(ac.Name)
	trust := reservedTrust(memberID, d.ID)
	maxSession := max(ac.SessionDuration, iam.MinSessionDuration)
	desc := "Provisioned by CloudSSO (directory " + d.ID + ", access configuration " + ac.ID + "); change it in CloudSSO."
	if _, err := w.FindRole(tx, memberID, roleName); errors.Is(err, store.ErrNotFound) {
		if _, err := w.CreateRole(tx, memberID, iam.NewRole{Name: roleName, Description: desc, TrustPolicy: trust,
			MaxSessionDuration: &maxSession}, now); err != nil {
			return err
		}
	} else if err != nil {
		return err
	} else if _, err := w.UpdateRole(tx, memberID, roleName, iam.RoleUpdate{NewTrustPolicy: trust, NewDescription: desc,
		NewMaxSessionDuration: &maxSession}, now); err != nil {
		return err
	}

	wantSystem := map[string]bool{}
	for _, p := range ac.Policies {
		if p.Type == PolicyTypeSystem {
			wantSystem[lowerASCII(p.Name)] = true
		}
	}
	inline := ac.inline()
	attached, err := w.ListPoliciesFor(tx, memberID, iam.PrincipalRole, roleName)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, a := range attached {
		key := a.Type + ":" + lowerASCII(a.Name)
		keep := a.Type == iam.PolicyTypeSystem && wantSystem[lowerASCII(a.Name)]
		if !keep {
			if err := w.DetachPolicy(tx, memberID, iam.PrincipalRole, roleName, a.Type, a.Name); err != nil {
				return err
			}
			continue
		}
		has[key] = true
	}
	// The inline policy is replaced whole (detached above), so the custom
	// policy keeps a single version and deprovisioning can delete it.
	if err := deleteCustomPolicy(tx, w, memberID, policyName); err != nil {
		return err
	}
	names := []string{}
	if inline != nil {
		if _, err := w.CreatePolicy(tx, memberID, iam.NewPolicy{Name: policyName, Document: inline.Document,
			Description: "The inline policy of the CloudSSO access configuration " + ac.ID + "."}, now); err != nil {
			return err
		}
		if err := w.AttachPolicy(tx, memberID, iam.PrincipalRole, roleName, iam.PolicyTypeCustom, policyName, now); err != nil {
			return err
		}
		names = append(names, policyName)
	}
	for _, p := range ac.Policies {
		if p.Type != PolicyTypeSystem {
			continue
		}
		names = append(names, p.Name)
		if has[iam.PolicyTypeSystem+":"+lowerASCII(p.Name)] {
			continue
		}
		if err := w.AttachPolicy(tx, memberID, iam.PrincipalRole, roleName, iam.PolicyTypeSystem, p.Name, now); err != nil {
			return err
		}
	}
	return s.recordProvisioning(tx, d, ac, memberID, roleName, names, now)
}

// deleteCustomPolicy deletes a (detached) custom policy if it exists.
func deleteCustomPolicy(tx store.Tx, w *iam.Service, memberID, name string) error {
	if _, _, err := w.GetPolicy(tx, memberID, iam.PolicyTypeCustom, name); apperr.Is(err, apperr.KindNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return w.DeletePolicy(tx, memberID, name)
}

// recordProvisioning stores the provisioning at the configuration's
// revision and clears the configuration's notice when no provisioning of
// it is behind any more.
func (s *Service) recordProvisioning(tx store.Tx, d *Directory, ac *AccessConfiguration, memberID, roleName string, policyNames []string, now time.Time) error {
	key := provisioningKey(d, ac.ID, memberID)
	p, rec, err := provisionings.Get(tx, d.AccountID, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p = &Provisioning{DirectoryID: d.ID, AccessConfigurationID: ac.ID, TargetID: memberID, Created: now}
	case err != nil:
		return err
	}
	p.Status, p.Revision, p.RoleName, p.PolicyNames, p.SAMLProviderName, p.Updated =
		ProvisioningProvisioned, ac.Revision, roleName, policyNames, SAMLProviderName(d.ID), now
	if rec.Key == "" {
		err = provisionings.Insert(tx, d.AccountID, key, memberID, p, now)
	} else {
		err = provisionings.Update(tx, rec, p, now)
	}
	if err != nil {
		return err
	}
	return s.refreshNotice(tx, d, ac.ID, now)
}

// refreshNotice sets the configuration's ReprovisionRequired notice to
// whether any of its provisionings is behind.
func (s *Service) refreshNotice(tx store.Tx, d *Directory, acID string, now time.Time) error {
	ac, rec, err := accessConfigurationByID(tx, d, acID)
	if err != nil {
		return err
	}
	ps, err := provisionings.List(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, ac.ID, "")})
	if err != nil {
		return err
	}
	behind := false
	for _, p := range ps {
		behind = behind || p.Status == StatusReprovisionRequired
	}
	if behind == ac.ReprovisionRequired {
		return nil
	}
	ac.ReprovisionRequired = behind
	return accessConfigs.Update(tx, rec, ac, now)
}

// deprovisionInMember removes the configuration's role, inline policy and
// attachments from the member, and the provisioning record. What is
// already gone (the member left, its account was deleted) is no error.
func (s *Service) deprovisionInMember(tx store.Tx, d *Directory, acID, acName, memberID string, now time.Time) error {
	w := s.iam.ReservedWriter()
	roleName := ReservedRoleName(acName)
	role, err := w.FindRole(tx, memberID, roleName)
	switch {
	case err == nil && !trustsDirectory(role, memberID, d.ID):
		// The member left and another directory provisioned the same
		// name since: the role and its policy are no longer this
		// directory's to remove; only its own record goes.
		return s.dropProvisioning(tx, d, acID, memberID, now)
	case err == nil:
		attached, err := w.ListPoliciesFor(tx, memberID, iam.PrincipalRole, roleName)
		if err != nil {
			return err
		}
		for _, a := range attached {
			if err := w.DetachPolicy(tx, memberID, iam.PrincipalRole, roleName, a.Type, a.Name); err != nil {
				return err
			}
		}
		if err := w.DeleteRole(tx, memberID, roleName); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := deleteCustomPolicy(tx, w, memberID, ReservedInlinePolicyName(acName)); err != nil {
		return err
	}
	return s.dropProvisioning(tx, d, acID, memberID, now)
}

// trustsDirectory says whether a reserved role is this directory's: its
// trust policy names the directory's SAML provider in the member.
func trustsDirectory(role *iam.Role, memberID, directoryID string) bool {
	return strings.Contains(role.TrustPolicy, `"`+SAMLProviderARN(memberID, directoryID)+`"`)
}

// dropProvisioning deletes the provisioning record and refreshes the
// configuration's notice.
func (s *Service) dropProvisioning(tx store.Tx, d *Directory, acID, memberID string, now time.Time) error {
	err := provisionings.Delete(tx, d.AccountID, provisioningKey(d, acID, memberID))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := s.refreshNotice(tx, d, acID, now); err != nil && !codeNoAccessConfiguration.Is(err) {
		return err
	}
	return nil
}

// Target is a member account as assignments, provisionings and tasks show
// it.
type Target struct {
	ID       string
	Name     string // display name
	Path     string // resource directory path, e.g. r-abc/fd-def/<uid>
	PathName string // the folders' names and the display name, e.g. Root/Dev/web
}

// target returns a member of the resource directory the caller manages:
// EntityNotExists.Target for any other account.
func (s *Service) target(tx store.Tx, d *Directory, targetType, targetID string) (*Target, error) {
	if targetType == "" {
		return nil, missingParameter.Of("TargetType").New("The parameter TargetType is required.")
	}
	if err := checkEnum("TargetType", targetType, TargetTypeAccount); err != nil {
		return nil, err
	}
	if targetID == "" {
		return nil, missingParameter.Of("TargetId").New("The parameter TargetId is required.")
	}
	v, err := s.rd.GetAccount(tx, d.AccountID, targetID)
	if apperr.Is(err, apperr.KindNotFound) || apperr.Is(err, apperr.KindInvalid) {
		return nil, codeNoTarget.New("The account %q is not a member of the resource directory of this management account.", clip(targetID))
	}
	if err != nil {
		return nil, err
	}
	pathName := v.DisplayName
	if v.Location != "" {
		pathName = v.Location + "/" + v.DisplayName
	}
	return &Target{ID: v.AccountID, Name: v.DisplayName, Path: v.Path(), PathName: pathName}, nil
}

// formerTarget is target for removals: an account that has left the
// directory (or was deleted) since it was assigned or provisioned is
// still named by its id, so that what CloudSSO wrote for it can be
// removed. The callers then require a record of the (configuration,
// account): an account that never was a target is still refused.
func (s *Service) formerTarget(tx store.Tx, d *Directory, targetType, targetID string) (*Target, error) {
	tg, err := s.target(tx, d, targetType, targetID)
	if codeNoTarget.Is(err) && len(targetID) <= maxIDLength {
		return &Target{ID: targetID}, nil
	}
	return tg, err
}

// ProvisioningView is a provisioning with its configuration's name and
// its target.
type ProvisioningView struct {
	Provisioning
	AccessConfigurationName string
	Target                  Target
}

// ProvisioningFilter narrows ListAccessConfigurationProvisionings.
type ProvisioningFilter struct {
	AccessConfigurationID string
	TargetType, TargetID  string
	Status                string
}

// ListAccessConfigurationProvisionings lists where configurations are
// provisioned.
func (s *Service) ListAccessConfigurationProvisionings(tx store.Tx, accountID, directoryID string, f ProvisioningFilter, p Page) (Listed[ProvisioningView], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[ProvisioningView]{}, err
	}
	if f.Status != "" {
		if err := checkEnum("ProvisioningStatus", f.Status, ProvisioningProvisioned, StatusReprovisionRequired, ProvisioningDeprovisionFailed); err != nil {
			return Listed[ProvisioningView]{}, err
		}
	}
	if f.TargetType != "" {
		if err := checkEnum("TargetType", f.TargetType, TargetTypeAccount); err != nil {
			return Listed[ProvisioningView]{}, err
		}
	}
	q := store.Query{AccountID: accountID, Prefix: scoped(d.ID, "")}
	if f.AccessConfigurationID != "" {
		if _, _, err := accessConfigurationByID(tx, d, f.AccessConfigurationID); err != nil {
			return Listed[ProvisioningView]{}, err
		}
		q.Prefix = scoped(d.ID, f.AccessConfigurationID, "")
	}
	if f.TargetType != "" && f.TargetID != "" { // the pair filters only whole
		q.Ref = f.TargetID
	}
	n := s.namer(tx, d)
	return page(tx, provisionings, q, p, MaxTaskResults, func(pr *Provisioning) (ProvisioningView, bool, error) {
		if f.Status != "" && pr.Status != f.Status {
			return ProvisioningView{}, false, nil
		}
		tg, err := n.target(pr.TargetID)
		return ProvisioningView{Provisioning: *pr, AccessConfigurationName: n.configuration(pr.AccessConfigurationID), Target: tg}, err == nil, err
	})
}

// rowNamer gives list rows the names of their configurations (each read
// once per list) and their targets.
type rowNamer struct {
	s     *Service
	tx    store.Tx
	d     *Directory
	names map[string]string
}

func (s *Service) namer(tx store.Tx, d *Directory) *rowNamer {
	return &rowNamer{s: s, tx: tx, d: d, names: map[string]string{}}
}

// configuration is the name of a configuration ("" once deleted).
func (n *rowNamer) configuration(id string) string {
	name, ok := n.names[id]
	if !ok {
		if ac, _, err := accessConfigurationByID(n.tx, n.d, id); err == nil {
			name = ac.Name
		}
		n.names[id] = name
	}
	return name
}

// target is the member as it is now, or only its id once it has left.
func (n *rowNamer) target(id string) (Target, error) {
	t, err := n.s.target(n.tx, n.d, TargetTypeAccount, id)
	if codeNoTarget.Is(err) {
		return Target{ID: id}, nil
	}
	if err != nil {
		return Target{}, err
	}
	return *t, nil
}

// provisioningTask checks a provisioning request and returns the task
// that would carry it out (not yet started).
func (s *Service) provisioningTask(tx store.Tx, accountID, directoryID, acID, targetType, targetID, taskType string) (*Directory, *Task, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, nil, err
	}
	ac, _, err := accessConfigurationByID(tx, d, acID)
	if err != nil {
		return nil, nil, err
	}
	find := s.target
	if taskType == TaskDeprovision {
		find = s.formerTarget
	}
	tg, err := find(tx, d, targetType, targetID)
	if err != nil {
		return nil, nil, err
	}
	return d, &Task{Type: taskType, AccessConfigurationID: ac.ID, AccessConfigurationName: ac.Name,
		TargetType: TargetTypeAccount, Target: *tg}, nil
}

// ProvisionAccessConfiguration starts a task that provisions the
// configuration's current revision in a member.
func (s *Service) ProvisionAccessConfiguration(tx store.Tx, accountID, directoryID, acID, targetType, targetID string, now time.Time) (*Task, error) {
	d, t, err := s.provisioningTask(tx, accountID, directoryID, acID, targetType, targetID, TaskProvision)
	if err != nil {
		return nil, err
	}
	return s.startTask(tx, d, t, now)
}

// DeprovisionAccessConfiguration starts a task that removes the
// configuration from a member; refused while assignments use it there.
func (s *Service) DeprovisionAccessConfiguration(tx store.Tx, accountID, directoryID, acID, targetType, targetID string, now time.Time) (*Task, error) {
	d, t, err := s.provisioningTask(tx, accountID, directoryID, acID, targetType, targetID, TaskDeprovision)
	if err != nil {
		return nil, err
	}
	if ok, err := provisionings.Exists(tx, accountID, provisioningKey(d, t.AccessConfigurationID, t.Target.ID)); err != nil {
		return nil, err
	} else if !ok {
		return nil, codeNoProvisioning.New("The access configuration %s is not provisioned in the account %s.", t.AccessConfigurationID, t.Target.ID)
	}
	if err := refuseWhileAssigned(tx, d, t.AccessConfigurationID, t.Target.ID); err != nil {
		return nil, err
	}
	return s.startTask(tx, d, t, now)
}

// refuseWhileAssigned is DeletionConflict.AccessConfigurationProvisioning.
// AccessAssignment while assignments use the configuration on the account.
func refuseWhileAssigned(tx store.Tx, d *Directory, acID, targetID string) error {
	n, err := assignments.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, acID, targetID, "")})
	if err != nil {
		return err
	}
	if n > 0 {
		return codeProvisioningAssigned.New("The access configuration %s still has %d access assignments on the account %s: delete them first.", acID, n, targetID)
	}
	return nil
}
