package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/credentials"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// MaxAccessKeysPerUser is the number of AccessKeys a user (or the root
// user) may hold; two allow a rotation without downtime.
const MaxAccessKeysPerUser = 2

// AccessKey is a long-term AccessKey as the API shows it. Secret is set
// only by CreateAccessKey.
type AccessKey struct {
	ID       string
	Status   string
	Secret   string
	Created  time.Time
	Updated  time.Time
	LastUsed time.Time
}

func accessKeyView(k store.AccessKey) AccessKey {
	return AccessKey{ID: k.ID, Status: k.Status, Created: k.Created, Updated: k.Updated, LastUsed: k.LastUsed}
}

// keyOwner decides whose keys a call manages: the named user; without a
// name the caller itself, i.e. the root user ("") for a root caller, or
// the calling RAM user when the account lets users manage their own keys
// (AllowUserToManageAccessKeys). The RAM permission is checked before the
// call either way; the preference only gates the self-service form.
func (s *Service) keyOwner(tx store.Tx, caller *model.Principal, userName string) (string, error) {
	if userName != "" {
		u, _, err := lookupUser(tx, caller.AccountID, userName)
		if err != nil {
			return "", err
		}
		return u.Name, nil
	}
	switch caller.Kind {
	case model.Root:
		return "", nil
	case model.RAMUser:
		pref, err := s.GetSecurityPreference(tx, caller.AccountID)
		if err != nil {
			return "", err
		}
		if !pref.AllowUserToManageAccessKeys {
			return "", codeNoPermission.New("RAM users may not manage their own AccessKeys in this account (security preference AllowUserToManageAccessKeys is off); name the user with UserName or ask an administrator.")
		}
		u, _, err := userRecord(tx, caller.AccountID, caller.UserName)
		if err != nil {
			return "", err
		}
		return u.Name, nil
	default:
		return "", missingParameter.Of("UserName").New("A role session has no AccessKeys of its own; name the user with UserName.")
	}
}

// ownedKey finds an AccessKey of the given owner in the caller's account.
func ownedKey(tx store.Tx, accountID, owner, keyID string) (store.AccessKey, error) {
	k, err := tx.AccessKeys().Get(keyID)
	if err == nil && k.AccountID == accountID && k.UserName == owner {
		return k, nil
	}
	if err == nil || isNotFound(err) {
		return k, notExist("User.AccessKey", "The AccessKey %q does not exist for %s.", keyID, ownerName(owner))
	}
	return k, err
}

func ownerName(owner string) string {
	if owner == "" {
		return "the root user"
	}
	return "the user \"" + owner + "\""
}

// CreateAccessKey issues a new active AccessKey; its secret is returned
// here and never again.
func (s *Service) CreateAccessKey(tx store.Tx, caller *model.Principal, userName string, now time.Time) (*AccessKey, error) {
	owner, err := s.keyOwner(tx, caller, userName)
	if err != nil {
		return nil, err
	}
	n, err := tx.AccessKeys().CountForUser(caller.AccountID, owner)
	if err != nil {
		return nil, err
	}
	if n >= MaxAccessKeysPerUser {
		return nil, limitExceeded("User.AccessKey", "%s already has %d AccessKeys, the maximum; delete one first.", capitalized(ownerName(owner)), MaxAccessKeysPerUser)
	}
	issued, err := credentials.Issue(tx, s.ring, caller.AccountID, owner, now)
	if err != nil {
		return nil, err
	}
	k := accessKeyView(issued.Key)
	k.Secret = issued.Secret
	return &k, nil
}

func capitalized(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// UpdateAccessKey activates or deactivates a key. An inactive key stops
// authenticating on its next request (the change invalidates caches).
func (s *Service) UpdateAccessKey(tx store.Tx, caller *model.Principal, userName, keyID, status string, now time.Time) error {
	if err := checkEnum("Status", status, credentials.Active, credentials.Inactive); err != nil {
		return err
	}
	owner, err := s.keyOwner(tx, caller, userName)
	if err != nil {
		return err
	}
	k, err := ownedKey(tx, caller.AccountID, owner, keyID)
	if err != nil {
		return err
	}
	if k.Status == status {
		return nil
	}
	k.Status, k.Updated = status, now
	return tx.AccessKeys().Update(k)
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(tx store.Tx, caller *model.Principal, userName, keyID string) error {
	owner, err := s.keyOwner(tx, caller, userName)
	if err != nil {
		return err
	}
	if _, err := ownedKey(tx, caller.AccountID, owner, keyID); err != nil {
		return err
	}
	return tx.AccessKeys().Delete(caller.AccountID, keyID)
}

// ListAccessKeys lists a user's keys, oldest first, without secrets.
func (s *Service) ListAccessKeys(tx store.Tx, caller *model.Principal, userName string) ([]AccessKey, error) {
	owner, err := s.keyOwner(tx, caller, userName)
	if err != nil {
		return nil, err
	}
	keys, err := tx.AccessKeys().ListForUser(caller.AccountID, owner)
	if err != nil {
		return nil, err
	}
	out := make([]AccessKey, len(keys))
	for i, k := range keys {
		out[i] = accessKeyView(k)
	}
	return out, nil
}

// GetAccessKeyLastUsed returns a key (its LastUsed is what the call shows).
func (s *Service) GetAccessKeyLastUsed(tx store.Tx, caller *model.Principal, userName, keyID string) (*AccessKey, error) {
	owner, err := s.keyOwner(tx, caller, userName)
	if err != nil {
		return nil, err
	}
	k, err := ownedKey(tx, caller.AccountID, owner, keyID)
	if err != nil {
		return nil, err
	}
	v := accessKeyView(k)
	return &v, nil
}
