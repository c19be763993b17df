// Package tlsca gives Canopy's TLS listener its certificate: by default one
// issued by a local certificate authority that lives in the data directory
// (created on first start, reused afterwards), or one the operator brings.
// Credential providers hard-code https://, so a test or a laptop needs a
// certificate its clients can be told to trust: <data>/ca.pem.
//
// The package is crypto and files only; it knows nothing of HTTP.
package tlsca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The files of the local CA inside the data directory.
const (
	CAFile    = "ca.pem"       // the CA certificate clients trust
	CAKeyFile = "ca-key.pem"   // its private key (0600)
	CertFile  = "tls-cert.pem" // the server certificate the CA issued
	KeyFile   = "tls-key.pem"  // its private key (0600)
)

// Lifetimes. A server certificate is re-issued at start once less than
// RenewBefore of it is left, and never outlives its CA.
const (
	caYears        = 10
	serverValidity = 365 * 24 * time.Hour
	RenewBefore    = 30 * 24 * time.Hour
	backdate       = time.Hour // tolerates clients whose clock is a little behind
)

// DefaultHosts are named by every certificate the local CA issues.
var DefaultHosts = []string{"localhost", "127.0.0.1", "::1"}

// Local is the server certificate of the local CA, as Ensure left it.
type Local struct {
	Certificate tls.Certificate // the server certificate (Leaf set) and its key
	CAFile      string          // path of the CA certificate clients must trust
	CertFile    string          // path of the server certificate
	KeyFile     string          // path of its key
	Names       []string        // what the server certificate names (see Names)
	CACreated   bool            // this call created the CA
	Issued      bool            // this call issued the server certificate
}

// Names returns what a server certificate of the local CA names for the
// extra hosts: DefaultHosts, then each host once, DNS names in lower case
// and IP addresses in their canonical form. A host must be a DNS name
// (letters, digits and hyphens, optionally starting with the wildcard
// label "*.") or an IP address, with no port, scheme or zone.
func Names(hosts []string) ([]string, error) {
	names := slices.Clone(DefaultHosts)
	for _, h := range hosts {
		n, err := normalizeHost(h)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names, nil
}

func normalizeHost(h string) (string, error) {
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.Zone() != "" {
			return "", fmt.Errorf("host %q: an IP address in a certificate has no zone", h)
		}
		return ip.Unmap().String(), nil
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		return normalizeHost(h[1 : len(h)-1])
	}
	name := strings.ToLower(h)
	rest, _ := strings.CutPrefix(name, "*.")
	if len(name) > 253 || !validDNSName(rest) {
		return "", fmt.Errorf("host %q is neither a DNS name nor an IP address (give a name such as canopy.example.com or an address such as 10.0.0.5, without port or scheme)", h)
	}
	return name, nil
}

func validDNSName(name string) bool {
	if name == "" {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Ensure returns the server certificate of the local CA in dir for the
// given extra hosts (see Names). On first use it creates the CA (ca.pem,
// ca-key.pem); afterwards it reuses it, and never replaces it: clients
// trust it. It reuses the server certificate in dir when that one was
// issued by this CA for exactly these names and has more than RenewBefore
// left, and issues a new one otherwise. Processes starting at once on one
// directory agree on one CA.
func Ensure(dir string, hosts []string, now time.Time) (*Local, error) {
	names, err := Names(hosts)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	caCert, caKey, created, err := loadOrCreateCA(dir, now)
	if err != nil {
		return nil, err
	}
	l := &Local{CAFile: filepath.Join(dir, CAFile), CertFile: filepath.Join(dir, CertFile),
		KeyFile: filepath.Join(dir, KeyFile), Names: names, CACreated: created}
	if cert, ok := reusable(l.CertFile, l.KeyFile, caCert, names, now); ok {
		l.Certificate = cert
		return l, nil
	}
	if l.Certificate, err = issue(l.CertFile, l.KeyFile, caCert, caKey, names, now); err != nil {
		return nil, err
	}
	l.Issued = true
	return l, nil
}

// loadOrCreateCA reads the CA of dir, creating it when there is none. The
// key is installed before the certificate, each exclusively (a link, which
// fails when the file exists), so two processes racing here end up with
// the same CA, and a crash between the two leaves a key from which the
// next start makes the certificate.
func loadOrCreateCA(dir string, now time.Time) (*x509.Certificate, crypto.Signer, bool, error) {
	keyPath, certPath := filepath.Join(dir, CAKeyFile), filepath.Join(dir, CAFile)
	created := false
	keyPEM, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(certPath); serr == nil {
			// The certificate is written after the key: if it exists, so
			// did the key when we looked, unless someone removed it.
			if keyPEM, err = os.ReadFile(keyPath); errors.Is(err, fs.ErrNotExist) {
				return nil, nil, false, fmt.Errorf("%s exists but its key %s does not: restore the key, or remove %s too to create a new CA (clients must then trust the new %s)",
					certPath, keyPath, certPath, CAFile)
			}
		} else {
			var key *ecdsa.PrivateKey
			if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				return nil, nil, false, err
			}
			if keyPEM, err = encodeKey(key); err != nil {
				return nil, nil, false, err
			}
			if keyPEM, created, err = installOnce(keyPath, keyPEM, 0o600); err != nil {
				return nil, nil, false, err
			}
		}
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("CA key: %w", err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: %w", keyPath, err)
	}
	certPEM, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		var der []byte
		if der, err = selfSign(key, now); err != nil {
			return nil, nil, false, err
		}
		certPEM, _, err = installOnce(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("CA certificate: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s and %s are not a CA certificate and its key: %w", certPath, keyPath, err)
	}
	ca := pair.Leaf
	if !ca.IsCA || !ca.BasicConstraintsValid || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, nil, false, fmt.Errorf("%s is not a CA certificate (it cannot sign certificates)", certPath)
	}
	if now.Before(ca.NotBefore) || !now.Before(ca.NotAfter) {
		return nil, nil, false, fmt.Errorf("%s is valid from %s to %s only; remove %s and %s to create a new one (clients must then trust the new %s)",
			certPath, ca.NotBefore.UTC().Format(time.RFC3339), ca.NotAfter.UTC().Format(time.RFC3339), certPath, keyPath, CAFile)
	}
	return ca, key, created, nil
}

