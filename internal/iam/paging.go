package iam

import (
	"encoding/base64"

	"github.com/canopy-iam/canopy/internal/store"
)

// Paging limits of the RAM list calls.
const (
	DefaultMaxItems = 100
	MaxMaxItems     = 1000
)

// PageRequest is the Marker/MaxItems pair of a list call. Default and Max
// bound MaxItems (zero means DefaultMaxItems and MaxMaxItems): IMS lists
// differ from RAM in both.
type PageRequest struct {
	Marker   string
	MaxItems *int
	Default  int
	Max      int
}

// Page is one page of a list.
type Page[T any] struct {
	Items       []T
	IsTruncated bool
	Marker      string // continue with this when IsTruncated
}

func (p PageRequest) size() (int, error) {
	def, max := p.Default, p.Max
	if def == 0 {
		def = DefaultMaxItems
	}
	if max == 0 {
		max = MaxMaxItems
	}
	if p.MaxItems == nil {
		return def, nil
	}
	if n := *p.MaxItems; n < 1 || n > max {
		return 0, invalidParameter.Of("MaxItems").New("The parameter MaxItems must be in the range of 1 and %d; got %d.", max, n)
	}
	return *p.MaxItems, nil
}

// Markers are opaque to callers and cannot be forged: the last key
// returned, sealed (AES-GCM) with the account and the list's scope as
// associated data. A marker of another list or another account, or one
// made by hand, does not open and is refused.
func (s *Service) encodeMarker(accountID, scope, lastKey string) string {
	sealed := s.ring.Seal([]byte(lastKey), markerAAD(accountID, scope))
	return base64.RawURLEncoding.EncodeToString(sealed)
}

func (s *Service) decodeMarker(accountID, scope, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || len(raw) > 4096 {
		return "", invalidMarker()
	}
	key, err := s.ring.Open(raw, markerAAD(accountID, scope))
	if err != nil {
		return "", invalidMarker()
	}
	return string(key), nil
}

func markerAAD(accountID, scope string) []byte {
	return []byte("marker\x00" + accountID + "\x00" + scope)
}

func invalidMarker() error {
	return invalidParameter.Of("Marker").New("The parameter Marker is not a marker this list returned.")
}

// pageEnd says whether a page is the last one and where the next starts.
type pageEnd struct {
	truncated bool
	marker    string
}

// pageOf builds the page of items that a listing ended with end.
func pageOf[T any](items []T, end pageEnd) Page[T] {
	return Page[T]{Items: items, IsTruncated: end.truncated, Marker: end.marker}
}

func queryScope(q store.Query) string { return q.Kind + "|" + q.Prefix + "|" + q.Ref }

// listPage returns one page of the documents of c that q selects,
// continuing after req.Marker. keep (optional) filters documents; filtered
// pages are still full pages, so a caller walking the markers sees every
// match exactly once. Each record is decoded once, straight into the page.
func listPage[T any](s *Service, tx store.Tx, c store.Collection[T], q store.Query, req PageRequest, keep func(*T) bool) ([]T, pageEnd, error) {
	var end pageEnd
	size, err := req.size()
	if err != nil {
		return nil, end, err
	}
	q.Kind = c.Kind
	scope := queryScope(q)
	if q.After, err = s.decodeMarker(q.AccountID, scope, req.Marker); err != nil {
		return nil, end, err
	}
	var (
		out  []T
		keys []string // keys[i] is the key of out[i], for the marker
	)
	for {
		q.Limit = size + 1 - len(out)
		batch, err := c.Records(tx, q)
		if err != nil {
			return nil, end, err
		}
		if out == nil {
			out, keys = make([]T, 0, len(batch)), make([]string, 0, len(batch))
		}
		for i := range batch {
			var zero T
			out = append(out, zero)
			if err := c.DecodeNew(batch[i], &out[len(out)-1]); err != nil {
				return nil, end, err
			}
			if keep != nil && !keep(&out[len(out)-1]) {
				out = out[:len(out)-1]
				continue
			}
			keys = append(keys, batch[i].Key)
		}
		if len(out) > size || len(batch) < q.Limit {
			break
		}
		q.After = batch[len(batch)-1].Key
	}
	if len(out) > size {
		out = out[:size]
		end = pageEnd{truncated: true, marker: s.encodeMarker(q.AccountID, scope, keys[size-1])}
	}
	return out, end, nil
}
