package e2e

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// backends lists the stores the cross-backend tests run on. PostgreSQL is
// never skipped: without CANOPY_TEST_POSTGRES_DSN a throw-away server is
// started from Debian's packages.
var backends = []struct {
	name string
	opts []canopytest.Option
}{
	{"sqlite", nil},
	{"postgres", []canopytest.Option{canopytest.WithPostgres()}},
}

// onEveryBackend runs test once per backend, in parallel subtests named
// after the backend.
func onEveryBackend(t *testing.T, test func(t *testing.T, opts ...canopytest.Option)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b.opts...)
		})
	}
}
