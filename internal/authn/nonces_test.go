package authn

import (
	"testing"
	"time"
)

// TestRecentNoncesRefuseReuseWithinTheirKey: a nonce is refused a second
// time for the same AccessKey only, the key/nonce boundary cannot be
// shifted to forge a match, and a swept nonce is forgotten.
func TestRecentNoncesRefuseReuseWithinTheirKey(t *testing.T) {
	r := newRecentNonces()
	now := time.Now()
	later := now.Add(time.Minute)
	if !r.add("LTAIkey", "n1", later) || r.add("LTAIkey", "n1", later) {
		t.Fatal("a nonce must be accepted once, then refused")
	}
	for _, c := range [][2]string{{"LTAIkey2", "n1"}, {"LTAIke", "yn1"}, {"LTAIkey", "n2"}, {"LTAIkey", "n1 "}} {
		if !r.add(c[0], c[1], later) {
			t.Fatalf("%q/%q refused: it is not the nonce seen", c[0], c[1])
		}
	}
	if !r.add("LTAIkey", "old", now.Add(-time.Second)) {
		t.Fatal("fresh nonce refused")
	}
	r.sweep(now)
	if !r.add("LTAIkey", "old", later) {
		t.Fatal("a swept nonce is still remembered")
	}
	if r.add("LTAIkey", "n1", later) {
		t.Fatal("sweep forgot a nonce that has not expired")
	}
	long := string(make([]byte, 4096)) // longer than any valid key and nonce: still right
	if !r.add(long, long, later) || r.add(long, long, later) {
		t.Fatal("a long key and nonce must be accepted once, then refused")
	}
}
