package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// The benchmarks report ratios against anchors measured in the same run,
// interleaved with the measured operation so that a noisy machine moves
// both alike (see shared/reference/performance.md):
//
//	BenchmarkDurableCommit: one single-row Write vs the fsync floor
//	(overwrite of a preallocated 4 KiB file + fdatasync). Metric x-fsync
//	is median(commit) / median(fsync). For context, raw-x-fsync is the
//	raw driver committing the same row in a plain BEGIN/INSERT/COMMIT
//	(no change log, no write lock).
//	BenchmarkPointRead: Records().Get in a Read vs the raw driver running
//	the same SELECT and Scan on a 10k-row table. Metric x-raw is
//	median(store) / median(raw); for SQLite x-raw-prep compares with a raw
//	prepared statement too.
//
// ns/op covers everything in one iteration (both sides); read the custom
// metrics.

type benchBackend struct {
	name string
	open func(b *testing.B) (*Store, string) // store, directory for the fsync file
}

func benchBackends() []benchBackend {
	return []benchBackend{
		{"sqlite", func(b *testing.B) (*Store, string) {
			dir := b.TempDir()
			s, err := Open(context.Background(), Options{Dialect: DialectSQLite, Path: filepath.Join(dir, "canopy.db")})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s, dir
		}},
		{"postgres", func(b *testing.B) (*Store, string) {
			dsn := pgtest.FreshDatabase(b, pgtest.Start(b))
			s, err := Open(context.Background(), Options{Dialect: DialectPostgres, DSN: dsn})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s, b.TempDir()
		}},
	}
}

const benchAccount = "1000000000000001"

