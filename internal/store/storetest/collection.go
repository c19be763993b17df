package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// widget is the document type of the collection under test.
type widget struct {
	Name  string
	Group string
	N     int
}

var widgets = store.Collection[widget]{Kind: "widget", Key: "lower(name)", Ref: "group"}

func widgetKey(w *widget) string { return strings.ToLower(w.Name) }

// testCollection: the typed collection encodes, decodes, keeps ref and
// creation time on Update, moves the ref with UpdateRef, and returns the
// store sentinels.
func testCollection(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA, acctB)
	in := []widget{{"Bolt", "hw", 1}, {"nut", "hw", 2}, {"Gear", "mech", 3}}
	mustWrite(t, s, func(tx store.Tx) error {
		for i := range in {
			if err := widgets.Insert(tx, acctA, widgetKey(&in[i]), in[i].Group, &in[i], t0); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Write(ctxFor(t), func(tx store.Tx) error {
		return widgets.Insert(tx, acctA, "bolt", "", &widget{Name: "BOLT"}, t0)
	})
	wantErr(t, "Insert of a taken key", err, store.ErrConflict)

	mustRead(t, s, func(tx store.Tx) error {
		w, rec, err := widgets.Get(tx, acctA, "bolt")
		wantNoErr(t, "Get", err)
		if *w != in[0] || rec.Kind != "widget" || rec.Key != "bolt" || rec.Ref != "hw" || !rec.Created.Equal(t0) {
			t.Errorf("Get = %+v, %+v", w, rec)
		}
		_, _, err = widgets.Get(tx, acctB, "bolt")
		wantErr(t, "Get in another account", err, store.ErrNotFound)
		into := widget{Group: "default", N: 7}
		_, err = widgets.GetInto(tx, acctA, "nut", &into)
		wantNoErr(t, "GetInto", err)
		if into != in[1] {
			t.Errorf("GetInto = %+v, want %+v", into, in[1])
		}
		ok, err := widgets.Exists(tx, acctA, "gear")
		wantNoErr(t, "Exists", err)
		missing, err := widgets.Exists(tx, acctA, "cog")
		wantNoErr(t, "Exists missing", err)
		if !ok || missing {
			t.Errorf("Exists: gear %v, cog %v", ok, missing)
		}
		all, err := widgets.List(tx, store.Query{AccountID: acctA, Kind: "ignored"})
		wantNoErr(t, "List", err)
		if want := []widget{in[0], in[2], in[1]}; !slices.Equal(all, want) {
			t.Errorf("List = %+v, want %+v (key order)", all, want)
		}
		hw, err := widgets.List(tx, store.Query{AccountID: acctA, Ref: "hw", Limit: 1})
		wantNoErr(t, "List by ref", err)
		if len(hw) != 1 || hw[0] != in[0] {
			t.Errorf("List by ref = %+v", hw)
		}
		n, err := widgets.Count(tx, store.Query{AccountID: acctA, Ref: "hw"})
		wantNoErr(t, "Count", err)
		if n != 2 {
			t.Errorf("Count(ref hw) = %d, want 2", n)
		}
		recs, err := widgets.Records(tx, store.Query{AccountID: acctA, Prefix: "g"})
		wantNoErr(t, "Records", err)
		if len(recs) != 1 || recs[0].Key != "gear" {
			t.Errorf("Records(prefix g) = %+v", recs)
		}
		return nil
	})

	// Update keeps the key, ref and creation time; UpdateRef moves the ref.
	later := t0.Add(time.Hour)
	mustWrite(t, s, func(tx store.Tx) error {
		w, rec, err := widgets.Get(tx, acctA, "bolt")
		if err != nil {
			return err
		}
		w.N = 10
		if err := widgets.Update(tx, rec, w, later); err != nil {
			return err
		}
		g, grec, err := widgets.Get(tx, acctA, "gear")
		if err != nil {
			return err
		}
		g.Group = "hw"
		return widgets.UpdateRef(tx, grec, "hw", g, later)
	})
	mustRead(t, s, func(tx store.Tx) error {
		w, rec, err := widgets.Get(tx, acctA, "bolt")
		wantNoErr(t, "Get after Update", err)
		if w.N != 10 || rec.Ref != "hw" || !rec.Created.Equal(t0) || !rec.Updated.Equal(later) {
			t.Errorf("after Update: %+v %+v", w, rec)
		}
		n, err := widgets.Count(tx, store.Query{AccountID: acctA, Ref: "hw"})
		wantNoErr(t, "Count", err)
		if n != 3 {
			t.Errorf("Count(ref hw) after UpdateRef = %d, want 3", n)
		}
		return nil
	})

	mustWrite(t, s, func(tx store.Tx) error { return widgets.Delete(tx, acctA, "nut") })
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return widgets.Delete(tx, acctA, "nut") })
	wantErr(t, "Delete twice", err, store.ErrNotFound)
	err = s.Write(ctxFor(t), func(tx store.Tx) error {
		return widgets.Update(tx, store.Record{AccountID: acctA, Key: "nut"}, &in[1], later)
	})
	wantErr(t, "Update of a deleted record", err, store.ErrNotFound)

	// GetInto keeps what v holds where the document is silent; a
	// document that does not decode is an error, never "not found".
	mustWrite(t, s, func(tx store.Tx) error {
		if err := tx.Records().Insert(store.Record{AccountID: acctA, Kind: "widget", Key: "partial",
			Data: []byte(`{"Name":"Partial"}`), Created: t0, Updated: t0}); err != nil {
			return err
		}
		return tx.Records().Insert(store.Record{AccountID: acctA, Kind: "widget", Key: "broken",
			Data: []byte(`{"N":"not a number"}`), Created: t0, Updated: t0})
	})
	mustRead(t, s, func(tx store.Tx) error {
		defaults := widget{Group: "default", N: 7}
		_, err := widgets.GetInto(tx, acctA, "partial", &defaults)
		wantNoErr(t, "GetInto partial", err)
		if want := (widget{Name: "Partial", Group: "default", N: 7}); defaults != want {
			t.Errorf("GetInto over defaults = %+v, want %+v", defaults, want)
		}
		_, _, err = widgets.Get(tx, acctA, "broken")
		if err == nil || errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), `widget "broken"`) {
			t.Errorf("Get of a broken document: %v", err)
		}
		if _, err := widgets.List(tx, store.Query{AccountID: acctA}); err == nil {
			t.Errorf("List over a broken document succeeded")
		}
		return nil
	})
}
