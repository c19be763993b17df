package cloudsso

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/store/storetest"
)

// TestRecordKindsMatchTheMigrations: every collection CloudSSO declares is
// recorded, with its layout, in record_kinds on both dialects.
func TestRecordKindsMatchTheMigrations(t *testing.T) {
	storetest.CheckRecordKinds(t, "cloudsso", []storetest.KindLayout{
		storetest.LayoutOf(services), storetest.LayoutOf(directories), storetest.LayoutOf(directoryNames),
		storetest.LayoutOf(users), storetest.LayoutOf(userEmails), storetest.LayoutOf(credentials),
		storetest.LayoutOf(groups), storetest.LayoutOf(groupMembers), storetest.LayoutOf(mfaDevices),
		storetest.LayoutOf(accessConfigs), storetest.LayoutOf(assignments), storetest.LayoutOf(provisionings),
		storetest.LayoutOf(tasks), storetest.LayoutOf(taskLocks),
	})
}
