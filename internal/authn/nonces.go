package authn

import (
	"hash/maphash"
	"sync"
	"time"
)

// recentNonces remembers every nonce this node accepted within the window:
// it is what refuses a replay on this node, with no store round trip. Its
// durable form is the node's segment log and the store (the nonces of
// writes, and of folded calls), from which a restarted node refills it
// (Authenticator.Remember); on a store shared by several nodes, each
// accepted nonce is also claimed in the store (store.EventLog.GuardNonces),
// so another node refuses its replay.
type recentNonces struct {
	seed   maphash.Seed
	shards [64]nonceShard
}

type nonceShard struct {
	mu   sync.Mutex
	seen map[string]time.Time // key -> expiry
}

func newRecentNonces() *recentNonces {
	r := &recentNonces{seed: maphash.MakeSeed()}
	for i := range r.shards {
		r.shards[i].seen = map[string]time.Time{}
	}
	return r
}

func (r *recentNonces) shard(key string) *nonceShard {
	return &r.shards[maphash.String(r.seed, key)%uint64(len(r.shards))]
}

// add records key until expires; false when it was already there.
func (r *recentNonces) add(key string, expires time.Time) bool {
	s := r.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.seen[key]; dup {
		return false
	}
	s.seen[key] = expires
	return true
}

// sweep forgets entries that expired before now.
func (r *recentNonces) sweep(now time.Time) {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for k, exp := range s.seen {
			if exp.Before(now) {
				delete(s.seen, k)
			}
		}
		s.mu.Unlock()
	}
}