// selfSign makes the CA certificate for key.
func selfSign(key crypto.Signer, now time.Time) ([]byte, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(spki)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		// The key's fingerprint tells one Canopy CA from another in a trust
		// store.
		Subject:               pkix.Name{Organization: []string{"Canopy"}, CommonName: "Canopy local CA " + hex.EncodeToString(id[:4])},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.AddDate(caYears, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs server certificates, not other CAs
	}
	return x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
}

// reusable returns the server certificate in certPath/keyPath if it can
// serve as is: a matching pair, issued by ca, valid now for more than
// RenewBefore, naming exactly names. Anything else (missing, damaged,
// another CA's) is replaced, so it is not an error.
func reusable(certPath, keyPath string, ca *x509.Certificate, names []string, now time.Time) (tls.Certificate, bool) {
	certPEM, err1 := os.ReadFile(certPath)
	keyPEM, err2 := os.ReadFile(keyPath)
	if err1 != nil || err2 != nil {
		return tls.Certificate{}, false
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil || len(pair.Certificate) != 1 {
		return tls.Certificate{}, false
	}
	leaf := pair.Leaf
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return tls.Certificate{}, false
	}
	if leaf.NotAfter.Sub(now) <= RenewBefore && leaf.NotAfter.Before(ca.NotAfter) {
		return tls.Certificate{}, false
	}
	if !slices.Equal(sorted(certNames(leaf)), sorted(names)) {
		return tls.Certificate{}, false
	}
	return pair, true
}

// certNames lists what a certificate names: its DNS names and IP addresses
// in the form Names gives them.
func certNames(c *x509.Certificate) []string {
	var out []string
	for _, n := range c.DNSNames {
		out = append(out, strings.ToLower(n))
	}
	for _, ip := range c.IPAddresses {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap().String())
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// issue makes a new server certificate for names, signed by the CA, and
// writes it and its key (each replaced atomically; the key first).
func issue(certPath, keyPath string, ca *x509.Certificate, caKey crypto.Signer, names []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"Canopy"}, CommonName: names[0]},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(serverValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if tmpl.NotAfter.After(ca.NotAfter) {
		tmpl.NotAfter = ca.NotAfter
	}
	for _, n := range names {
		if ip, err := netip.ParseAddr(n); err == nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(ip.AsSlice()))
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issue the TLS certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := replace(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := replace(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Load reads a certificate and key the operator brings (PEM; the
// certificate file may hold the chain after the server certificate) and
// checks what would otherwise only fail at a client's handshake: that the
// key belongs to the certificate, that it is valid now, that it names at
// least one host (clients ignore the Common Name) and may serve TLS.
func Load(certFile, keyFile string, now time.Time) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read the TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read the TLS key: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return tls.Certificate{}, fmt.Errorf("TLS certificate %s: %w", certFile, err)
		}
		pair.Leaf = leaf
	}
	switch {
	case now.Before(leaf.NotBefore):
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s is not valid before %s", certFile, leaf.NotBefore.UTC().Format(time.RFC3339))
	case !now.Before(leaf.NotAfter):
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s expired on %s", certFile, leaf.NotAfter.UTC().Format(time.RFC3339))
	case len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0:
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s names no host (no subject alternative names; clients ignore the Common Name and would refuse it)", certFile)
	case len(leaf.ExtKeyUsage) > 0 && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny):
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s is not a server certificate (its extended key usage lacks serverAuth)", certFile)
	}
	return pair, nil
}

func randomSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

func encodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parseKey reads a PEM private key in any form OpenSSL writes (PKCS #8,
// SEC 1 or PKCS #1), so a CA of one's own can be put in place of ours.
func parseKey(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM private key found")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("a %T cannot sign", key)
		}
		return signer, nil
	}
}

// writeTemp writes data to a new temporary file next to path, synced to
// disk, and returns its name.
func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return f.Name(), nil
}

// installOnce puts data at path unless a file is already there, in which
// case it returns that file's contents: of two processes racing, both end
// up with the winner's. installed says whether data went in.
func installOnce(path string, data []byte, perm os.FileMode) (contents []byte, installed bool, err error) {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			contents, err = os.ReadFile(path)
			return contents, false, err
		}
		return nil, false, fmt.Errorf("install %s: %w", path, err)
	}
	return data, true, nil
}

// replace puts data at path atomically, replacing what was there.
func replace(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}
