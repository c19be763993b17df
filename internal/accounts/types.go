package accounts

import "github.com/canopy-iam/canopy/internal/store"

// Account types and statuses beyond CloudAccount/Active.
const (
	// TypeResourceAccount is a Resource Directory member without a usable
	// root user: it is reached only through its RAM identities (usually
	// by assuming ResourceDirectoryAccountAccessRole from the management
	// account).
	TypeResourceAccount = "ResourceAccount"
	// StatusDeleted marks an account the Resource Directory deleted: its
	// row stays (the trail names it) but nothing of it authenticates.
	StatusDeleted = "Deleted"
)

// RootEnabled reports whether the root user of a may sign in or use its
// AccessKeys: only a live cloud account's root may. A resource account
// (created as one, or a cloud account switched to one) has its root
// disabled; a deleted account has nothing.
func RootEnabled(a store.Account) bool {
	return a.Type == TypeCloudAccount && a.Status != StatusDeleted
}

// Live reports whether any identity of a may still authenticate.
func Live(a store.Account) bool { return a.Status != StatusDeleted }
