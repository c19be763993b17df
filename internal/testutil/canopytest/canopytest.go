// Package canopytest starts real Canopy servers for tests: a real HTTP
// server on a free loopback port over a real store (SQLite in a temporary
// directory, or a fresh PostgreSQL database), and official SDK clients
// pointed at it.
package canopytest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// Region is the region the SDK clients are built with.
const Region = "cn-hangzhou"

// Server is a running node.
type Server struct {
	App      *app.App
	Endpoint string // host:port
	DataDir  string
	DB       string // PostgreSQL URL, "" for SQLite

	// With WithTLS: the TLS listener and the local CA's certificate.
	TLSEndpoint string // host:port
	CAFile      string // <DataDir>/ca.pem
}

type options struct {
	postgres bool
	dataDir  string
	db       string
	log      io.Writer
	tls      bool
	config   []func(*app.Config)
	rdLimits directory.Limits
}

// Option changes how Start builds the server.
type Option func(*options)

// WithPostgres stores everything in a fresh PostgreSQL database (a
// throw-away server is started when CANOPY_TEST_POSTGRES_DSN is unset).
func WithPostgres() Option { return func(o *options) { o.postgres = true } }

// WithStore reuses an existing data directory and database URL, e.g. to
// restart a server over the same data.
func WithStore(dataDir, db string) Option {
	return func(o *options) { o.dataDir, o.db = dataDir, db }
}

// WithLog sends the server's log, from Info up and as JSON lines, to w
// (by default only warnings reach the test log).
func WithLog(w io.Writer) Option { return func(o *options) { o.log = w } }

// WithConfig changes the node's configuration before it starts (limits,
// store settings), after Start has filled in the store and the log.
func WithConfig(change func(*app.Config)) Option {
	return func(o *options) { o.config = append(o.config, change) }
}

// WithTLS also serves the API over TLS on a free loopback port
// (Server.TLSEndpoint), with a certificate from the local CA under the data
// directory (Server.CAFile), as `canopy serve --tls-addr` does.
func WithTLS() Option { return func(o *options) { o.tls = true } }

// WithDirectoryLimits sets the Resource Directory quotas, as the serve
// flags --rd-max-folders, --rd-max-members and --rd-invitations-per-day
// do (zero fields keep the cloud's defaults).
func WithDirectoryLimits(l directory.Limits) Option { return func(o *options) { o.rdLimits = l } }

// Start builds a server and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	if o.postgres && o.db == "" {
		o.db = pgtest.FreshDatabase(t, pgtest.Start(t))
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if o.log != nil {
		log = slog.New(slog.NewJSONHandler(o.log, nil))
	}
	// Smaller audit-log segments: a test server writes little, and zero-
	// filling 64 MiB segments for each of hundreds of servers would cost
	// the suite seconds of disk time.
	cfg := app.Config{DataDir: o.dataDir, DB: o.db, Log: log, Directory: o.rdLimits, SegmentSize: 8 << 20}
	if o.tls {
		cfg.TLSAddr = "127.0.0.1:0" // Start listens itself, below
	}
	for _, change := range o.config {
		change(&cfg)
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatalf("start canopy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Shutdown(ctx)
		t.Fatal(err)
	}
	go a.Serve(ln)
	s := &Server{App: a, Endpoint: ln.Addr().String(), DataDir: o.dataDir, DB: o.db}
	if o.tls {
		tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			a.Shutdown(ctx)
			t.Fatal(err)
		}
		go a.ServeTLS(tlsLn)
		s.TLSEndpoint, s.CAFile = tlsLn.Addr().String(), a.CAFile
	}
	var stopped atomic.Bool
	t.Cleanup(func() {
		if stopped.CompareAndSwap(false, true) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a.Shutdown(ctx)
		}
	})
	return s
}

// Stop shuts the server down now (the data stays for a restart).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.App.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// Advance moves the node's clock forward by d: the clock that issues and
// expires STS sessions (request signatures keep following real time).
func (s *Server) Advance(d time.Duration) { s.App.AdvanceClock(d) }

