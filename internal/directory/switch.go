package directory

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// switchType: TODO(helper) cloud <-> resource account switching.
func (s *Service) switchType(tx store.Tx, managementID, accountID, newType string, now time.Time) (*Member, error) {
	return nil, invalid("NewAccountType", "Switching a member's type is not available yet.")
}
