package cloudsso

import (
	"net/netip"
	"testing"
)

// The portal's sign-in checks read what the admin API stored: the network
// masks (canonical CIDR blocks) and who is asked for an MFA code.
func TestLoginPreferenceAllowsAddresses(t *testing.T) {
	masks, err := normalizeMasks(" 10.1.0.0/16 ;192.168.1.7;;")
	if err != nil || masks != "10.1.0.0/16;192.168.1.7/32" {
		t.Fatalf("normalizeMasks = %q, %v", masks, err)
	}
	p := LoginPreference{LoginNetworkMasks: masks}
	for addr, want := range map[string]bool{"10.1.200.3": true, "10.2.0.1": false, "192.168.1.7": true,
		"192.168.1.8": false, "::ffff:10.1.0.9": true, "2001:db8::1": false} {
		if got := p.AllowsAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("AllowsAddress(%s) = %v; want %v", addr, got, want)
		}
	}
	if !(&LoginPreference{}).AllowsAddress(netip.MustParseAddr("203.0.113.9")) {
		t.Error("no masks refuses an address")
	}
	if _, err := normalizeMasks("10.0.0.1/40"); err == nil {
		t.Error("a /40 mask was accepted")
	}
}

func TestMFARequired(t *testing.T) {
	on, off := &User{}, &User{MFASetting: Disabled}
	for _, c := range []struct {
		setting  string
		user     *User
		required bool
	}{
		{MFAEnabled, off, true}, {MFADisabled, on, false}, {MFAByUser, on, true}, {MFAByUser, off, false},
		{MFAOnlyRiskyLogin, on, false},
	} {
		d := &Directory{MFA: MFASettings{Setting: c.setting}}
		if got := MFARequired(d, c.user); got != c.required {
			t.Errorf("MFARequired(%s, user %q) = %v; want %v", c.setting, c.user.MFASetting, got, c.required)
		}
	}
}
