package api

import (
	"net/netip"
	"testing"
	"time"
)

func TestFailureLimiterBucketsPerAddress(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewFailureLimiter(3, 60) // one failure earned back a second
	l.b.now = func() time.Time { return now }
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i := 0; i < 3; i++ {
		if !l.Allowed(a) {
			t.Fatalf("refused after %d failures of 3", i)
		}
		l.Failed(a)
	}
	if l.Allowed(a) {
		t.Fatal("allowed past its burst")
	}
	if !l.Allowed(b) {
		t.Fatal("another address paid for the first one's failures")
	}
	now = now.Add(999 * time.Millisecond)
	if l.Allowed(a) {
		t.Fatal("allowed before a failure was earned back")
	}
	now = now.Add(time.Millisecond)
	if !l.Allowed(a) {
		t.Fatal("still refused once a failure was earned back")
	}
	// One IPv6 client owns its /64: rotating the interface id gains nothing.
	v6 := netip.MustParseAddr("2001:db8:1:2::1")
	for i := 0; i < 3; i++ {
		l.Failed(v6)
	}
	if l.Allowed(netip.MustParseAddr("2001:db8:1:2:ffff::9")) {
		t.Fatal("another address of the same /64 was allowed")
	}
	if !l.Allowed(netip.MustParseAddr("2001:db8:1:3::1")) {
		t.Fatal("the next /64 was refused")
	}
	// An IPv4 client seen over IPv6 (mapped) is still that IPv4 address.
	if SourceKey(netip.MustParseAddr("::ffff:192.0.2.1")) == SourceKey(netip.MustParseAddr("::ffff:192.0.2.9")) {
		t.Error("IPv4-mapped addresses were grouped like a /64")
	}
	if NewFailureLimiter(-1, 60) != nil || !(*FailureLimiter)(nil).Allowed(a) {
		t.Error("a negative limit does not turn the limiter off")
	}
}

// Past maxBuckets addresses memory stays bounded, and an address that
// never failed is still served: filling the table (one failure from each of
// 65,536 addresses, a single IPv6 /48) must not throttle everyone else.
// Buckets that refilled are forgotten as soon as the table is full.
func TestFailureLimiterFullTableThrottlesNobodyElse(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewFailureLimiter(2, 1)
	l.b.now = func() time.Time { return now }
	for i := 0; i < maxBuckets; i++ {
		l.Failed(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}))
	}
	if len(l.b.table) != maxBuckets {
		t.Fatalf("%d buckets", len(l.b.table))
	}
	x := netip.MustParseAddr("198.51.100.1")
	for range 5 {
		l.Failed(x) // spends the shared bucket, and more
	}
	if !l.Allowed(netip.MustParseAddr("198.51.100.3")) || len(l.b.table) != maxBuckets {
		t.Fatalf("an address that never failed is throttled (%d buckets)", len(l.b.table))
	}
	// Once the flood's buckets have refilled, a full table makes room at
	// the next failure instead of at the minute's sweep: x gets a bucket
	// of its own and is throttled on its own.
	now = now.Add(time.Minute + time.Second)
	l.b.swept = now.Add(-time.Second) // the minute's sweep not due
	l.Failed(x)
	l.Failed(x)
	if len(l.b.table) != 1 || l.Allowed(x) || !l.Allowed(netip.MustParseAddr("198.51.100.3")) {
		t.Fatalf("%d buckets; x allowed %v", len(l.b.table), l.Allowed(x))
	}
}

func TestLineBudgetCountsWhatItSkips(t *testing.T) {
	var b lineBudget
	now := time.Unix(1_700_000_000, 0)
	for i := 0; i < unattributedLines; i++ {
		if _, ok := b.take(now); !ok {
			t.Fatalf("line %d refused", i)
		}
	}
	for i := 0; i < 5; i++ {
		if _, ok := b.take(now.Add(time.Second)); ok {
			t.Fatal("a line past the budget got through")
		}
	}
	skipped, ok := b.take(now.Add(time.Minute))
	if !ok || skipped != 5 {
		t.Fatalf("next minute: ok %v, skipped %d; want 5", ok, skipped)
	}
}

func TestAttemptBudgetPerKey(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	a := NewAttemptBudget(2, 60) // one more a minute
	a.b.now = func() time.Time { return now }
	if !a.take("LTAIone") || !a.take("LTAIone") || a.take("LTAIone") {
		t.Fatal("the budget of one key is not 2")
	}
	if !a.take("LTAItwo") {
		t.Fatal("another key paid for the first one's attempts")
	}
	now = now.Add(time.Minute)
	if !a.take("LTAIone") || a.take("LTAIone") {
		t.Fatal("not exactly one attempt earned back in a minute")
	}
	if NewAttemptBudget(0, 1) != nil || !(*AttemptBudget)(nil).take("x") {
		t.Error("no budget does not keep everything")
	}
}
