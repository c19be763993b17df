package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/store"
)

// ValidMobile reports whether s is a security phone as accounts keep it:
// "<country code>-<number>", e.g. 86-13800000000.
func ValidMobile(s string) bool { return mobilePattern.MatchString(s) }

// RootSignIn decides a root user's password sign-in (for the console's
// sign-in page; the API signs with AccessKeys, which loadCredential checks
// with RootEnabled). It returns nil only when the root is enabled and pw is
// its password. Everything else is the same refusal with the same message,
// so the page reveals neither whether the account exists nor what it is: a
// disabled root (a resource account, a cloud account switched to one, a
// deleted account), a root without a password (a resource account switched
// back to a cloud account, a new management account: the owner sets one
// first), a wrong password. One argon2 verification runs in every case, so
// the time taken does not tell either.
func RootSignIn(a store.Account, pw string) error {
	hash := a.PasswordHash
	if hash == "" {
		hash = dummyHash()
	}
	match, err := password.Verify(hash, pw)
	if err != nil {
		return err // a stored hash we cannot read: an internal failure
	}
	if !match || a.PasswordHash == "" || !RootEnabled(a) {
		return rootSignInRefused()
	}
	return nil
}

// rootSignInRefused is the one refusal of a root sign-in, a lock included.
func rootSignInRefused() error {
	return codeSignInRefused.New("The account name or password is wrong, or the root user of this account cannot sign in with a password " +
		"(too many failed sign-ins lock it for an hour). " +
		"A member of a resource directory is reached through its RAM users or the role the management account assumes.")
}

// A root user's failed password sign-ins are limited as a RAM user's are
// (iam.SignInUser: MaxLoginAttemps failures within an hour lock it for an
// hour). The RAM password policy governs RAM users only, so the root's
// limit is fixed.
const (
	MaxRootSignInFailures = 5
	RootLockDuration      = time.Hour
)

// rootSignInState is the lockout's bookkeeping, kept in the account's Data
// under rootSignInKey.
type rootSignInState struct {
	Failed      int       `json:"failed,omitempty"`
	FailedSince time.Time `json:"failedSince,omitzero"`
	LockedUntil time.Time `json:"lockedUntil,omitzero"`
}

const rootSignInKey = "rootSignIn"

// RootSignInAt is RootSignIn with the lockout, at now: a wrong password of
// a root that can sign in is counted, and MaxRootSignInFailures of them
// within an hour lock it for RootLockDuration, during which even the right
// password gets the same refusal. It changes a.Data and reports whether a
// must be written back, also when it refuses: the count must commit with
// the refusal.
func RootSignInAt(a *store.Account, pw string, now time.Time) (write bool, err error) {
	fields := map[string]json.RawMessage{}
	if len(a.Data) > 0 {
		if err := json.Unmarshal(a.Data, &fields); err != nil {
			return false, fmt.Errorf("accounts: the data of account %s: %w", a.ID, err)
		}
	}
	var st rootSignInState
	if raw, ok := fields[rootSignInKey]; ok {
		if err := json.Unmarshal(raw, &st); err != nil {
			return false, fmt.Errorf("accounts: the sign-in state of account %s: %w", a.ID, err)
		}
	}
	refusal := RootSignIn(*a, pw)
	var e *apperr.Error
	if refusal != nil && (!errors.As(refusal, &e) || e.Kind == apperr.KindInternal) {
		return false, refusal
	}
	if now.Before(st.LockedUntil) {
		return false, rootSignInRefused()
	}
	switch {
	case refusal == nil:
		if st == (rootSignInState{}) {
			return false, nil
		}
		st = rootSignInState{}
	case a.PasswordHash == "" || !RootEnabled(*a):
		return false, refusal // nothing to protect: it cannot sign in anyway
	default:
		if st.Failed == 0 || now.Sub(st.FailedSince) >= time.Hour {
			st.Failed, st.FailedSince = 0, now
		}
		st.Failed++
		if st.Failed >= MaxRootSignInFailures {
			st = rootSignInState{LockedUntil: now.Add(RootLockDuration)}
		}
	}
	if st == (rootSignInState{}) {
		delete(fields, rootSignInKey)
	} else {
		raw, err := json.Marshal(st)
		if err != nil {
			return false, err
		}
		fields[rootSignInKey] = raw
	}
	data, err := json.Marshal(fields)
	if err != nil {
		return false, err
	}
	a.Data = data
	return true, refusal
}

// dummyHash is verified against when an account has no password, so that
// refusing it costs what refusing a wrong password costs.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash("no password: a dummy to verify against")
	if err != nil {
		panic("accounts: hash a dummy password: " + err.Error()) // crypto/rand failed
	}
	return h
})
