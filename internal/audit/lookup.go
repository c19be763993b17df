package audit

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Lookup limits.
const (
	DefaultMaxResults = 20
	MaxMaxResults     = 50
	DefaultLookback   = 7 * 24 * time.Hour
	// Retention is how long events stay queryable, as ActionTrail promises.
	Retention = 90 * 24 * time.Hour
)

// lookupAttributes maps LookupAttribute keys to store filters.
var lookupAttributes = map[string]string{
	"EventName": "EventName", "User": "User", "EventRW": "EventRW",
	"EventAccessKeyId": "EventAccessKeyId", "ServiceName": "ServiceName", "EventId": "EventId",
	"ResourceType": "ResourceType", "ResourceName": "ResourceName",
	sensitiveAttribute: sensitiveAttribute,
}

// sensitiveAttribute selects the events of sensitive actions; its only
// value is "true".
const sensitiveAttribute = "SensitiveAction"

// Recent gives what this node recorded that the store's snapshot may not
// show yet (the Appender's unfolded events), so a caller always finds its
// own calls at once.
type Recent interface {
	Recent(f store.EventFilter) []store.Event
}

// LookupQuery is a LookupEvents request.
type LookupQuery struct {
	AccountID  string
	Start, End string // UTC yyyy-MM-ddTHH:mm:ssZ, optional
	NextToken  string
	MaxResults string
	Direction  string // FORWARD | BACKWARD (default)
	Attribute  string
	Value      string
}

// LookupResult is one page of events.
type LookupResult struct {
	Start, End time.Time
	Events     []json.RawMessage
	NextToken  string
}

// cursor is the decoded NextToken. Filter binds it to the query it came
// from: the cloud requires the other parameters to stay identical.
type cursor struct {
	Time   int64  `json:"t"`
	ID     string `json:"i"`
	Filter string `json:"f"`
}

// Lookup answers LookupEvents for the caller's account only, from the
// store and from recent (nil: the store only).
func Lookup(tx store.Tx, recent Recent, q LookupQuery, now time.Time) (*LookupResult, error) {
	f := store.EventFilter{AccountID: q.AccountID, Newest: true, End: now, Start: now.Add(-DefaultLookback)}
	var err error
	if q.Start != "" {
		if f.Start, err = parseTime(q.Start); err != nil {
			return nil, codeInvalidStartTime.New("StartTime %q is not in the format yyyy-MM-ddTHH:mm:ssZ.", q.Start)
		}
	}
	if q.End != "" {
		if f.End, err = parseTime(q.End); err != nil {
			return nil, codeInvalidEndTime.New("EndTime %q is not in the format yyyy-MM-ddTHH:mm:ssZ.", q.End)
		}
		f.End = f.End.Add(time.Second - 1) // the whole second is included
	}
	if f.End.Before(f.Start) {
		return nil, codeInvalidCombination.New("EndTime must not be earlier than StartTime.")
	}
	f.Start, f.End = clamp(f.Start), clamp(f.End)
	switch strings.ToUpper(q.Direction) {
	case "", "BACKWARD":
	case "FORWARD":
		f.Newest = false
	default:
		return nil, CodeInvalidQuery.New("Direction must be FORWARD or BACKWARD.")
	}
	if q.Attribute != "" || q.Value != "" {
		attr, ok := lookupAttributes[q.Attribute]
		if !ok {
			return nil, CodeInvalidQuery.New("LookupAttribute key %q is not supported; use EventName, User, EventRW, EventAccessKeyId, ServiceName, EventId, ResourceType, ResourceName or SensitiveAction.", q.Attribute)
		}
		if attr == sensitiveAttribute && q.Value != "true" {
			return nil, CodeInvalidQuery.New("The SensitiveAction LookupAttribute takes the value true.")
		}
		f.Attribute, f.Value = attr, q.Value
		if attr == "User" {
			f.Value = userFilter(q.AccountID, q.Value)
		}
	}
	f.Limit = DefaultMaxResults
	if q.MaxResults != "" {
		n, ok := parseSmallInt(q.MaxResults)
		if !ok || n < 1 || n > MaxMaxResults {
			return nil, CodeInvalidQuery.New("MaxResults must be an integer from 1 to %d.", MaxMaxResults)
		}
		f.Limit = n
	}
	fingerprint := filterFingerprint(q)
	if q.NextToken != "" {
		c, ok := decodeCursor(q.NextToken)
		if !ok || c.Filter != fingerprint {
			return nil, CodeInvalidQuery.New("NextToken is not valid for this query; repeat the other parameters of the call that returned it.")
		}
		f.CursorTime, f.CursorID = time.Unix(0, c.Time), c.ID
	}
	want := f.Limit
	f.Limit++ // one extra row tells whether another page exists
	events, err := tx.Events().Lookup(f)
	if err != nil {
		return nil, err
	}
	if recent != nil {
		events = merge(events, recent.Recent(f), f)
	}
	res := &LookupResult{Start: f.Start, End: f.End, Events: make([]json.RawMessage, 0, want)}
	if len(events) > want {
		events = events[:want]
		last := events[want-1]
		res.NextToken = encodeCursor(cursor{Time: last.Time.UnixNano(), ID: last.ID, Filter: fingerprint})
	}
	for _, e := range events {
		rendered, err := AppendRecordJSON(nil, e.Data)
		if err != nil {
			rendered = unreadable(&e)
		}
		res.Events = append(res.Events, json.RawMessage(rendered))
	}
	return res, nil
}

