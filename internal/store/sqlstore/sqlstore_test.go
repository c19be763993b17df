package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/storetest"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// One PostgreSQL server serves the whole package; every test gets its own
// database on it.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }

// opener returns the open function storetest.Run wants: the first call in
// a test creates that test's database, later calls reopen it.
func opener(create func(t *testing.T) Options) func(t *testing.T) store.Backend {
	var mu sync.Mutex
	dbs := map[*testing.T]Options{}
	return func(t *testing.T) store.Backend {
		t.Helper()
		mu.Lock()
		opt, ok := dbs[t]
		if !ok {
			opt = create(t)
			dbs[t] = opt
		}
		mu.Unlock()
		s, err := Open(context.Background(), opt)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func sqliteOptions(t *testing.T) Options {
	return Options{Dialect: DialectSQLite, Path: filepath.Join(t.TempDir(), "canopy.db")}
}

func postgresOptions(t *testing.T) Options {
	return Options{Dialect: DialectPostgres, DSN: pgtest.FreshDatabase(t, pgtest.Start(t))}
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, opener(sqliteOptions))
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, opener(postgresOptions))
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := OpenURL(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Dialect() != DialectSQLite {
		t.Errorf("dialect %s", s.Dialect())
	}
	s.Close()
	fi, err := os.Stat(filepath.Join(dir, "canopy.db"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}

	dsn := pgtest.FreshDatabase(t, pgtest.Start(t))
	s, err = OpenURL(ctx, dir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dialect() != DialectPostgres {
		t.Errorf("dialect %s", s.Dialect())
	}
	s.Close()

	for _, bad := range []string{"mysql://x", "sqlite:///x"} {
		if _, err := OpenURL(ctx, dir, bad); err == nil {
			t.Errorf("OpenURL(%q) succeeded", bad)
		}
	}
	if _, err := Open(ctx, Options{Dialect: "oracle"}); err == nil {
		t.Errorf("unknown dialect accepted")
	}
}

// TestSQLiteReadCache: the conformance suite holds with the read cache on.
func TestSQLiteReadCache(t *testing.T) {
	t.Parallel()
	storetest.Run(t, opener(func(t *testing.T) Options {
		o := sqliteOptions(t)
		o.ReadCache = true
		return o
	}))
}
