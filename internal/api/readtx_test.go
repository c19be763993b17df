package api

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
)

// countingRecords answers Get from a map and counts the reads.
type countingRecords struct {
	store.RecordRepo
	data  map[string]store.Record
	reads int
}

func (c *countingRecords) Get(accountID, kind, key string) (store.Record, error) {
	c.reads++
	if rec, ok := c.data[accountID+"/"+kind+"/"+key]; ok {
		return rec, nil
	}
	return store.Record{}, store.ErrNotFound
}

type recordsTx struct {
	store.Tx
	records *countingRecords
}

func (t recordsTx) Records() store.RecordRepo { return t.records }

func TestReadTxReadsARecordOnce(t *testing.T) {
	recs := &countingRecords{data: map[string]store.Record{}}
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		recs.data["1/user/"+k] = store.Record{AccountID: "1", Kind: "user", Key: k, Data: []byte(k)}
	}
	recs.data["2/user/a"] = store.Record{AccountID: "2", Kind: "user", Key: "a", Data: []byte("other account")}
	tx := newReadTx(recordsTx{records: recs})
	for range 3 {
		if rec, err := tx.Records().Get("1", "user", "a"); err != nil || string(rec.Data) != "a" {
			t.Fatalf("%q %v", rec.Data, err)
		}
	}
	if rec, _ := tx.Records().Get("2", "user", "a"); string(rec.Data) != "other account" {
		t.Fatalf("another account's record: %q", rec.Data)
	}
	if _, err := tx.Records().Get("1", "group", "a"); err == nil {
		t.Fatal("another kind's record")
	}
	if recs.reads != 3 {
		t.Fatalf("%d reads; want 3", recs.reads)
	}
	// More records than it remembers: still each one right.
	for _, k := range []string{"b", "c", "d", "e", "f", "a", "b"} {
		if rec, err := tx.Records().Get("1", "user", k); err != nil || string(rec.Data) != k {
			t.Fatalf("%s: %q %v", k, rec.Data, err)
		}
	}
}
