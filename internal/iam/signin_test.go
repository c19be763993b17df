package iam

import (
	"net/netip"
	"testing"
)

func TestAllowedFrom(t *testing.T) {
	ip := netip.MustParseAddr("192.168.1.20")
	for _, c := range []struct {
		masks string
		want  bool
	}{
		{"", true},
		{"  ", true},
		{"192.168.1.0/24", true},
		{"10.0.0.0/8;192.168.0.0/16", true},
		{"10.0.0.0/8", false},
		{"192.168.1.20", true},
		{"192.168.1.21", false},
		{"not-a-mask", false},
		{";;", false},
	} {
		if got := allowedFrom(c.masks, ip); got != c.want {
			t.Errorf("allowedFrom(%q) = %v, want %v", c.masks, got, c.want)
		}
	}
	if allowedFrom("10.0.0.0/8", netip.Addr{}) {
		t.Error("an unknown source address passed a mask")
	}
}
