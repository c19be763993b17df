package storetest

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
)

// KindLayout is what a collection declares about its records.
type KindLayout struct{ Kind, Key, Ref string }

// LayoutOf is the layout collection c declares.
func LayoutOf[T any](c store.Collection[T]) KindLayout { return KindLayout{c.Kind, c.Key, c.Ref} }

var (
	recordKindsInsert = regexp.MustCompile(`(?s)INSERT INTO record_kinds\b.*?\);`)
	quoted            = `'((?:[^']|'')*)'`
	recordKindsRow    = regexp.MustCompile(`\(\s*` + strings.Repeat(quoted+`,\s*`, 4) + quoted + `\s*\)`)
)

// CheckRecordKinds fails t unless the record kinds owner declares in code
// are exactly the rows the migrations of both dialects insert into
// record_kinds for that owner, layout for layout.
func CheckRecordKinds(t *testing.T, owner string, declared []KindLayout) {
	t.Helper()
	want := map[string]KindLayout{}
	for _, l := range declared {
		if prev, ok := want[l.Kind]; ok && prev != l {
			t.Errorf("kind %q declared twice with different layouts: %+v, %+v", l.Kind, prev, l)
		}
		want[l.Kind] = l
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		recorded := migrationKinds(t, dialect, owner)
		for kind, l := range want {
			if got, ok := recorded[kind]; !ok {
				t.Errorf("%s migrations: no record_kinds row for %q", dialect, kind)
			} else if got != l {
				t.Errorf("%s migrations: kind %q is recorded as %+v, declared as %+v", dialect, kind, got, l)
			}
		}
		for kind := range recorded {
			if _, ok := want[kind]; !ok {
				t.Errorf("%s migrations: record_kinds has %q for %s, which it does not declare", dialect, kind, owner)
			}
		}
	}
}

// migrationKinds reads the record_kinds rows of one owner that the
// migrations of one dialect insert.
func migrationKinds(t *testing.T, dialect, owner string) map[string]KindLayout {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "sqlstore", "migrations", dialect)
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s migrations in %s (%v)", dialect, dir, err)
	}
	out := map[string]KindLayout{}
	unquote := func(s string) string { return strings.ReplaceAll(s, "''", "'") }
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range recordKindsInsert.FindAllString(string(body), -1) {
			for _, m := range recordKindsRow.FindAllStringSubmatch(stmt, -1) {
				if unquote(m[2]) != owner {
					continue
				}
				kind := unquote(m[1])
				if _, dup := out[kind]; dup {
					t.Errorf("%s: kind %q inserted twice", f, kind)
				}
				out[kind] = KindLayout{kind, unquote(m[3]), unquote(m[4])}
			}
		}
	}
	return out
}
