package iam

import (
	"errors"
	"slices"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// The record kinds of RAM and IMS, each a typed collection that says what
// its keys and refs are made of. Keys are chosen so that the listings the
// APIs need are key ranges or ref lookups. Everything that hangs off a
// user, group or role is keyed by its id, so a rename rewrites one record.
//
// The database records the same layout in its record_kinds table
// (migration 0002); TestRecordKindsMatchTheMigrations keeps the two equal,
// so a new kind needs a migration row too.
var (
	// Users, groups and roles are read on most calls (a resource's stored
	// spelling, GetUser, lists): their decoded documents are memoized.
	users = store.Collection[User]{Kind: "user", Key: "lower(name)", Ref: "user id",
		Memo: &store.Memo[User]{Clone: func(u *User) { u.Tags = slices.Clone(u.Tags) }}}
	groups = store.Collection[Group]{Kind: "group", Key: "lower(name)", Ref: "group id", Memo: &store.Memo[Group]{}}
	roles  = store.Collection[Role]{Kind: "role", Key: "lower(name)", Ref: "role id", Memo: &store.Memo[Role]{}}
	// Custom policies only: system policies live in the catalogue.
	customPolicies = store.Collection[policyRecord]{Kind: "policy", Key: "lower(name)"}
	// Zero-padded numbers keep a policy's versions in numeric order.
	policyVersions = store.Collection[versionRecord]{Kind: "policy-version",
		Key: "lower(policy name)/<version number, 6 digits>"}
	// A group's members are a key range, a user's groups a ref lookup.
	memberships = store.Collection[membership]{Kind: "membership",
		Key: "<group id>/<user id>", Ref: "user id"}
	// A principal's policies are a key range, a policy's principals
	// (ListEntitiesForPolicy, AttachmentCount) a ref lookup.
	attachments = store.Collection[attachment]{Kind: "attachment",
		Key: "<principal type>:<principal id>/<policy type>:lower(policy name)",
		Ref: "<policy type>:lower(policy name)"}
	loginProfiles = store.Collection[loginProfileRecord]{Kind: "login-profile", Key: "user id"}
	// While unbound, a device's ref is the RAM user that created it: the
	// self-service cap counts a user's unbound devices by ref.
	mfaDevices = store.Collection[mfaDeviceRecord]{Kind: "mfa-device", Key: "lower(device name)",
		Ref: "creating user id while unbound"}
	// One device per user.
	mfaBindings = store.Collection[mfaBinding]{Kind: "mfa-binding", Key: "user id"}
)

// ChangesCredentials reports whether a change to records of kind can
// change whom an AccessKey authenticates (a user renamed or deleted): the
// AccessKey cache then drops the account's keys.
func ChangesCredentials(kind string) bool { return kind == users.Kind }

// Account-wide settings share one kind, keyed by the setting's name; each
// setting's document has its own type.
const kindSetting = "setting"

type setting[T any] struct {
	c   store.Collection[T]
	key string
}

func newSetting[T any](key string) setting[T] {
	return setting[T]{c: store.Collection[T]{Kind: kindSetting, Key: "setting name"}, key: key}
}

var (
	passwordPolicySetting     = newSetting[PasswordPolicy]("password-policy")
	securityPreferenceSetting = newSetting[SecurityPreference]("security-preference")
	accountAliasSetting       = newSetting[aliasSetting]("account-alias")
)

// load decodes the account's setting into v (which holds the defaults
// beforehand); found is false when the account never changed it.
func (s setting[T]) load(tx store.Tx, accountID string, v *T) (found bool, err error) {
	_, err = s.c.GetInto(tx, accountID, s.key, v)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// save writes the account's setting, creating its record on first use
// (settings have no ref, so the record to update is known by its key).
func (s setting[T]) save(tx store.Tx, accountID string, v *T, now time.Time) error {
	err := s.c.Update(tx, store.Record{AccountID: accountID, Key: s.key}, v, now)
	if isNotFound(err) {
		return s.c.Insert(tx, accountID, s.key, "", v, now)
	}
	return err
}

// lookupKey is the record key of a name. Keys fold ASCII case, so "Alice"
// and "alice" cannot both exist and a lookup by either finds the one that
// does, with its stored spelling (as the cloud does). Resource names in
// policies match case-sensitively, so authorization must name an entity by
// its stored spelling too, never by the spelling a caller sent: see
// CanonicalResource.
//
// Only ASCII letters fold (names are validated ASCII when created): a
// lookup must not find "k" by the Kelvin sign, which Unicode lower-cases
// to it.
func lookupKey(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' {
			b := []byte(name)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return name
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }
