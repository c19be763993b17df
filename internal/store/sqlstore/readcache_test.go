package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

// TestReadCacheSnapshotsUnderWrites: writers keep records a and b equal
// (one Write sets both); readers, half of them reading b from the database
// after a from memory, must never see them differ.
func TestReadCacheSnapshotsUnderWrites(t *testing.T) {
	server, _ := cachedPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
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
	}()
	errs := make(chan error, 50)
	for r := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			read := server.Read
			if r%2 == 0 {
				read = server.ReadFromMemoryFirst
			}
			for ctx.Err() == nil {
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
				if err != nil {
					errs <- err
					return
				}
			}
		}()
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
