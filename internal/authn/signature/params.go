package signature

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxParameters bounds the number of parameters in one request (query and
// form body together). The largest legitimate requests of the supported APIs
// carry a few dozen; the cap keeps parsing cost and allocation bounded.
const MaxParameters = 512

// Param is one decoded name/value pair.
type Param struct{ Key, Value string }

// Params is a parameter set sorted by Key in byte order, with unique keys.
// ParseQuery, ParseForm and Merge only ever return values with that shape,
// and the order is the one both signature versions sign.
type Params []Param

// Get returns the value stored under key. It does not allocate.
func (p Params) Get(key string) (string, bool) {
	lo, hi := 0, len(p)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if p[mid].Key < key {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(p) && p[lo].Key == key {
		return p[lo].Value, true
	}
	return "", false
}

// Encode renders p as a query string in p's order, names and values
// percent-encoded with RFC 3986 (so a space is "%20", never "+").
// ParseQuery(p.Encode()) returns p again.
func (p Params) Encode() string {
	var b []byte
	for i, kv := range p {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendPercentEncoded(b, kv.Key)
		b = append(b, '=')
		b = appendPercentEncoded(b, kv.Value)
	}
	return string(b)
}

// ParseQuery decodes an application/x-www-form-urlencoded string (a raw URL
// query or a form body): segments are separated by '&', the name ends at the
// first '=', '+' decodes to a space and %XX to the byte XX.
//
// Decisions where the standard leaves room:
//   - "a=" keeps a with an empty value; the classic SDK signs SignatureType=.
//   - "a" without '=' is a with an empty value, as url.ParseQuery does.
//   - Empty segments ("a=1&&b=2", a trailing '&') carry nothing and are
//     skipped; no SDK sends them but they cannot change what is signed.
//   - ';' is an ordinary byte, not a separator.
//   - "=v" (empty name), a name with a control character, a value with NUL,
//     an invalid escape, invalid UTF-8 after decoding, a repeated name and
//     more than MaxParameters segments are errors.
//
// The result is sorted by decoded name. ParseQuery never panics.
func ParseQuery(raw string) (Params, error) {
	if raw == "" {
		return nil, nil
	}
	n := strings.Count(raw, "&") + 1
	p := make(Params, 0, min(n, MaxParameters))
	var d decoder
	for rest := raw; rest != ""; {
		var segment string
		// What is left of the input bounds the text still to decode.
		d.reserve = len(rest)
		segment, rest, _ = strings.Cut(rest, "&")
		if segment == "" {
			continue
		}
		if len(p) == MaxParameters {
			return nil, ErrTooManyParameters
		}
		rawKey, rawValue, _ := strings.Cut(segment, "=")
		key, err := d.decode(rawKey)
		if err != nil {
			return nil, &ParamError{Err: err, Key: rawKey}
		}
		if err := checkKey(key); err != nil {
			return nil, &ParamError{Err: err, Key: rawKey}
		}
		value, err := d.decode(rawValue)
		if err == nil {
			err = checkValue(value)
		}
		if err != nil {
			return nil, &ParamError{Err: err, Key: key}
		}
		p = append(p, Param{Key: key, Value: value})
	}
	if len(p) == 0 {
		return nil, nil
	}
	// SDKs send parameters already sorted, so this is usually a linear check.
	if !slices.IsSortedFunc(p, compareKeys) {
		slices.SortFunc(p, compareKeys)
	}
	for i := 1; i < len(p); i++ {
		if p[i].Key == p[i-1].Key {
			return nil, &ParamError{Err: ErrDuplicateParameter, Key: p[i].Key}
		}
	}
	return p, nil
}

// ParseForm decodes an application/x-www-form-urlencoded body with the same
// rules as ParseQuery. The result does not alias body.
func ParseForm(body []byte) (Params, error) {
	return ParseQuery(string(body))
}

// Merge returns the union of the query and form-body parameters. A name in
// both is ErrDuplicateParameter: V1 signs the union, so a conflict would leave
// the value the handler sees ambiguous. When one side is empty the other is
// returned as is (no copy).
func Merge(query, form Params) (Params, error) {
	if len(form) == 0 {
		return query, nil
	}
	if len(query) == 0 {
		return form, nil
	}
	if len(query)+len(form) > MaxParameters {
		return nil, ErrTooManyParameters
	}
	out := make(Params, 0, len(query)+len(form))
	i, j := 0, 0
	for i < len(query) && j < len(form) {
		switch c := strings.Compare(query[i].Key, form[j].Key); {
		case c < 0:
			out = append(out, query[i])
			i++
		case c > 0:
			out = append(out, form[j])
			j++
		default:
			return nil, &ParamError{Err: ErrDuplicateParameter, Key: query[i].Key}
		}
	}
	out = append(out, query[i:]...)
	return append(out, form[j:]...), nil
}

func compareKeys(a, b Param) int { return strings.Compare(a.Key, b.Key) }

// decoder percent-decodes fields. Fields that contain neither '%' nor '+' are
// returned as substrings of the input; all others are written into one shared
// builder, so a whole query costs at most one allocation for decoded text.
type decoder struct {
	buf strings.Builder
	// reserve is how much to reserve on first use: the length of the
	// input from the field being decoded on, which bounds all the decoded
	// text still to come (SDKs sort their parameters, so the first field
	// with an escape, Signature, comes halfway).
	reserve int
}

func (d *decoder) decode(s string) (string, error) {
	i := indexEscape(s, 0)
	if i == len(s) {
		return s, nil
	}
	if d.buf.Cap() == 0 {
		d.buf.Grow(d.reserve)
	}
	start := d.buf.Len()
	d.buf.WriteString(s[:i])
	for i < len(s) {
		switch s[i] {
		case '+':
			d.buf.WriteByte(' ')
			i++
		case '%':
			if i+2 >= len(s) {
				return "", ErrMalformedEncoding
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", ErrMalformedEncoding
			}
			d.buf.WriteByte(hi<<4 | lo)
			i += 3
		default:
			j := indexEscape(s, i)
			d.buf.WriteString(s[i:j])
			i = j
		}
	}
	// Bytes already written are never modified by later writes, so this
	// slice of the builder's current contents stays valid.
	return d.buf.String()[start:], nil
}

// indexEscape returns the index of the first '%' or '+' at or after from, or
// len(s).
func indexEscape(s string, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			return i
		}
	}
	return len(s)
}

