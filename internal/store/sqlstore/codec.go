package sqlstore

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Times are stored as unix nanoseconds so both dialects store, compare and
// index them the same way. 0 stands for the zero time.Time (whose UnixNano
// is undefined); the price is that the instant 1970-01-01T00:00:00Z reads
// back as the zero time.

var (
	minStorable = time.Unix(0, math.MinInt64+1)
	maxStorable = time.Unix(0, math.MaxInt64)
)

func toNanos(field string, t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, nil
	}
	if t.Before(minStorable) || t.After(maxStorable) {
		return 0, fmt.Errorf("sqlstore: %s %v is outside the storable range (years 1678-2262)", field, t)
	}
	return t.UnixNano(), nil
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// textOK reports whether s can be stored identically by both backends:
// PostgreSQL rejects invalid UTF-8 and NUL bytes in text, SQLite would
// store them; refusing them everywhere keeps the backends equivalent.
func textOK(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// checkText validates the named text fields of a row to be written.
func checkText(kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		if !textOK(kv[i+1]) {
			return fmt.Errorf("sqlstore: %s is not valid UTF-8 text without NUL bytes", kv[i])
		}
	}
	return nil
}

// blob returns b, or an empty non-nil slice for nil: the columns are NOT
// NULL, and both drivers bind a nil slice as NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// prefixEnd returns the smallest string greater than every string that
// starts with prefix, so "key >= prefix AND key < end" selects the prefix
// with an index range scan. It works on code points rather than bytes so the
// bound stays valid UTF-8 (PostgreSQL refuses anything else); UTF-8 byte
// order equals code point order, so the bound is also right byte-wise.
// ok is false when no such bound exists (prefix is all U+10FFFF).
func prefixEnd(prefix string) (end string, ok bool) {
	rs := []rune(prefix)
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i] + 1
		if r == 0xD800 { // skip the surrogate block, not encodable in UTF-8
			r = 0xE000
		}
		if r <= utf8.MaxRune {
			rs[i] = r
			return string(rs[:i+1]), true
		}
	}
	return "", false
}
