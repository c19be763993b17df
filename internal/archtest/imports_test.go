// Package archtest enforces the package boundaries of docs/architecture.md
// on the full dependency graph (what `go list -deps` reports), so a rule
// cannot be dodged through an intermediate package.
package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/canopy-iam/canopy/"

// layers ranks every package of the module: a package may depend, directly
// or not, only on packages of a LOWER layer. Imports therefore point down
// (api -> authz -> policy, never back), and two packages of one layer
// cannot depend on each other (iam may not reach authz). A package missing
// here fails the test: place each new package deliberately.
var layers = map[string]int{
	// Vocabulary: no I/O, no internal dependencies beyond each other.
	"internal/model":               0,
	"internal/apperr":              0,
	"internal/policy":              0,
	"internal/authn/signature":     0,
	"internal/cache":               0,
	"internal/keyring":             0,
	"internal/authn/password":      0,
	"internal/notify":              0,
	"internal/notify/smtp":         1,
	"internal/store":               1,
	"internal/seglog":              1,
	"internal/filelock":            0,
	"internal/tlsca":               1,
	"internal/credentials":         2,
	"internal/audit":               2,
	"internal/jobs":                2,
	"internal/notify/queue":        2,
	"internal/store/sqlstore":      2,
	"internal/iam":                 3,
	"internal/accounts":            3,
	"internal/authz":               3,
	"internal/authn":               3,
	"internal/api":                 4,
	"internal/sts":                 4,
	"internal/directory":           4,
	"internal/api/iamapi":          5,
	"internal/api/stsapi":          5,
	"internal/api/trailapi":        5,
	"internal/api/rdapi":           5,
	"internal/cloudsso":            5,
	"internal/api/ssoapi":          6,
	"internal/api/ramapi":          6,
	"internal/api/imsapi":          6,
	"internal/console":             6,
	"internal/app":                 7,
	"internal/testutil/pgtest":     8,
	"internal/store/storetest":     8,
	"internal/testutil/canopytest": 9,
	"cmd/canopy":                   10,
	"cmd/canopybench":              10,
	"e2e":                          10,
	"internal/archtest":            10,
}

// domain packages know nothing of HTTP or SQL, not even through another
// package: they must run the same under the RPC front, the console, jobs
// and any store.
var domain = []string{"internal/model", "internal/apperr", "internal/policy", "internal/cache",
	"internal/keyring", "internal/store", "internal/credentials", "internal/audit", "internal/iam",
	"internal/accounts", "internal/authz", "internal/notify", "internal/jobs", "internal/sts", "internal/directory", "internal/notify/queue", "internal/cloudsso"}

// bannedInDomain are the packages (or module prefixes) domain code must not
// reach.
var bannedInDomain = []string{"net/http", "database/sql", "modernc.org/", "github.com/jackc/",
	module + "internal/store/sqlstore", module + "internal/api"}

// alsoBanned are further packages a given package must not reach: domain
// code that sends a message names a notify.Sender, and only the sender
// speaks SMTP.
var alsoBanned = map[string][]string{
	"internal/notify": {"net/smtp"},
}

// pure packages do no I/O: none of these in their own imports (the standard
// library itself reaches os through fmt, so this rule reads direct imports).
var pure = map[string][]string{
	"internal/policy":          {"os", "net", "log", "log/slog", "io/fs", "os/exec"},
	"internal/authn/signature": {"os", "net", "log", "log/slog", "os/exec"},
}

type pkgInfo struct {
	imports, deps []string
}

// listPackages asks the go tool for every package's imports and full
// dependency list.
func listPackages(t *testing.T) map[string]pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{join .Imports \" \"}}\t{{join .Deps \" \"}}", module+"...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkgInfo{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			t.Fatalf("go list line %q", sc.Text())
		}
		pkgs[strings.TrimPrefix(fields[0], module)] = pkgInfo{imports: strings.Fields(fields[1]), deps: strings.Fields(fields[2])}
	}
	if len(pkgs) < len(layers)/2 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportsPointDownTheLayers(t *testing.T) {
	pkgs := listPackages(t)
	names := make([]string, 0, len(pkgs))
	for name := range pkgs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		layer, known := layers[name]
		if !known {
			t.Errorf("package %s has no layer in archtest: add it where it belongs", name)
			continue
		}
		for _, dep := range pkgs[name].deps {
			internal, ok := strings.CutPrefix(dep, module)
			if !ok {
				continue
			}
			if depLayer, known := layers[internal]; known && depLayer >= layer {
				t.Errorf("%s (layer %d) depends on %s (layer %d): imports must point down", name, layer, internal, depLayer)
			}
		}
	}
}

func TestDomainPackagesReachNeitherHTTPNorSQL(t *testing.T) {
	pkgs := listPackages(t)
	for _, name := range domain {
		info, ok := pkgs[name]
		if !ok {
			t.Errorf("domain package %s not found", name)
			continue
		}
		for _, dep := range info.deps {
			for _, banned := range append(bannedInDomain, alsoBanned[name]...) {
				if dep == banned || (strings.HasSuffix(banned, "/") && strings.HasPrefix(dep, banned)) ||
					strings.HasPrefix(dep, banned+"/") {
					t.Errorf("%s depends on %s, which domain code must not reach", name, dep)
				}
			}
		}
	}
}

// tlsca makes the TLS listener's certificates with crypto and files alone;
// serving them is internal/app's business.
func TestCertificatesStayOutOfHTTP(t *testing.T) {
	info, ok := listPackages(t)["internal/tlsca"]
	if !ok {
		t.Fatal("internal/tlsca not found")
	}
	for _, dep := range info.deps {
		if dep == "net/http" || strings.HasPrefix(dep, "net/http/") {
			t.Errorf("internal/tlsca depends on %s", dep)
		}
	}
}

// The console is an HTTP front: it reaches storage only through the
// store interfaces, never a SQL driver or the SQL implementation.
func TestConsoleStaysOutOfSQL(t *testing.T) {
	info, ok := listPackages(t)["internal/console"]
	if !ok {
		t.Fatal("internal/console not found")
	}
	for _, dep := range info.deps {
		for _, banned := range []string{"database/sql", "modernc.org/", "github.com/jackc/", module + "internal/store/sqlstore"} {
			if dep == banned || (strings.HasSuffix(banned, "/") && strings.HasPrefix(dep, banned)) || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("internal/console depends on %s", dep)
			}
		}
	}
}

func TestPurePackagesDoNoIO(t *testing.T) {
	pkgs := listPackages(t)
	for name, banned := range pure {
		for _, imp := range pkgs[name].imports {
			for _, b := range banned {
				if imp == b {
					t.Errorf("%s imports %s, but it must stay pure", name, imp)
				}
			}
			if strings.HasPrefix(imp, module) {
				t.Errorf("%s imports %s, but it must stay free of Canopy's other packages", name, imp)
			}
		}
	}
}
