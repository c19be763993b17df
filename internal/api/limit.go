package api

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Default limits on failed authentication per source address, and on the
// failed attempts against one AccessKey that its owner's trail keeps.
const (
	DefaultAuthFailBurst      = 30
	DefaultAuthFailPerMinute  = 60
	DefaultKeyAttemptBurst    = 20
	DefaultKeyAttemptsPerHour = 20
	// maxBuckets bounds a limiter's memory. Past it, the keys it does not
	// know yet spend from one shared bucket, but are never refused by has:
	// an address that has not failed must not be throttled because others
	// (65,536 IPv6 /64s are one /48) filled the table. The refilled buckets
	// are forgotten as soon as the table is full (at most once a second).
	maxBuckets = 1 << 16
)

// buckets is a table of token buckets, one per key: each key may spend
// burst tokens at once and earns them back at rate per nanosecond.
type buckets[K comparable] struct {
	burst float64
	rate  float64
	now   func() time.Time

	mu       sync.RWMutex
	table    map[K]*bucket
	overflow bucket
	swept    time.Time
	// size is len(table): 0 (nobody failed lately) lets has answer
	// without a lock, which is every request's case on a quiet server.
	size atomic.Int64
}

type bucket struct {
	tokens float64
	at     time.Time
}

// newBuckets builds a table; burst <= 0 or per <= 0 means no limit (nil).
func newBuckets[K comparable](burst, per int, every time.Duration) *buckets[K] {
	if burst <= 0 || per <= 0 {
		return nil
	}
	b := &buckets[K]{burst: float64(burst), rate: float64(per) / float64(every), now: time.Now, table: map[K]*bucket{}}
	b.overflow = bucket{tokens: b.burst, at: b.now()}
	return b
}

// refill brings x up to date at now.
func (b *buckets[K]) refill(x *bucket, now time.Time) {
	x.tokens = b.available(x, now)
	x.at = now
}

// available is what x holds at now.
func (b *buckets[K]) available(x *bucket, now time.Time) float64 {
	return min(b.burst, x.tokens+float64(now.Sub(x.at))*b.rate)
}

// has reports whether key has a token left (a nil table: always). It is on
// every request's path: it only reads, under a shared lock, and takes no
// lock at all while no key has spent a token lately.
func (b *buckets[K]) has(key K) bool {
	if b == nil || b.size.Load() == 0 {
		return true
	}
	now := b.now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	x := b.table[key]
	if x == nil {
		return true // a full bucket, or past maxBuckets: see there
	}
	return b.available(x, now) >= 1
}

// take spends one of key's tokens; false when it had none (then nothing
// is spent). A nil table always gives one.
func (b *buckets[K]) take(key K) bool {
	if b == nil {
		return true
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now, time.Minute)
	x := b.table[key]
	if x == nil && len(b.table) >= maxBuckets {
		b.sweep(now, time.Second) // full: make room now if buckets have refilled
	}
	if x == nil {
		if len(b.table) >= maxBuckets {
			x = &b.overflow
		} else {
			x = &bucket{tokens: b.burst, at: now}
			b.table[key] = x
			b.size.Store(int64(len(b.table)))
		}
	}
	b.refill(x, now)
	if x.tokens < 1 {
		return false
	}
	x.tokens--
	return true
}

// sweep forgets, at most once per every, the keys whose buckets have
// filled up again: they are what an unknown key gets anyway.
func (b *buckets[K]) sweep(now time.Time, every time.Duration) {
	if now.Sub(b.swept) < every {
		return
	}
	b.swept = now
	for k, x := range b.table {
		if b.refill(x, now); x.tokens >= b.burst {
			delete(b.table, k)
		}
	}
	b.size.Store(int64(len(b.table)))
}

// FailureLimiter counts failed authentications per source address (an
// IPv6 address by its /64, which one client usually owns whole): each
// address may fail Burst times at once, and earns one more failure every
// minute / PerMinute. An address that has none left is refused before its
// request is read or authenticated (the cloud's Throttling), whatever the
// request, until it has earned one back. A nil limiter limits nothing.
type FailureLimiter struct{ b *buckets[netip.Prefix] }

// NewFailureLimiter builds a limiter; burst <= 0 or perMinute <= 0 means no
// limit (nil).
func NewFailureLimiter(burst, perMinute int) *FailureLimiter {
	b := newBuckets[netip.Prefix](burst, perMinute, time.Minute)
	if b == nil {
		return nil
	}
	return &FailureLimiter{b}
}

// SourceKey is the source a limit counts an address as: an IPv4 address,
// or an IPv6 address by its /64, which one client usually owns whole.
func SourceKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// Allowed reports whether addr may still be served.
func (l *FailureLimiter) Allowed(addr netip.Addr) bool { return l == nil || l.b.has(SourceKey(addr)) }

// Failed counts one failed authentication of addr.
func (l *FailureLimiter) Failed(addr netip.Addr) {
	if l != nil {
		l.b.take(SourceKey(addr))
	}
}

// AttemptBudget bounds how many failed attempts against one AccessKey its
// owner's trail keeps: Burst at once, then PerHour more each hour. The
// attempts past it are counted like unattributed requests, not stored, so
// that anyone who knows a key id (it is not a secret) cannot fill the
// owner's trail, from however many addresses. A nil budget keeps all.
type AttemptBudget struct{ b *buckets[string] }

// NewAttemptBudget builds a budget; burst <= 0 or perHour <= 0 means no
// limit (nil).
func NewAttemptBudget(burst, perHour int) *AttemptBudget {
	b := newBuckets[string](burst, perHour, time.Hour)
	if b == nil {
		return nil
	}
	return &AttemptBudget{b}
}

// take reports whether one more attempt against accessKeyID is kept.
func (a *AttemptBudget) take(accessKeyID string) bool { return a == nil || a.b.take(accessKeyID) }
