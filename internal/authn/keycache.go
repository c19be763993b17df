package authn

import (
	"context"
	"sync"

	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
)

// Credential is what the hot path needs to know about one AccessKey: who it
// belongs to, whether it may sign, and its keyed HMAC states.
type Credential struct {
	Principal model.Principal // AccessKeyID filled in
	Active    bool
	Key       *signature.Key
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

	mu         sync.RWMutex
	byID       map[string]*Credential
	byAccount  map[string]map[string]struct{}
	generation uint64 // bumped by every invalidation; guards racing fills
}

// NewKeyCache builds an empty cache that fills itself with load.
func NewKeyCache(load CredentialLoader) *KeyCache {
	return &KeyCache{load: load, byID: map[string]*Credential{}, byAccount: map[string]map[string]struct{}{}}
}

// Get returns the credential of an AccessKey id.
func (c *KeyCache) Get(ctx context.Context, id string) (*Credential, error) {
	c.mu.RLock()
	cred, ok := c.byID[id]
	gen := c.generation
	c.mu.RUnlock()
	if ok {
		return cred, nil
	}
	cred, err := c.load(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	// An invalidation that ran while we were loading may concern this key:
	// then serve what we loaded but do not keep it.
	if c.generation == gen {
		c.byID[id] = cred
		acct := cred.Principal.AccountID
		if c.byAccount[acct] == nil {
			c.byAccount[acct] = map[string]struct{}{}
		}
		c.byAccount[acct][id] = struct{}{}
	}
	c.mu.Unlock()
	return cred, nil
}

// InvalidateKey drops one AccessKey.
func (c *KeyCache) InvalidateKey(id string) {
	c.mu.Lock()
	c.generation++
	if cred, ok := c.byID[id]; ok {
		delete(c.byAccount[cred.Principal.AccountID], id)
		delete(c.byID, id)
	}
	c.mu.Unlock()
}

// InvalidateAccount drops every AccessKey of one account (a user was renamed
// or deleted, say).
func (c *KeyCache) InvalidateAccount(accountID string) {
	c.mu.Lock()
	c.generation++
	for id := range c.byAccount[accountID] {
		delete(c.byID, id)
	}
	delete(c.byAccount, accountID)
	c.mu.Unlock()
}

// InvalidateAll empties the cache (the change log was truncated past us).
func (c *KeyCache) InvalidateAll() {
	c.mu.Lock()
	c.generation++
	c.byID = map[string]*Credential{}
	c.byAccount = map[string]map[string]struct{}{}
	c.mu.Unlock()
}
