package sqlstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

const eventCols = `account_id, time_ns, id, event_name, service_name, event_rw, user_name, access_key_id, error_code, resource_type, resource_name, sensitive, data`

const eventColCount = 13

// insertEventsSQL inserts rows events. ON CONFLICT DO NOTHING on the
// (account, time, id) key makes re-appending the same event (a retried
// batch whose first commit did land) a no-op instead of a failure.
func insertEventsSQL(rows int) string {
	return `INSERT INTO events (` + eventCols + `) VALUES ` + valuesRows(rows, eventColCount) + ` ON CONFLICT DO NOTHING`
}

// eventColumn maps EventFilter.Attribute to its column.
var eventColumn = map[string]string{
	"":                 "",
	"EventName":        "event_name",
	"User":             "user_name",
	"EventRW":          "event_rw",
	"EventAccessKeyId": "access_key_id",
	"ServiceName":      "service_name",
	"EventId":          "id",
	"ResourceType":     "resource_type",
	"ResourceName":     "resource_name",
	"SensitiveAction":  "sensitive",
}

// eventIndex names the index each attribute's lookup uses. Without
// statistics, SQLite's planner prefers the primary key's (account, time)
// range and filters every row of it, so the statements name the index
// (indexHint); the plan test holds both dialects to it.
var eventIndex = map[string]string{
	"": "PRIMARY KEY", "EventName": "events_name", "User": "events_user", "EventRW": "events_rw",
	"EventAccessKeyId": "events_key", "ServiceName": "events_service", "EventId": "events_id",
	"ResourceType": "events_rtype", "ResourceName": "events_rname", "SensitiveAction": "events_sensitive",
}

// eventLookupSQL pages through one account's events in (time, id) order.
// The time range and the cursor are always present (open ends become the
// extreme values), which keeps the variants to attribute x direction.
func eventLookupSQL(col string, newest bool) string {
	q := `SELECT ` + eventCols + ` FROM events` + indexHint(eventIndex[attrOf(col)]) + ` WHERE account_id = ?`
	if col != "" {
		q += ` AND ` + col + ` = ?`
	}
	q += ` AND time_ns >= ? AND time_ns <= ?`
	if newest {
		return q + ` AND (time_ns, id) < (?, ?) ORDER BY time_ns DESC, id DESC LIMIT ?`
	}
	return q + ` AND (time_ns, id) > (?, ?) ORDER BY time_ns, id LIMIT ?`
}

// attrOf is the attribute whose column is col.
func attrOf(col string) string {
	for attr, c := range eventColumn {
		if c == col {
			return attr
		}
	}
	return ""
}

var eventLookups = func() map[string][2]string {
	m := make(map[string][2]string, len(eventColumn))
	for attr, col := range eventColumn {
		m[attr] = [2]string{eventLookupSQL(col, false), eventLookupSQL(col, true)}
	}
	return m
}()

func eventVariants() []string {
	var out []string
	for _, v := range eventLookups {
		out = append(out, v[0], v[1])
	}
	return out
}

// eventArgs validates e and appends its column values to args.
func eventArgs(args []any, e *store.Event) ([]any, error) {
	if err := checkText("event id", e.ID, "account id", e.AccountID, "event name", e.EventName,
		"service name", e.ServiceName, "event rw", e.EventRW, "user name", e.UserName,
		"access key id", e.AccessKeyID, "error code", e.ErrorCode, "resource type", e.ResourceType,
		"resource name", e.ResourceName); err != nil {
		return args, err
	}
	ts, err := toNanos("event time", e.Time)
	if err != nil {
		return args, err
	}
	return append(args, e.AccountID, ts, e.ID, e.EventName, e.ServiceName, e.EventRW, e.UserName,
		e.AccessKeyID, e.ErrorCode, e.ResourceType, e.ResourceName, e.Attribute("SensitiveAction"), blob(e.Data)), nil
}

type eventRepo struct{ t *tx }