// HTTPSTransport is a fresh transport that trusts the server's local CA
// and nothing else (WithTLS), e.g. for a classic SDK client pointed at
// TLSEndpoint: client.SetTransport(srv.HTTPSTransport(t)) and the request's
// Scheme "https".
func (s *Server) HTTPSTransport(t testing.TB) *http.Transport {
	t.Helper()
	if s.CAFile == "" {
		t.Fatal("HTTPSTransport: the server was started without WithTLS")
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", s.CAFile)
	}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
}

// Account is a created account with its root AccessKey.
type Account struct {
	ID              string
	Email           string
	Password        string
	AccessKeyID     string
	AccessKeySecret string
}

var accountSeq atomic.Int64

// CreateAccount creates a top-level account with a root AccessKey, as
// `canopy account create --access-key` does, for the legal entity
// "Example Ltd".
func (s *Server) CreateAccount(t testing.TB) Account {
	t.Helper()
	return s.CreateAccountFor(t, "Example Ltd")
}

// CreateAccountFor is CreateAccount for another legal entity (real name).
func (s *Server) CreateAccountFor(t testing.TB, realName string) Account {
	t.Helper()
	n := accounts.NewAccount{Email: fmt.Sprintf("owner%d-%d@example.com", time.Now().UnixNano(), accountSeq.Add(1)),
		RealName: realName, Password: "Initial-Passw0rd", AccessKey: true}
	hash, err := accounts.HashPassword(n)
	if err != nil {
		t.Fatal(err)
	}
	var created *accounts.Created
	err = s.App.Store.Write(context.Background(), func(tx store.Tx) error {
		created, err = accounts.Create(tx, s.App.Ring, n, hash, time.Now())
		return err
	})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	return Account{ID: created.Account.ID, Email: n.Email, Password: n.Password,
		AccessKeyID: created.Key.Key.ID, AccessKeySecret: created.Key.Secret}
}

// RAMClient is a classic-SDK RAM client pointed at the server over HTTP.
func (s *Server) RAMClient(t testing.TB, id, secret string) *ram.Client {
	t.Helper()
	c, err := ram.NewClientWithAccessKey(Region, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.Endpoint
	return c
}

// IMSClient is a classic-SDK IMS client pointed at the server.
func (s *Server) IMSClient(t testing.TB, id, secret string) *ims.Client {
	t.Helper()
	c, err := ims.NewClientWithAccessKey(Region, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.Endpoint
	return c
}

// STSClient is a classic-SDK STS client pointed at the server.
func (s *Server) STSClient(t testing.TB, id, secret string) *sts.Client {
	t.Helper()
	c, err := sts.NewClientWithAccessKey(Region, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.Endpoint
	return c
}

// TrailClient is a classic-SDK ActionTrail client pointed at the server.
func (s *Server) TrailClient(t testing.TB, id, secret string) *actiontrail.Client {
	t.Helper()
	c, err := actiontrail.NewClientWithAccessKey(Region, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.Endpoint
	return c
}

// RDClient is a classic-SDK ResourceManager client pointed at the server.
func (s *Server) RDClient(t testing.TB, id, secret string) *resourcemanager.Client {
	t.Helper()
	c, err := resourcemanager.NewClientWithAccessKey(Region, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.Endpoint
	return c
}

// AwaitMessage waits (up to 10 s) for a message in the server's outbox
// whose file contains every one of want, and returns the file's content.
// Messages are delivered by the job runner just after the write that
// queued them commits.
func (s *Server) AwaitMessage(t testing.TB, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(s.App.Config.Outbox)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			body, err := os.ReadFile(filepath.Join(s.App.Config.Outbox, e.Name()))
			if err != nil {
				continue
			}
			found := true
			for _, w := range want {
				found = found && strings.Contains(string(body), w)
			}
			if found {
				return string(body)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message containing %q in the outbox %s", want, s.App.Config.Outbox)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testWriter sends server logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
