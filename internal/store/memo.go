package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// Memo remembers a collection's decoded documents by their stored bytes,
// per node: a document whose bytes are the ones decoded before is copied
// from memory instead of decoded again. Decoding is a pure function of the
// bytes, so a memo is never stale and needs no invalidation, on one node or
// many: a record changed anywhere has other bytes, which miss. A page of
// 100 users decoded by encoding/json costs more CPU than reading it (see
// BENCHMARKS.md, issue 9).
//
// Clone, when the document type holds slices or maps, must give the value
// it is handed its own copies of them: callers may change what they get,
// and the memo keeps what it stored.
type Memo[T any] struct {
	Clone func(*T)

	mu      sync.RWMutex
	entries map[memoKey]memoEntry[T]
}

type memoKey struct{ account, key string }

type memoEntry[T any] struct {
	data  []byte
	value T
}

// memoMax bounds the documents a memo keeps; past it the memo starts over
// (deleted records are dropped then too).
const memoMax = 16384

// decode fills v, which must be zero, with rec's document.
func (m *Memo[T]) decode(kind string, rec Record, v *T) error {
	k := memoKey{rec.AccountID, rec.Key}
	m.mu.RLock()
	e, ok := m.entries[k]
	m.mu.RUnlock()
	if ok && bytes.Equal(e.data, rec.Data) {
		*v = e.value
		m.clone(v)
		return nil
	}
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return fmt.Errorf("store: decode %s %q: %w", kind, rec.Key, err)
	}
	kept := memoEntry[T]{data: bytes.Clone(rec.Data), value: *v}
	m.clone(&kept.value)
	m.mu.Lock()
	if m.entries == nil || len(m.entries) >= memoMax {
		m.entries = make(map[memoKey]memoEntry[T])
	}
	m.entries[k] = kept
	m.mu.Unlock()
	return nil
}

func (m *Memo[T]) clone(v *T) {
	if m.Clone != nil {
		m.Clone(v)
	}
}
