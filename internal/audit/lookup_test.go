package audit

import "testing"

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
