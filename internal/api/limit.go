package api

import (
	"net/netip"
	"sync"
	"time"
)

// Default limits on failed authentication per source address.
const (
	DefaultAuthFailBurst     = 30
	DefaultAuthFailPerMinute = 60
	// maxLimitedAddrs bounds the limiter's memory: past it, addresses it
	// does not know yet share one bucket, so a flood from many addresses is
	// throttled as one instead of growing the table.
	maxLimitedAddrs = 1 << 16
)

// FailureLimiter counts failed authentications per source address (an
// IPv6 address by its /64, which one client usually owns whole) in token
// buckets: each address may fail Burst times at once, and earns one more
// failure every minute / PerMinute. An address whose bucket is empty is
// refused before its request is read or authenticated (the cloud's
// Throttling), whatever the request, until it has earned a token back.
type FailureLimiter struct {
	burst float64
	rate  float64 // tokens per nanosecond
	now   func() time.Time

	mu       sync.Mutex
	buckets  map[netip.Prefix]*bucket
	overflow bucket
	swept    time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewFailureLimiter builds a limiter; burst <= 0 or perMinute <= 0 means no
// limit (nil).
func NewFailureLimiter(burst, perMinute int) *FailureLimiter {
	if burst <= 0 || perMinute <= 0 {
		return nil
	}
	l := &FailureLimiter{burst: float64(burst), rate: float64(perMinute) / float64(time.Minute), now: time.Now,
		buckets: map[netip.Prefix]*bucket{}}
	l.overflow = bucket{tokens: l.burst, at: l.now()}
	return l
}

func addrKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// refill brings b up to date at now.
func (l *FailureLimiter) refill(b *bucket, now time.Time) {
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))*l.rate)
	b.at = now
}

// Allowed reports whether addr may still be served: false once it has
// failed authentication more than its bucket holds. A nil limiter allows
// everything.
func (l *FailureLimiter) Allowed(addr netip.Addr) bool {
	if l == nil {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addrKey(addr)]
	if b == nil {
		if len(l.buckets) < maxLimitedAddrs {
			return true // a full bucket
		}
		b = &l.overflow
	}
	l.refill(b, now)
	return b.tokens >= 1
}

// Failed takes one token from addr's bucket.
func (l *FailureLimiter) Failed(addr netip.Addr) {
	if l == nil {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	key := addrKey(addr)
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxLimitedAddrs {
			b = &l.overflow
		} else {
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[key] = b
		}
	}
	l.refill(b, now)
	b.tokens = max(b.tokens-1, 0)
}

// sweep forgets, at most once a minute, the addresses whose buckets have
// filled up again: they are what an unknown address gets anyway.
func (l *FailureLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}