// unreadable is what LookupEvents shows of an event whose stored record
// cannot be read (damaged on disk, or by hand): what its indexed columns
// say, and that the record is lost. The page still answers, and the
// damage is shown, not skipped.
func unreadable(e *store.Event) []byte {
	out, _ := json.Marshal(struct {
		EventID          string `json:"eventId"`
		EventName        string `json:"eventName"`
		EventRW          string `json:"eventRW"`
		EventTime        string `json:"eventTime"`
		ServiceName      string `json:"serviceName"`
		RecordUnreadable bool   `json:"recordUnreadable"`
	}{e.ID, e.EventName, e.EventRW, e.Time.UTC().Format(TimeLayout), e.ServiceName, true})
	return out
}

// merge merges two pages in f's order, once each (an event folded while
// the lookup ran is in both), at most f.Limit.
func merge(a, b []store.Event, f store.EventFilter) []store.Event {
	if len(b) == 0 {
		return a
	}
	out := slices.SortedFunc(slices.Values(append(slices.Clip(a), b...)), eventOrder(f.Newest))
	out = slices.CompactFunc(out, func(x, y store.Event) bool { return x.ID == y.ID && x.AccountID == y.AccountID })
	return out[:min(len(out), f.Limit)]
}

// parseTime reads exactly yyyy-MM-ddTHH:mm:ssZ. time.Parse alone also
// takes fractional seconds and one-digit hours, which the layout has not.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	if err == nil && t.Format(TimeLayout) != s {
		err = errors.New("not in the exact layout " + TimeLayout)
	}
	return t, err
}

// Events are kept with nanosecond times that reach from 1677-09-21 to
// 2262-04-11 (int64 nanoseconds since 1970). A well-formed time beyond
// either end asks for everything up to that end: it is moved to the end,
// never refused and never a failure of the store.
var (
	earliest = time.Unix(0, math.MinInt64+1).UTC()
	latest   = time.Unix(0, math.MaxInt64).UTC()
)

func clamp(t time.Time) time.Time {
	switch {
	case t.Before(earliest):
		return earliest
	case t.After(latest):
		return latest
	}
	return t
}

// principalDomain ends the IMS user principal name every RAM user has in
// its account: <name>@<account id>.onaliyun.com (iam.DomainSuffix, which
// audit cannot import: iam depends on audit).
const principalDomain = ".onaliyun.com"

// userFilter maps a User lookup value to the indexed user column.
//
// ActionTrail records userName "root" both for the root identity and for a
// RAM user named root (a valid name), and its User filter matches that
// field. Here the two stay apart:
//
//   - "root" finds the root identity's events: it is the userName the trail
//     shows for them and what an account owner auditing root types;
//   - "<name>@<account id>.onaliyun.com", the user principal name, finds
//     that RAM user's events, so a RAM user named root is found with
//     root@<account id>.onaliyun.com and can never hide among root's
//     events (any RAM user may be named this way);
//   - any other value is a RAM user name, matched as is.
//
// No RAM user name contains ':' (RootUser does), so a principal name can
// never reach the root identity's events.
func userFilter(accountID, value string) string {
	if value == "root" {
		return RootUser
	}
	if name, ok := strings.CutSuffix(value, "@"+accountID+principalDomain); ok && name != "" && !strings.ContainsAny(name, ":@") {
		return name
	}
	return value
}

// parseSmallInt reads a plain decimal number: digits only, no sign and no
// leading zero, like every integer parameter.
func parseSmallInt(s string) (int, bool) {
	if s == "" || len(s) > 4 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func filterFingerprint(q LookupQuery) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{q.AccountID, q.Start, q.End, strings.ToUpper(q.Direction),
		q.Attribute, q.Value, q.MaxResults}, "\x00")))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 512 {
		return c, false
	}
	// The token is not signed: a forged time the store cannot hold (only
	// MinInt64 nanoseconds) is an invalid token, not a store failure.
	if json.Unmarshal(raw, &c) != nil || c.ID == "" || c.Time < earliest.UnixNano() {
		return c, false
	}
	return c, true
}
