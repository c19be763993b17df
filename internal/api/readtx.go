package api

import "github.com/canopy-iam/canopy/internal/store"

// readTx is a read transaction that reads each record once: a read call
// typically reads the record it names twice, once for the resource's
// stored spelling (Invoker.Canonical) and once in its handler, and in a
// read-only snapshot the second read can only return what the first did.
type readTx struct {
	store.Tx
	records recordsOnce
}

func newReadTx(tx store.Tx) *readTx {
	r := &readTx{Tx: tx}
	r.records.RecordRepo = tx.Records()
	return r
}

func (t *readTx) Records() store.RecordRepo { return &t.records }

// Recall and Keep pass store.Remembering through, when the store has it.
func (t *readTx) Recall(key string) (any, bool) {
	if m, ok := t.Tx.(store.Remembering); ok {
		return m.Recall(key)
	}
	return nil, false
}

func (t *readTx) Keep(key string, v any, size int) {
	if m, ok := t.Tx.(store.Remembering); ok {
		m.Keep(key, v, size)
	}
}

// recordsOnce remembers the last few records Get found.
type recordsOnce struct {
	store.RecordRepo
	seen [4]store.Record
	n    int
}

func (r *recordsOnce) Get(accountID, kind, key string) (store.Record, error) {
	for i := range min(r.n, len(r.seen)) {
		if s := &r.seen[i]; s.Key == key && s.Kind == kind && s.AccountID == accountID {
			return *s, nil
		}
	}
	rec, err := r.RecordRepo.Get(accountID, kind, key)
	if err == nil {
		r.seen[r.n%len(r.seen)] = rec
		r.n++
	}
	return rec, err
}
