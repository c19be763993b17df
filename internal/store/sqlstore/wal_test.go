package sqlstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Under a burst of writes with readers always inside a snapshot, PASSIVE
// checkpoints never catch up and the WAL grew without bound (217 MB beside
// a 65 MB database); past its limit it is checkpointed and truncated.
func TestSQLiteWALStaysBoundedUnderAWriteBurst(t *testing.T) {
	const limit = 2 << 20
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Dialect: DialectSQLite, Path: filepath.Join(dir, "canopy.db"), WALLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	payload := []byte(`{"pad":"` + strings.Repeat("x", 4000) + `"}`)
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	loopUntil(&wg, stop, 4, func(w, i int) bool {
		batch := make([]store.Event, 32)
		for j := range batch {
			batch[j] = store.Event{ID: fmt.Sprintf("w%d-%d-%d", w, i, j), AccountID: "1", Time: time.Now(),
				EventName: "GetUser", EventRW: "Read", Data: payload}
		}
		if err := s.Write(ctx, func(tx store.Tx) error {
			for _, e := range batch {
				if err := tx.Events().Append(e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Error(err)
			return false
		}
		written.Add(int64(len(batch) * len(payload)))
		return true
	})
	loopUntil(&wg, stop, 4, func(_, _ int) bool {
		s.Read(ctx, func(tx store.Tx) error {
			_, err := tx.Events().Lookup(store.EventFilter{AccountID: "1", Newest: true, Limit: 50})
			time.Sleep(time.Millisecond) // a reader that stays in its snapshot a while
			return err
		})
		return true
	})
	var peak int64
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && written.Load() < 24<<20 {
		if info, err := os.Stat(filepath.Join(dir, "canopy.db-wal")); err == nil {
			peak = max(peak, info.Size())
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("wrote %d MB of events; WAL peaked at %d MB (limit %d MB)", written.Load()>>20, peak>>20, limit>>20)
	if written.Load() < 24<<20 {
		t.Fatalf("the burst wrote only %d MB: too little to tell", written.Load()>>20)
	}
	// The size is checked every walCheckEvery and a checkpoint may have to
	// try again while readers finish: a little piles up past the limit.
	// Without the limit, the same burst left a WAL of about 50 MB.
	if peak > 4*limit {
		t.Fatalf("the WAL peaked at %d MB with a %d MB limit", peak>>20, limit>>20)
	}
}

// Under steady writes a checkpoint running beside the writer never copied
// the whole WAL, so SQLite never started it over: every commit appended to
// a file that grew without end, and its fsync paid for the growth. Now the
// WAL restarts (its header's checkpoint sequence advances) every few
// checkpoints, with readers about.
func TestSQLiteWALRestartsUnderSteadyWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Dialect: DialectSQLite, Path: filepath.Join(dir, "canopy.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	if err := s.Write(ctx, func(tx store.Tx) error {
		return tx.Accounts().Insert(store.Account{ID: benchAccount, Email: "wal@example.com", Created: now, Updated: now})
	}); err != nil {
		t.Fatal(err)
	}
	walPath := filepath.Join(dir, "canopy.db-wal")
	// walRestarts reads the WAL header's checkpoint sequence, which SQLite
	// increments each time it starts the WAL over.
	walRestarts := func() uint32 {
		hdr := make([]byte, 16)
		f, err := os.Open(walPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.ReadAt(hdr, 0); err != nil {
			t.Fatal(err)
		}
		return binary.BigEndian.Uint32(hdr[12:])
	}
	before := walRestarts()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	loopUntil(&wg, stop, 2, func(_, i int) bool {
		s.Read(ctx, func(tx store.Tx) error {
			_, err := tx.Records().Get(benchAccount, "user", fmt.Sprintf("user-%06d", i%100))
			return err
		})
		return true
	})
	const periods = 8
	commits := 0
	for deadline := time.Now().Add(periods * checkpointEvery); time.Now().Before(deadline); commits++ {
		rec := benchRecord(commits, now)
		if err := s.Write(ctx, func(tx store.Tx) error { return tx.Records().Insert(rec) }); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	restarts := walRestarts() - before
	info, err := os.Stat(walPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d commits in %v: the WAL restarted %d times and ends at %d KB", commits, periods*checkpointEvery, restarts, info.Size()>>10)
	if restarts < periods/3 {
		t.Fatalf("the WAL restarted %d times in %d checkpoint periods of steady writes", restarts, periods)
	}
}

// loopUntil starts n goroutines, each calling f(goroutine, i) for i = 0, 1,
// ... until stop is closed or f returns false; wg waits for them.
func loopUntil(wg *sync.WaitGroup, stop <-chan struct{}, n int, f func(g, i int) bool) {
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if !f(g, i) {
					return
				}
			}
		}()
	}
}
