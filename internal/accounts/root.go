package accounts

import (
	"sync"

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
		return codeSignInRefused.New("The account name or password is wrong, or the root user of this account cannot sign in with a password. " +
			"A member of a resource directory is reached through its RAM users or the role the management account assumes.")
	}
	return nil
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
