package iam

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/storetest"
)

// declaredKinds lists every collection iam declares (records.go); a new
// one belongs here and in a migration.
func declaredKinds() []storetest.KindLayout {
	return []storetest.KindLayout{
		layoutOf(users), layoutOf(groups), layoutOf(roles), layoutOf(customPolicies),
		layoutOf(policyVersions), layoutOf(memberships), layoutOf(attachments),
		layoutOf(loginProfiles), layoutOf(mfaDevices), layoutOf(mfaBindings),
		layoutOf(passwordPolicySetting.c), layoutOf(securityPreferenceSetting.c), layoutOf(accountAliasSetting.c),
	}
}

func layoutOf[T any](c store.Collection[T]) storetest.KindLayout { return storetest.LayoutOf(c) }

// TestRecordKindsMatchTheMigrations: the layout each collection declares
// in code is the one the migrations record in the database, on both
// dialects, kind for kind.
func TestRecordKindsMatchTheMigrations(t *testing.T) {
	storetest.CheckRecordKinds(t, "iam", declaredKinds())
}
