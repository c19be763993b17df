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
