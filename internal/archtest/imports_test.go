// Package archtest enforces the package boundaries of design.md.
package archtest

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Domain packages know nothing of HTTP or SQL; the policy engine is pure.
var rules = map[string][]string{
	"iam":             {"net/http", "database/sql", "modernc.org/", "github.com/jackc/", "/internal/store/sqlstore", "/internal/api"},
	"audit":           {"net/http", "database/sql", "modernc.org/", "github.com/jackc/", "/internal/store/sqlstore"},
	"accounts":        {"net/http", "database/sql", "modernc.org/", "github.com/jackc/", "/internal/store/sqlstore"},
	"credentials":     {"net/http", "database/sql", "modernc.org/", "github.com/jackc/", "/internal/store/sqlstore"},
	"authz":           {"net/http", "database/sql", "modernc.org/", "github.com/jackc/", "/internal/store/sqlstore"},
	"model":           {"net/http", "database/sql", "/internal/store"},
	"policy":          {"net/http", "database/sql", "os", "net", "log", "log/slog", "/internal/"}, // io: interfaces only
	"authn/signature": {"net/http", "database/sql", "os", "net", "/internal/"},
}

func TestDomainPackagesKeepTheirBoundaries(t *testing.T) {
	for pkg, banned := range rules {
		dir := filepath.Join("..", filepath.FromSlash(pkg))
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: no files (%v)", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range banned {
					if path == b || (strings.HasSuffix(b, "/") && strings.Contains(path, b)) ||
						(strings.HasPrefix(b, "/") && strings.Contains(path, b)) {
						t.Errorf("%s imports %s, which package %s must not", f, path, pkg)
					}
				}
			}
		}
	}
}
