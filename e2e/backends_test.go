package e2e

import "github.com/canopy-iam/canopy/internal/testutil/canopytest"

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
