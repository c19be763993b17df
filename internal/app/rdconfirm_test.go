package app

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestPublicURLDefaultsToTheListenAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		":8080":          "http://localhost:8080",
		"0.0.0.0:9000":   "http://localhost:9000",
		"[::]:9000":      "http://localhost:9000",
		"[::1]:9000":     "http://[::1]:9000",
		"canopy:80":      "http://canopy:80",
	} {
		c := Config{Addr: addr}
		c.Defaults()
		if c.PublicURL != want {
			t.Errorf("Addr %s: PublicURL %s; want %s", addr, c.PublicURL, want)
		}
	}
	c := Config{Addr: ":1", PublicURL: "https://canopy.example.com/"}
	c.Defaults()
	if c.PublicURL != "https://canopy.example.com" {
		t.Errorf("PublicURL %s: the trailing slash stays", c.PublicURL)
	}
}

func TestPublicURLMustBeAnAbsoluteHTTPURL(t *testing.T) {
	for _, good := range []string{"", "http://localhost:8080", "https://canopy.example.com/iam"} {
		if err := validatePublicURL(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
	for _, bad := range []string{"canopy.example.com", "ftp://canopy.example.com", "https://", "https://u:p@canopy.example.com", "https://canopy.example.com/?a=b", "https://canopy.example.com/#x", "http://[::1"} {
		if err := validatePublicURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestConfirmationPostsMustComeFromTheSameOrigin(t *testing.T) {
	const public = "https://canopy.example.com"
	for _, c := range []struct {
		origin, fetchSite string
		tls               bool
		want              bool
	}{
		{"", "", false, true},
		{"http://127.0.0.1:8080", "same-origin", false, true},
		{"https://127.0.0.1:8080", "", true, true},
		{"https://canopy.example.com", "", false, true},
		{"http://127.0.0.1:8080", "cross-site", false, false},
		{"", "same-site", false, false},
		{"https://evil.example", "", false, false},
		{"null", "", false, false},
		{"http://127.0.0.1:8080", "", true, false},
	} {
		r := httptest.NewRequest("POST", "http://127.0.0.1:8080"+ConfirmPath, nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", c.fetchSite)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := sameOrigin(r, public); got != c.want {
			t.Errorf("Origin %q Sec-Fetch-Site %q TLS %v: %v; want %v", c.origin, c.fetchSite, c.tls, got, c.want)
		}
	}
}