func benchSetup(b *testing.B, s *Store, rows int) {
	b.Helper()
	now := time.Now()
	err := s.Write(context.Background(), func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: benchAccount, Email: "bench@example.com", Created: now, Updated: now}); err != nil {
			return err
		}
		for i := 0; i < rows; i++ {
			if err := tx.Records().Insert(benchRecord(i, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchRecord(i int, now time.Time) store.Record {
	key := fmt.Sprintf("user-%06d", i)
	return store.Record{
		AccountID: benchAccount, Kind: "user", Key: key, Ref: "ref-" + key[len(key)-2:],
		Data:    []byte(`{"UserName":"` + key + `","DisplayName":"Benchmark user","Email":"` + key + `@example.com","Comments":"a typical record of about two hundred bytes"}`),
		Created: now, Updated: now,
	}
}

// fsyncFloor overwrites a preallocated 4 KiB file and fdatasyncs it, the
// cheapest durable write the filesystem offers (what a WAL commit costs at
// best).
type fsyncFloor struct {
	f   *os.File
	buf []byte
}

func newFsyncFloor(b *testing.B, dir string) *fsyncFloor {
	f, err := os.OpenFile(filepath.Join(dir, "fsync-floor"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	buf := make([]byte, 4096)
	if _, err := f.WriteAt(buf, 0); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	return &fsyncFloor{f: f, buf: buf}
}

func (fl *fsyncFloor) once(b *testing.B, i int) {
	fl.buf[0] = byte(i)
	if _, err := fl.f.WriteAt(fl.buf, 0); err != nil {
		b.Fatal(err)
	}
	if err := fdatasync(fl.f); err != nil {
		b.Fatal(err)
	}
}

func median(d []time.Duration) time.Duration { return quantile(d, 0.5) }

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func BenchmarkDurableCommit(b *testing.B) {
	for _, be := range benchBackends() {
		b.Run(be.name, func(b *testing.B) {
			s, dir := be.open(b)
			benchSetup(b, s, 0)
			floor := newFsyncFloor(b, dir)
			raw := rawWriter(b, s)
			ctx := context.Background()
			now := time.Now()
			write := func(i int) {
				rec := benchRecord(i, now)
				if err := s.Write(ctx, func(tx store.Tx) error { return tx.Records().Insert(rec) }); err != nil {
					b.Fatal(err)
				}
			}
			// Warm up: connections, prepared statements, file sizes. A
			// server's steady state is measured, not its first seconds:
			// the SQLite WAL grows during its first checkpoint periods and
			// is overwritten in place from then on (see checkpoint).
			for i, start := 0, time.Now(); i < 50 || time.Since(start) < 3*checkpointEvery; i++ {
				floor.once(b, i)
				write(-1 - i)
				raw(b, -1-i, now)
			}
			fs := make([]time.Duration, 0, b.N)
			cs := make([]time.Duration, 0, b.N)
			rs := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				floor.once(b, i)
				t1 := time.Now()
				write(i)
				t2 := time.Now()
				raw(b, i, now)
				t3 := time.Now()
				fs = append(fs, t1.Sub(t0))
				cs = append(cs, t2.Sub(t1))
				rs = append(rs, t3.Sub(t2))
			}
			b.StopTimer()
			b.ReportMetric(micros(median(fs)), "fsync-µs")
			b.ReportMetric(micros(median(cs)), "commit-µs")
			b.ReportMetric(float64(median(cs))/float64(median(fs)), "x-fsync")
			b.ReportMetric(float64(median(rs))/float64(median(fs)), "raw-x-fsync")
			b.ReportMetric(micros(quantile(fs, 0.99)), "fsync-p99-µs")
			b.ReportMetric(micros(quantile(cs, 0.99)), "commit-p99-µs")
		})
	}
}

const readRows = 10000

func BenchmarkPointRead(b *testing.B) {
	for _, be := range benchBackends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			benchSetup(b, s, readRows)
			ctx := context.Background()
			raw, rawPrep := rawReader(b, s)

			keys := make([]string, 4096)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range keys {
				keys[i] = fmt.Sprintf("user-%06d", rng.IntN(readRows))
			}
			viaStore := func(key string) {
				var rec store.Record
				err := s.Read(ctx, func(tx store.Tx) error {
					var err error
					rec, err = tx.Records().Get(benchAccount, "user", key)
					return err
				})
				if err != nil || rec.Key != key {
					b.Fatalf("store Get %s: %v", key, err)
				}
			}
			// A PostgreSQL Read returns before its transaction has ended (see
			// postgres.go); let that finish before timing the raw read, so
			// the baseline does not pay for the store's leftover work.
			settle := func() {}
			if pg, ok := s.be.(*pgBackend); ok {
				settle = func() {
					for deadline := time.Now().Add(10 * time.Millisecond); pg.pool.Stat().AcquiredConns() > 0 && time.Now().Before(deadline); {
						runtime.Gosched()
					}
				}
			}
			for i := 0; i < 200; i++ { // warm up every connection's cache
				viaStore(keys[i])
				settle()
				raw(b, keys[i])
				if rawPrep != nil {
					rawPrep(b, keys[i])
				}
			}
			var st, rw, rp []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				key := keys[i%len(keys)]
				t0 := time.Now()
				raw(b, key)
				t1 := time.Now()
				viaStore(key)
				t2 := time.Now()
				settle()
				rw = append(rw, t1.Sub(t0))
				st = append(st, t2.Sub(t1))
				if rawPrep != nil {
					t2 = time.Now()
					rawPrep(b, key)
					rp = append(rp, time.Since(t2))
				}
			}
			b.StopTimer()
			b.ReportMetric(micros(median(rw)), "raw-µs")
			b.ReportMetric(micros(median(st)), "store-µs")
			b.ReportMetric(float64(median(st))/float64(median(rw)), "x-raw")
			if rawPrep != nil {
				b.ReportMetric(micros(median(rp)), "raw-prep-µs")
				b.ReportMetric(float64(median(st))/float64(median(rp)), "x-raw-prep")
			}
		})
	}
}

const rawPointSQL = `SELECT account_id, kind, key, ref, data, created_ns, updated_ns FROM records WHERE account_id = ? AND kind = ? AND key = ?`

