package directory

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// enableNewManagementAccount: TODO(helper) the SMS-verified creation of a
// new management account.
func (s *Service) enableNewManagementAccount(tx store.Tx, accountID string, req EnableRequest, now time.Time) (*Directory, error) {
	return nil, invalid("EnableMode", "EnableMode %s is not available yet.", ModeNewManagementAccount)
}
