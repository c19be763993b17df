package api

import "encoding/json"

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
func (o Object[T]) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]T{o.name: o.Value}) }

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
func (l List[T]) MarshalJSON() ([]byte, error) {
	body, err := json.Marshal(map[string]map[string][]T{l.outer: {l.inner: l.Items}})
	if err != nil || l.paging == nil {
		return body, err
	}
	paging, err := json.Marshal(l.paging)
	if len(paging) <= 2 { // {} or an error
		return body, err
	}
	return append(append(paging[:len(paging)-1:len(paging)-1], ','), body[1:]...), err
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
