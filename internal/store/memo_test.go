package store

import (
	"fmt"
	"testing"
)

type memoDoc struct {
	Name string
	Tags []string
}

func TestMemoDecodesByBytesAndHandsOutCopies(t *testing.T) {
	m := &Memo[memoDoc]{Clone: func(d *memoDoc) { d.Tags = append([]string(nil), d.Tags...) }}
	rec := Record{AccountID: "a", Kind: "doc", Key: "k", Data: []byte(`{"Name":"one","Tags":["x"]}`)}
	var first memoDoc
	if err := m.decode("doc", rec, &first); err != nil || first.Name != "one" {
		t.Fatalf("%+v %v", first, err)
	}
	first.Tags[0] = "changed by a caller"
	var again memoDoc
	if err := m.decode("doc", rec, &again); err != nil || again.Tags[0] != "x" {
		t.Fatalf("the memo handed out its own slice: %+v %v", again, err)
	}
	again.Tags[0] = "changed again"
	// Same key, other bytes (changed on another node): decoded anew.
	rec.Data = []byte(`{"Name":"two"}`)
	var changed memoDoc
	if err := m.decode("doc", rec, &changed); err != nil || changed.Name != "two" || changed.Tags != nil {
		t.Fatalf("stale document: %+v %v", changed, err)
	}
	// Same bytes in another account: its own entry.
	other := Record{AccountID: "b", Kind: "doc", Key: "k", Data: []byte(`{"Name":"three"}`)}
	var three memoDoc
	if err := m.decode("doc", other, &three); err != nil || three.Name != "three" {
		t.Fatalf("%+v %v", three, err)
	}
	if err := m.decode("doc", Record{Key: "bad", Data: []byte(`{`)}, new(memoDoc)); err == nil {
		t.Fatal("a broken document decoded")
	}
}

func TestMemoStaysBounded(t *testing.T) {
	m := &Memo[memoDoc]{}
	for i := range memoMax + 10 {
		rec := Record{AccountID: "a", Key: string(rune('a'+i%26)) + string(rune(i)), Data: []byte(`{"Name":"n"}`)}
		if err := m.decode("doc", rec, new(memoDoc)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(m.entries); n > memoMax {
		t.Fatalf("%d entries, bound %d", n, memoMax)
	}
}

// Fifty readers racing over the same documents while they change: each
// gets the document of the bytes it read (run with -race).
func TestMemoUnderRacingReaders(t *testing.T) {
	m := &Memo[memoDoc]{Clone: func(d *memoDoc) { d.Tags = append([]string(nil), d.Tags...) }}
	done := make(chan error, 50)
	for g := range 50 {
		go func() {
			for i := range 200 {
				name := string(rune('a' + (g+i)%3))
				rec := Record{AccountID: "a", Key: "k", Data: []byte(`{"Name":"` + name + `","Tags":["t"]}`)}
				var d memoDoc
				if err := m.decode("doc", rec, &d); err != nil || d.Name != name {
					done <- fmt.Errorf("decoded %+v (%v) from %s", d, err, rec.Data)
					return
				}
				d.Tags[0] = "mine"
			}
			done <- nil
		}()
	}
	for range 50 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