type rawRead func(b *testing.B, key string)

// rawReader opens the database behind s with the bare driver, outside the
// store, and returns the same point read done directly (and, on SQLite,
// with a prepared statement as well).
func rawReader(b *testing.B, s *Store) (raw, prepared rawRead) {
	scan := func(b *testing.B, key string, sc func(dest ...any) error) {
		var (
			acct, kind, k, ref string
			data               []byte
			created, updated   int64
		)
		if err := sc(&acct, &kind, &k, &ref, &data, &created, &updated); err != nil || k != key {
			b.Fatalf("raw read %s: %v", key, err)
		}
	}
	switch be := s.be.(type) {
	case *liteBackend:
		var path string
		if err := be.r.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite", path+"?_journal_mode=WAL")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		ps, err := db.Prepare(rawPointSQL)
		if err != nil {
			b.Fatal(err)
		}
		raw = func(b *testing.B, key string) {
			scan(b, key, db.QueryRow(rawPointSQL, benchAccount, "user", key).Scan)
		}
		prepared = func(b *testing.B, key string) {
			scan(b, key, ps.QueryRow(benchAccount, "user", key).Scan)
		}
		return raw, prepared
	case *pgBackend:
		pool, err := pgxpool.NewWithConfig(context.Background(), be.pool.Config())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		q := rebind(DialectPostgres, rawPointSQL)
		raw = func(b *testing.B, key string) {
			scan(b, key, pool.QueryRow(context.Background(), q, benchAccount, "user", key).Scan)
		}
		return raw, nil // pgx prepares and caches statements by itself
	}
	b.Fatalf("unknown backend %T", s.be)
	return nil, nil
}

type rawWrite func(b *testing.B, i int, now time.Time)

const rawInsertSQL = `INSERT INTO records (account_id, kind, key, ref, data, created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?)`

// rawWriter commits one record per call with the bare driver, in its own
// kind so keys do not collide with the store's: BEGIN, INSERT, COMMIT.
func rawWriter(b *testing.B, s *Store) rawWrite {
	args := func(i int, now time.Time) []any {
		r := benchRecord(i, now)
		return []any{r.AccountID, "raw", r.Key, r.Ref, r.Data, now.UnixNano(), now.UnixNano()}
	}
	switch be := s.be.(type) {
	case *liteBackend:
		// A file of its own next to the store's: sharing one would make
		// each writer invalidate the other's page cache.
		var path string
		if err := be.r.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(path), "raw.db")+"?"+sqliteParams+"&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		b.Cleanup(func() { db.Close() })
		if _, err := db.Exec(`CREATE TABLE records (account_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
			ref TEXT NOT NULL, data BLOB NOT NULL, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL,
			PRIMARY KEY (account_id, kind, key)) STRICT, WITHOUT ROWID;
			CREATE INDEX records_ref ON records (account_id, kind, ref, key) WHERE ref <> ''`); err != nil {
			b.Fatal(err)
		}
		ps, err := db.Prepare(rawInsertSQL)
		if err != nil {
			b.Fatal(err)
		}
		return func(b *testing.B, i int, now time.Time) {
			tx, err := db.Begin()
			if err == nil {
				_, err = tx.Stmt(ps).Exec(args(i, now)...)
			}
			if err == nil {
				err = tx.Commit()
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	case *pgBackend:
		pool, err := pgxpool.NewWithConfig(context.Background(), be.pool.Config())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		q := rebind(DialectPostgres, rawInsertSQL)
		return func(b *testing.B, i int, now time.Time) {
			ctx := context.Background()
			tx, err := pool.Begin(ctx)
			if err == nil {
				_, err = tx.Exec(ctx, q, args(i, now)...)
			}
			if err == nil {
				err = tx.Commit(ctx)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Fatalf("unknown backend %T", s.be)
	return nil
}
