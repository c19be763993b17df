package cloudsso

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Access configurations (reference 2.3, 5.4): permission templates that
// provisioning turns into a reserved role in member accounts. They live
// in the management account beside the directory's users; their policies
// are kept inside the record (at most 20 system policies and one inline
// policy, so a record stays small).

// Access configuration limits (reference section 7).
const (
	MaxAccessConfigurationName    = 32
	MinSessionDuration            = 900
	MaxSessionDuration            = 43200
	DefaultSessionDuration        = 3600
	MaxRelayState                 = 1024
	MaxAccessConfigurations       = 1000 // per directory (the statistics example)
	MaxSystemPoliciesPerAC        = 20
	MaxInlinePoliciesPerAC        = 1
	MaxInlinePolicyDocument       = 6144 // the user guide's limit; the API metadata says 4096
	MaxPermissionPolicyName       = 128
	StatusReprovisionRequired     = "ReprovisionRequired"
	PolicyTypeSystem              = "System"
	PolicyTypeInline              = "Inline"
	accessConfigurationIDAlphabet = 20
)

// AccessConfiguration is one permission template.
type AccessConfiguration struct {
	ID              string
	DirectoryID     string
	Name            string // immutable: it names the reserved role in members
	Description     string `json:",omitempty"`
	SessionDuration int
	RelayState      string             `json:",omitempty"`
	Policies        []PermissionPolicy `json:",omitempty"`
	// Revision counts the changes provisioning copies into members
	// (policies, session duration, relay state). A provisioning made from
	// an older revision is ReprovisionRequired.
	Revision int
	// ReprovisionRequired is set when the configuration changed while
	// provisioned somewhere, and cleared when no provisioning is behind.
	ReprovisionRequired bool `json:",omitempty"`
	Created             time.Time
	Updated             time.Time
}

// PermissionPolicy is a policy of an access configuration: a RAM system
// policy by name, or the inline policy with its document.
type PermissionPolicy struct {
	Type     string // System | Inline
	Name     string
	Document string `json:",omitempty"` // Inline only
	Added    time.Time
}

// StatusNotifications are the configuration's notices (ListAccess-
// Configurations' StatusNotifications).
func (ac *AccessConfiguration) StatusNotifications() []string {
	if ac.ReprovisionRequired {
		return []string{StatusReprovisionRequired}
	}
	return []string{}
}

// inline returns the inline policy, nil when there is none.
func (ac *AccessConfiguration) inline() *PermissionPolicy {
	for i := range ac.Policies {
		if ac.Policies[i].Type == PolicyTypeInline {
			return &ac.Policies[i]
		}
	}
	return nil
}

// NewAccessConfiguration is the input of CreateAccessConfiguration.
type NewAccessConfiguration struct {
	Name            string
	Description     string
	SessionDuration *int // nil = DefaultSessionDuration
	RelayState      string
}

// AccessConfigurationUpdate is the input of UpdateAccessConfiguration; nil
// fields stay.
type AccessConfigurationUpdate struct {
	Description     *string
	SessionDuration *int
	RelayState      *string
}

// AccessConfigurationFilter narrows ListAccessConfigurations.
type AccessConfigurationFilter struct {
	Filter              string // "AccessConfigurationName eq|sw <v>"
	StatusNotifications string // "ReprovisionRequired"
}

func newAccessConfigurationID() string { return "ac-" + lowerAlnum(accessConfigurationIDAlphabet) }

func checkAccessConfigurationName(name string) error {
	return checkPlainName("AccessConfigurationName", name, MaxAccessConfigurationName, "-", "letters, digits and hyphens")
}

// checkPlainName requires a name of 1..max ASCII letters, digits and the
// punctuation given; what describes them in the refusal.
func checkPlainName(param, name string, max int, punctuation, what string) error {
	if name == "" {
		return missingParameter.Of(param).New("The parameter %s is required.", param)
	}
	if len(name) > max {
		return invalidParameter.Of(param).New("The parameter %s must be at most %d characters long.", param, max)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(punctuation, c) >= 0) {
			return invalidParameter.Of(param).New("The parameter %s may contain only %s.", param, what)
		}
	}
	return nil
}

func checkSessionDuration(param string, v int) error {
	if v < MinSessionDuration || v > MaxSessionDuration {
		return invalidParameter.Of(param).New("The parameter %s must be %d to %d seconds; got %d.", param, MinSessionDuration, MaxSessionDuration, v)
	}
	return nil
}

// checkRelayState accepts "" (the console home), an http(s) URL or a
// path on this server (Canopy's console is served where the API is).
func checkRelayState(param, v string) error {
	if v == "" {
		return nil
	}
	if err := checkLength(param, v, MaxRelayState); err != nil {
		return err
	}
	bad := invalidParameter.Of(param).New("The parameter %s must be a console URL (https://...) or a path starting with /.", param)
	if strings.ContainsAny(v, " \t\r\n") {
		return bad
	}
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad
	}
	return nil
}

