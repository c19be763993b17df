package iam

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// LockDuration is how long MaxLoginAttempts failed console logons within
// an hour lock a RAM user out.
const LockDuration = time.Hour

// UserSignIn is a RAM user's console logon that passed its password step:
// what must still happen before the console opens.
type UserSignIn struct {
	Principal model.Principal
	// MustChangePassword: PasswordResetRequired, or a password older than
	// MaxPasswordAge without HardExpiry.
	MustChangePassword bool
	// MustBindMFA: MFABindRequired (or MFA mandatory for logons) and no
	// device bound yet. MFABound: a device is bound; its code is asked.
	MustBindMFA bool
	MFABound    bool
	// SessionHours is the account's LoginSessionDuration.
	SessionHours int
	// State identifies the login profile the session was opened with:
	// sessions end when it changes (LoginState).
	State LoginState
}

// LoginState is what a console session of a RAM user depends on: the
// user (a user deleted and re-created under the same name is another
// user) and the password it signed in with.
type LoginState struct {
	UserID          string
	PasswordChanged time.Time
}

// signInRefused is the one answer to a failed password step: it tells
// neither whether the user exists nor whether it is locked.
func signInRefused() *apperr.Error {
	return codeSignInFailed.New("The logon name or password is wrong, or the user is locked for an hour after too many failed logons.")
}

// SignInUser checks a RAM user's console password (the logon's password
// step) at now from ip. A wrong password is counted against the login
// profile and, at the policy's MaxLoginAttempts within an hour, locks the
// user for LockDuration: that refusal is returned through
// apperr.KeepWrites, so the caller's transaction must commit it. Every
// refusal of the password step is the same (no user enumeration) and costs
// one argon2 verification. The checks that need the right password
// (disabled logon, hard expiry, network masks) say what is wrong.
func (s *Service) SignInUser(tx store.Tx, accountID, userName, pw string, now time.Time, ip netip.Addr) (*UserSignIn, error) {
	u, _, err := userRecord(tx, accountID, userName)
	if isNotExist(err) {
		password.Verify(dummyHash(), pw)
		return nil, signInRefused()
	}
	if err != nil {
		return nil, err
	}
	r, rec, err := loginProfileOf(tx, accountID, u)
	if isNotExist(err) {
		password.Verify(dummyHash(), pw)
		return nil, signInRefused()
	}
	if err != nil {
		return nil, err
	}
	pol, err := s.GetPasswordPolicy(tx, accountID)
	if err != nil {
		return nil, err
	}
	match, err := password.Verify(r.PasswordHash, pw)
	if err != nil {
		return nil, err
	}
	if now.Before(r.LockedUntil) {
		return nil, signInRefused() // even the right password, until the lock ends
	}
	if !match {
		if pol.MaxLoginAttempts == 0 {
			return nil, signInRefused()
		}
		if r.FailedLogins == 0 || now.Sub(r.FailedSince) >= time.Hour {
			r.FailedLogins, r.FailedSince = 0, now
		}
		r.FailedLogins++
		if r.FailedLogins >= pol.MaxLoginAttempts {
			r.LockedUntil, r.FailedLogins = now.Add(LockDuration), 0
		}
		if err := loginProfiles.Update(tx, rec, r, now); err != nil {
			return nil, err
		}
		return nil, apperr.KeepWrites(signInRefused())
	}
	if r.Status != LoginActive {
		return nil, codeLogonDisabled.New("Console logon is disabled for this user. Ask an administrator of the account to enable it.")
	}
	expired := pol.MaxPasswordAge > 0 && !now.Before(r.PasswordChanged.AddDate(0, 0, pol.MaxPasswordAge))
	if expired && pol.HardExpire {
		return nil, codePasswordExpired.New("The password has expired and the password policy forbids logging on with it (HardExpiry). Ask an administrator of the account to reset it.")
	}
	pref, err := s.GetSecurityPreference(tx, accountID)
	if err != nil {
		return nil, err
	}
	if !allowedFrom(pref.LoginNetworkMasks, ip) {
		return nil, codeNetworkRefused.New("Logging on from %s is not allowed: the account accepts console logons only from %s.", ip, pref.LoginNetworkMasks)
	}
	_, _, bindErr := userBinding(tx, accountID, u)
	bound := bindErr == nil
	if bindErr != nil && !isNotExist(bindErr) {
		return nil, bindErr
	}
	r.FailedLogins, r.FailedSince, r.LastLogin = 0, time.Time{}, now
	if err := loginProfiles.Update(tx, rec, r, now); err != nil {
		return nil, err
	}
	return &UserSignIn{
		Principal:          model.Principal{Kind: model.RAMUser, AccountID: accountID, UserName: u.Name, UserID: u.ID},
		MustChangePassword: r.PasswordResetRequired || expired,
		MustBindMFA:        !bound && (r.MFABindRequired || pref.MFAOperationForLogin == MFALoginMandatory),
		MFABound:           bound,
		SessionHours:       pref.LoginSessionDuration,
		State:              LoginState{UserID: u.ID, PasswordChanged: r.PasswordChanged},
	}, nil
}

