package tlsca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ensure(t *testing.T, dir string, hosts []string, now time.Time) *Local {
	t.Helper()
	l, err := Ensure(dir, hosts, now)
	if err != nil {
		t.Fatalf("Ensure(%v): %v", hosts, err)
	}
	return l
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trusting is what a client that trusts only ca.pem has.
func trusting(t *testing.T, caFile string) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(read(t, caFile)) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return pool
}

// handshake runs a real TLS handshake between a server presenting cert and
// a client trusting roots and asking for name.
func handshake(cert tls.Certificate, roots *x509.CertPool, name string, now time.Time) error {
	sc, cc := net.Pipe()
	defer sc.Close()
	defer cc.Close()
	srv := tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, Time: func() time.Time { return now }})
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Handshake()
		srv.Close()
	}()
	cli := tls.Client(cc, &tls.Config{RootCAs: roots, ServerName: name, Time: func() time.Time { return now }})
	err := cli.Handshake()
	cc.Close() // not cli.Close: its close_notify would wait on the unbuffered pipe
	<-done
	return err
}

func TestFirstStartCreatesTheCAAndLaterStartsReuseIt(t *testing.T) {
	dir := t.TempDir()
	first := ensure(t, dir, nil, t0)
	if !first.CACreated || !first.Issued {
		t.Fatalf("first start: CACreated=%v Issued=%v; want both", first.CACreated, first.Issued)
	}
	if first.CAFile != filepath.Join(dir, "ca.pem") || first.CertFile != filepath.Join(dir, "tls-cert.pem") || first.KeyFile != filepath.Join(dir, "tls-key.pem") {
		t.Fatalf("files %s %s %s", first.CAFile, first.CertFile, first.KeyFile)
	}
	for file, want := range map[string]os.FileMode{"ca.pem": 0o644, "ca-key.pem": 0o600, "tls-cert.pem": 0o644, "tls-key.pem": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v; want %v", file, fi.Mode().Perm(), want)
		}
	}
	ca, caKey := read(t, first.CAFile), read(t, filepath.Join(dir, CAKeyFile))
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("the directory holds %d entries; want the 4 files", len(entries))
	}

	again := ensure(t, dir, nil, t0.Add(24*time.Hour))
	if again.CACreated || again.Issued {
		t.Fatalf("second start: CACreated=%v Issued=%v; want the CA and the certificate reused", again.CACreated, again.Issued)
	}
	if !bytes.Equal(read(t, again.CAFile), ca) || !bytes.Equal(read(t, filepath.Join(dir, CAKeyFile)), caKey) {
		t.Fatal("the CA changed on a later start")
	}
	if again.Certificate.Leaf.SerialNumber.Cmp(first.Certificate.Leaf.SerialNumber) != 0 {
		t.Fatal("the server certificate was not reused")
	}

	// The CA: ECDSA P-256, a CA limited to signing end certificates, 10 years.
	block, _ := pem.Decode(ca)
	caCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if pub, ok := caCert.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key %T; want ECDSA P-256", caCert.PublicKey)
	}
	if !caCert.IsCA || !caCert.MaxPathLenZero || caCert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA certificate: IsCA=%v MaxPathLenZero=%v KeyUsage=%v", caCert.IsCA, caCert.MaxPathLenZero, caCert.KeyUsage)
	}
	if got := caCert.NotAfter.Sub(t0); got < 10*365*24*time.Hour || got > 10*366*24*time.Hour {
		t.Errorf("CA valid for %v after creation; want 10 years", got)
	}
	// The server certificate: ECDSA P-256, for servers, one year.
	leaf := first.Certificate.Leaf
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("server key %T; want ECDSA P-256", leaf.PublicKey)
	}
	if leaf.IsCA || !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("server certificate: IsCA=%v ExtKeyUsage=%v", leaf.IsCA, leaf.ExtKeyUsage)
	}
	if got := leaf.NotAfter.Sub(t0); got != 365*24*time.Hour {
		t.Errorf("server certificate valid for %v after issue; want one year", got)
	}
}

