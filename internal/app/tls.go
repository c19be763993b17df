package app

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/canopy-iam/canopy/internal/tlsca"
)

// validateTLS reports TLS settings that cannot work.
func (c *Config) validateTLS() error {
	if c.TLSAddr == "" {
		if len(c.TLSHosts) > 0 || c.TLSCert != "" || c.TLSKey != "" {
			return errors.New("--tls-host, --tls-cert and --tls-key need --tls-addr")
		}
		return nil
	}
	if _, _, err := net.SplitHostPort(c.TLSAddr); err != nil {
		return fmt.Errorf("--tls-addr must be host:port, got %q", c.TLSAddr)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither for a certificate from the local CA")
	}
	if c.TLSCert != "" && len(c.TLSHosts) > 0 {
		return errors.New("--tls-host names hosts in the local CA's certificate; a certificate given with --tls-cert names its own")
	}
	if _, err := tlsca.Names(c.TLSHosts); err != nil {
		return fmt.Errorf("--tls-host: %w", err)
	}
	return nil
}

// loadTLS returns the TLS listener's configuration: the certificate given
// with TLSCert/TLSKey, checked now rather than at a client's handshake, or
// else the local CA's (created under DataDir on first start), whose CA
// certificate path it records in a.CAFile.
func (a *App) loadTLS() (*tls.Config, error) {
	c, log := a.Config, a.Config.Log
	var cert tls.Certificate
	if c.TLSCert != "" {
		var err error
		if cert, err = tlsca.Load(c.TLSCert, c.TLSKey, time.Now()); err != nil {
			return nil, err
		}
	} else {
		l, err := tlsca.Ensure(c.DataDir, c.TLSHosts, time.Now())
		if err != nil {
			return nil, fmt.Errorf("local CA: %w", err)
		}
		if l.CACreated {
			log.Info("created a local CA; clients of the TLS listener must trust it", "ca", l.CAFile)
		}
		if l.Issued {
			log.Info("the local CA issued the TLS certificate", "cert", l.CertFile, "names", l.Names,
				"until", l.Certificate.Leaf.NotAfter.UTC().Format(time.RFC3339))
		}
		cert, a.CAFile = l.Certificate, l.CAFile
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
