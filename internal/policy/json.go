package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The grammar never nests deeper than 6 levels (document, Statement array,
// statement, Condition, operator block, value array). Anything deeper is
// malformed anyway, so we stop reading early instead of building a tree for a
// nesting bomb.
const maxNestingDepth = 8

// maxJSONTokens bounds the work done on one document when a caller forgets the
// length check; a 6144-character policy has far fewer tokens than this.
const maxJSONTokens = 1 << 16

type jsonKind uint8

const (
	jsonString jsonKind = iota + 1
	jsonNumber
	jsonBool
	jsonNull
	jsonObject
	jsonArray
)

func (k jsonKind) String() string {
	switch k {
	case jsonString:
		return "a string"
	case jsonNumber:
		return "a number"
	case jsonBool:
		return "a boolean"
	case jsonNull:
		return "null"
	case jsonObject:
		return "an object"
	case jsonArray:
		return "an array"
	}
	return "an unknown value"
}

// jsonValue is one node of a document decoded without loss of key order or
// duplicates, which encoding/json's map decoding would hide.
type jsonValue struct {
	kind    jsonKind
	text    string // string contents, or the literal text of a number
	boolean bool
	members []jsonMember // object members in document order
	elems   []*jsonValue // array elements
}

type jsonMember struct {
	key   string
	value *jsonValue
}

// member returns the value of key in an object, or nil.
func (v *jsonValue) member(key string) *jsonValue {
	for i := range v.members {
		if v.members[i].key == key {
			return v.members[i].value
		}
	}
	return nil
}

type strictDecoder struct {
	dec    *json.Decoder
	tokens int
}

// decodeStrict decodes doc into a tree, rejecting invalid UTF-8, duplicate
// object keys, excessive nesting and trailing data.
func decodeStrict(doc string) (*jsonValue, error) {
	if !utf8.ValidString(doc) {
		// encoding/json would silently replace bad bytes with U+FFFD, which
		// could make two different documents compile to the same policy.
		return nil, syntaxErrorf("document is not valid UTF-8")
	}
	d := &strictDecoder{dec: json.NewDecoder(strings.NewReader(doc))}
	d.dec.UseNumber()
	v, err := d.value(1)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, syntaxErrorf("unexpected data after the top-level JSON value")
	}
	return v, nil
}

func (d *strictDecoder) token() (json.Token, error) {
	d.tokens++
	if d.tokens > maxJSONTokens {
		return nil, syntaxErrorf("document has too many JSON tokens")
	}
	tok, err := d.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, syntaxErrorf("invalid JSON: unexpected end of document")
		}
		return nil, syntaxErrorf("invalid JSON: %v", err)
	}
	return tok, nil
}

func (d *strictDecoder) value(depth int) (*jsonValue, error) {
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case string:
		return &jsonValue{kind: jsonString, text: t}, nil
	case json.Number:
		return &jsonValue{kind: jsonNumber, text: string(t)}, nil
	case bool:
		return &jsonValue{kind: jsonBool, boolean: t}, nil
	case nil:
		return &jsonValue{kind: jsonNull}, nil
	case json.Delim:
		if t == '}' || t == ']' {
			return nil, syntaxErrorf("invalid JSON: unexpected %q", rune(t))
		}
		if depth > maxNestingDepth {
			return nil, syntaxErrorf("document is nested deeper than %d levels", maxNestingDepth)
		}
		if t == '{' {
			return d.object(depth)
		}
		return d.array(depth)
	}
	return nil, syntaxErrorf("invalid JSON: unexpected token %v", tok)
}

func (d *strictDecoder) object(depth int) (*jsonValue, error) {
	obj := &jsonValue{kind: jsonObject}
	var seen map[string]struct{} // only built for large objects
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, syntaxErrorf("invalid JSON: object key is not a string")
		}
		if obj.isDuplicate(key, &seen) {
			return nil, syntaxErrorf("duplicate key %q", key)
		}
		val, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		obj.members = append(obj.members, jsonMember{key: key, value: val})
	}
	if _, err := d.token(); err != nil { // the closing '}'
		return nil, err
	}
	return obj, nil
}

// isDuplicate reports whether key was already seen in obj, switching from a
// linear scan to a set once the object grows, so hostile documents with many
// keys stay linear.
func (v *jsonValue) isDuplicate(key string, seen *map[string]struct{}) bool {
	const linearLimit = 16
	if len(v.members) < linearLimit {
		return v.member(key) != nil
	}
	if *seen == nil {
		*seen = make(map[string]struct{}, 2*linearLimit)
		for _, m := range v.members {
			(*seen)[m.key] = struct{}{}
		}
	}
	if _, dup := (*seen)[key]; dup {
		return true
	}
	(*seen)[key] = struct{}{}
	return false
}

func (d *strictDecoder) array(depth int) (*jsonValue, error) {
	arr := &jsonValue{kind: jsonArray}
	for d.dec.More() {
		val, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		arr.elems = append(arr.elems, val)
	}
	if _, err := d.token(); err != nil { // the closing ']'
		return nil, err
	}
	return arr, nil
}

// SyntaxError reports a document that is not valid JSON or violates the
// policy grammar. Callers map it to MalformedPolicyDocument (RAM, control
// policies) or InvalidParameter.PolicyGrammar (STS session policies).
type SyntaxError struct {
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

func syntaxErrorf(format string, args ...any) *SyntaxError {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...)}
}
