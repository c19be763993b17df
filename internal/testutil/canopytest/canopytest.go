// Package canopytest starts real Canopy servers for tests: a real HTTP
// server on a free loopback port over a real store (SQLite in a temporary
// directory, or a fresh PostgreSQL database), and official SDK clients
// pointed at it.
package canopytest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/app"
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

	// TLSEndpoint is the host:port of the TLS listener and CAFile the
	// certificate (PEM) of the CA to trust for it; both are set only with
	// WithTLS.
	TLSEndpoint string
	CAFile      string
}

type options struct {
	postgres bool
	dataDir  string
	db       string
	log      io.Writer
	tls      bool
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

// WithTLS also serves the API over TLS (TLSEndpoint, CAFile).
//
// Placeholder until the TLS listener lands: Start fails the test.
func WithTLS() Option { return func(o *options) { o.tls = true } }

// Start builds a server and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.tls {
		t.Fatal("canopytest: WithTLS is not implemented yet (the TLS listener of issue 7)")
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
	a, err := app.New(ctx, app.Config{DataDir: o.dataDir, DB: o.db, Log: log})
	if err != nil {
		t.Fatalf("start canopy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go a.Serve(ln)
	s := &Server{App: a, Endpoint: ln.Addr().String(), DataDir: o.dataDir, DB: o.db}
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
// `canopy account create --access-key` does.
func (s *Server) CreateAccount(t testing.TB) Account {
	t.Helper()
	n := accounts.NewAccount{Email: fmt.Sprintf("owner%d-%d@example.com", time.Now().UnixNano(), accountSeq.Add(1)),
		RealName: "Example Ltd", Password: "Initial-Passw0rd", AccessKey: true}
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

// testWriter sends server logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
