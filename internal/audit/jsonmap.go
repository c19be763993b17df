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

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028/U+2029
// and the HTML characters <, > and & escaped (as encoding/json does, for
// JavaScript and HTML).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
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
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
