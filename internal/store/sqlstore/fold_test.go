package sqlstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// TestFoldReadsBatchesOfBothLayouts: batches folded by an older build
// (version 0: records uncompressed, positions one by one) stay readable
// beside new ones, for every filter and in both orders.
func TestFoldReadsBatchesOfBothLayouts(t *testing.T) {
	for name, create := range map[string]func(*testing.T) Options{"sqlite": sqliteOptions, "postgres": postgresOptions} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := Open(ctx, create(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			evs, _ := foldFlood(1500, start)
			for i := range evs {
				if i%3 == 0 {
					evs[i].EventName, evs[i].UserName = "GetUser", "bench"
				}
				if i%250 == 7 {
					evs[i].AccountID = "1000000000000002"
				}
			}
			// The older half as the old build stored it, the newer as now.
			old, cur := evs[:700], evs[700:]
			var v0 []builtBatch
			for b := range slices.Chunk(sortedEvents(old), batchEvents) {
				v0 = append(v0, buildBatchV0(b))
			}
			if err := s.storeFold(ctx, "log-v0", store.LogCursor{Segment: 1, Offset: 1}, v0, nil, 0); err != nil {
				t.Fatal(err)
			}
			if err := s.FoldEvents(ctx, "log-v0", store.LogCursor{Segment: 1, Offset: 2}, cur, nil); err != nil {
				t.Fatal(err)
			}
			filters := []store.EventFilter{
				{},
				{Attribute: "EventName", Value: "GetUser"},
				{Attribute: "User", Value: ":root"},
				{Attribute: "EventId", Value: evs[650].ID},
				{Attribute: "EventId", Value: evs[1200].ID},
				{Start: start.Add(40 * time.Millisecond), End: start.Add(70 * time.Millisecond)},
			}
			for _, f := range filters {
				for _, newest := range []bool{false, true} {
					f.AccountID, f.Newest, f.Limit = "9256289095331768", newest, 0
					var got []store.Event
					if err := s.Read(ctx, func(tx store.Tx) error {
						got, err = tx.Events().Lookup(f)
						return err
					}); err != nil {
						t.Fatalf("%+v: %v", f, err)
					}
					want := matching(evs, f)
					if len(got) != len(want) {
						t.Fatalf("%+v: %d events, want %d", f, len(got), len(want))
					}
					for i := range got {
						if got[i].ID != want[i].ID || !got[i].Time.Equal(want[i].Time) || string(got[i].Data) != string(want[i].Data) {
							t.Fatalf("%+v: event %d is %s, want %s", f, i, got[i].ID, want[i].ID)
						}
					}
				}
			}
		})
	}
}

func sortedEvents(evs []store.Event) []*store.Event {
	out := make([]*store.Event, len(evs))
	for i := range evs {
		out[i] = &evs[i]
	}
	slices.SortFunc(out, func(a, b *store.Event) int { return eventOrder(false)(*a, *b) })
	return out
}

func matching(evs []store.Event, f store.EventFilter) []store.Event {
	var out []store.Event
	for _, e := range evs {
		if f.Matches(&e) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, eventOrder(f.Newest))
	return out
}

// foldFlood is what a node folds after a flood of one account's
// GetCallerIdentity calls: n events with their nonces, each record shaped
// like the real one (a ~900-byte JSON record that differs from the next
// in its ids and time).
func foldFlood(n int, start time.Time) ([]store.Event, []store.Nonce) {
	evs := make([]store.Event, n)
	nonces := make([]store.Nonce, n)
	for i := range evs {
		at := start.Add(time.Duration(i) * 80 * time.Microsecond)
		ms := at.UnixMilli()
		id := fmt.Sprintf("%08X-%04X-7%03X-9C61-%012X", ms>>16, ms&0xffff, i&0xfff, i*7919)
		data := fmt.Sprintf(`{"eventId":%q,"eventVersion":"1","eventType":"ApiCall","eventCategory":"Management",`+
			`"eventName":"GetCallerIdentity","eventRW":"Read","eventSource":"sts.aliyuncs.com","eventTime":%q,`+
			`"acsRegion":"cn-hangzhou","serviceName":"Sts","apiVersion":"2015-04-01","requestId":%q,`+
			`"sourceIpAddress":"127.0.0.1","userAgent":"Go-http-client/1.1","userIdentity":{"type":"root-account",`+
			`"accountId":"9256289095331768","principalId":"9256289095331768","userName":"root","accessKeyId":"LTAIA4wbAoxyZKxbhjpWJKR4"},`+
			`"requestParameters":{"AcsHost":"127.0.0.1:34153","AcsProduct":"Sts","HostId":"sts.aliyuncs.com","RegionId":"cn-hangzhou","RequestId":%q},`+
			`"additionalEventData":{"Scheme":"http"},"errorCode":"","errorMessage":"","recipientAccountId":"9256289095331768"}`,
			id, at.UTC().Format(time.RFC3339), id, id)
		evs[i] = store.Event{ID: id, AccountID: "9256289095331768", Time: at, EventName: "GetCallerIdentity",
			ServiceName: "Sts", EventRW: "Read", UserName: ":root", AccessKeyID: "LTAIA4wbAoxyZKxbhjpWJKR4", Data: []byte(data)}
		nonces[i] = store.Nonce{AccessKeyID: "LTAIA4wbAoxyZKxbhjpWJKR4", Value: fmt.Sprintf("%032x", i*104729), Expires: at.Add(15 * time.Minute)}
	}
	return evs, nonces
}

