package e2e

import (
	"os"
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// One throw-away PostgreSQL serves the package; each test gets a fresh
// database on it. With providerChildEnv set, the binary is instead the
// credential-provider program of the STS provider test.
func TestMain(m *testing.M) {
	if config := os.Getenv(providerChildEnv); config != "" {
		os.Exit(runProviderProgram(config))
	}
	os.Exit(pgtest.Main(m, nil))
}
