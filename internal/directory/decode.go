package directory

import (
	"bytes"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Member lists decode up to 100 records per page; encoding/json's
// reflection and validation pass cost more than the SQL read of the page
// (see BENCHMARKS.md, Resource Directory). decodeMember reads the JSON
// encoding/json writes for a Member directly: an object of string fields
// and two RFC 3339 times. Anything else it does not expect (a tag list,
// an escaped string, a field added later) sends the record to
// encoding/json, so it is never wrong, at worst as slow as before.

// listMembersFast is members.List with the fast decoder.
func listMembersFast(tx store.Tx, q store.Query) ([]Member, error) {
	recs, err := members.Records(tx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(recs))
	for i := range recs {
		if !decodeMember(recs[i].Data, &out[i]) {
			out[i] = Member{}
			if err := members.Decode(recs[i], &out[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// decodeMember fills m from data and reports whether it could.
func decodeMember(data []byte, m *Member) bool { return decodeFlat(data, m.set) }

// decodeFlat reads an object of string values, handing each to set.
func decodeFlat(data []byte, set func(key, value []byte) bool) bool {
	p := data
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
		return false
	}
	p = p[1 : len(p)-1]
	for len(p) > 0 {
		key, rest, ok := jsonString(p)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return false
		}
		value, rest, ok := jsonString(rest[1:])
		if !ok {
			return false
		}
		if !set(key, value) {
			return false
		}
		switch {
		case len(rest) == 0:
			p = rest
		case rest[0] == ',' && len(rest) > 1:
			p = rest[1:]
		default:
			return false
		}
	}
	return true
}

// set assigns one field from its JSON name.
func (m *Member) set(key, value []byte) bool {
	var dst *string
	switch string(key) {
	case "AccountID":
		dst = &m.AccountID
	case "AccountName":
		dst = &m.AccountName
	case "DisplayName":
		dst = &m.DisplayName
	case "Type":
		dst = &m.Type
	case "JoinMethod":
		dst = &m.JoinMethod
	case "Status":
		dst = &m.Status
	case "FolderID":
		dst = &m.FolderID
	case "FolderPath":
		dst = &m.FolderPath
	case "PayerAccountID":
		dst = &m.PayerAccountID
	case "RecordID":
		dst = &m.RecordID
	case "JoinTime":
		return parseTime(value, &m.JoinTime)
	case "ModifyTime":
		return parseTime(value, &m.ModifyTime)
	default:
		return false
	}
	*dst = string(value)
	return true
}

func parseTime(value []byte, t *time.Time) bool {
	return t.UnmarshalText(value) == nil
}

// jsonString reads a string without escapes at the start of p and returns
// its contents and what follows.
func jsonString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(p[1:], '"')
	if end < 0 {
		return nil, nil, false
	}
	s = p[1 : 1+end]
	for _, c := range s {
		if c == '\\' || c < 0x20 {
			return nil, nil, false
		}
	}
	return s, p[2+end:], true
}

// decodeAncestors reads the Ancestors of a Folder's JSON (the only field
// ListAncestors needs) the same way: an array of objects of two strings
// and a time, found after the key "Ancestors"; anything else says no.
func decodeAncestors(data []byte) ([]Ancestor, bool) {
	i := bytes.Index(data, []byte(`,"Ancestors":[`))
	if i < 0 {
		if bytes.Contains(data, []byte(`"Ancestors"`)) {
			return nil, false // present in a shape this does not read
		}
		return nil, bytes.HasPrefix(data, []byte(`{"ID":"`)) // Root: none
	}
	p := data[i+len(`,"Ancestors":[`):]
	var out []Ancestor
	for {
		if len(p) > 0 && p[0] == ']' {
			return out, len(out) > 0
		}
		if len(p) == 0 || p[0] != '{' {
			return nil, false
		}
		end := bytes.IndexByte(p, '}')
		if end < 0 {
			return nil, false
		}
		var a Ancestor
		if !decodeFlat(p[:end+1], a.set) {
			return nil, false
		}
		out = append(out, a)
		p = p[end+1:]
		if len(p) > 0 && p[0] == ',' {
			p = p[1:]
			if len(p) == 0 || p[0] != '{' {
				return nil, false
			}
		}
	}
}

func (a *Ancestor) set(key, value []byte) bool {
	switch string(key) {
	case "ID":
		a.ID = string(value)
	case "Name":
		a.Name = string(value)
	case "Created":
		return parseTime(value, &a.Created)
	default:
		return false
	}
	return true
}
