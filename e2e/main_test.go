package e2e

import (
	"os"
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// One throw-away PostgreSQL serves the package; each test gets a fresh
// database on it.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }
