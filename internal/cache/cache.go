// Package cache holds the in-memory maps of the hot path (AccessKeys,
// compiled policy sets). Entries belong to an account and are dropped per
// key, per account or all at once when the change log says so.
package cache

import "sync"

// ByAccount maps keys to values owned by accounts. A fill that raced an
// invalidation is not kept: callers read the generation before loading and
// hand it back to Put, which stores nothing if anything was dropped since.
type ByAccount[V any] struct {
	mu         sync.RWMutex
	entries    map[string]entry[V]
	byAccount  map[string]map[string]struct{}
	generation uint64
}

type entry[V any] struct {
	account string
	value   V
}

// New returns an empty cache.
func New[V any]() *ByAccount[V] {
	return &ByAccount[V]{entries: map[string]entry[V]{}, byAccount: map[string]map[string]struct{}{}}
}

// Get returns the value of key, and the generation to pass to Put after a
// miss.
func (c *ByAccount[V]) Get(key string) (v V, gen uint64, ok bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	gen = c.generation
	c.mu.RUnlock()
	return e.value, gen, ok
}

// Generation returns the current generation. A value loaded from data
// read after this call may be Put with it; data read earlier (a snapshot
// taken before) may predate an invalidation that has already run, and
// Put must be given a generation read before that data was.
func (c *ByAccount[V]) Generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.generation
}

// Put stores a value loaded since Get returned gen, unless an invalidation
// ran meanwhile (the value may then be stale).
func (c *ByAccount[V]) Put(gen uint64, account, key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation != gen {
		return
	}
	c.entries[key] = entry[V]{account: account, value: v}
	if c.byAccount[account] == nil {
		c.byAccount[account] = map[string]struct{}{}
	}
	c.byAccount[account][key] = struct{}{}
}

// Drop forgets one key.
func (c *ByAccount[V]) Drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	if e, ok := c.entries[key]; ok {
		delete(c.byAccount[e.account], key)
		delete(c.entries, key)
	}
}

// DropAccount forgets every key of one account.
func (c *ByAccount[V]) DropAccount(account string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	for key := range c.byAccount[account] {
		delete(c.entries, key)
	}
	delete(c.byAccount, account)
}

// DropAll forgets everything.
func (c *ByAccount[V]) DropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.entries = map[string]entry[V]{}
	c.byAccount = map[string]map[string]struct{}{}
}