// buildBatchV0 is how the build before batch version 1 encoded a batch:
// a uvarint count, count 4-byte offsets, the records; each posting's
// positions one uvarint each.
func buildBatchV0(evs []*store.Event) builtBatch {
	data := binary.AppendUvarint(nil, uint64(len(evs)))
	offsets := len(data)
	data = append(data, make([]byte, 4*len(evs))...)
	start := len(data)
	for i, e := range evs {
		binary.LittleEndian.PutUint32(data[offsets+4*i:], uint32(len(data)-start))
		data = store.AppendEvent(data, e)
	}
	type key struct{ account, attr, value string }
	idx := map[key]int{}
	var ps []posting
	add := func(k key, pos int, ns int64) {
		i, ok := idx[k]
		if !ok {
			i = len(ps)
			idx[k] = i
			ps = append(ps, posting{account: k.account, attr: k.attr, value: k.value, minNs: ns, maxNs: ns})
		}
		p := &ps[i]
		p.minNs, p.maxNs = min(p.minNs, ns), max(p.maxNs, ns)
		p.positions = binary.AppendUvarint(p.positions, uint64(pos))
	}
	for pos, e := range evs {
		ns := e.Time.UnixNano()
		add(key{e.AccountID, "", ""}, pos, ns)
		for _, attr := range store.EventAttributes {
			add(key{e.AccountID, attr, postingValue(attr, e)}, pos, ns)
		}
	}
	return builtBatch{maxNs: evs[len(evs)-1].Time.UnixNano(), data: data, postings: ps}
}

// TestPositionRuns: any ascending set of positions reads back as written,
// and positions a batch cannot hold are an error, never a panic.
func TestPositionRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 500; n++ {
		count := 1 + r.IntN(600)
		var want []int
		density := r.Float64()
		for p := 0; p < count; p++ {
			if r.Float64() < density {
				want = append(want, p)
			}
		}
		var runs positionRuns
		var buf []byte
		for _, p := range want {
			buf = runs.add(buf, p)
		}
		buf = runs.finish(buf)
		got, err := readPositions(batchV1, buf, count)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("positions %v read back as %v, %v", want, got, err)
		}
		if len(want) > 0 {
			if _, err := readPositions(batchV1, buf, want[len(want)-1]); err == nil {
				t.Fatalf("positions %v read in a batch of %d", want, want[len(want)-1])
			}
		}
	}
	var all positionRuns
	buf := all.finish(all.add(all.add(all.add(nil, 0), 1), 2))
	if len(buf) != 2 {
		t.Errorf("a run of every position takes %d bytes, want 2", len(buf))
	}
	for _, bad := range [][]byte{{0x80}, {0}, {5, 0}, {0, 10}, {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0}} {
		if got, err := readPositions(batchV1, bad, 4); err == nil {
			t.Errorf("positions % x read as %v", bad, got)
		}
	}
}

// TestParseBatchRefusesDamage: a damaged batch is an error, never a panic
// or a huge allocation.
func TestParseBatchRefusesDamage(t *testing.T) {
	evs, _ := foldFlood(100, time.Now())
	var bb batchBuilder
	good := bb.buildBatch(sortedEvents(evs)).data
	if b, err := parseBatch(good); err != nil || b.count() != 100 {
		t.Fatalf("parseBatch(good) = %v", err)
	}
	for i := 0; i < len(good); i++ {
		for _, v := range []byte{0, 0xff, good[i] ^ 1} {
			bad := slices.Clone(good)
			bad[i] = v
			if b, err := parseBatch(bad); err == nil {
				for j := 0; j < b.count(); j++ {
					b.event(j) // must not panic either
				}
			}
		}
	}
	for n := 0; n < len(good); n += 7 {
		if _, err := parseBatch(good[:n]); err == nil {
			t.Fatalf("a batch cut at %d bytes parsed", n)
		}
	}
	if _, err := parseBatch(fmt.Appendf(nil, "\x00\x01\x05\xff\xff\xff\x7f\xff\xff\xff\x7f")); err == nil {
		t.Fatal("a batch claiming 32 GB parsed")
	}
}

// TestEventIdPostingsOfLookalikeIds: ids shaped like request ids but not
// hex share a prefix yet each is its own EventId posting, so each is found.
func TestEventIdPostingsOfLookalikeIds(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var evs []store.Event
	for i, id := range []string{"ZZZZZZZZ-ZZZZ-7000-8000-000000000001", "ZZZZZZZZ-ZZZZ-7000-8000-000000000002",
		"019AD4C2-1F00-7ABC-8DEF-0123456789AB", "019AD4C2-1F00-7ABC-8DEF-0123456789AC", "plain-id"} {
		evs = append(evs, store.Event{ID: id, AccountID: "1", Time: at.Add(time.Duration(i) * time.Millisecond)})
	}
	var bb batchBuilder
	b := bb.buildBatch(sortedEvents(evs))
	for _, e := range evs {
		found := false
		for _, p := range b.postings {
			if p.attr == "EventId" && p.value == idBucket(e.ID) {
				found = true
			}
		}
		if !found {
			t.Errorf("no EventId posting %q for %s", idBucket(e.ID), e.ID)
		}
	}
}
