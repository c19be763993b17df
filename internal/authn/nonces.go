package authn

import (
	"hash/maphash"
	"sync"
	"time"
)

// recentNonces remembers the nonces this node accepted lately so a replay is
// refused without a database round trip. The store stays authoritative (it
// is what another node or a restarted process consults); this set only
// answers "certainly seen" quickly.
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
