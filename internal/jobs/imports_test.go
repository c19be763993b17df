package jobs_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports: the runner talks to store interfaces only; neither HTTP nor
// a SQL driver is in its dependency graph.
func TestImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/canopy-iam/canopy/internal/jobs").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps returned %d packages: %q", len(deps), out)
	}
	for _, p := range deps {
		if p == "net/http" || p == "database/sql" || strings.HasPrefix(p, "modernc.org/") ||
			strings.HasPrefix(p, "github.com/jackc/") || strings.HasSuffix(p, "/internal/store/sqlstore") {
			t.Errorf("internal/jobs depends on %s", p)
		}
	}
}
