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
	for q := range s.stmts {
		if strings.HasPrefix(q, "INSERT") && !strings.Contains(q, "SELECT") {
			continue
		}
		args := make([]any, strings.Count(q, "?"))
		rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
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
	}
}