func TestTheServerCertificateNamesTheDefaultsAndEveryHost(t *testing.T) {
	dir := t.TempDir()
	l := ensure(t, dir, []string{"Canopy.Example.COM", "10.0.0.5", "::ffff:10.0.0.6", "[2001:db8::1]", "*.svc.example", "localhost", "10.0.0.5"}, t0)
	leaf := l.Certificate.Leaf
	if want := []string{"localhost", "canopy.example.com", "*.svc.example"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNS names %v; want %v", leaf.DNSNames, want)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "10.0.0.5", "10.0.0.6", "2001:db8::1"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %v; want %v (IPs are IP SANs, never DNS names)", ips, want)
	}
	if want := []string{"localhost", "127.0.0.1", "::1", "canopy.example.com", "10.0.0.5", "10.0.0.6", "2001:db8::1", "*.svc.example"}; !slices.Equal(l.Names, want) {
		t.Errorf("Names %v; want %v", l.Names, want)
	}

	// A client trusting only ca.pem completes a handshake for each name,
	// and for nothing else.
	roots := trusting(t, l.CAFile)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "canopy.example.com", "CANOPY.example.com", "10.0.0.5", "10.0.0.6", "2001:db8::1", "api.svc.example"} {
		if err := handshake(l.Certificate, roots, name, t0.Add(time.Minute)); err != nil {
			t.Errorf("handshake for %s: %v", name, err)
		}
	}
	for _, name := range []string{"example.com", "10.0.0.7", "a.b.svc.example"} {
		if err := handshake(l.Certificate, roots, name, t0.Add(time.Minute)); err == nil {
			t.Errorf("handshake for %s succeeded; the certificate does not name it", name)
		}
	}
	// A client trusting the system roots alone does not accept it.
	if err := handshake(l.Certificate, x509.NewCertPool(), "localhost", t0.Add(time.Minute)); err == nil {
		t.Error("a client that does not trust ca.pem accepted the certificate")
	}
}

func TestTheServerCertificateIsReissuedWhenNamesChangeOrExpiryNears(t *testing.T) {
	dir := t.TempDir()
	first := ensure(t, dir, []string{"a.example"}, t0)
	ca := read(t, first.CAFile)
	serial := func(l *Local) string { return l.Certificate.Leaf.SerialNumber.String() }

	same := ensure(t, dir, []string{"a.example", "A.EXAMPLE", "127.0.0.1"}, t0) // the same names, spelt otherwise
	if same.Issued || serial(same) != serial(first) {
		t.Fatal("re-issued for the same names")
	}
	more := ensure(t, dir, []string{"a.example", "b.example"}, t0)
	if !more.Issued || !slices.Contains(more.Certificate.Leaf.DNSNames, "b.example") {
		t.Fatalf("a new name: Issued=%v names %v", more.Issued, more.Certificate.Leaf.DNSNames)
	}
	reordered := ensure(t, dir, []string{"b.example", "a.example"}, t0)
	if reordered.Issued {
		t.Fatal("re-issued because the names came in another order")
	}
	fewer := ensure(t, dir, nil, t0)
	if !fewer.Issued || len(fewer.Certificate.Leaf.DNSNames) != 1 {
		t.Fatalf("a name dropped: Issued=%v names %v", fewer.Issued, fewer.Certificate.Leaf.DNSNames)
	}

	// Near expiry (less than 30 days left) the certificate is renewed.
	notYet := ensure(t, dir, nil, t0.Add(300*24*time.Hour))
	if notYet.Issued {
		t.Fatal("renewed with 65 days left")
	}
	renewed := ensure(t, dir, nil, t0.Add(340*24*time.Hour))
	if !renewed.Issued || !renewed.Certificate.Leaf.NotAfter.After(fewer.Certificate.Leaf.NotAfter) {
		t.Fatalf("25 days left: Issued=%v NotAfter %v", renewed.Issued, renewed.Certificate.Leaf.NotAfter)
	}
	if !bytes.Equal(read(t, renewed.CAFile), ca) {
		t.Fatal("re-issuing replaced the CA")
	}
	if err := handshake(renewed.Certificate, trusting(t, renewed.CAFile), "localhost", t0.Add(340*24*time.Hour)); err != nil {
		t.Fatalf("the renewed certificate: %v", err)
	}

	// Never beyond the CA: a certificate issued in the CA's last months
	// ends with it, and is not re-issued at every start for that.
	late := t0.AddDate(10, 0, -10)
	last := ensure(t, dir, nil, late)
	caCert := caCertificate(t, renewed.CAFile)
	if !last.Certificate.Leaf.NotAfter.Equal(caCert.NotAfter) {
		t.Fatalf("issued until %v; the CA ends %v", last.Certificate.Leaf.NotAfter, caCert.NotAfter)
	}
	if again := ensure(t, dir, nil, late.Add(time.Hour)); again.Issued {
		t.Fatal("re-issued at every start near the CA's end")
	}
	// Past the CA's end: a clear error, the CA left alone.
	_, err := Ensure(dir, nil, t0.AddDate(10, 0, 1))
	if err == nil || !strings.Contains(err.Error(), "valid from") || !strings.Contains(err.Error(), "remove") {
		t.Fatalf("expired CA: %v", err)
	}
	if !bytes.Equal(read(t, renewed.CAFile), ca) {
		t.Fatal("an expired CA was replaced")
	}
}

