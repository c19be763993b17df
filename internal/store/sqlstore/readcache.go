package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/canopy-iam/canopy/internal/store"
)

// readCache lets Read answer record reads (Get, List, Count) from memory
// while no Write has committed since they were read from the database. A
// signed GetUser spends about a quarter of its CPU reading one record
// through SQLite (BENCHMARKS.md, issue 9); most calls read what the last
// one read.
//
// Validity is one generation for the whole store: every Write that
// changes rows moves it before its commit and again after, and entries
// are kept for one generation only, so a Write drops them all. That is
// coarse (any write empties the cache) and simple enough to be right: a
// cached answer is always the database's state at a moment between the
// Read's start and its end, like a snapshot's.
//
// Writes that do not go through this Store (another process: the CLI on
// the same SQLite file, or another node) are seen through the change
// feed: ChangesSince drops the cache when it returns changes, and a
// server's watcher calls it every PollInterval. So a node serving from
// its cache sees its own writes at once and other processes' within the
// poll interval; that is why the cache is an option (WithReadCache) a
// single-node server turns on, not the default.
type readCache struct {
	// gen moves before and after every changing commit; inflight counts
	// the Writes between those two moves. A Read that starts while a
	// Write is in flight uses no cache: the Write may be committed and
	// its second move not yet made.
	gen      atomic.Uint64
	inflight atomic.Int64

	mu      sync.RWMutex
	at      uint64 // the generation the maps hold
	records int    // records held, to bound memory
	gets    map[recordID]cachedRecord
	lists   map[store.Query][]store.Record
	counts  map[store.Query]int
	// derived are values computed from this generation's state
	// (store.Remembering), with their size in bytes.
	derived      map[string]any
	derivedBytes int
}

// derivedMax bounds the bytes of derived values held (rendered pages of a
// hundred users are ~30 KiB each); past it the cache starts over.
const derivedMax = 16 << 20

// readCacheMax bounds the records held (a record is ~0.5 KiB); past it
// the cache starts over.
const readCacheMax = 65536

type recordID struct{ account, kind, key string }

// cacheKeyMax bounds the text of what is remembered per read: stored keys
// are short, and a caller's long parameter must not become a long-lived
// map key.
const cacheKeyMax = 512

func (id recordID) cacheable() bool { return len(id.account)+len(id.kind)+len(id.key) <= cacheKeyMax }

func queryCacheable(q store.Query) bool {
	return len(q.AccountID)+len(q.Kind)+len(q.Prefix)+len(q.Ref)+len(q.After) <= cacheKeyMax
}

// cachedRecord is a Get's answer: the record, or none.
type cachedRecord struct {
	rec   store.Record
	found bool
}

// writing is called before a changing Write commits, written after (also
// when the commit failed).
func (c *readCache) writing() {
	c.inflight.Add(1)
	c.gen.Add(1)
}

func (c *readCache) written() {
	c.gen.Add(1)
	c.inflight.Add(-1)
}

// invalidate drops every entry (changes committed elsewhere).
func (c *readCache) invalidate() {
	if c != nil {
		c.gen.Add(1)
	}
}

// view is what one Read attempt knows of the cache: the generation it
// started at, and what it read from the database to add at its end.
type cacheView struct {
	c   *readCache
	gen uint64
	// hits counts answers served from memory; sqlUsed is set once the
	// transaction ran a statement (its snapshot may be newer than gen).
	hits    int
	sqlUsed bool
	fills   []cacheFill
}

type cacheFill struct {
	id    recordID
	get   cachedRecord
	query store.Query
	list  []store.Record
	count int // also a derived value's size
	key   string
	value any
	kind  fillKind
}

type fillKind uint8

const (
	fillGet fillKind = iota
	fillList
	fillCount
	fillDerived
)

// view starts a Read's use of the cache; nil when it must not use it.
func (c *readCache) view() *cacheView {
	if c == nil {
		return nil
	}
	g := c.gen.Load()
	if c.inflight.Load() != 0 {
		return nil
	}
	return &cacheView{c: c, gen: g}
}

func (v *cacheView) ranStatement() {
	if v != nil {
		v.sqlUsed = true
	}
}

// consistent reports whether what the Read returned is one state of the
// database: true unless it mixed answers from memory with statements run
// while a Write committed.
func (v *cacheView) consistent() bool {
	return v == nil || v.hits == 0 || !v.sqlUsed || v.c.gen.Load() == v.gen
}

