package cloudsso

import (
	"net/netip"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/store"
)

// The user portal's sign-in rules (reference 8.2): the source address
// against LoginNetworkMasks, the user's password with the lockout of the
// password policy, an Enabled user, the forced change after an admin reset
// or an expired password, and whether MFA is asked. The portal (an HTTP
// front) only asks and records.

// PortalSessionDuration is how long a portal session lasts (fixed: 8 h).
const PortalSessionDuration = 8 * time.Hour

// PortalSignIn is what a correct password opens.
type PortalSignIn struct {
	User *User
	// MustChangePassword: the admin's reset asked for it, or the password
	// is older than MaxPasswordAge (HardExpire is false: change, not block).
	MustChangePassword bool
	MFARequired        bool
	MFABound           bool // the user has a device (else: bind one first)
	// Fingerprint names the password the session signed in with; a reset
	// or change makes it differ, which ends the session.
	Fingerprint string
}

// PortalFingerprint names a user's current password.
func PortalFingerprint(userID string, cred *Credential) string {
	if cred == nil {
		return "sso:" + userID + ":none"
	}
	return "sso:" + userID + ":" + cred.PasswordChanged.UTC().Format(time.RFC3339Nano)
}

// Locked says whether too many failures lock the credential at now.
func (c *Credential) Locked(now time.Time) bool { return now.Before(c.LockedUntil) }

// recordFailure counts a wrong password under the policy: at
// MaxLoginAttempts failures (0: unlimited) the credential is locked for
// LockoutDuration and the count starts again.
func (c *Credential) recordFailure(p PasswordPolicy, now time.Time) {
	if p.MaxLoginAttempts == 0 {
		return
	}
	c.FailedLogins++
	if c.FailedLogins >= p.MaxLoginAttempts {
		c.FailedLogins, c.LockedUntil = 0, now.Add(LockoutDuration)
	}
}

// dummyHash is verified against when there is no user or password, so
// that the answer takes as long as for a real one.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash("canopy-portal-no-such-user")
	if err != nil {
		panic(err)
	}
	return h
})

func signInRefused() error {
	return codeSignInFailed.New("The user name or password is wrong, or the user is locked for an hour after too many failed logons.")
}

// PortalSignIn checks a user's password at the portal of d from addr. A
// wrong password is counted (apperr.KeepWrites: the count commits with
// the refusal's event).
func (s *Service) PortalSignIn(tx store.Tx, d *Directory, name, pw string, addr netip.Addr, now time.Time) (*PortalSignIn, error) {
	if !d.Login.AllowsAddress(addr) {
		return nil, codeNetworkRefused.New("Signing in from %s is not allowed: the directory accepts portal sign-ins only from %s.", addr, d.Login.LoginNetworkMasks)
	}
	if d.SSOEnabled {
		return nil, codeSSOEnabled.New("The directory signs users in through an external identity provider.")
	}
	u, err := s.UserByName(tx, d, name)
	if codeNoUser.Is(err) || len(name) > MaxUserName {
		password.Verify(dummyHash(), pw)
		return nil, signInRefused()
	}
	if err != nil {
		return nil, err
	}
	cred, rec, err := credentialOf(tx, d, u.ID)
	if err != nil {
		return nil, err
	}
	if cred == nil || cred.PasswordHash == "" {
		password.Verify(dummyHash(), pw)
		return nil, signInRefused()
	}
	match, err := password.Verify(cred.PasswordHash, pw)
	if err != nil {
		return nil, err
	}
	if cred.Locked(now) {
		return nil, signInRefused() // even the right password, until the lock ends
	}
	if !match {
		cred.recordFailure(d.PasswordPolicy, now)
		if err := credentials.Update(tx, rec, cred, now); err != nil {
			return nil, err
		}
		return nil, apperr.KeepWrites(apperr.As(signInRefused()))
	}
	if u.Status != Enabled {
		return nil, codeUserDisabled.New("The user %s is disabled. Ask an administrator of the directory to enable it.", u.Name)
	}
	if cred.FailedLogins > 0 {
		cred.FailedLogins = 0
		if err := credentials.Update(tx, rec, cred, now); err != nil {
			return nil, err
		}
	}
	age := d.PasswordPolicy.MaxPasswordAge
	expired := age > 0 && !now.Before(cred.PasswordChanged.AddDate(0, 0, age))
	devices, err := s.MFADevicesOf(tx, d, u.ID)
	if err != nil {
		return nil, err
	}
	return &PortalSignIn{User: u, MustChangePassword: cred.ResetRequired || expired, MFARequired: MFARequired(d, u),
		MFABound: len(devices) > 0, Fingerprint: PortalFingerprint(u.ID, cred)}, nil
}

// PortalChangePassword is the user's own change at sign-in: the current
// password, then the new one against the policy (reuse included). It
// returns the new fingerprint.
func (s *Service) PortalChangePassword(tx store.Tx, d *Directory, userID, old, pw string, now time.Time) (string, error) {
	u, _, err := userByID(tx, d, userID)
	if err != nil {
		return "", err
	}
	cred, rec, err := credentialOf(tx, d, u.ID)
	if err != nil {
		return "", err
	}
	if cred == nil {
		return "", codeOldPassword.New("The user has no password: ask an administrator to reset it.")
	}
	if ok, err := password.Verify(cred.PasswordHash, old); err != nil {
		return "", err
	} else if !ok {
		return "", codeOldPassword.New("The current password is wrong.")
	}
	if err := d.CheckPassword(u, cred, pw); err != nil {
		return "", err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return "", err
	}
	if err := setPassword(tx, d, u.ID, cred, rec, hash, false, now); err != nil {
		return "", err
	}
	return PortalFingerprint(u.ID, cred), nil
}

// PortalUser is what every request of a portal session re-reads: the
// directory (by id: a rename keeps sessions), the user, and the
// fingerprint of its current password. A deleted directory or user is
// EntityNotExists.
func (s *Service) PortalUser(tx store.Tx, accountID, directoryID, userID string) (*Directory, *User, string, error) {
	d, u, err := s.User(tx, accountID, directoryID, userID)
	if err != nil {
		return nil, nil, "", err
	}
	cred, _, err := credentialOf(tx, d, u.ID)
	if err != nil {
		return nil, nil, "", err
	}
	return d, u, PortalFingerprint(u.ID, cred), nil
}

// PortalAccessTo is the one assignment a portal request uses: the pair
// (account, configuration) as PortalAccessFor lists it for the user, or
// EntityNotExists.AccessAssignment when it is no longer assigned (and
// EntityNotExists.AccessConfigurationProvisioning while not provisioned).
func (s *Service) PortalAccessTo(tx store.Tx, d *Directory, userID, accountID, acID string) (*PortalAccess, error) {
	all, err := s.PortalAccessFor(tx, d, userID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].AccountID != accountID || all[i].AccessConfigurationID != acID {
			continue
		}
		if !all[i].Provisioned {
			return nil, codeNoProvisioning.New("The access configuration %s is not provisioned in the account %s yet: ask an administrator to provision it.", acID, accountID)
		}
		return &all[i], nil
	}
	return nil, codeNoAccessAssignment.New("The access configuration %q is not (or no longer) assigned to you on the account %q.", clip(acID), clip(accountID))
}

// CheckCredentialsAllowed refuses CLI/SDK credentials unless the login
// preference allows them.
func (d *Directory) CheckCredentialsAllowed() error {
	if !d.Login.AllowUserToGetCredentials {
		return codeCredentialsNotAllowed.New("The directory does not let its users get STS credentials for the CLI or SDKs (AllowUserToGetCredentials is off).")
	}
	return nil
}
