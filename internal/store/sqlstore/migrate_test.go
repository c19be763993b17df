package sqlstore

import (
	"slices"
	"testing"
)

func versions(ms []migration) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.version)
	}
	return out
}

// TestMigrationsMatchAcrossDialects: both dialects have the same versions,
// in ascending order, and the jobs table's is among them.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := loadMigrations(DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	lv, pv := versions(lite), versions(pg)
	if !slices.Equal(lv, pv) {
		t.Errorf("sqlite migrations %v, postgres %v", lv, pv)
	}
	if !slices.IsSorted(lv) {
		t.Errorf("migrations out of order: %v", lv)
	}
	if !slices.Contains(lv, 3) {
		t.Errorf("migration 0003 (jobs) missing: %v", lv)
	}
}

// TestPendingWithGaps: versions need not be contiguous. Branches number
// their migrations ahead of each other, so a database may have 1 and 3
// applied when a binary with 1, 2 and 3 starts on it: 2 is applied then,
// once, and nothing else again.
func TestPendingWithGaps(t *testing.T) {
	m := func(vs ...int64) []migration {
		var out []migration
		for _, v := range vs {
			out = append(out, migration{version: v})
		}
		return out
	}
	applied := func(vs ...int64) map[int64]bool {
		out := map[int64]bool{}
		for _, v := range vs {
			out[v] = true
		}
		return out
	}
	cases := []struct {
		all, applied []int64
		want         []int64
	}{
		{[]int64{1, 3}, nil, []int64{1, 3}},
		{[]int64{1, 3}, []int64{1}, []int64{3}},
		{[]int64{1, 3}, []int64{1, 3}, nil},
		{[]int64{1, 2, 3}, []int64{1, 3}, []int64{2}},
		{[]int64{1, 2, 3, 7}, []int64{1, 3}, []int64{2, 7}},
	}
	for _, c := range cases {
		got, err := pending(m(c.all...), applied(c.applied...))
		if err != nil {
			t.Errorf("pending(%v, applied %v): %v", c.all, c.applied, err)
			continue
		}
		if !slices.Equal(versions(got), c.want) {
			t.Errorf("pending(%v, applied %v) = %v, want %v", c.all, c.applied, versions(got), c.want)
		}
	}
	// A version the binary does not know is still refused.
	if _, err := pending(m(1, 3), applied(1, 2, 3)); err == nil {
		t.Errorf("pending accepted a database with an unknown version 2")
	}
}
