package audit

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

func TestCursorRoundTripAndBinding(t *testing.T) {
	q := LookupQuery{AccountID: "1", Attribute: "EventName", Value: "GetUser", MaxResults: "5"}
	tok := encodeCursor(cursor{Time: 42, ID: "E", Filter: filterFingerprint(q)})
	c, ok := decodeCursor(tok)
	if !ok || c.Time != 42 || c.ID != "E" || c.Filter != filterFingerprint(q) {
		t.Fatalf("round trip: %+v %v", c, ok)
	}
	other := q
	other.AccountID = "2"
	if filterFingerprint(other) == c.Filter {
		t.Fatal("a token of one account's query fits another account's")
	}
	for _, bad := range []string{"", "!!!", "e30", "bnVsbA"} { // "", junk, "{}", "null"
		if _, ok := decodeCursor(bad); ok {
			t.Errorf("decodeCursor(%q) accepted", bad)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(cursor{Time: 1, ID: "x", Filter: "f"}))
	f.Add("eyJ0IjoxfQ")
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := decodeCursor(s); ok && c.ID == "" {
			t.Fatalf("accepted a cursor without an id: %q", s)
		}
	})
}

func TestMaxResultsIsAPlainNumber(t *testing.T) {
	for _, c := range []struct {
		s  string
		n  int
		ok bool
	}{{"5", 5, true}, {"50", 50, true}, {"0", 0, true}, {"05", 0, false}, {"+5", 0, false}, {" 5", 0, false},
		{"5 ", 0, false}, {"-5", 0, false}, {"", 0, false}, {"12345", 0, false}} {
		if n, ok := parseSmallInt(c.s); ok != c.ok || n != c.n {
			t.Errorf("parseSmallInt(%q) = %d, %v; want %d, %v", c.s, n, ok, c.n, c.ok)
		}
	}
}

