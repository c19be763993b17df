package authn

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/store"

	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/cache"
	"github.com/canopy-iam/canopy/internal/model"
)

// Credential is what the hot path needs to know about one AccessKey: who it
// belongs to, whether it may sign, and its keyed HMAC states.
type Credential struct {
	Principal model.Principal // AccessKeyID filled in
	Active    bool
	// Disabled, when set, is why a key that is not Active may not sign
	// (a disabled root user): the refusal says it instead of the generic
	// "disabled".
	Disabled string
	Key      *signature.Key
	// lastNoted is when this node last queued the key's use (unix nanos):
	// uses are queued at most once per second per key.
	lastNoted atomic.Int64
}

// CredentialLoader reads one AccessKey from the store; it returns
// store.ErrNotFound (wrapped or not) for an unknown id.
type CredentialLoader func(ctx context.Context, accessKeyID string) (*Credential, error)

// KeyCache keeps credentials in memory so a known AccessKey costs no
// database read. Entries are dropped per key or per account when the change
// log says something changed; unknown ids are never cached, so a key created
// by another process works on its very next request.
type KeyCache struct {
	load CredentialLoader
	byID *cache.ByAccount[*Credential]
}

// NewKeyCache builds an empty cache that fills itself with load.
func NewKeyCache(load CredentialLoader) *KeyCache {
	return &KeyCache{load: load, byID: cache.New[*Credential]()}
}

// Credential implements CredentialSource for long-term AccessKeys (a
// SecurityToken sent with one is ignored, as the cloud does).
func (c *KeyCache) Credential(ctx context.Context, id, _ string) (*Credential, error) {
	cred, err := c.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, codeKeyNotFound.New("Specified access key is not found.")
	}
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return cred, nil
}

// Get returns the credential of an AccessKey id.
func (c *KeyCache) Get(ctx context.Context, id string) (*Credential, error) {
	cred, gen, ok := c.byID.Get(id)
	if ok {
		return cred, nil
	}
	cred, err := c.load(ctx, id)
	if err != nil {
		return nil, err
	}
	c.byID.Put(gen, cred.Principal.AccountID, id, cred)
	return cred, nil
}

// InvalidateKey drops one AccessKey.
func (c *KeyCache) InvalidateKey(id string) { c.byID.Drop(id) }

// InvalidateAccount drops every AccessKey of one account (a user was renamed
// or deleted, say).
func (c *KeyCache) InvalidateAccount(accountID string) { c.byID.DropAccount(accountID) }

// InvalidateAll empties the cache.
func (c *KeyCache) InvalidateAll() { c.byID.DropAll() }
