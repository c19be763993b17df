package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"sync"
)

// itemJSON remembers the JSON of list items by their value, for item types
// whose encoding is a function of the value alone (plainValue). A page of
// 100 users encoded by encoding/json costs about a quarter of a ListUsers
// call (BENCHMARKS.md, issue 9), and consecutive pages mostly hold the same
// items: looking an item up costs a fraction of encoding it.
type itemJSON struct {
	mu    sync.RWMutex
	items map[any][]byte
}

// itemJSONMax bounds the items remembered per type; past it the memo
// starts over.
const itemJSONMax = 16384

var (
	itemMemos sync.Map // reflect.Type -> *itemJSON, or nil for types it cannot serve
)

// itemMemoFor returns the memo for T, or nil when T's encoding may depend
// on more than its value (pointers, maps, slices, interfaces: what they
// point to can change while the value compares equal).
func itemMemoFor[T any]() *itemJSON {
	t := reflect.TypeFor[T]()
	if m, ok := itemMemos.Load(t); ok {
		return m.(*itemJSON)
	}
	var m *itemJSON
	if plainValue(t) {
		m = &itemJSON{items: make(map[any][]byte)}
	}
	actual, _ := itemMemos.LoadOrStore(t, m)
	return actual.(*itemJSON)
}

// plainValue reports whether values of t are made of numbers, booleans,
// strings, and arrays and structs of them, with no method that could
// change how they encode.
func plainValue(t reflect.Type) bool {
	if t.Implements(reflect.TypeFor[json.Marshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Marshaler]()) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Array:
		return plainValue(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainValue(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// appendItems appends the JSON array of items, from memory where it can.
func appendItems[T any](dst []byte, items []T) ([]byte, error) {
	m := itemMemoFor[T]()
	if m == nil || len(items) == 0 {
		return appendValue(dst, items)
	}
	encs := make([][]byte, len(items))
	size := len(items) + 1 // brackets and commas
	var missed []int
	m.mu.RLock()
	for i := range items {
		if enc, ok := m.items[any(items[i])]; ok {
			encs[i] = enc
			size += len(enc)
		} else {
			missed = append(missed, i)
		}
	}
	m.mu.RUnlock()
	for _, i := range missed {
		enc, err := json.Marshal(items[i])
		if err != nil {
			return dst, err
		}
		encs[i] = enc
		size += len(enc)
	}
	if len(missed) > 0 {
		m.mu.Lock()
		if len(m.items)+len(missed) > itemJSONMax {
			m.items = make(map[any][]byte, len(missed))
		}
		for _, i := range missed {
			m.items[any(items[i])] = encs[i]
		}
		m.mu.Unlock()
	}
	// One allocation for the page: growing as it goes copied a page of
	// 100 users five times over.
	dst = slices.Grow(dst, size+2)
	dst = append(dst, '[')
	for i, enc := range encs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, enc...)
	}
	return append(dst, ']'), nil
}

// appendPlain appends the JSON of *v, a value of a plain type (itemMemoFor
// is not nil for T), from memory where it can: a read answers the same
// caller with the same value again and again (GetCallerIdentity).
func appendPlain[T any](dst []byte, v *T) ([]byte, error) {
	m := itemMemoFor[T]()
	key := any(*v)
	m.mu.RLock()
	enc, ok := m.items[key]
	m.mu.RUnlock()
	if !ok {
		var err error
		if enc, err = json.Marshal(key); err != nil {
			return dst, err
		}
		m.mu.Lock()
		if len(m.items) >= itemJSONMax {
			m.items = make(map[any][]byte)
		}
		m.items[key] = enc
		m.mu.Unlock()
	}
	return append(dst, enc...), nil
}
