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
//
// A nonce is held as a 128-bit keyed hash of its AccessKey and value, with
// its expiry: no pointers, so the garbage collector never scans the
// millions of entries a busy window holds, and no string is kept per
// call. The seeds are random per process, so no caller can choose two
// nonces whose hashes meet; by chance, two of a billion nonces meet with
// a probability below 2^-68.
type recentNonces struct {
	seeds  [2]maphash.Seed
	shards [64]nonceShard
}

type nonceHash [2]uint64

type nonceShard struct {
	mu   sync.Mutex
	seen map[nonceHash]int64 // -> expiry, Unix nanoseconds
}

func newRecentNonces() *recentNonces {
	r := &recentNonces{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	for i := range r.shards {
		r.shards[i].seen = map[nonceHash]int64{}
	}
	return r
}

// hash is the nonce's key: its AccessKey, a separator no key contains, and
// its value, hashed under both seeds.
func (r *recentNonces) hash(accessKeyID, nonce string) nonceHash {
	var buf [64 + 1 + maxNonceLength]byte // no allocation for any valid nonce
	key := append(append(append(buf[:0], accessKeyID...), 0), nonce...)
	return nonceHash{maphash.Bytes(r.seeds[0], key), maphash.Bytes(r.seeds[1], key)}
}

// add records the nonce until expires; false when it was already there.
func (r *recentNonces) add(accessKeyID, nonce string, expires time.Time) bool {
	h := r.hash(accessKeyID, nonce)
	s := &r.shards[h[0]%uint64(len(r.shards))]
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.seen[h]; dup {
		return false
	}
	s.seen[h] = expires.UnixNano()
	return true
}

// sweep forgets entries that expired before now.
func (r *recentNonces) sweep(now time.Time) {
	cut := now.UnixNano()
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for k, exp := range s.seen {
			if exp < cut {
				delete(s.seen, k)
			}
		}
		s.mu.Unlock()
	}
}
