package api

import (
	"encoding/json"
	"testing"
	"time"
)

type plainItem struct {
	Name  string
	Count int
	On    bool `json:",omitempty"`
	Inner struct{ Note string }
}

type pointerItem struct{ Name *string }

// TestAppendItemsEncodesLikeEncodingJSON: remembered or not, every item is
// written exactly as encoding/json writes it.
func TestAppendItemsEncodesLikeEncodingJSON(t *testing.T) {
	items := []plainItem{{Name: "a<b>&\u2028", Count: 1}, {Name: "émoji 🙂", On: true}, {Name: "a<b>&\u2028", Count: 1}}
	items[1].Inner.Note = `quote " and \ backslash`
	want, _ := json.Marshal(items)
	for round := range 3 { // learn, then answer from memory
		got, err := appendItems([]byte("x"), items)
		if err != nil || string(got) != "x"+string(want) {
			t.Fatalf("round %d: %s, %v; want x%s", round, got, err, want)
		}
	}
	m := itemMemoFor[plainItem]()
	m.mu.RLock()
	_, remembered := m.items[any(items[1])]
	m.mu.RUnlock()
	if !remembered {
		t.Error("an encoded item is not remembered")
	}
	changed := append([]plainItem(nil), items...)
	changed[0].Count = 2
	want, _ = json.Marshal(changed)
	if got, _ := appendItems(nil, changed); string(got) != string(want) {
		t.Fatalf("changed item: %s, want %s", got, want)
	}
}

// TestItemMemoOnlyForPlainValues: a type whose encoding can change while
// its value compares equal is never remembered.
func TestItemMemoOnlyForPlainValues(t *testing.T) {
	if itemMemoFor[plainItem]() == nil {
		t.Error("plain struct not remembered")
	}
	if itemMemoFor[pointerItem]() != nil || itemMemoFor[time.Time]() != nil || itemMemoFor[map[string]string]() != nil {
		t.Error("a type with pointers or a MarshalJSON is remembered")
	}
	s := "one"
	items := []pointerItem{{Name: &s}}
	first, _ := appendItems(nil, items)
	s = "two"
	second, _ := appendItems(nil, items)
	if string(first) == string(second) {
		t.Errorf("pointer item encoded from memory: %s", second)
	}
}

type plainAnswer struct {
	Arn, Note string
	N         int
}

// TestAppendPlainEncodesLikeEncodingJSON: a plain output is written as
// encoding/json writes it, remembered by value, and a changed value is
// encoded anew.
func TestAppendPlainEncodesLikeEncodingJSON(t *testing.T) {
	v := plainAnswer{Arn: "acs:ram::1:root", Note: "<&>\u2028", N: 3}
	want, _ := json.Marshal(v)
	for round := range 3 {
		got, err := appendPlain([]byte("x"), &v)
		if err != nil || string(got) != "x"+string(want) {
			t.Fatalf("round %d: %s, %v; want x%s", round, got, err, want)
		}
	}
	m := itemMemoFor[plainAnswer]()
	m.mu.RLock()
	_, remembered := m.items[any(v)]
	m.mu.RUnlock()
	if !remembered {
		t.Error("an encoded output is not remembered")
	}
	v.N = 4
	want, _ = json.Marshal(v)
	if got, _ := appendPlain(nil, &v); string(got) != string(want) {
		t.Fatalf("changed output: %s, want %s", got, want)
	}
}