// Append stores e in the current Write. Events are not cached anywhere, so
// they record no change.
func (r eventRepo) Append(e store.Event) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	args, err := eventArgs(make([]any, 0, eventColCount), &e)
	if err != nil {
		return err
	}
	_, err = r.t.exec(insertEventsSQL(1), args...)
	return err
}

// Lookup merges the two places events live: rows of events (writes)
// and folded batches (everything else).
func (r eventRepo) Lookup(f store.EventFilter) ([]store.Event, error) {
	rows, err := r.lookupRows(f)
	if err != nil {
		return nil, err
	}
	folded, err := r.lookupBatches(f)
	if err != nil {
		return nil, err
	}
	return mergeEvents(f, rows, folded), nil
}

// lookupRows pages through the events stored as rows.
func (r eventRepo) lookupRows(f store.EventFilter) ([]store.Event, error) {
	qs, ok := eventLookups[f.Attribute]
	if !ok {
		return nil, fmt.Errorf("sqlstore: unknown event attribute %q", f.Attribute)
	}
	if !textOK(f.AccountID) || !textOK(f.Value) || !textOK(f.CursorID) {
		return nil, nil
	}
	start, end := int64(math.MinInt64), int64(math.MaxInt64)
	var err error
	if !f.Start.IsZero() {
		if start, err = toNanos("start", f.Start); err != nil {
			return nil, err
		}
	}
	if !f.End.IsZero() {
		if end, err = toNanos("end", f.End); err != nil {
			return nil, err
		}
	}
	q := qs[0]
	curTime, curID := int64(math.MinInt64), ""
	if f.Newest {
		q = qs[1]
		curTime = math.MaxInt64
	}
	if !f.CursorTime.IsZero() {
		if curTime, err = toNanos("cursor", f.CursorTime); err != nil {
			return nil, err
		}
		curID = f.CursorID
	}
	args := make([]any, 0, 7)
	args = append(args, f.AccountID)
	if f.Attribute != "" {
		args = append(args, f.Value)
	}
	args = append(args, start, end, curTime, curID, sqlLimit(f.Limit))

	var out []store.Event
	err = r.t.queryAll(q, args, func(rows rowsIter) error {
		var e store.Event
		var ts int64
		var sensitive string
		if err := rows.Scan(&e.AccountID, &ts, &e.ID, &e.EventName, &e.ServiceName, &e.EventRW,
			&e.UserName, &e.AccessKeyID, &e.ErrorCode, &e.ResourceType, &e.ResourceName, &sensitive, &e.Data); err != nil {
			return err
		}
		e.Sensitive = sensitive == "true"
		e.Time = fromNanos(ts)
		out = append(out, e)
		return nil
	})
	return out, err
}

// sqlEventsExpire deletes one account's old events: a range of the events
// key, so retention never scans the table.
const sqlEventsExpire = `DELETE FROM events WHERE account_id = ? AND time_ns < ?`

// ExpireEvents implements store.Maintenance, account by account, each in a short
// transaction of its own (like AppendEvents, outside the Write lock).
func (s *Store) ExpireEvents(ctx context.Context, before time.Time) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	cut, err := toNanos("before", before)
	if err != nil {
		return err
	}
	expire := func(accountID string) error {
		item := []batchItem{{st: s.stmt(sqlEventsExpire), args: []any{accountID, cut}}}
		return s.withRetry(ctx, func() error {
			return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, item) })
		})
	}
	if err := s.expireBatches(ctx, cut); err != nil {
		return err
	}
	if err := expire(""); err != nil { // callers that could not be identified
		return err
	}
	after := ""
	for {
		var page []store.Account
		if err := s.Read(ctx, func(tx store.Tx) error {
			var err error
			page, err = tx.Accounts().List(after, 500)
			return err
		}); err != nil {
			return err
		}
		for _, a := range page {
			if err := expire(a.ID); err != nil {
				return err
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}
