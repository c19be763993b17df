package audit

import (
	"slices"
	"unicode/utf8"
)

// stringMap is a JSON object of strings, encoded without reflection:
// encoding/json spends an allocation on every key and value of a map, and
// every call's event carries one.
type stringMap map[string]string

// MarshalJSON writes the object with its keys sorted, as encoding/json
// does.
func (m stringMap) MarshalJSON() ([]byte, error) { return m.appendJSON(nil), nil }

// appendJSON is MarshalJSON appending to b.
func (m stringMap) appendJSON(b []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var stack [16]string
	keys := stack[:0]
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b = slices.Grow(b, size+size/8)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// resources is referencedResources: {type: [name]} for the one resource a
// call names.
type resources struct{ typ, name string }

func (r *resources) MarshalJSON() ([]byte, error) {
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
