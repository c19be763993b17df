package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

const cacheAccount = "1000000000000001"

// cachedPair opens two stores on one SQLite file, the first with the read
// cache (a server), the second without (the CLI, another process), and
// creates an account with records "a" and "b" holding "0".
func cachedPair(t *testing.T) (server, other *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "canopy.db")
	ctx := context.Background()
	server, err := Open(ctx, Options{Dialect: DialectSQLite, Path: path, ReadCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	other, err = Open(ctx, Options{Dialect: DialectSQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	now := time.Now()
	err = server.Write(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: cacheAccount, Type: "CloudAccount", Status: "Active", Created: now, Updated: now}); err != nil {
			return err
		}
		for _, key := range []string{"a", "b"} {
			if err := tx.Records().Insert(store.Record{AccountID: cacheAccount, Kind: "pair", Key: key, Data: []byte("0"), Created: now, Updated: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return server, other
}

func setRecord(t *testing.T, s *Store, key, value string) {
	t.Helper()
	err := s.Write(context.Background(), func(tx store.Tx) error {
		return tx.Records().Update(store.Record{AccountID: cacheAccount, Kind: "pair", Key: key, Data: []byte(value), Updated: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func getRecord(t *testing.T, read func(context.Context, func(store.Tx) error) error, key string) (string, error) {
	t.Helper()
	var data string
	err := read(context.Background(), func(tx store.Tx) error {
		rec, err := tx.Records().Get(cacheAccount, "pair", key)
		data = string(rec.Data)
		return err
	})
	return data, err
}

// TestReadCacheServesFromMemory: a record read once is answered from
// memory (a write by another process is not seen) until the change feed
// reports that write; a write through the server itself is seen at once.
func TestReadCacheServesFromMemory(t *testing.T) {
	server, other := cachedPair(t)
	ctx := context.Background()
	v0, err := server.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, read := range []func(context.Context, func(store.Tx) error) error{server.Read, server.ReadFromMemoryFirst} {
		if got, err := getRecord(t, read, "a"); err != nil || got != "0" {
			t.Fatalf("first read: %q, %v", got, err)
		}
	}
	setRecord(t, other, "a", "1")
	for _, read := range []func(context.Context, func(store.Tx) error) error{server.Read, server.ReadFromMemoryFirst} {
		if got, _ := getRecord(t, read, "a"); got != "0" {
			t.Fatalf("read after another process's write = %q, want the remembered 0 (the cache is not used)", got)
		}
	}
	if got, _ := getRecord(t, other.Read, "a"); got != "1" {
		t.Fatalf("uncached store reads %q", got)
	}
	if _, _, err := server.ChangesSince(ctx, v0); err != nil {
		t.Fatal(err)
	}
	if got, _ := getRecord(t, server.Read, "a"); got != "1" {
		t.Fatalf("read after the change feed reported the write = %q, want 1", got)
	}
	setRecord(t, server, "a", "2")
	if got, _ := getRecord(t, server.ReadFromMemoryFirst, "a"); got != "2" {
		t.Fatalf("read after the server's own write = %q, want 2", got)
	}
}

// TestReadCacheRemembersAbsence: a missing record is remembered as missing
// (store.ErrNotFound) until a write creates it; lists and counts follow
// writes too.
func TestReadCacheRemembersAbsence(t *testing.T) {
	server, _ := cachedPair(t)
	ctx := context.Background()
	for range 2 {
		if _, err := getRecord(t, server.ReadFromMemoryFirst, "c"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing record: %v, want ErrNotFound", err)
		}
	}
	count := func() (int, int) {
		var n int
		var l []store.Record
		err := server.ReadFromMemoryFirst(ctx, func(tx store.Tx) error {
			var err error
			q := store.Query{AccountID: cacheAccount, Kind: "pair"}
			if n, err = tx.Records().Count(q); err != nil {
				return err
			}
			l, err = tx.Records().List(q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, len(l)
	}
	if n, l := count(); n != 2 || l != 2 {
		t.Fatalf("count %d, list %d; want 2, 2", n, l)
	}
	err := server.Write(ctx, func(tx store.Tx) error {
		return tx.Records().Insert(store.Record{AccountID: cacheAccount, Kind: "pair", Key: "c", Data: []byte("0"), Created: time.Now(), Updated: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := getRecord(t, server.ReadFromMemoryFirst, "c"); err != nil || got != "0" {
		t.Fatalf("created record: %q, %v", got, err)
	}
	if n, l := count(); n != 3 || l != 3 {
		t.Fatalf("count %d, list %d after an insert; want 3, 3", n, l)
	}
}

// writePairs sets records a and b to the same new value in one Write,
// again and again until ctx ends.
func writePairs(ctx context.Context, t *testing.T, server *Store) {
	for i := 1; ctx.Err() == nil; i++ {
		v := []byte(strconv.Itoa(i))
		err := server.Write(context.Background(), func(tx store.Tx) error {
			for _, key := range []string{"a", "b"} {
				if err := tx.Records().Update(store.Record{AccountID: cacheAccount, Kind: "pair", Key: key, Data: v, Updated: time.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Error(err)
			return
		}
	}
}

// TestReadCacheSnapshotsUnderWrites: writers keep records a and b equal
// (one Write sets both); readers, half of them reading b from the database
// after a from memory, must never see them differ.
func TestReadCacheSnapshotsUnderWrites(t *testing.T) {
	server, _ := cachedPair(t)
	raceReaders(t, server, func(r int, read readFunc) error {
		var a, b string
		err := read(context.Background(), func(tx store.Tx) error {
			ra, err := tx.Records().Get(cacheAccount, "pair", "a")
			if err != nil {
				return err
			}
			if r%4 == 1 {
				// A statement that is never cached: b comes from
				// the database's snapshot, a maybe from memory.
				if _, err := tx.Accounts().Get(cacheAccount); err != nil {
					return err
				}
			}
			rb, err := tx.Records().Get(cacheAccount, "pair", "b")
			a, b = string(ra.Data), string(rb.Data)
			return err
		})
		if err == nil && a != b {
			err = fmt.Errorf("read a=%s b=%s: not one state", a, b)
		}
		return err
	})
}

type readFunc = func(context.Context, func(store.Tx) error) error

// raceReaders runs 50 readers for 2 s against writers that keep records a
// and b equal (writePairs); reader r uses Read or ReadFromMemoryFirst by
// its parity and calls check again and again until an error, which fails
// the test.
func raceReaders(t *testing.T, server *Store, check func(r int, read readFunc) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { writePairs(ctx, t, server) })
	errs := make(chan error, 50)
	for r := range 50 {
		wg.Go(func() {
			read := server.Read
			if r%2 == 0 {
				read = server.ReadFromMemoryFirst
			}
			for ctx.Err() == nil {
				if err := check(r, read); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestReadCacheKeepsNoLongKeys: a read naming a long key (a caller's
// parameter) is answered but not remembered.
func TestReadCacheKeepsNoLongKeys(t *testing.T) {
	server, _ := cachedPair(t)
	long := strings.Repeat("k", 1<<20)
	if _, err := getRecord(t, server.Read, long); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("long key: %v", err)
	}
	err := server.Read(context.Background(), func(tx store.Tx) error {
		_, err := tx.Records().List(store.Query{AccountID: cacheAccount, Kind: "pair", Prefix: long})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	server.cache.mu.RLock()
	defer server.cache.mu.RUnlock()
	if n := len(server.cache.gets) + len(server.cache.lists); n != 0 {
		t.Errorf("%d long reads remembered", n)
	}
}

// derivedPair reads "a|b" as a value derived from records a and b: kept
// through store.Remembering and recalled while the store is unchanged.
// recalled says whether it came from memory.
func derivedPair(read func(context.Context, func(store.Tx) error) error) (value string, recalled bool, err error) {
	err = read(context.Background(), func(tx store.Tx) error {
		memo := tx.(store.Remembering)
		if v, ok := memo.Recall("pair a|b"); ok {
			value, recalled = v.(string), true
			return nil
		}
		ra, err := tx.Records().Get(cacheAccount, "pair", "a")
		if err != nil {
			return err
		}
		rb, err := tx.Records().Get(cacheAccount, "pair", "b")
		if err != nil {
			return err
		}
		value, recalled = string(ra.Data)+"|"+string(rb.Data), false
		memo.Keep("pair a|b", value, len(value))
		return nil
	})
	return value, recalled, err
}

// TestReadCacheRemembersDerivedValues: a value kept by one Read is recalled
// by the next, through both read paths, until a write of this store or one
// the change feed reports; a store without the cache never recalls.
func TestReadCacheRemembersDerivedValues(t *testing.T) {
	server, other := cachedPair(t)
	ctx := context.Background()
	v0, err := server.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(read func(context.Context, func(store.Tx) error) error, want string, wantRecalled bool) {
		t.Helper()
		got, recalled, err := derivedPair(read)
		if err != nil || got != want || recalled != wantRecalled {
			t.Fatalf("derived %q (recalled %v, %v); want %q (recalled %v)", got, recalled, err, want, wantRecalled)
		}
	}
	expect(server.ReadFromMemoryFirst, "0|0", false)
	expect(server.ReadFromMemoryFirst, "0|0", true)
	expect(server.Read, "0|0", true)
	setRecord(t, server, "a", "1")
	expect(server.ReadFromMemoryFirst, "1|0", false)
	expect(server.Read, "1|0", true)
	setRecord(t, other, "b", "1")
	if _, _, err := server.ChangesSince(ctx, v0); err != nil {
		t.Fatal(err)
	}
	expect(server.Read, "1|1", false)
	expect(server.ReadFromMemoryFirst, "1|1", true)
	expect(other.Read, "1|1", false)
	expect(other.Read, "1|1", false)
}

// TestReadCacheDeclinesLargeDerivedValues: a long key or a value larger
// than its share of the bound is not kept.
func TestReadCacheDeclinesLargeDerivedValues(t *testing.T) {
	server, _ := cachedPair(t)
	for _, c := range []struct {
		key  string
		size int
	}{{strings.Repeat("k", cacheKeyMax+1), 1}, {"big", derivedMax/64 + 1}} {
		for range 2 {
			err := server.Read(context.Background(), func(tx store.Tx) error {
				memo := tx.(store.Remembering)
				if _, ok := memo.Recall(c.key); ok {
					return fmt.Errorf("%d-byte key with a %d-byte value was kept", len(c.key), c.size)
				}
				memo.Keep(c.key, "v", c.size)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestReadCacheDerivesFromOneState: while writers keep a and b equal, a
// derived "a|b", recalled or computed, never shows them differ.
func TestReadCacheDerivesFromOneState(t *testing.T) {
	server, _ := cachedPair(t)
	var recalls atomic.Int64
	raceReaders(t, server, func(_ int, read readFunc) error {
		v, recalled, err := derivedPair(read)
		if recalled {
			recalls.Add(1)
		}
		if a, b, _ := strings.Cut(v, "|"); err == nil && a != b {
			err = fmt.Errorf("derived %s (recalled %v): not one state", v, recalled)
		}
		return err
	})
	if recalls.Load() == 0 {
		t.Fatal("no derived value was ever recalled: the race tested nothing")
	}
}