// finish adds what the Read found in the database, if no Write committed
// since it started (then what it read is the state of generation gen).
func (v *cacheView) finish() {
	if v == nil || len(v.fills) == 0 {
		return
	}
	c := v.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != v.gen {
		return
	}
	if c.gets == nil || c.at != v.gen || c.records >= readCacheMax || c.derivedBytes >= derivedMax {
		c.at, c.records, c.derivedBytes = v.gen, 0, 0
		c.gets = make(map[recordID]cachedRecord)
		c.lists = make(map[store.Query][]store.Record)
		c.counts = make(map[store.Query]int)
		c.derived = make(map[string]any)
	}
	for _, f := range v.fills {
		switch f.kind {
		case fillGet:
			c.gets[f.id] = f.get
			c.records++
		case fillList:
			c.lists[f.query] = f.list
			c.records += len(f.list) + 1
		case fillCount:
			c.counts[f.query] = f.count
			c.records++
		case fillDerived:
			c.derived[f.key] = f.value
			c.derivedBytes += len(f.key) + f.count
		}
	}
}

// get answers a Get from memory: ok is false on a miss.
func (v *cacheView) get(id recordID) (store.Record, error, bool) {
	if v == nil {
		return store.Record{}, nil, false
	}
	v.c.mu.RLock()
	e, ok := v.c.gets[id]
	ok = ok && v.c.at == v.gen
	v.c.mu.RUnlock()
	if !ok {
		return store.Record{}, nil, false
	}
	v.hits++
	if !e.found {
		return store.Record{}, notFound(id), true
	}
	return e.rec, nil, true
}

func (v *cacheView) list(q store.Query) ([]store.Record, bool) {
	if v == nil {
		return nil, false
	}
	v.c.mu.RLock()
	l, ok := v.c.lists[q]
	ok = ok && v.c.at == v.gen
	v.c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	v.hits++
	// The caller owns its slice (it may sort or append); the documents
	// are shared, as callers only read them.
	return append([]store.Record(nil), l...), true
}

func (v *cacheView) count(q store.Query) (int, bool) {
	if v == nil {
		return 0, false
	}
	v.c.mu.RLock()
	n, ok := v.c.counts[q]
	ok = ok && v.c.at == v.gen
	v.c.mu.RUnlock()
	if ok {
		v.hits++
	}
	return n, ok
}

// recall answers store.Remembering's Recall from memory.
func (v *cacheView) recall(key string) (any, bool) {
	if v == nil {
		return nil, false
	}
	v.c.mu.RLock()
	d, ok := v.c.derived[key]
	ok = ok && v.c.at == v.gen
	v.c.mu.RUnlock()
	if ok {
		v.hits++
	}
	return d, ok
}

// keep offers a derived value, added at the Read's end like its fills.
func (v *cacheView) keep(key string, value any, size int) {
	if v == nil || len(key) > cacheKeyMax || size > derivedMax/64 {
		return
	}
	v.fills = append(v.fills, cacheFill{kind: fillDerived, key: key, value: value, count: size})
}

// gotten records a Get's answer from the database (found, or
// store.ErrNotFound); other errors are not kept.
func (v *cacheView) gotten(id recordID, rec store.Record, err error) {
	if v == nil || err != nil && !errors.Is(err, store.ErrNotFound) || !id.cacheable() {
		return
	}
	v.fills = append(v.fills, cacheFill{kind: fillGet, id: id, get: cachedRecord{rec: rec, found: err == nil}})
}

func (v *cacheView) listed(q store.Query, l []store.Record, err error) {
	if v == nil || err != nil || !queryCacheable(q) {
		return
	}
	v.fills = append(v.fills, cacheFill{kind: fillList, query: q, list: append([]store.Record(nil), l...)})
}

func (v *cacheView) counted(q store.Query, n int, err error) {
	if v == nil || err != nil || !queryCacheable(q) {
		return
	}
	v.fills = append(v.fills, cacheFill{kind: fillCount, query: q, count: n})
}

func notFound(id recordID) error {
	return fmt.Errorf("%w: %s", store.ErrNotFound, recordName(id.account, id.kind, id.key))
}

// memoryOnly is the executor of a Read's first attempt, which answers from
// the cache alone: any statement ends it.
type memoryOnly struct{}

var errNotInMemory = errors.New("sqlstore: not in the read cache")

func (memoryOnly) query(context.Context, *stmt, []any) (rowsIter, error) { return nil, errNotInMemory }
func (memoryOnly) exec(context.Context, *stmt, []any) (int64, error)     { return 0, errNotInMemory }
func (memoryOnly) commit(context.Context, []batchItem) error             { return errNotInMemory }
func (memoryOnly) abort()                                                {}
