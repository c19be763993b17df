package directory

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/store/storetest"
)

// TestRecordKindsMatchTheMigrations: every collection the directory
// declares is recorded, with its layout, in record_kinds on both dialects.
func TestRecordKindsMatchTheMigrations(t *testing.T) {
	storetest.CheckRecordKinds(t, "directory", []storetest.KindLayout{
		storetest.LayoutOf(directories), storetest.LayoutOf(memberships), storetest.LayoutOf(folders),
		storetest.LayoutOf(members), storetest.LayoutOf(memberNames), storetest.LayoutOf(loginNames),
		storetest.LayoutOf(deletions),
		storetest.LayoutOf(handshakes), storetest.LayoutOf(invitations),
		storetest.LayoutOf(legacyRecords),
		storetest.LayoutOf(verifications),
	})
}
