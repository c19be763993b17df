package sqlstore

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// TestConcurrentOpen: several processes starting at once on a new database
// apply each migration exactly once and all come up.
func TestConcurrentOpen(t *testing.T) {
	for name, create := range map[string]func(*testing.T) Options{"sqlite": sqliteOptions, "postgres": postgresOptions} {
		t.Run(name, func(t *testing.T) {
			opt := create(t)
			const n = 8
			stores := make([]*Store, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					stores[i], errs[i] = Open(context.Background(), opt)
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("Open %d: %v", i, err)
				}
				defer stores[i].Close()
			}
			all, err := loadMigrations(stores[0].Dialect())
			if err != nil {
				t.Fatal(err)
			}
			var applied int64
			err = stores[0].Read(context.Background(), func(stx store.Tx) error {
				return stx.(*tx).queryOne(`SELECT count(*) FROM schema_migrations`, nil, &applied)
			})
			if err != nil {
				t.Fatal(err)
			}
			if applied != int64(len(all)) {
				t.Errorf("schema_migrations has %d rows, want %d", applied, len(all))
			}
		})
	}
}

const helperDBEnv = "SQLSTORE_TEST_HELPER_DB"

// TestSQLiteOtherProcess: another process (as the CLI would be) writes the
// same file while this one does; busy_timeout and BEGIN IMMEDIATE make both
// succeed with no lost update, and this process sees the other's changes.
func TestSQLiteOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "canopy.db")
	ctx := context.Background()
	s, err := Open(ctx, Options{Dialect: DialectSQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: benchAccount, Email: "a@example.com"}); err != nil {
			return err
		}
		return tx.Records().Insert(store.Record{AccountID: benchAccount, Kind: "counter", Key: "n", Data: []byte("0")})
	})
	if err != nil {
		t.Fatal(err)
	}
	v0, err := s.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteHelperProcess$", "-test.count=1")
	// The child needs no PostgreSQL server of its own.
	cmd.Env = append(os.Environ(), helperDBEnv+"="+path, pgtest.EnvDSN+"=unused")
	out := make(chan error, 1)
	var output []byte
	go func() {
		var err error
		output, err = cmd.CombinedOutput()
		out <- err
	}()
	incrementMany(t, s, 4, 50)
	if err := <-out; err != nil {
		t.Fatalf("helper process: %v\n%s", err, output)
	}

	var n int
	err = s.Read(ctx, func(tx store.Tx) error {
		r, err := tx.Records().Get(benchAccount, "counter", "n")
		if err != nil {
			return err
		}
		n, err = strconv.Atoi(string(r.Data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 400 {
		t.Errorf("counter = %d, want 400 (200 from each process)", n)
	}
	v1, err := s.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v0+400 {
		t.Errorf("change version %d -> %d, want +400 (the other process's writes included)", v0, v1)
	}
}

// TestSQLiteHelperProcess is the other process of TestSQLiteOtherProcess.
func TestSQLiteHelperProcess(t *testing.T) {
	path := os.Getenv(helperDBEnv)
	if path == "" {
		return // only runs as the child of TestSQLiteOtherProcess
	}
	s, err := Open(context.Background(), Options{Dialect: DialectSQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	incrementMany(t, s, 4, 50)
}

func incrementMany(t *testing.T, s *Store, workers, rounds int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				err := s.Write(ctx, func(tx store.Tx) error {
					r, err := tx.Records().Get(benchAccount, "counter", "n")
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(string(r.Data))
					if err != nil {
						return err
					}
					r.Data = []byte(strconv.Itoa(n + 1))
					return tx.Records().Update(r)
				})
				cancel()
				if err != nil {
					t.Errorf("increment: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
