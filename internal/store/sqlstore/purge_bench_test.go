package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// BenchmarkPurgeAccount: deleting a member account's 1,000 records and 20
// AccessKeys with RecordRepo/AccessKeyRepo.DeleteAccount (two DELETE ...
// RETURNING statements) vs the same rows deleted one Delete at a time in
// one Write (what a domain would do without the bulk calls), alternating,
// each iteration on freshly inserted rows. Metric x-each is
// median(purge) / median(one by one); both log one change per row.
func BenchmarkPurgeAccount(b *testing.B) {
	const records, keys = 1000, 20
	for _, be := range benchBackends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			benchSetup(b, s, 0)
			ctx := context.Background()
			now := time.Now()
			fill := func() {
				err := s.Write(ctx, func(tx store.Tx) error {
					for i := 0; i < records; i++ {
						if err := tx.Records().Insert(benchRecord(i, now)); err != nil {
							return err
						}
					}
					for i := 0; i < keys; i++ {
						k := store.AccessKey{ID: fmt.Sprintf("LTAIbench%06d", i), AccountID: benchAccount, UserName: "u",
							Status: "Active", SealedSecret: []byte("sealed"), Created: now, Updated: now}
						if err := tx.AccessKeys().Insert(k); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			purge := func() {
				err := s.Write(ctx, func(tx store.Tx) error {
					if n, err := tx.Records().DeleteAccount(benchAccount); err != nil || n != records {
						return fmt.Errorf("purged %d records: %v", n, err)
					}
					if n, err := tx.AccessKeys().DeleteAccount(benchAccount); err != nil || n != keys {
						return fmt.Errorf("purged %d keys: %v", n, err)
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			each := func() {
				err := s.Write(ctx, func(tx store.Tx) error {
					for i := 0; i < records; i++ {
						if err := tx.Records().Delete(benchAccount, "user", benchRecord(i, now).Key); err != nil {
							return err
						}
					}
					for i := 0; i < keys; i++ {
						if err := tx.AccessKeys().Delete(benchAccount, fmt.Sprintf("LTAIbench%06d", i)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < 3; i++ { // warm up
				fill()
				purge()
				fill()
				each()
			}
			ps := make([]time.Duration, 0, b.N)
			es := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				fill()
				t0 := time.Now()
				purge()
				ps = append(ps, time.Since(t0))
				fill()
				t1 := time.Now()
				each()
				es = append(es, time.Since(t1))
			}
			b.StopTimer()
			b.ReportMetric(micros(median(ps)), "purge-µs")
			b.ReportMetric(micros(median(es)), "each-µs")
			b.ReportMetric(float64(median(ps))/float64(median(es)), "x-each")
		})
	}
}
