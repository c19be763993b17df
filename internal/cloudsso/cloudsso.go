// Package cloudsso is CloudSSO (cloudsso 2021-05-15): a directory of
// workforce users and groups that an administrator of a Resource Directory
// management account keeps beside RAM, with the portal settings (MFA,
// login preference, password policy) its users sign in under. It knows
// nothing of HTTP or SQL: it works in the store transaction it is given,
// like iam and directory.
//
// Where things are kept (all as store records; migration 0012 lists the
// kinds in record_kinds):
//
//   - in the management account that enabled the service: the service
//     switch, its directory (at most one) with its counters and settings,
//     the directory's users (keyed by lower-case name, ref = user id, so a
//     name filter is a key range and a user id one ref lookup), their
//     e-mail claims, credentials (password hash) and MFA devices, groups
//     and group memberships. Keys of directory objects start with the
//     directory id, so a recreated directory never sees its predecessor's;
//   - in the registry account (RegistryAccountID, a reserved account row
//     nobody can sign in to, created on first use): one claim per
//     directory name, because names are unique across all accounts (the
//     portal URL is /sso/<DirectoryName>); the store has no global scope.
package cloudsso

import (
	"crypto/rand"
	"math/big"
	"time"

	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/store"
)

// Limits are the directory's quotas: the values of the cloud's
// GetDirectoryStatistics example.
type Limits struct {
	MaxUsers  int // users per directory: 1000
	MaxGroups int // groups per directory: 500
}

// DefaultLimits are the cloud's example quotas.
func DefaultLimits() Limits { return Limits{MaxUsers: 1000, MaxGroups: 500} }

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxUsers <= 0 {
		l.MaxUsers = d.MaxUsers
	}
	if l.MaxGroups <= 0 {
		l.MaxGroups = d.MaxGroups
	}
	return l
}

// Service runs the CloudSSO use cases.
type Service struct {
	iam    *iam.Service
	rd     *directory.Service
	ring   *keyring.Keyring
	limits Limits
}

// New returns the service; zero limits take the defaults. ring seals MFA
// secrets, as iam seals virtual MFA seeds.
func New(iamSvc *iam.Service, rd *directory.Service, ring *keyring.Keyring, limits Limits) *Service {
	return &Service{iam: iamSvc, rd: rd, ring: ring, limits: limits.withDefaults()}
}

// Limits returns the quotas in force.
func (s *Service) Limits() Limits { return s.limits }

// Status values (service, users, MFA switches).
const (
	Enabled  = "Enabled"
	Disabled = "Disabled"
)

// Provision types of users and groups.
const (
	ProvisionManual       = "Manual"
	ProvisionSynchronized = "Synchronized"
)

// DefaultRegion is the region of a directory whose caller named none.
const DefaultRegion = "cn-shanghai"

// ServiceState is the CloudSSO switch of a management account.
type ServiceState struct {
	Enabled   bool
	EnabledAt time.Time
}

// Directory is one CloudSSO directory, kept in the management account,
// with its counters (quotas and statistics cost no scan) and its portal
// settings.
type Directory struct {
	ID        string
	Name      string
	Region    string
	AccountID string // the management account that owns it
	Created   time.Time
	Updated   time.Time

	Users  int
	Groups int

	MFA            MFASettings
	Login          LoginPreference
	PasswordPolicy PasswordPolicy
	// SSOEnabled is the external SAML IdP logon switch (not offered yet:
	// always false). SCIMSyncEnabled is SetSCIMSynchronizationStatus's
	// switch and SCIMCredentials the SCIM server's bearer tokens (scim.go).
	SSOEnabled      bool             `json:",omitempty"`
	SCIMSyncEnabled bool             `json:",omitempty"`
	SCIMCredentials []SCIMCredential `json:",omitempty"`
}

// ExternalID names a user or group in the identity provider that
// synchronized it (SCIM).
type ExternalID struct {
	ID     string
	Issuer string
}

