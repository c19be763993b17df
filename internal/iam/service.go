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
	"sync/atomic"
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
	// A page of 100 users renders 300 dates, mostly the ones the page
	// before rendered: a small table of recent seconds answers most of
	// them (a tenth of a ListUsers call otherwise). A second names one
	// rendering, since the layout has no fraction.
	sec := t.Unix()
	slot := &formatted[uint64(sec)%uint64(len(formatted))]
	if f := slot.Load(); f != nil && f.sec == sec {
		return f.text
	}
	text := formatTime(t)
	slot.Store(&formattedTime{sec: sec, text: text})
	return text
}

type formattedTime struct {
	sec  int64
	text string
}

var formatted [4096]atomic.Pointer[formattedTime]

func formatTime(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(TimeLayout)
	}
	// TimeLayout by hand: Format parses its layout on every call, a tenth
	// of a ListUsers page's CPU (three times per user).
	hour, minute, second := t.Clock()
	var b [20]byte
	put := func(at, v, digits int) {
		for i := at + digits - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, second, 2)
	b[19] = 'Z'
	return string(b[:])
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
