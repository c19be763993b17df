package iam

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
)

type kindLayout struct{ kind, key, ref string }

func layoutOf[T any](c store.Collection[T]) kindLayout { return kindLayout{c.Kind, c.Key, c.Ref} }

// declaredKinds lists every collection iam declares (records.go); a new
// one belongs here and in a migration.
func declaredKinds() []kindLayout {
	return []kindLayout{
		layoutOf(users), layoutOf(groups), layoutOf(roles), layoutOf(customPolicies),
		layoutOf(policyVersions), layoutOf(memberships), layoutOf(attachments),
		layoutOf(loginProfiles), layoutOf(mfaDevices), layoutOf(mfaBindings),
		layoutOf(passwordPolicySetting.c), layoutOf(securityPreferenceSetting.c), layoutOf(accountAliasSetting.c),
	}
}

var (
	recordKindsInsert = regexp.MustCompile(`(?s)INSERT INTO record_kinds\b.*?\);`)
	quoted            = `'((?:[^']|'')*)'`
	recordKindsRow    = regexp.MustCompile(`\(\s*` + strings.Repeat(quoted+`,\s*`, 4) + quoted + `\s*\)`)
)

// migrationKinds reads the rows the migrations of one dialect insert into
// record_kinds: kind -> layout, for the kinds iam owns.
func migrationKinds(t *testing.T, dialect string) map[string]kindLayout {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "store", "sqlstore", "migrations", dialect, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s migrations (%v)", dialect, err)
	}
	out := map[string]kindLayout{}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range recordKindsInsert.FindAllString(string(body), -1) {
			for _, m := range recordKindsRow.FindAllStringSubmatch(stmt, -1) {
				unq := func(s string) string { return strings.ReplaceAll(s, "''", "'") }
				if m[2] != "iam" {
					continue
				}
				if _, dup := out[m[1]]; dup {
					t.Errorf("%s: kind %q inserted twice", f, m[1])
				}
				out[m[1]] = kindLayout{unq(m[1]), unq(m[3]), unq(m[4])}
			}
		}
	}
	return out
}

// TestRecordKindsMatchTheMigrations: the layout each collection declares
// in code is the one the migrations record in the database, on both
// dialects, kind for kind.
func TestRecordKindsMatchTheMigrations(t *testing.T) {
	declared := map[string]kindLayout{}
	for _, l := range declaredKinds() {
		if prev, ok := declared[l.kind]; ok && prev != l {
			t.Errorf("kind %q declared twice with different layouts: %+v, %+v", l.kind, prev, l)
		}
		declared[l.kind] = l
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		recorded := migrationKinds(t, dialect)
		for kind, want := range declared {
			if got, ok := recorded[kind]; !ok {
				t.Errorf("%s migrations: no record_kinds row for %q", dialect, kind)
			} else if got != want {
				t.Errorf("%s migrations: kind %q is recorded as %+v, declared as %+v", dialect, kind, got, want)
			}
		}
		for kind := range recorded {
			if _, ok := declared[kind]; !ok {
				t.Errorf("%s migrations: record_kinds has %q, which iam does not declare", dialect, kind)
			}
		}
	}
}
