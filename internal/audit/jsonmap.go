package audit

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Param is one request parameter of an event.
type Param struct{ Key, Value string }

// paramList is requestParameters: a JSON object of strings whose names are
// sorted and unique, encoded in that order, which is encoding/json's order
// for a map. A slice, not a map: every call's event carries one, and a map
// of twenty slots cost a kilobyte and a hash per name.
type paramList []Param

// MarshalJSON writes the object, as encoding/json writes the same map.
func (l paramList) MarshalJSON() ([]byte, error) { return l.appendJSON(nil), nil }

// appendJSON is MarshalJSON appending to b.
func (l paramList) appendJSON(b []byte) []byte {
	if l == nil {
		return append(b, "null"...) // a nil map's encoding
	}
	size := 2
	for _, p := range l {
		size += len(p.Key) + len(p.Value) + 6
	}
	b = slices.Grow(b, size+size/8)
	b = append(b, '{')
	for i, p := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p.Key)
		b = append(b, ':')
		b = appendString(b, p.Value)
	}
	return append(b, '}')
}

// sortedParams is m in name order, with room for the gateway's fields
// (see withGatewayFields).
func sortedParams(m map[string]string) paramList {
	out := make(paramList, 0, len(m)+MaxGatewayFields)
	for k, v := range m {
		out = append(out, Param{k, v})
	}
	slices.SortFunc(out, compareParams)
	return out
}

func compareParams(a, b Param) int { return strings.Compare(a.Key, b.Key) }

// strictlySorted reports whether l's names are sorted and unique.
func strictlySorted(l []Param) bool {
	for i := 1; i < len(l); i++ {
		if l[i-1].Key >= l[i].Key {
			return false
		}
	}
	return true
}

// resources is referencedResources: {type: [name]} for the one resource a
// call names.
type resources struct{ typ, name string }

func (r resources) MarshalJSON() ([]byte, error) {
	return r.appendJSON(make([]byte, 0, len(r.typ)+len(r.name)+10)), nil
}

func (r *resources) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendString(b, r.typ)
	b = append(b, ':', '[')
	b = appendString(b, r.name)
	return append(b, ']', '}')
}

const hexDigits = "0123456789abcdef"

// plainJSON[c] reports whether byte c stands for itself in a JSON string
// as appendString writes it: ASCII from space on, except the quote, the
// backslash and <, > and &.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028/U+2029
// and the HTML characters <, > and & escaped (as encoding/json does, for
// JavaScript and HTML). Runs of plain bytes are found by a table and
// copied at once: every event writes a few hundred of them.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if plainJSON[s[i]] {
			i++
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size // a character that stands for itself: the run goes on
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
