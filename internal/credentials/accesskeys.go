// Package credentials creates and opens long-term AccessKeys. Both the root
// user (account create, RAM CreateAccessKey without UserName) and RAM users
// get keys through here, so sealing happens in exactly one place.
package credentials

import (
	"time"

	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Status values of an AccessKey.
const (
	Active   = "Active"
	Inactive = "Inactive"
)

// Issued is a new AccessKey pair. Its secret is shown exactly once.
type Issued struct {
	Key    store.AccessKey
	Secret string
}

// Issue creates an active AccessKey for a user ("" = the root user) inside
// tx. Quotas are the caller's business.
func Issue(tx store.Tx, ring *keyring.Keyring, accountID, userName string, now time.Time) (Issued, error) {
	id := model.NewAccessKeyID()
	secret := model.NewAccessKeySecret()
	k := store.AccessKey{ID: id, AccountID: accountID, UserName: userName, Status: Active,
		SealedSecret: ring.Seal([]byte(secret), aad(id, accountID)), Created: now, Updated: now}
	if err := tx.AccessKeys().Insert(k); err != nil {
		return Issued{}, err
	}
	return Issued{Key: k, Secret: secret}, nil
}

// OpenSecret recovers the secret of a stored key.
func OpenSecret(ring *keyring.Keyring, k store.AccessKey) (string, error) {
	plain, err := ring.Open(k.SealedSecret, aad(k.ID, k.AccountID))
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// aad binds a sealed secret to its key and account: a sealed value copied
// onto another row does not open.
func aad(id, accountID string) []byte { return []byte("accesskey\x00" + id + "\x00" + accountID) }
