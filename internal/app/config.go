package app

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
)

// Config is everything the server needs; the defaults run on one machine.
type Config struct {
	Addr    string // listen address, default 127.0.0.1:8080
	DataDir string // SQLite file, key-encryption key file; default ./canopy-data
	DB      string // "" = SQLite in DataDir; postgres://... = PostgreSQL
	Outbox  string // file outbox for email/SMS (see NewSender); default <DataDir>/outbox
	// SegmentSize is the size of each preallocated segment of the node's
	// audit log under <DataDir>/auditlog (0: seglog.DefaultSegmentSize).
	SegmentSize int64
	Log         *slog.Logger

	// Email over SMTP (see NewSender); SMTPAddr "" = email goes to Outbox.
	SMTPAddr     string // host:port
	SMTPFrom     string // From of every email (SMTP and outbox); default notify.DefaultFrom
	SMTPUsername string // "" = no authentication
	SMTPPassword string // from $CANOPY_SMTP_PASSWORD, never a flag

	// The same API over TLS (see App.ServeTLS); TLSAddr "" = no TLS listener.
	// Without TLSCert, the certificate comes from the local CA under
	// DataDir (internal/tlsca), naming localhost, 127.0.0.1, ::1 and TLSHosts.
	TLSAddr  string   // host:port
	TLSHosts []string // further DNS names and IP addresses of the local CA's certificate
	TLSCert  string   // PEM certificate (chain) file of your own; needs TLSKey
	TLSKey   string   // PEM key file for TLSCert
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "canopy-data"
	}
	if c.Outbox == "" {
		c.Outbox = filepath.Join(c.DataDir, "outbox")
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return errors.New("--db must be a postgres:// or postgresql:// URL (leave it empty for SQLite in --data)")
	}
	if err := c.validateTLS(); err != nil {
		return err
	}
	return c.validateNotify()
}
