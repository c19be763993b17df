// Package sqlstore implements store.Backend on SQLite (modernc.org/sqlite,
// pure Go) and PostgreSQL (pgx) with one set of SQL statements and repos.
// The dialects differ only in placeholder syntax, migrations, and how a
// backend begins, ends and retries transactions (sqlite.go, postgres.go).
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Options selects and configures a backend.
type Options struct {
	// Dialect is DialectSQLite or DialectPostgres.
	Dialect string
	// Path is the SQLite database file (created when missing, mode 0600).
	Path string
	// DSN is the PostgreSQL connection string (postgres://... or
	// key=value). pgxpool settings such as pool_max_conns are honoured.
	DSN string
	// Clock stamps change-log rows (for Sweep's keepChanges); nil means
	// time.Now. Everything else the store keeps carries caller-given times.
	Clock func() time.Time
	// WALLimit is the SQLite WAL size in bytes past which it is
	// checkpointed and truncated (0: DefaultWALLimit).
	WALLimit int64
	// MaxSize caps the SQLite database in bytes (0: no cap); see
	// Store.SetMaxSize.
	MaxSize int64
	// ReadCache lets Read answer record reads from memory (readCache):
	// for a store only this process writes to, or whose other writers it
	// learns of through ChangesSince in time. SQLite only.
	ReadCache bool
}

// Option adjusts the Options OpenURL derives from its arguments.
type Option func(*Options)

// WithWALLimit sets Options.WALLimit.
func WithWALLimit(bytes int64) Option { return func(o *Options) { o.WALLimit = bytes } }

// WithReadCache sets Options.ReadCache.
func WithReadCache() Option { return func(o *Options) { o.ReadCache = true } }

// WithMaxSize sets Options.MaxSize.
func WithMaxSize(bytes int64) Option { return func(o *Options) { o.MaxSize = bytes } }

// Store is a store.Backend on SQL. It is safe for concurrent use.
type Store struct {
	dialect string
	clock   func() time.Time
	// stmts holds every statement in its dialect form; see buildStatements.
	stmts map[string]*stmt
	be    backend
	// jobWake signals runners on this node of jobs it enqueued.
	jobWake jobSignal
	// batches caches folded event batches LookupEvents read.
	batches batchCache
	// cache answers Read's record reads from memory; nil when off.
	cache *readCache

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var _ store.Backend = (*Store)(nil)

// Open opens (creating if needed) the database and applies pending
// migrations. Several processes may Open the same database at once.
func Open(ctx context.Context, opt Options) (*Store, error) {
	s := &Store{dialect: opt.Dialect, clock: opt.Clock}
	if s.clock == nil {
		s.clock = time.Now
	}
	var err error
	switch opt.Dialect {
	case DialectSQLite:
		if opt.Path == "" {
			return nil, errors.New("sqlstore: sqlite needs Options.Path")
		}
		s.stmts = buildStatements(opt.Dialect)
		s.be, err = openSQLite(ctx, opt.Path, opt.WALLimit)
		if opt.ReadCache {
			s.cache = &readCache{}
		}
	case DialectPostgres:
		if opt.DSN == "" {
			return nil, errors.New("sqlstore: postgres needs Options.DSN")
		}
		s.stmts = buildStatements(opt.Dialect)
		s.be, err = openPostgres(ctx, opt.DSN)
	default:
		return nil, fmt.Errorf("sqlstore: unknown dialect %q (want %q or %q)", opt.Dialect, DialectSQLite, DialectPostgres)
	}
	if err != nil {
		return nil, err
	}
	if opt.MaxSize > 0 {
		if err := s.SetMaxSize(ctx, opt.MaxSize); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// OpenURL opens the store a server is configured with: an empty dbURL
// means the SQLite file <dataDir>/canopy.db (dataDir is created with mode
// 0700 when missing); postgres:// or postgresql:// means PostgreSQL.
func OpenURL(ctx context.Context, dataDir, dbURL string, opts ...Option) (*Store, error) {
	var opt Options
	for _, o := range opts {
		o(&opt)
	}
	switch {
	case dbURL == "":
		if dataDir == "" {
			return nil, errors.New("sqlstore: no data directory and no database URL")
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		opt.Dialect, opt.Path = DialectSQLite, filepath.Join(dataDir, "canopy.db")
		return Open(ctx, opt)
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		opt.Dialect, opt.DSN = DialectPostgres, dbURL
		return Open(ctx, opt)
	default:
		return nil, errors.New("sqlstore: database URL must start with postgres:// or postgresql:// (empty for SQLite in the data directory)")
	}
}

// Dialect implements store.Backend.
func (s *Store) Dialect() string { return s.dialect }

// Close implements store.Store. Calls made after Close return
// store.ErrClosed; Close itself may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.closeErr = s.be.close()
	})
	return s.closeErr
}

// stmt returns the prepared form of q.
func (s *Store) stmt(q string) *stmt {
	if st, ok := s.stmts[q]; ok {
		return st
	}
	// Every statement should be listed by buildStatements; one that is
	// not still runs.
	return &stmt{text: dialectText(s.dialect, q)}
}