// User is one CloudSSO user (not a RAM user).
type User struct {
	ID            string
	DirectoryID   string
	Name          string // immutable
	DisplayName   string `json:",omitempty"`
	FirstName     string `json:",omitempty"`
	LastName      string `json:",omitempty"`
	Email         string `json:",omitempty"`
	Description   string `json:",omitempty"`
	Status        string // Enabled | Disabled
	ProvisionType string
	ExternalID    *ExternalID `json:",omitempty"`
	// MFASetting is the user's own MFA switch, used while the directory's
	// MFA setting is Byuser.
	MFASetting string `json:",omitempty"`
	Created    time.Time
	Updated    time.Time
}

// Credential is a user's password and what the portal keeps about its use.
// Only argon2id hashes are stored (the same hashing as RAM login profiles).
type Credential struct {
	PasswordHash    string
	History         []string `json:",omitempty"` // earlier hashes, newest first
	PasswordChanged time.Time
	// ResetRequired makes the portal ask for a new password at the next
	// sign-in (ResetUserPassword's RequirePasswordResetForNextLogin).
	ResetRequired bool
	FailedLogins  int       `json:",omitempty"`
	LockedUntil   time.Time `json:",omitzero"`
}

// Group is one CloudSSO group (flat: groups hold users only).
type Group struct {
	ID            string
	DirectoryID   string
	Name          string
	Description   string `json:",omitempty"`
	ProvisionType string
	ExternalID    *ExternalID `json:",omitempty"`
	Members       int
	Created       time.Time
	Updated       time.Time
}

// GroupMember ties a user to a group.
type GroupMember struct {
	DirectoryID string
	GroupID     string
	UserID      string
	Joined      time.Time
}

// MFADevice is a TOTP device a user bound in the portal. The secret is
// sealed with the keyring, bound to the directory, user and device.
type MFADevice struct {
	ID           string
	DirectoryID  string
	UserID       string
	Name         string
	Type         string // TOTP
	SealedSecret []byte
	Created      time.Time
	LastUsedStep int64 `json:",omitempty"`
}

// nameClaim reserves a directory name for one directory of one account.
type nameClaim struct {
	AccountID   string
	DirectoryID string
}

// ownerRef points at the object a claim reserves for.
type ownerRef struct{ ID string }

// The record kinds CloudSSO declares (migration 0012).
var (
	services       = store.Collection[ServiceState]{Kind: "sso-service", Key: "'service'"}
	directories    = store.Collection[Directory]{Kind: "sso-directory", Key: "directory id"}
	directoryNames = store.Collection[nameClaim]{Kind: "sso-directory-name", Key: "lower(directory name)", Ref: "account id"}
	users          = store.Collection[User]{Kind: "sso-user", Key: "directory id/lower(user name)", Ref: "user id"}
	userEmails     = store.Collection[ownerRef]{Kind: "sso-user-email", Key: "directory id/lower(email)", Ref: "user id"}
	credentials    = store.Collection[Credential]{Kind: "sso-credential", Key: "directory id/user id"}
	groups         = store.Collection[Group]{Kind: "sso-group", Key: "directory id/lower(group name)", Ref: "group id"}
	groupMembers   = store.Collection[GroupMember]{Kind: "sso-group-member", Key: "directory id/group id/user id", Ref: "user id"}
	mfaDevices     = store.Collection[MFADevice]{Kind: "sso-mfa-device", Key: "directory id/user id/device id", Ref: "device id"}
)

const serviceKey = "service"

// scoped is a key inside a directory: its id, '/', then the parts.
func scoped(directoryID string, parts ...string) string {
	k := directoryID
	for _, p := range parts {
		k += "/" + p
	}
	return k
}

// lowerAlnum draws n lower-case letters and digits from crypto/rand (the
// cloud's ids are lower-case: d-..., u-..., g-...).
func lowerAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}

func newDirectoryID() string { return "d-" + lowerAlnum(12) }
func newUserID() string      { return "u-" + lowerAlnum(20) }
func newGroupID() string     { return "g-" + lowerAlnum(20) }
func newDeviceID() string    { return "mfa-" + lowerAlnum(20) }