func caCertificate(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(read(t, file))
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestADamagedOrForeignServerCertificateIsReplaced(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	first := ensure(t, dir, nil, t0)
	ensure(t, other, nil, t0)

	// Another CA's certificate and key.
	for _, f := range []string{CertFile, KeyFile} {
		if err := os.WriteFile(filepath.Join(dir, f), read(t, filepath.Join(other, f)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l := ensure(t, dir, nil, t0)
	if !l.Issued {
		t.Fatal("kept a certificate another CA issued")
	}
	if err := handshake(l.Certificate, trusting(t, first.CAFile), "localhost", t0); err != nil {
		t.Fatal(err)
	}
	// A certificate with a key that is not its own, or garbage.
	os.WriteFile(filepath.Join(dir, KeyFile), read(t, filepath.Join(other, KeyFile)), 0o600)
	if l := ensure(t, dir, nil, t0); !l.Issued {
		t.Fatal("kept a certificate whose key does not match")
	}
	os.WriteFile(filepath.Join(dir, CertFile), []byte("garbage"), 0o644)
	if l := ensure(t, dir, nil, t0); !l.Issued {
		t.Fatal("kept a damaged certificate")
	}
	os.Remove(filepath.Join(dir, KeyFile))
	if l := ensure(t, dir, nil, t0); !l.Issued {
		t.Fatal("no key, yet not re-issued")
	}
}

func TestTheCAIsNeverReplacedBehindTheUsersBack(t *testing.T) {
	t.Run("damaged key", func(t *testing.T) {
		dir := t.TempDir()
		ensure(t, dir, nil, t0)
		keyPath := filepath.Join(dir, CAKeyFile)
		os.WriteFile(keyPath, []byte("not a key"), 0o600)
		_, err := Ensure(dir, nil, t0)
		if err == nil || !strings.Contains(err.Error(), keyPath) {
			t.Fatalf("damaged CA key: %v; want an error naming %s", err, keyPath)
		}
		if string(read(t, keyPath)) != "not a key" {
			t.Fatal("the damaged key was replaced")
		}
	})
	t.Run("key of another CA", func(t *testing.T) {
		dir, other := t.TempDir(), t.TempDir()
		ensure(t, dir, nil, t0)
		ensure(t, other, nil, t0)
		os.WriteFile(filepath.Join(dir, CAKeyFile), read(t, filepath.Join(other, CAKeyFile)), 0o600)
		_, err := Ensure(dir, nil, t0)
		if err == nil || !strings.Contains(err.Error(), "not a CA certificate and its key") {
			t.Fatalf("mismatched CA: %v", err)
		}
	})
	t.Run("certificate without key", func(t *testing.T) {
		dir := t.TempDir()
		ensure(t, dir, nil, t0)
		ca := read(t, filepath.Join(dir, CAFile))
		os.Remove(filepath.Join(dir, CAKeyFile))
		_, err := Ensure(dir, nil, t0)
		if err == nil || !strings.Contains(err.Error(), "its key") || !strings.Contains(err.Error(), "restore") {
			t.Fatalf("ca.pem without ca-key.pem: %v", err)
		}
		if _, serr := os.Stat(filepath.Join(dir, CAKeyFile)); serr == nil || !bytes.Equal(read(t, filepath.Join(dir, CAFile)), ca) {
			t.Fatal("a new CA key was made for the existing ca.pem")
		}
	})
	t.Run("key without certificate", func(t *testing.T) {
		// A crash between writing the key and the certificate: the next
		// start makes the certificate from the key.
		dir := t.TempDir()
		ensure(t, dir, nil, t0)
		key := read(t, filepath.Join(dir, CAKeyFile))
		os.Remove(filepath.Join(dir, CAFile))
		l := ensure(t, dir, nil, t0)
		if l.CACreated || !bytes.Equal(read(t, filepath.Join(dir, CAKeyFile)), key) {
			t.Fatal("the CA key was replaced")
		}
		if err := handshake(l.Certificate, trusting(t, l.CAFile), "localhost", t0); err != nil {
			t.Fatal(err)
		}
	})
}

func TestProcessesStartingAtOnceAgreeOnOneCA(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	out := make([]*Local, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i], errs[i] = Ensure(dir, nil, t0) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Ensure %d: %v", i, errs[i])
		}
		if out[i].CACreated {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d of %d calls created the CA; want exactly one", created, n)
	}
	roots := trusting(t, filepath.Join(dir, CAFile))
	for i, l := range out {
		if err := handshake(l.Certificate, roots, "localhost", t0); err != nil {
			t.Errorf("certificate %d does not verify against the one ca.pem: %v", i, err)
		}
	}
}

func TestHostsMustBeNamesOrAddresses(t *testing.T) {
	for _, bad := range []string{"", "canopy.example.com:8443", "https://canopy.example.com", "a..b", "-a.example", "a-.example",
		"under_score.example", "fe80::1%eth0", "canopy example", "*", "a.*.example", "é.example", strings.Repeat("a", 64) + ".example"} {
		if _, err := Names([]string{bad}); err == nil || !strings.Contains(err.Error(), "host") || !strings.Contains(err.Error(), bad) {
			t.Errorf("Names(%q): %v; want an error naming the host", bad, err)
		}
		if _, err := Ensure(t.TempDir(), []string{bad}, t0); err == nil {
			t.Errorf("Ensure accepted %q", bad)
		}
	}
}

// selfSigned writes a certificate made from tmpl (self-signed) and its key
// in PEM, and returns the two paths.
func selfSigned(t *testing.T, tmpl *x509.Certificate) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(1)
	if tmpl.Subject.CommonName == "" {
		tmpl.Subject = pkix.Name{CommonName: "byo.example"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key) // "EC PRIVATE KEY", as openssl ecparam writes
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func TestLoadChecksABroughtCertificate(t *testing.T) {
	valid := func() *x509.Certificate {
		return &x509.Certificate{NotBefore: t0.Add(-time.Hour), NotAfter: t0.AddDate(1, 0, 0), DNSNames: []string{"byo.example"},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	}
	certFile, keyFile := selfSigned(t, valid())
	pair, err := Load(certFile, keyFile, t0)
	if err != nil {
		t.Fatalf("a good certificate: %v", err)
	}
	if pair.Leaf == nil || pair.Leaf.DNSNames[0] != "byo.example" {
		t.Fatalf("Load returned %+v", pair.Leaf)
	}
	// The local CA's own files load too.
	l := ensure(t, t.TempDir(), nil, t0)
	if _, err := Load(l.CertFile, l.KeyFile, t0); err != nil {
		t.Fatalf("the local CA's certificate: %v", err)
	}

	otherCert, otherKey := selfSigned(t, valid())
	noSAN := valid()
	noSAN.DNSNames = nil
	noSANCert, noSANKey := selfSigned(t, noSAN)
	client := valid()
	client.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	clientCert, clientKey := selfSigned(t, client)
	missing := filepath.Join(t.TempDir(), "nope.pem")
	cases := []struct {
		name, cert, key string
		now             time.Time
		want            []string // every one must be in the message
	}{
		{"missing certificate", missing, keyFile, t0, []string{"read the TLS certificate", missing}},
		{"missing key", certFile, missing, t0, []string{"read the TLS key", missing}},
		{"swapped", keyFile, certFile, t0, []string{certFile, keyFile, "switched"}},
		{"key of another certificate", certFile, otherKey, t0, []string{otherKey, "does not match"}},
		{"another certificate for the key", otherCert, keyFile, t0, []string{otherCert, "does not match"}},
		{"expired", certFile, keyFile, t0.AddDate(1, 0, 1), []string{certFile, "expired on"}},
		{"not yet valid", certFile, keyFile, t0.Add(-2 * time.Hour), []string{certFile, "not valid before"}},
		{"no subject alternative name", noSANCert, noSANKey, t0, []string{noSANCert, "names no host"}},
		{"client certificate", clientCert, clientKey, t0, []string{clientCert, "serverAuth"}},
	}
	for _, c := range cases {
		_, err := Load(c.cert, c.key, c.now)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
	}
}
