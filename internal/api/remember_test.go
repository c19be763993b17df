package api_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/authz"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/seglog"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

const memoAccount = "1000000000000001"

var memoProduct = &api.Product{Code: "Memo", Version: "2000-01-01", Host: "memo.example", Prefix: "memo"}

// memoInvoker is an Invoker over a real SQLite store with the read cache
// (as a server opens it) and a real audit appender, with one public,
// cacheable action, ReadNote, whose successful runs runs counts.
func memoInvoker(t *testing.T, runs *int) (*api.Invoker, *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlstore.Open(ctx, sqlstore.Options{Dialect: sqlstore.DialectSQLite, Path: filepath.Join(dir, "canopy.db"), ReadCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log, err := seglog.Open(filepath.Join(dir, "auditlog"), seglog.Options{SegmentSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	events, err := audit.OpenAppender(ctx, st, log, audit.AppenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { events.Close() })
	now := time.Now()
	err = st.Write(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: memoAccount, Type: "CloudAccount", Status: "Active", Created: now, Updated: now}); err != nil {
			return err
		}
		return tx.Records().Insert(store.Record{AccountID: memoAccount, Kind: "note", Key: "n", Data: []byte(`"first"`), Created: now, Updated: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	type noteIn struct {
		Key string `param:"Key"`
	}
	type noteOut struct{ Note string }
	reg := api.NewRegistry()
	readNote := func(c *api.Call, in *noteIn) (*noteOut, error) {
		rec, err := c.Tx.Records().Get(c.AccountID(), "note", in.Key)
		if err != nil {
			return nil, err // also a read that missed the memory: not a run
		}
		*runs++
		return &noteOut{Note: string(rec.Data)}, nil
	}
	api.Declare(reg, api.Products{memoProduct}.Read("ReadNote").Remembered(), nil, readNote)
	api.Declare(reg, api.Products{memoProduct}.Read("ReadNoteLive"), nil, readNote) // not cacheable
	return &api.Invoker{Registry: reg, Authorizer: authz.New(nil, iam.New(nil).IdentityLayer()), Store: st, Events: events}, st
}

// readNote invokes action as the RPC front does (Rendered) and returns
// the answer after its RequestId.
func readNote(t *testing.T, iv *api.Invoker, action, account, key string) string {
	t.Helper()
	inv := &api.Invocation{RequestID: model.NewRequestID(), Received: time.Now(), Version: memoProduct.Version, Action: action,
		Caller: &model.Principal{Kind: model.Root, AccountID: account}, Params: signature.Params{{Key: "Key", Value: key}},
		Rendered: true}
	if _, err := iv.Invoke(context.Background(), inv); err != nil {
		t.Fatalf("%s %s/%s: %v", action, account, key, err)
	}
	head := `{"RequestId":"` + inv.RequestID + `",`
	answer := string(inv.Answer())
	if !strings.HasPrefix(answer, head) {
		t.Fatalf("%s answered %s: not its own RequestId %s", action, answer, inv.RequestID)
	}
	return "{" + answer[len(head):]
}

// TestInvokerRemembersCacheableAnswers: a cacheable read's answer is made
// once and recalled while the store is unchanged; a write, another
// parameter or another account makes it again.
func TestInvokerRemembersCacheableAnswers(t *testing.T) {
	runs := 0
	iv, st := memoInvoker(t, &runs)
	want := func(account, key, answer string, wantRuns int) {
		t.Helper()
		if got := readNote(t, iv, "ReadNote", account, key); got != answer || runs != wantRuns {
			t.Fatalf("ReadNote %s/%s = %s after %d runs; want %s after %d", account, key, got, runs, answer, wantRuns)
		}
	}
	want(memoAccount, "n", `{"Note":"\"first\""}`, 1)
	want(memoAccount, "n", `{"Note":"\"first\""}`, 1) // recalled
	want(memoAccount, "n", `{"Note":"\"first\""}`, 1)
	err := st.Write(context.Background(), func(tx store.Tx) error {
		return tx.Records().Update(store.Record{AccountID: memoAccount, Kind: "note", Key: "n", Data: []byte(`"second"`), Updated: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	want(memoAccount, "n", `{"Note":"\"second\""}`, 2)
	want(memoAccount, "n", `{"Note":"\"second\""}`, 2)
	// Another account, same parameters: its own answer (here, none).
	other := &api.Invocation{RequestID: model.NewRequestID(), Received: time.Now(), Version: memoProduct.Version, Action: "ReadNote",
		Caller: &model.Principal{Kind: model.Root, AccountID: "1000000000000002"}, Params: signature.Params{{Key: "Key", Value: "n"}},
		Rendered: true}
	if _, err := iv.Invoke(context.Background(), other); err == nil {
		t.Fatalf("another account read this account's note: %s", other.Answer())
	}
	if runs != 2 {
		t.Fatalf("%d runs; want 2 (the other account has no note)", runs)
	}
	// An action not marked cacheable runs every time.
	for i := range 2 {
		if got := readNote(t, iv, "ReadNoteLive", memoAccount, "n"); got != `{"Note":"\"second\""}` || runs != 3+i {
			t.Fatalf("ReadNoteLive = %s after %d runs; want %d", got, runs, 3+i)
		}
	}
}