// allowedFrom reports whether ip is inside one of the ";"-separated CIDRs
// (none: anywhere).
func allowedFrom(masks string, ip netip.Addr) bool {
	if strings.TrimSpace(masks) == "" {
		return true
	}
	for _, m := range strings.Split(masks, ";") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if !strings.Contains(m, "/") {
			if a, err := netip.ParseAddr(m); err == nil && a == ip {
				return true
			}
			continue
		}
		if p, err := netip.ParsePrefix(m); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

// CurrentLoginState reads what a user's console session depends on;
// ok is false when the user or its login profile is gone or disabled.
func (s *Service) CurrentLoginState(tx store.Tx, accountID, userName string) (state LoginState, ok bool, err error) {
	u, _, err := userRecord(tx, accountID, userName)
	if isNotExist(err) {
		return state, false, nil
	}
	if err != nil {
		return state, false, err
	}
	r, _, err := loginProfileOf(tx, accountID, u)
	if isNotExist(err) {
		return state, false, nil
	}
	if err != nil {
		return state, false, err
	}
	return LoginState{UserID: u.ID, PasswordChanged: r.PasswordChanged}, r.Status == LoginActive, nil
}

// ChangePasswordAtSignIn is the forced password change of a logon
// (PasswordResetRequired or an expired password): it is not self-service,
// so the security preference AllowUserToChangePassword does not stop it.
func (s *Service) ChangePasswordAtSignIn(tx store.Tx, accountID, userName, oldPassword, newPassword string, now time.Time) (LoginState, error) {
	if err := s.changePassword(tx, accountID, userName, oldPassword, newPassword, now); err != nil {
		return LoginState{}, err
	}
	state, _, err := s.CurrentLoginState(tx, accountID, userName)
	return state, err
}

// StartMFABinding creates the virtual MFA device a logon binds (named
// after the user and the time, so that an abandoned attempt never blocks
// the next one) and returns it with its seed and QR code.
func (s *Service) StartMFABinding(tx store.Tx, caller *model.Principal, now time.Time) (*VirtualMFADevice, error) {
	name := fmt.Sprintf("%s-%d", caller.UserName, now.UnixNano()%1e12)
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	return s.CreateVirtualMFADevice(tx, caller, name, false, now)
}

// PendingMFASecret shows again the seed and the otpauth URL of a device
// that is not bound yet (the logon's binding page, reloaded); a bound
// device's seed is never shown again.
func (s *Service) PendingMFASecret(tx store.Tx, accountID, serial string) (seed, otpURL string, err error) {
	d, _, err := deviceBySerial(tx, accountID, serial)
	if err != nil {
		return "", "", err
	}
	if d.UserID != "" {
		return "", "", alreadyExists("VirtualMFADevice.User", "The virtual MFA device %q is already bound to a user.", serial)
	}
	if seed, err = s.openSeed(accountID, d); err != nil {
		return "", "", err
	}
	domain, err := s.DefaultDomain(tx, accountID)
	if err != nil {
		return "", "", err
	}
	v := url.Values{"secret": {seed}, "issuer": {mfaIssuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + mfaIssuer + ":" + d.Name + "@" + domain, RawQuery: v.Encode()}
	if _, err := otp.NewKeyFromURL(u.String()); err != nil {
		return "", "", err
	}
	return seed, u.String(), nil
}

// dummyHash is verified against when a user has no password, so that the
// refusal costs what a wrong password costs.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash("no such user: a dummy to verify against")
	if err != nil {
		panic("iam: hash a dummy password: " + err.Error())
	}
	return h
})