func accessConfigurationKey(d *Directory, name string) string {
	return scoped(d.ID, strings.ToLower(name))
}

// accessConfigurationByID finds a configuration of the directory by id:
// EntityNotExists.AccessConfiguration when none.
func accessConfigurationByID(tx store.Tx, d *Directory, id string) (*AccessConfiguration, store.Record, error) {
	return byID(tx, accessConfigs, d, "AccessConfigurationId", "ac-", id, func() error {
		return codeNoAccessConfiguration.New("The access configuration %q does not exist in the directory %s.", clip(id), d.ID)
	})
}

// configurationOf finds a configuration of a directory of the caller's
// account, with its record.
func configurationOf(tx store.Tx, accountID, directoryID, id string) (*Directory, *AccessConfiguration, store.Record, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, nil, store.Record{}, err
	}
	ac, rec, err := accessConfigurationByID(tx, d, id)
	return d, ac, rec, err
}

// AccessConfiguration returns one configuration of a directory of the
// caller's account.
func (s *Service) AccessConfiguration(tx store.Tx, accountID, directoryID, id string) (*Directory, *AccessConfiguration, error) {
	d, ac, _, err := configurationOf(tx, accountID, directoryID, id)
	return d, ac, err
}

// CreateAccessConfiguration adds a configuration without policies.
func (s *Service) CreateAccessConfiguration(tx store.Tx, accountID, directoryID string, n NewAccessConfiguration, now time.Time) (*AccessConfiguration, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	if err := checkAccessConfigurationName(n.Name); err != nil {
		return nil, err
	}
	if err := checkLength("Description", n.Description, MaxDescription); err != nil {
		return nil, err
	}
	duration := DefaultSessionDuration
	if n.SessionDuration != nil {
		duration = *n.SessionDuration
		if err := checkSessionDuration("SessionDuration", duration); err != nil {
			return nil, err
		}
	}
	if err := checkRelayState("RelayState", n.RelayState); err != nil {
		return nil, err
	}
	count, err := accessConfigs.Count(tx, store.Query{AccountID: accountID, Prefix: scoped(d.ID, "")})
	if err != nil {
		return nil, err
	}
	if count >= MaxAccessConfigurations {
		return nil, codeACQuota.New("The directory already has %d access configurations, its quota.", MaxAccessConfigurations)
	}
	ac := &AccessConfiguration{ID: newAccessConfigurationID(), DirectoryID: d.ID, Name: n.Name, Description: n.Description,
		SessionDuration: duration, RelayState: n.RelayState, Revision: 1, Created: now, Updated: now}
	err = accessConfigs.Insert(tx, accountID, accessConfigurationKey(d, n.Name), ac.ID, ac, now)
	if errors.Is(err, store.ErrConflict) {
		return nil, codeACExists.New("The directory already has an access configuration named %q (names are unique regardless of case).", n.Name)
	}
	if err != nil {
		return nil, err
	}
	return ac, nil
}

// GetAccessConfiguration returns one configuration.
func (s *Service) GetAccessConfiguration(tx store.Tx, accountID, directoryID, id string) (*AccessConfiguration, error) {
	_, ac, err := s.AccessConfiguration(tx, accountID, directoryID, id)
	return ac, err
}

// ListAccessConfigurations lists the directory's configurations by name.
func (s *Service) ListAccessConfigurations(tx store.Tx, accountID, directoryID string, f AccessConfigurationFilter, p Page) (Listed[AccessConfiguration], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[AccessConfiguration]{}, err
	}
	if f.StatusNotifications != "" {
		if err := checkEnum("StatusNotifications", f.StatusNotifications, StatusReprovisionRequired); err != nil {
			return Listed[AccessConfiguration]{}, err
		}
	}
	prefix, exact := scoped(d.ID, ""), ""
	if f.Filter != "" {
		v, isPrefix, err := parseFilter(f.Filter, "AccessConfigurationName")
		if err != nil {
			return Listed[AccessConfiguration]{}, err
		}
		prefix += v
		if !isPrefix {
			exact = v
		}
	}
	return page(tx, accessConfigs, store.Query{AccountID: accountID, Prefix: prefix}, p, MaxMaxResults,
		func(ac *AccessConfiguration) (AccessConfiguration, bool, error) {
			keep := (exact == "" || strings.ToLower(ac.Name) == exact) &&
				(f.StatusNotifications == "" || ac.ReprovisionRequired)
			return *ac, keep, nil
		})
}

