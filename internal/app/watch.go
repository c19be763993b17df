package app

import (
	"context"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// PollInterval is how often a node looks for changes other nodes (or the
// CLI) committed. Changes made through this node apply before its response.
const PollInterval = 100 * time.Millisecond

// ChangeRetention is how long the change log is kept.
const ChangeRetention = time.Hour

// invalidator drops cached state named by a change.
type invalidator interface {
	apply(c store.Change)
	all()
}

// watcher follows the store's change log and invalidates caches.
type watcher struct {
	st      store.ChangeFeed
	targets invalidator
	mu      sync.Mutex
	version int64
	synced  time.Time // last successful sync
}

func newWatcher(ctx context.Context, st store.ChangeFeed, t invalidator) (*watcher, error) {
	v, err := st.ChangeVersion(ctx)
	if err != nil {
		return nil, err
	}
	return &watcher{st: st, targets: t, version: v, synced: time.Now()}, nil
}

// sync applies every change committed since the last sync.
func (w *watcher) sync(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, err := w.st.ChangeVersion(ctx)
	if err != nil {
		return err
	}
	if v == w.version {
		w.synced = time.Now()
		return nil
	}
	changes, newest, err := w.st.ChangesSince(ctx, w.version)
	if err != nil {
		return err
	}
	// The log keeps ChangeRetention of history; a node that could not read
	// it for that long may have missed entries and forgets everything.
	if time.Since(w.synced) > ChangeRetention/2 {
		w.targets.all()
	} else {
		for _, c := range changes {
			w.targets.apply(c)
		}
	}
	w.version, w.synced = newest, time.Now()
	return nil
}

func (w *watcher) run(ctx context.Context, onError func(error)) {
	every(ctx, PollInterval, func() {
		if err := w.sync(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
	})
}
