package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/tlsca"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// listen returns a listener on a free loopback port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// httpsClient trusts only the CA certificate in caFile.
func httpsClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

func healthz(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url + "/healthz")
	if err != nil {
		t.Fatalf("GET %s/healthz: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("GET %s/healthz: %d %q", url, resp.StatusCode, body)
	}
}

func TestServeTLSServesTheSameAPIWithTheLocalCA(t *testing.T) {
	data := t.TempDir()
	a, err := New(context.Background(), Config{DataDir: data, TLSAddr: "127.0.0.1:0", TLSHosts: []string{"canopy.test"}, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if a.CAFile != filepath.Join(data, tlsca.CAFile) {
		t.Fatalf("CAFile = %q; want <data>/ca.pem", a.CAFile)
	}
	plain, secure := listen(t), listen(t)
	served := make(chan error, 2)
	go func() { served <- a.Serve(plain) }()
	go func() { served <- a.ServeTLS(secure) }()

	c := httpsClient(t, a.CAFile)
	healthz(t, c, "https://"+secure.Addr().String())
	healthz(t, http.DefaultClient, "http://"+plain.Addr().String())
	// The certificate names what was asked for (a handshake as that name).
	conn, err := tls.Dial("tcp", secure.Addr().String(), &tls.Config{RootCAs: c.Transport.(*http.Transport).TLSClientConfig.RootCAs, ServerName: "canopy.test"})
	if err != nil {
		t.Fatalf("handshake as canopy.test: %v", err)
	}
	conn.Close()
	// TLS 1.2 at least.
	if conn, err := tls.Dial("tcp", secure.Addr().String(), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}); err == nil {
		conn.Close()
		t.Fatal("a TLS 1.1 handshake succeeded")
	}
	// The API itself answers over TLS (an unsigned call is refused by the
	// RPC front, not by the listener).
	resp, err := c.Get("https://" + secure.Addr().String() + "/?Action=GetCallerIdentity&Version=2015-04-01")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"RequestId"`) {
		t.Fatalf("unsigned call over TLS: %d %s", resp.StatusCode, body)
	}

	// Shutdown stops both servers.
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("a server returned %v after Shutdown", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a server kept serving after Shutdown")
		}
	}
}

// As for Serve: Shutdown may come before ServeTLS has started.
func TestServeTLSAfterShutdownReturnsAtOnce(t *testing.T) {
	a, err := New(context.Background(), Config{DataDir: t.TempDir(), TLSAddr: "127.0.0.1:0", Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.ServeTLS(listen(t)) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeTLS after Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeTLS kept serving after Shutdown")
	}
}

func TestServeTLSWithoutTLSAddrIsAnError(t *testing.T) {
	a, stop := startNode(t, t.TempDir(), "")
	defer stop()
	if a.CAFile != "" {
		t.Fatalf("CAFile = %q without TLS", a.CAFile)
	}
	if _, err := os.Stat(filepath.Join(a.Config.DataDir, tlsca.CAFile)); err == nil {
		t.Fatal("a CA was created though no TLS listener was asked for")
	}
	if err := a.ServeTLS(listen(t)); err == nil || !strings.Contains(err.Error(), "TLSAddr") {
		t.Fatalf("ServeTLS without TLS: %v", err)
	}
}

func TestTLSWithACertificateOfOnesOwn(t *testing.T) {
	own := t.TempDir() // a certificate made elsewhere (here by another local CA)
	l, err := tlsca.Ensure(own, []string{"own.test"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	a, err := New(context.Background(), Config{DataDir: data, TLSAddr: "127.0.0.1:0", TLSCert: l.CertFile, TLSKey: l.KeyFile, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if a.CAFile != "" {
		t.Fatalf("CAFile = %q with a certificate of one's own", a.CAFile)
	}
	if _, err := os.Stat(filepath.Join(data, tlsca.CAFile)); err == nil {
		t.Fatal("a local CA was created though the certificate was given")
	}
	ln := listen(t)
	go a.ServeTLS(ln)
	healthz(t, httpsClient(t, l.CAFile), "https://"+ln.Addr().String())
}

func TestTLSSettingsThatCannotWorkStopTheStart(t *testing.T) {
	own := t.TempDir()
	l, err := tlsca.Ensure(own, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(own, "missing.pem")
	cases := map[string]struct {
		cfg  Config
		want []string
	}{
		"host without addr":  {Config{TLSHosts: []string{"a.test"}}, []string{"need --tls-addr"}},
		"cert without addr":  {Config{TLSCert: l.CertFile, TLSKey: l.KeyFile}, []string{"need --tls-addr"}},
		"bad addr":           {Config{TLSAddr: "8443"}, []string{"--tls-addr", `"8443"`}},
		"cert without key":   {Config{TLSAddr: "127.0.0.1:0", TLSCert: l.CertFile}, []string{"--tls-cert and --tls-key"}},
		"key without cert":   {Config{TLSAddr: "127.0.0.1:0", TLSKey: l.KeyFile}, []string{"--tls-cert and --tls-key"}},
		"host with own cert": {Config{TLSAddr: "127.0.0.1:0", TLSCert: l.CertFile, TLSKey: l.KeyFile, TLSHosts: []string{"a.test"}}, []string{"--tls-host", "--tls-cert"}},
		"bad host":           {Config{TLSAddr: "127.0.0.1:0", TLSHosts: []string{"a.test:8443"}}, []string{"--tls-host", `"a.test:8443"`}},
		"missing cert file":  {Config{TLSAddr: "127.0.0.1:0", TLSCert: missing, TLSKey: l.KeyFile}, []string{missing}},
		"swapped files":      {Config{TLSAddr: "127.0.0.1:0", TLSCert: l.KeyFile, TLSKey: l.CertFile}, []string{l.KeyFile, "switched"}},
		"key of another":     {Config{TLSAddr: "127.0.0.1:0", TLSCert: l.CertFile, TLSKey: filepath.Join(own, tlsca.CAKeyFile)}, []string{"does not match"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			c.cfg.DataDir, c.cfg.Log = data, quiet
			a, err := New(context.Background(), c.cfg)
			if err == nil {
				a.Shutdown(context.Background())
				t.Fatal("started")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
			if _, serr := os.Stat(data); serr == nil {
				t.Error("a refused start created the data directory")
			}
		})
	}
}
