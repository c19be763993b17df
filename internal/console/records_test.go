package console

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/store/storetest"
)

// TestRecordKindsMatchTheMigrations: the session kind is recorded, with
// its layout, in record_kinds on both dialects.
func TestRecordKindsMatchTheMigrations(t *testing.T) {
	storetest.CheckRecordKinds(t, "console", []storetest.KindLayout{storetest.LayoutOf(sessions)})
}