// UpdateAccessConfiguration changes the description, session duration or
// relay state; the name never changes. A change members see marks the
// configuration's provisionings ReprovisionRequired.
func (s *Service) UpdateAccessConfiguration(tx store.Tx, accountID, directoryID, id string, up AccessConfigurationUpdate, now time.Time) (*AccessConfiguration, error) {
	d, ac, rec, err := configurationOf(tx, accountID, directoryID, id)
	if err != nil {
		return nil, err
	}
	if up.Description != nil {
		if err := checkLength("NewDescription", *up.Description, MaxDescription); err != nil {
			return nil, err
		}
	}
	if up.SessionDuration != nil {
		if err := checkSessionDuration("NewSessionDuration", *up.SessionDuration); err != nil {
			return nil, err
		}
	}
	if up.RelayState != nil {
		if err := checkRelayState("NewRelayState", *up.RelayState); err != nil {
			return nil, err
		}
	}
	changed := false
	if up.SessionDuration != nil && *up.SessionDuration != ac.SessionDuration {
		ac.SessionDuration, changed = *up.SessionDuration, true
	}
	if up.RelayState != nil && *up.RelayState != ac.RelayState {
		ac.RelayState, changed = *up.RelayState, true
	}
	if up.Description != nil {
		ac.Description = *up.Description
	}
	ac.Updated = now
	if changed {
		return ac, s.revise(tx, d, ac, rec, now)
	}
	return ac, accessConfigs.Update(tx, rec, ac, now)
}

// revise stores a change that members see: a new revision, and when the
// configuration is provisioned anywhere, ReprovisionRequired on it and on
// each of its provisionings.
func (s *Service) revise(tx store.Tx, d *Directory, ac *AccessConfiguration, rec store.Record, now time.Time) error {
	ac.Revision++
	ps, err := provisionings.Records(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, ac.ID, "")})
	if err != nil {
		return err
	}
	for _, prec := range ps {
		var p Provisioning
		if err := provisionings.Decode(prec, &p); err != nil {
			return err
		}
		if p.Status == ProvisioningProvisioned {
			p.Status = StatusReprovisionRequired
			if err := provisionings.Update(tx, prec, &p, now); err != nil {
				return err
			}
		}
	}
	if len(ps) > 0 {
		ac.ReprovisionRequired = true
	}
	return accessConfigs.Update(tx, rec, ac, now)
}

// DeleteAccessConfiguration deletes a configuration that is neither
// provisioned nor assigned and has no running task. Its policies must be
// removed first unless forceRemovePolicies.
func (s *Service) DeleteAccessConfiguration(tx store.Tx, accountID, directoryID, id string, forceRemovePolicies bool) error {
	d, ac, rec, err := configurationOf(tx, accountID, directoryID, id)
	if err != nil {
		return err
	}
	under := store.Query{AccountID: accountID, Prefix: scoped(d.ID, ac.ID, "")}
	if n, err := taskLocks.Count(tx, under); err != nil {
		return err
	} else if n > 0 {
		return codeACTaskRunning.New("The access configuration %s has %d running tasks: wait until they end.", ac.ID, n)
	}
	if n, err := assignments.Count(tx, under); err != nil {
		return err
	} else if n > 0 {
		return codeACAssigned.New("The access configuration %s still has %d access assignments: delete them first.", ac.ID, n)
	}
	if n, err := provisionings.Count(tx, under); err != nil {
		return err
	} else if n > 0 {
		return codeACProvisioned.New("The access configuration %s is still provisioned in %d accounts: deprovision it first.", ac.ID, n)
	}
	if len(ac.Policies) > 0 && !forceRemovePolicies {
		return codeACHasPolicies.New("The access configuration %s still has %d permission policies: remove them first, or set ForceRemovePermissionPolicies to true.", ac.ID, len(ac.Policies))
	}
	return accessConfigs.Delete(tx, accountID, rec.Key)
}

// The directory's access configurations count in its statistics and keep
// it from being deleted.
func init() {
	directoryParts = append(directoryParts, directoryPart{
		statistics: func(tx store.Tx, d *Directory, st *DirectoryStatistics) error {
			n, err := accessConfigs.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, "")})
			st.AccessConfigurationCount, st.AccessConfigurationQuota = n, MaxAccessConfigurations
			st.SystemPolicyPerAccessConfigurationQuota = MaxSystemPoliciesPerAC
			st.InlinePolicyPerAccessConfigurationQuota = MaxInlinePoliciesPerAC
			return err
		},
		inUse: func(tx store.Tx, d *Directory) error {
			n, err := accessConfigs.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, "")})
			if err == nil && n > 0 {
				return codeDirectoryNotEmpty.New("The directory %s still has %d access configurations: delete them first.", d.ID, n)
			}
			return err
		},
	})
}
