// Package iam implements the RAM (2015-05-01) and IMS (2019-08-15) use cases
// on one set of records: users, groups and memberships, roles, custom
// policies with versions, the read-only system-policy catalogue, policy
// attachments, AccessKeys, login profiles, virtual MFA devices and the
// account-wide settings (password policy, security preference, alias).
//
// Every method works inside the store transaction it is given and names the
// caller's account explicitly; it validates its whole input before it writes
// anything, so a refused call leaves nothing behind. Errors are *apperr.Error
// values carrying the cloud's wire code; anything else is an internal
// failure. The package knows nothing about HTTP or SQL.
package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/keyring"
)

// TimeLayout is how every date goes on the wire (always UTC).
const TimeLayout = "2006-01-02T15:04:05Z"

// FormatTime renders t for the wire; the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// Service holds what the use cases need besides a transaction.
type Service struct {
	// ring seals the secrets the server must recover: TOTP seeds here,
	// AccessKey secrets through internal/credentials.
	ring *keyring.Keyring
	// reservedWriter may write CloudSSO's reserved roles and policies
	// (ReservedWriter).
	reservedWriter bool
}

// New builds the service.
func New(ring *keyring.Keyring) *Service {
	return &Service{ring: ring}
}