// The trail says userName "root" for the root identity and for a RAM user
// named root (a valid name); the User filter keeps them apart: "root" is
// the root identity, root@<account id>.onaliyun.com the RAM user.
func TestUserFilterTellsRootFromARAMUserNamedRoot(t *testing.T) {
	st := openStore(t)
	const acct = "1234567890123456"
	now := time.Now().UTC().Truncate(time.Second)
	callers := map[string]*model.Principal{
		"by-root":     {Kind: model.Root, AccountID: acct, AccessKeyID: "LTAIroot"},
		"by-ram-root": {Kind: model.RAMUser, AccountID: acct, UserName: "root", UserID: "200", AccessKeyID: "LTAIuser"},
		"by-alice":    {Kind: model.RAMUser, AccountID: acct, UserName: "alice", UserID: "201", AccessKeyID: "LTAIalice"},
	}
	err := st.Write(context.Background(), func(tx store.Tx) error {
		i := 0
		for id, p := range callers {
			i++
			ev := Event(&Call{RequestID: id, Time: now.Add(-time.Duration(i) * time.Second), Product: "Ram",
				Action: "GetUser", Caller: p, AccessKeyID: p.AccessKeyID})
			var rec struct {
				UserIdentity struct{ Type, UserName string }
			}
			if err := json.Unmarshal(rendered(t, ev.Data), &rec); err != nil || rec.UserIdentity.UserName != p.AuditUserName() {
				t.Errorf("%s: record userName %q; want %q as ActionTrail writes it (%v)", id, rec.UserIdentity.UserName, p.AuditUserName(), err)
			}
			if err := tx.Events().Append(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]string{
		"root":                                  "by-root",
		"root@" + acct + ".onaliyun.com":        "by-ram-root",
		"alice":                                 "by-alice",
		"alice@" + acct + ".onaliyun.com":       "by-alice",
		"root@9999999999999999.onaliyun.com":    "",
		RootUser + "@" + acct + ".onaliyun.com": "",
	} {
		var got []string
		err := st.Read(context.Background(), func(tx store.Tx) error {
			res, err := Lookup(tx, nil, LookupQuery{AccountID: acct, Attribute: "User", Value: value}, now)
			if err != nil {
				return err
			}
			for _, raw := range res.Events {
				var e struct{ EventID string }
				json.Unmarshal(raw, &e)
				got = append(got, e.EventID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("User=%s found %v; want [%s]", value, got, want)
		}
	}
}

func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlstore.OpenURL(context.Background(), t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// StartTime and EndTime have the exact shape the trail prints; time.Parse
// alone would take fractional seconds.
func TestLookupTimesHaveTheExactShape(t *testing.T) {
	st := openStore(t)
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	lookup := func(q LookupQuery) error {
		return st.Read(context.Background(), func(tx store.Tx) error {
			_, err := Lookup(tx, nil, q, now)
			return err
		})
	}
	for _, bad := range []string{"2026-11-30T09:00:00.5Z", "2026-11-30T9:00:00Z", "2026-11-30T09:00:00"} {
		if err := lookup(LookupQuery{AccountID: "1", Start: bad}); apperrCode(err) != "InvalidParameterStartTime" {
			t.Errorf("StartTime %q: %v", bad, err)
		}
		if err := lookup(LookupQuery{AccountID: "1", End: bad}); apperrCode(err) != "InvalidParameterEndTime" {
			t.Errorf("EndTime %q: %v", bad, err)
		}
	}
	if err := lookup(LookupQuery{AccountID: "1", Start: "2026-11-30T09:00:00Z", End: "2026-11-30T09:30:00Z"}); err != nil {
		t.Errorf("well-formed times: %v", err)
	}
}

func apperrCode(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Migration 0004 (sqlstore) moved the root identity's events of earlier
// releases to RootUser by finding this byte sequence in their JSON
// records; it stays what the record renders for the root identity and only
// for it.
func TestRootRecordsCarryTheSequenceMigration0004Finds(t *testing.T) {
	const seq = `"userIdentity":{"type":"root-account"`
	for _, c := range []struct {
		p    *model.Principal
		want bool
	}{
		{&model.Principal{Kind: model.Root, AccountID: "1"}, true},
		{&model.Principal{Kind: model.RAMUser, AccountID: "1", UserName: "root", UserID: "2"}, false},
	} {
		ev := Event(&Call{RequestID: "r", Action: "GetUser", Caller: c.p,
			Params: map[string]string{"UserName": seq}})
		if got := strings.Contains(string(rendered(t, ev.Data)), seq); got != c.want {
			t.Errorf("%s record %s: contains %s = %v; want %v", c.p.AuditType(), rendered(t, ev.Data), seq, got, c.want)
		}
	}
}

// Every StartTime/EndTime pair is a result or a 4xx, never a failure of
// the store: times the store cannot hold (before 1678, after 2262) are
// moved to its ends, and a parsed time always formats back to its input.
func FuzzLookupTimes(f *testing.F) {
	for _, s := range []string{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1677-09-21T00:12:43Z",
		"1677-09-21T00:12:44Z", "2262-04-11T23:47:16Z", "2262-04-11T23:47:17Z", "1970-01-01T00:00:00Z", "",
		"2026-02-30T00:00:00Z", "2026-11-30T24:00:00Z"} {
		f.Add(s, "2262-04-11T23:47:16Z")
		f.Add("0001-01-01T00:00:00Z", s)
	}
	st := openStore(f)
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, start, end string) {
		err := st.Read(context.Background(), func(tx store.Tx) error {
			_, err := Lookup(tx, nil, LookupQuery{AccountID: "1", Start: start, End: end}, now)
			return err
		})
		var e *apperr.Error
		if err != nil && (!errors.As(err, &e) || e.Kind != apperr.KindInvalid) {
			t.Fatalf("StartTime %q EndTime %q: %v; want a result or a 4xx", start, end, err)
		}
		for _, s := range []string{start, end} {
			if tm, perr := parseTime(s); perr == nil && tm.Format(TimeLayout) != s {
				t.Fatalf("parseTime(%q) accepted a time that formats as %q", s, tm.Format(TimeLayout))
			}
		}
	})
}

// A record that cannot be read (damaged on disk or by hand) does not take
// its page down: LookupEvents shows what the event's columns say and that
// its record is lost, beside the events that are whole.
func TestLookupShowsAnUnreadableRecord(t *testing.T) {
	st := openStore(t)
	const acct = "1234567890123456"
	now := time.Now().UTC().Truncate(time.Second)
	caller := &model.Principal{Kind: model.Root, AccountID: acct, AccessKeyID: "LTAIroot"}
	whole := Event(&Call{RequestID: "whole", Time: now.Add(-3 * time.Second), Action: "GetUser", Caller: caller})
	cut := whole
	cut.ID, cut.Time, cut.Data = "cut", now.Add(-2*time.Second), whole.Data[:len(whole.Data)/2]
	garbled := whole
	garbled.ID, garbled.Time, garbled.Data = "garbled", now.Add(-time.Second), []byte(`{"eventId":`)
	err := st.Write(context.Background(), func(tx store.Tx) error {
		for _, e := range []store.Event{whole, cut, garbled} {
			if err := tx.Events().Append(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	err = st.Read(context.Background(), func(tx store.Tx) error {
		res, err := Lookup(tx, nil, LookupQuery{AccountID: acct}, now.Add(time.Minute))
		if err != nil {
			return err
		}
		for _, raw := range res.Events {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			got = append(got, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d events: %v", len(got), got)
	}
	for i, want := range []string{"garbled", "cut", "whole"} { // newest first
		lost, _ := got[i]["recordUnreadable"].(bool)
		if got[i]["eventId"] != want || lost != (want != "whole") || got[i]["eventName"] != "GetUser" {
			t.Errorf("event %d: %v; want %s, unreadable %v", i, got[i], want, want != "whole")
		}
	}
}

// A NextToken is not signed: any caller can forge one for its own query.
// A cursor time the store cannot hold is an invalid token (400), not a
// store failure (500).
func TestLookupRefusesAForgedCursorOutsideTheStorableTimes(t *testing.T) {
	st := openStore(t)
	q := LookupQuery{AccountID: "1234567890123456"}
	for _, ns := range []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, math.MaxInt64} {
		q.NextToken = encodeCursor(cursor{Time: ns, ID: "x", Filter: filterFingerprint(q)})
		err := st.Read(context.Background(), func(tx store.Tx) error {
			_, err := Lookup(tx, nil, q, time.Now())
			return err
		})
		switch ae := apperr.As(err); {
		case ns == math.MinInt64 && (ae == nil || ae.Code != CodeInvalidQuery.Name):
			t.Errorf("cursor time %d: %v; want %s", ns, err, CodeInvalidQuery.Name)
		case ns != math.MinInt64 && err != nil:
			t.Errorf("cursor time %d: %v", ns, err)
		}
	}
}
