package sqlstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// BenchmarkBuildBatches: what a fold spends before SQL, per event, for a
// flood of one account's reads (ns/op is per event).
func BenchmarkBuildBatches(b *testing.B) {
	now := time.Now()
	data := make([]byte, 650)
	for i := range data {
		data[i] = 'x'
	}
	evs := make([]store.Event, 8192)
	for i := range evs {
		evs[i] = store.Event{ID: fmt.Sprintf("019AD4C2-%04X-7ABC-8DEF-0123456789AB", i), AccountID: "1234567890123456",
			Time: now.Add(time.Duration(i) * 10 * time.Microsecond), EventName: "GetCallerIdentity", ServiceName: "Sts",
			EventRW: "Read", UserName: ":root", AccessKeyID: "LTAI0123456789abcdefghij", Data: data}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += len(evs) {
		if _, err := buildBatches(evs); err != nil {
			b.Fatal(err)
		}
	}
}
