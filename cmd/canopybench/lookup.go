package main

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"time"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// driveLookup measures LookupEvents over an account holding n events:
// unfiltered, and with each kind of filter, from rare to common, in
// interleaved rounds. The events are stored the way a node stores them
// (folded batches for reads, rows for writes), as a flood of 5,000 calls a
// second would leave them.
func driveLookup(db string, duration time.Duration, rounds, conns, n int) error {
	data, err := newBenchData(db)
	if err != nil {
		return err
	}
	defer data.remove()
	root := data.root
	seedStart := time.Now()
	middleID, err := seedEvents(data.dir, db, root.id, n)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d events in %s\n", n, time.Since(seedStart).Round(time.Millisecond))
	addr, canopy, err := data.canopy()
	if err != nil {
		return err
	}
	defer stopChild(canopy)
	lookup := func(kv ...string) func() string {
		v := url.Values{"Action": {"LookupEvents"}, "Version": {"2020-07-06"}}
		if len(kv) == 2 {
			v.Set("LookupAttribute.1.Key", kv[0])
			v.Set("LookupAttribute.1.Value", kv[1])
		}
		return func() string { return signedCall(addr, root, v) }
	}
	cases := []struct {
		name string
		next func() string
	}{
		{"unfiltered", lookup()},
		{"EventRW=Write", lookup("EventRW", "Write")}, // 0.1%, rows of writes
		{"EventRW=Read", lookup("EventRW", "Read")},
		{"EventName=GetUser", lookup("EventName", "GetUser")},                             // 9%
		{"EventName=ListUsers", lookup("EventName", "ListUsers")},                         // 1%
		{"EventName=GetAccountAlias", lookup("EventName", "GetAccountAlias")},             // 0.01%
		{"User=bench", lookup("User", "bench")},                                           // 10%
		{"EventId", lookup("EventId", middleID)},                                          // one
		{"ResourceName=none", lookup("ResourceName", "acs:ram::"+root.id+":user/nobody")}, // none
		{"SensitiveAction=true", lookup("SensitiveAction", "true")},                       // none: every sensitive name's range, empty
	}
	fmt.Printf("canopybench lookup: %d events, %d connections, %d rounds x %s per call, store %s\n", n, conns, rounds, duration, storeName(db))
	fmt.Printf("%-6s %-26s %10s %10s %10s %8s\n", "round", "call", "req/s", "p50", "p99", "errors")
	for _, c := range cases {
		loadURLs(signedBatch(conns, time.Second, c.next), conns, time.Second)
	}
	ratios := map[string][]float64{}
	for r := 1; r <= rounds; r++ {
		var base float64
		for _, c := range cases {
			res := loadURLs(signedBatch(conns, duration, c.next), conns, duration)
			fmt.Printf("%-6d %-26s %10.0f %10s %10s %8d\n", r, c.name, res.rps, res.p50, res.p99, res.errors)
			if res.errors > 0 {
				return fmt.Errorf("%s answered %d requests with an error", c.name, res.errors)
			}
			if c.name == "unfiltered" {
				base = res.rps
			}
			ratios[c.name] = append(ratios[c.name], res.rps/base)
		}
	}
	fmt.Println()
	for _, c := range cases[1:] {
		fmt.Printf("%-26s / unfiltered: %s (goal >= 50%%)\n", c.name, spread(ratios[c.name], 100, "%.1f%%"))
	}
	return nil
}

// seedEvents stores n events of the account rootID, ending now, 200 µs
// apart; it returns the id of the one in the middle.
func seedEvents(data, db, rootID string, n int) (string, error) {
	ctx := context.Background()
	st, _, err := app.OpenStore(ctx, app.Config{DataDir: data, DB: db})
	if err != nil {
		return "", err
	}
	defer st.Close()
	rootP := &model.Principal{Kind: model.Root, AccountID: rootID, AccessKeyID: "LTAIbenchroot00000000000"}
	userP := &model.Principal{Kind: model.RAMUser, AccountID: rootID, UserName: "bench", UserID: "2000000000000001",
		AccessKeyID: "LTAIbenchuser00000000000"}
	start := time.Now().Add(-time.Duration(n) * 200 * time.Microsecond)
	var reads, writes []store.Event
	middle := ""
	flush := func(final bool) error {
		if len(reads) >= 8192 || final && len(reads) > 0 {
			if err := st.FoldEvents(ctx, "canopybench-seed", store.LogCursor{Segment: 1, Offset: int64(n)}, reads, nil); err != nil {
				return err
			}
			reads = reads[:0]
		}
		if len(writes) >= 500 || final && len(writes) > 0 {
			if err := st.Write(ctx, func(tx store.Tx) error {
				for _, e := range writes {
					if err := tx.Events().Append(e); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
			writes = writes[:0]
		}
		return nil
	}
	for i := range n {
		c := &audit.Call{RequestID: model.NewRequestID(), Time: start.Add(time.Duration(i) * 200 * time.Microsecond),
			Product: "Ram", Version: "2015-05-01", Action: "GetCallerIdentity", Host: "ram.aliyuncs.com",
			SourceIP: netip.MustParseAddr("192.0.2.10").String(), UserAgent: "AlibabaCloud (linux; amd64) Go/1.26 Core/1.63.0",
			Caller: rootP, AccessKeyID: rootP.AccessKeyID, Params: map[string]string{"RegionId": "cn-hangzhou"}}
		switch {
		case i%10000 == 5000:
			c.Action = "GetAccountAlias"
		case i%100 == 50:
			c.Action, c.Params["MaxItems"] = "ListUsers", "100"
		case i%11 == 3:
			c.Action, c.Params["UserName"] = "GetUser", "alice"
		}
		if i%10 == 7 {
			c.Caller, c.AccessKeyID = userP, userP.AccessKeyID
		}
		if i%1000 == 999 {
			c.Action, c.Write, c.Params["UserName"] = "CreateUser", true, fmt.Sprintf("u%d", i)
		}
		e := audit.Event(c)
		if i == n/2 {
			middle = e.ID
		}
		if c.Write {
			writes = append(writes, e)
		} else {
			reads = append(reads, e)
		}
		if err := flush(false); err != nil {
			return "", err
		}
	}
	return middle, flush(true)
}