// checkKey rejects empty names, control characters (C0, DEL, C1) and invalid
// UTF-8. Names are API identifiers such as "Tag.1.Key"; a control character
// in one is never legitimate and could confuse logs or later layers.
func checkKey(k string) error {
	if k == "" {
		return ErrEmptyKey
	}
	high := false
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 0x20 || c == 0x7f {
			return ErrControlCharacter
		}
		if c >= utf8.RuneSelf {
			high = true
		}
	}
	if !high {
		return nil
	}
	if !utf8.ValidString(k) {
		return ErrInvalidUTF8
	}
	// In valid UTF-8, C1 controls U+0080..U+009F are exactly 0xC2 0x80..0x9F.
	for i := 0; i+1 < len(k); i++ {
		if k[i] == 0xC2 && k[i+1] < 0xA0 {
			return ErrControlCharacter
		}
	}
	return nil
}

// checkValue rejects NUL and invalid UTF-8. Other control characters are
// legitimate in values (policy documents contain newlines and tabs), but NUL
// is not storable in PostgreSQL text and never sent by an SDK.
func checkValue(v string) error {
	high := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == 0 {
			return ErrControlCharacter
		}
		if c >= utf8.RuneSelf {
			high = true
		}
	}
	if high && !utf8.ValidString(v) {
		return ErrInvalidUTF8
	}
	return nil
}

// ParamsOf builds a Params from a map (a console form, a test), in the
// order Params requires. Map keys are unique, so nothing can collide.
func ParamsOf(m map[string]string) Params {
	out := make(Params, 0, len(m))
	for k, v := range m {
		out = append(out, Param{Key: k, Value: v})
	}
	slices.SortFunc(out, compareKeys)
	return out
}
