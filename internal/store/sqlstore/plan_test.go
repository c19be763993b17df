package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLitePlans checks that no statement scans a whole table: every
// lookup must be an index search. The exceptions are deliberate and listed.
func TestSQLitePlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dialect: DialectSQLite, Path: filepath.Join(t.TempDir(), "plans.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.be.(*liteBackend).r
	allowed := map[string]bool{
		// Pages through all accounts by primary key, by design.
		sqlAccountList: true,
		// Walks change_log from the oldest version and stops at the cutoff.
		sqlChangesSweep: true,
	}
	planOf := map[string]string{}
	for q, st := range s.stmts {
		if strings.HasPrefix(q, "INSERT") && !strings.Contains(q, "SELECT") {
			continue
		}
		args := make([]any, strings.Count(q, "?"))
		rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+st.text, args...)
		if err != nil {
			t.Errorf("explain %s: %v", q, err)
			continue
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			// json_each scans an argument (the kinds a job claim takes),
			// not a table.
			scan := strings.HasPrefix(step, "SCAN ") && !strings.HasSuffix(step, "CONSTANT ROWS") &&
				!strings.HasPrefix(step, "SCAN json_each VIRTUAL TABLE")
			if (scan || strings.Contains(step, "TEMP B-TREE")) && !allowed[q] {
				t.Errorf("%.200s\n  plan: %.300s", q, strings.Join(plan, " | "))
				break
			}
		}
		planOf[q] = strings.Join(plan, " | ")
	}

	// A lookup by attribute must search the attribute's index with the
	// value AND the time range as its key: walking the account's
	// (time, id) range and filtering each row is a SEARCH too, but it
	// reads every newer event of the account (issue 9).
	for attr, col := range eventColumn {
		for i, q := range eventLookups[attr] {
			plan := planOf[q]
			want := "USING PRIMARY KEY (account_id=? AND time_ns>? AND time_ns<?)"
			if attr != "" {
				want = "USING INDEX " + eventIndex[attr] + " (account_id=? AND " + col + "=?"
				if attr != "EventId" {
					want += " AND time_ns>? AND time_ns<?)"
				}
			}
			if !strings.Contains(plan, "SEARCH events "+want) {
				t.Errorf("lookup by %q (newest=%v) does not search its index by value and time:\n  want %s\n  plan: %s", attr, i == 1, want, plan)
			}
		}
	}
	for q, key := range map[string]string{
		sqlPostingsNewest: "USING PRIMARY KEY (account_id=? AND attr=? AND value=? AND max_ns>? AND (max_ns,batch_id)<(?,?))",
		sqlPostingsOldest: "USING INDEX event_postings_oldest (account_id=? AND attr=? AND value=? AND (min_ns,batch_id)>(?,?) AND min_ns<?)",
	} {
		if !strings.Contains(planOf[q], "SEARCH event_postings "+key) {
			t.Errorf("postings walk is not a range of its key:\n  want %s\n  plan: %s", key, planOf[q])
		}
	}
}
