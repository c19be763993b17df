package app

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/directory"
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

	// Failed authentication per source address (api.FailureLimiter): an
	// address may fail AuthFailBurst times at once and earns
	// AuthFailPerMinute more each minute; past that, its requests are
	// refused with Throttling (400) before they are read. 0 means the
	// default (api.DefaultAuthFailBurst, api.DefaultAuthFailPerMinute); a
	// negative value turns the limit off.
	AuthFailBurst     int
	AuthFailPerMinute int
	// Failed attempts against one AccessKey that its owner's trail keeps
	// (api.AttemptBudget): KeyAttemptBurst at once, KeyAttemptsPerHour more
	// each hour; the rest are counted, not stored. 0 means the default
	// (api.DefaultKeyAttemptBurst, api.DefaultKeyAttemptsPerHour); a
	// negative value keeps them all.
	KeyAttemptBurst    int
	KeyAttemptsPerHour int

	// SQLiteWALLimit is the size in bytes past which the SQLite WAL is
	// checkpointed and truncated (0: sqlstore.DefaultWALLimit).
	SQLiteWALLimit int64
	// SQLiteMaxSize caps the SQLite database file in bytes (0: no cap);
	// past it, calls that must write answer 503 ServiceUnavailable, as on a
	// full disk, until rows expire or the cap is raised.
	SQLiteMaxSize int64
	// PublicURL is the server's URL as the recipients of its e-mails reach
	// it (the legacy Resource Directory confirmation links); default
	// http://<Addr>, with localhost for an unspecified host.
	PublicURL string

	// ConsoleDev turns the console's development mode on (the Outbox page,
	// which shows verification codes); nil = on with SQLite, off with
	// PostgreSQL (a shared, production-like store).
	ConsoleDev *bool

	// Resource Directory quotas; zero values take the cloud's defaults
	// (100 folders, 20 members, 20 invitations a day).
	Directory directory.Limits

	// CloudSSO quotas; zero values take the cloud's example quotas (1000
	// users, 500 groups per directory).
	CloudSSO cloudsso.Limits

	// SSOTaskPause is waited before each CloudSSO task's work: zero in
	// service; tests set it to observe tasks InProgress.
	SSOTaskPause time.Duration
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
	if c.AuthFailBurst == 0 {
		c.AuthFailBurst = api.DefaultAuthFailBurst
	}
	if c.AuthFailPerMinute == 0 {
		c.AuthFailPerMinute = api.DefaultAuthFailPerMinute
	}
	if c.KeyAttemptBurst == 0 {
		c.KeyAttemptBurst = api.DefaultKeyAttemptBurst
	}
	if c.KeyAttemptsPerHour == 0 {
		c.KeyAttemptsPerHour = api.DefaultKeyAttemptsPerHour
	}
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(c.Addr)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.ConsoleDev == nil {
		dev := c.DB == ""
		c.ConsoleDev = &dev
	}
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return errors.New("--db must be a postgres:// or postgresql:// URL (leave it empty for SQLite in --data)")
	}
	if c.SQLiteWALLimit < 0 || c.SQLiteMaxSize < 0 {
		return errors.New("--sqlite-wal-limit and --sqlite-max-size must not be negative")
	}
	if c.SQLiteMaxSize > 0 && c.DB != "" {
		return errors.New("--sqlite-max-size applies to SQLite only; leave it out with --db")
	}
	if err := c.validateTLS(); err != nil {
		return err
	}
	if err := validatePublicURL(c.PublicURL); err != nil {
		return err
	}
	return c.validateNotify()
}
