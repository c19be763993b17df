package api

import (
	"encoding/json"
	"errors"
)

// errNilAnswer is a handler's bug: a nil answer without an error.
var errNilAnswer = errors.New("api: a handler answered nil without an error")

// Alibaba Cloud's RPC APIs answer with one record wrapped in its name,
// {"User": {...}}, or with a list wrapped twice, {"Users": {"User": [...]}},
// after the list's paging fields. Object and List are those two answers, so
// an adapter declares the record's shape and nothing around it.

// Object is the answer of a call on one record.
type Object[T any] struct {
	name  string
	Value T
}

// MarshalJSON writes {"<name>": value}.
func (o Object[T]) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// appendJSON is MarshalJSON appending to dst. successBody calls it
// directly: through json.Marshal, the answer would be validated and
// compacted once more after it was encoded (a tenth of a list call's CPU).
func (o *Object[T]) appendJSON(dst []byte) ([]byte, error) {
	if o == nil {
		return dst, errNilAnswer
	}
	dst, err := appendValue(appendName(append(dst, '{'), o.name), o.Value)
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// appendName writes a JSON object key and its colon, escaped as
// encoding/json escapes it. Names are the wire's (User, Users): letters
// and digits, written as they are.
func appendName(dst []byte, name string) []byte {
	if isName(name, len(name)) {
		return append(append(append(append(dst, '"'), name...), '"'), ':')
	}
	quoted, _ := json.Marshal(name) // a string always encodes
	return append(append(dst, quoted...), ':')
}

// As shapes a record into an answer that names it.
//
//	return api.Reply(api.As("Group", toGroup))(svc.GetGroup(c.Tx, c.AccountID(), in.GroupName))
func As[T, U any](name string, shape func(T) U) func(T) Object[U] {
	return func(v T) Object[U] { return Object[U]{name: name, Value: shape(v)} }
}

// List is the answer of a list call.
type List[T any] struct {
	paging       any // a struct whose fields come first; nil for none
	outer, inner string
	Items        []T
}

// ListOf is the list answer {"<outer>": {"<inner>": items}}, after the
// fields of paging (a struct, or nil).
func ListOf[T any](outer, inner string, items []T, paging any) List[T] {
	return List[T]{paging: paging, outer: outer, inner: inner, Items: items}
}

// MarshalJSON writes the paging fields, then the wrapped items.
func (l List[T]) MarshalJSON() ([]byte, error) { return l.appendJSON(nil) }

// appendJSON is MarshalJSON appending to dst (see Object.appendJSON).
func (l *List[T]) appendJSON(dst []byte) ([]byte, error) {
	if l == nil {
		return dst, errNilAnswer
	}
	dst = append(dst, '{')
	if l.paging != nil {
		// The paging fields, without their braces, then a comma.
		at := len(dst)
		paging, err := appendValue(dst, l.paging)
		if err != nil {
			return dst, err
		}
		if len(paging) > at+2 { // not {}
			dst = append(append(paging[:at], paging[at+1:len(paging)-1]...), ',')
		}
	}
	dst = appendName(append(appendName(dst, l.outer), '{'), l.inner)
	if l.Items == nil {
		dst = append(dst, "null"...) // as the map-of-map encoding wrote a nil slice
	} else {
		var err error
		if dst, err = appendItems(dst, l.Items); err != nil {
			return dst, err
		}
	}
	return append(dst, '}', '}'), nil
}

// Listed shapes records into a list answer without paging.
//
//	return api.Reply(api.Listed("AccessKeys", "AccessKey", toAccessKey))(svc.ListAccessKeys(...))
func Listed[T, U any](outer, inner string, shape func(*T) U) func([]T) List[U] {
	return func(items []T) List[U] { return ListOf(outer, inner, MapAll(items, shape), nil) }
}

// MapAll converts a list, never returning nil: the SDKs expect a JSON
// array, not null, inside every list wrapper.
func MapAll[T, U any](in []T, f func(*T) U) []U {
	out := make([]U, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}
