package iam

import (
	"crypto/rand"
	"math/big"
	"time"

	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Login profile statuses (IMS): Inactive turns console logon off without
// forgetting the password.
const (
	LoginActive   = "Active"
	LoginInactive = "Inactive"
)

// LoginProfile is a user's console-logon setting as the API shows it.
type LoginProfile struct {
	UserName              string
	Status                string
	PasswordResetRequired bool
	MFABindRequired       bool
	Created               time.Time
	Updated               time.Time
	LastLogin             time.Time
}

// loginProfileRecord is stored under the user id. Only argon2id hashes are
// kept: the current one and, for PasswordReusePrevention, earlier ones
// (newest first, at most MaxReusePrevention).
type loginProfileRecord struct {
	PasswordHash          string
	History               []string `json:",omitempty"`
	Status                string
	PasswordResetRequired bool
	MFABindRequired       bool
	PasswordChanged       time.Time
	Created               time.Time
	Updated               time.Time
	LastLogin             time.Time `json:",omitzero"`
	// Console sign-in failures (signin.go): how many since FailedSince,
	// and the end of the lock MaxLoginAttempts failures impose.
	FailedLogins int       `json:",omitempty"`
	FailedSince  time.Time `json:",omitzero"`
	LockedUntil  time.Time `json:",omitzero"`
}

func (r *loginProfileRecord) view(userName string) *LoginProfile {
	return &LoginProfile{UserName: userName, Status: r.Status, PasswordResetRequired: r.PasswordResetRequired,
		MFABindRequired: r.MFABindRequired, Created: r.Created, Updated: r.Updated, LastLogin: r.LastLogin}
}

// setPassword replaces the password hash, remembering the old one.
func (r *loginProfileRecord) setPassword(hash string, now time.Time) {
	if r.PasswordHash != "" {
		r.History = append([]string{r.PasswordHash}, r.History...)
		if len(r.History) > MaxReusePrevention {
			r.History = r.History[:MaxReusePrevention]
		}
	}
	r.PasswordHash, r.PasswordChanged = hash, now
}

// NewLoginProfile is the input of CreateLoginProfile.
type NewLoginProfile struct {
	Password              string
	GeneratePassword      bool // IMS GenerateRandomPassword: the password is returned once
	PasswordResetRequired bool
	MFABindRequired       bool
	Status                string // "" = Active
}

// choosePassword validates the requested password, or generates one,
// against the account's policy; it returns the plain password to hash.
func (s *Service) choosePassword(tx store.Tx, accountID, userName, pw string, generate bool) (plain string, generated bool, err error) {
	pol, err := s.GetPasswordPolicy(tx, accountID)
	if err != nil {
		return "", false, err
	}
	if pw == "" {
		if !generate {
			return "", false, missingParameter.Of("Password").New("The parameter Password is required (or set GenerateRandomPassword=true).")
		}
		return randomPassword(pol, userName), true, nil
	}
	return pw, false, pol.Check("Password", pw, userName)
}

// CreateLoginProfile enables console logon for a user. The plain password
// is never stored or logged; generated is the generated password, if any.
func (s *Service) CreateLoginProfile(tx store.Tx, accountID, userName string, n NewLoginProfile, now time.Time) (p *LoginProfile, generated string, err error) {
	status := n.Status
	if status == "" {
		status = LoginActive
	}
	if err := checkEnum("Status", status, LoginActive, LoginInactive); err != nil {
		return nil, "", err
	}
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return nil, "", err
	}
	if exists, err := loginProfiles.Exists(tx, accountID, u.ID); err != nil {
		return nil, "", err
	} else if exists {
		return nil, "", alreadyExists("User.LoginProfile", "The user %q already has a login profile.", userName)
	}
	plain, gen, err := s.choosePassword(tx, accountID, u.Name, n.Password, n.GeneratePassword)
	if err != nil {
		return nil, "", err
	}
	hash, err := password.Hash(plain)
	if err != nil {
		return nil, "", err
	}
	r := &loginProfileRecord{Status: status, PasswordResetRequired: n.PasswordResetRequired,
		MFABindRequired: n.MFABindRequired, Created: now, Updated: now}
	r.setPassword(hash, now)
	if err := loginProfiles.Insert(tx, accountID, u.ID, "", r, now); err != nil {
		if isConflict(err) {
			return nil, "", alreadyExists("User.LoginProfile", "The user %q already has a login profile.", userName)
		}
		return nil, "", err
	}
	if gen {
		generated = plain
	}
	return r.view(u.Name), generated, nil
}

func loginProfileOf(tx store.Tx, accountID string, u *User) (*loginProfileRecord, store.Record, error) {
	r, rec, err := loginProfiles.Get(tx, accountID, u.ID)
	if isNotFound(err) {
		return nil, rec, notExist("User.LoginProfile", "The user %q has no login profile.", u.Name)
	}
	return r, rec, err
}

// GetLoginProfile returns a user's login profile.
func (s *Service) GetLoginProfile(tx store.Tx, accountID, userName string) (*LoginProfile, error) {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return nil, err
	}
	r, _, err := loginProfileOf(tx, accountID, u)
	if err != nil {
		return nil, err
	}
	return r.view(u.Name), nil
}

// LoginProfileUpdate carries UpdateLoginProfile's parameters; "" and nil
// leave a field unchanged.
type LoginProfileUpdate struct {
	Password              string
	GeneratePassword      bool
	PasswordResetRequired *bool
	MFABindRequired       *bool
	Status                string
}

// UpdateLoginProfile resets the password (an administrator's reset: the
// policy applies, reuse prevention does not) and/or changes the flags.
func (s *Service) UpdateLoginProfile(tx store.Tx, accountID, userName string, up LoginProfileUpdate, now time.Time) (p *LoginProfile, generated string, err error) {
	if up.Status != "" {
		if err := checkEnum("Status", up.Status, LoginActive, LoginInactive); err != nil {
			return nil, "", err
		}
	}
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return nil, "", err
	}
	r, rec, err := loginProfileOf(tx, accountID, u)
	if err != nil {
		return nil, "", err
	}
	if up.Password != "" || up.GeneratePassword {
		plain, gen, err := s.choosePassword(tx, accountID, u.Name, up.Password, up.GeneratePassword)
		if err != nil {
			return nil, "", err
		}
		hash, err := password.Hash(plain)
		if err != nil {
			return nil, "", err
		}
		r.setPassword(hash, now)
		if gen {
			generated = plain
		}
	}
	if up.PasswordResetRequired != nil {
		r.PasswordResetRequired = *up.PasswordResetRequired
	}
	if up.MFABindRequired != nil {
		r.MFABindRequired = *up.MFABindRequired
	}
	if up.Status != "" {
		r.Status = up.Status
	}
	r.Updated = now
	return r.view(u.Name), generated, loginProfiles.Update(tx, rec, r, now)
}

// DeleteLoginProfile turns console logon off for good.
func (s *Service) DeleteLoginProfile(tx store.Tx, accountID, userName string) error {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return err
	}
	err = loginProfiles.Delete(tx, accountID, u.ID)
	if isNotFound(err) {
		return notExist("User.LoginProfile", "The user %q has no login profile.", userName)
	}
	return err
}

// ChangePassword lets a RAM user change its own console password.
func (s *Service) ChangePassword(tx store.Tx, caller *model.Principal, oldPassword, newPassword string, now time.Time) error {
	if caller.Kind != model.RAMUser {
		return codeNotSupportRoot.New("Only a RAM user can change its own password with ChangePassword.")
	}
	pref, err := s.GetSecurityPreference(tx, caller.AccountID)
	if err != nil {
		return err
	}
	if !pref.AllowUserToChangePassword {
		return codeNoPermission.New("RAM users may not change their own passwords in this account (security preference AllowUserToChangePassword is off).")
	}
	return s.changePassword(tx, caller.AccountID, caller.UserName, oldPassword, newPassword, now)
}

// changePassword replaces a user's password after checking the old one,
// the policy and reuse; it clears PasswordResetRequired.
func (s *Service) changePassword(tx store.Tx, accountID, userName, oldPassword, newPassword string, now time.Time) error {
	u, _, err := userRecord(tx, accountID, userName)
	if err != nil {
		return err
	}
	r, rec, err := loginProfileOf(tx, accountID, u)
	if err != nil {
		return err
	}
	if ok, err := password.Verify(r.PasswordHash, oldPassword); err != nil {
		return err
	} else if !ok {
		return invalid("OldPassword", "Incorrect", "The parameter OldPassword is not the current password.")
	}
	pol, err := s.GetPasswordPolicy(tx, accountID)
	if err != nil {
		return err
	}
	if err := pol.Check("NewPassword", newPassword, u.Name); err != nil {
		return err
	}
	if err := checkReuse(r, pol.PasswordReusePrevention, newPassword); err != nil {
		return err
	}
	hash, err := password.Hash(newPassword)
	if err != nil {
		return err
	}
	r.setPassword(hash, now)
	r.PasswordResetRequired, r.Updated = false, now
	return loginProfiles.Update(tx, rec, r, now)
}

// checkReuse refuses the current password and the previous n-1 ones when
// the policy remembers n passwords.
func checkReuse(r *loginProfileRecord, n int, pw string) error {
	if n == 0 {
		return nil
	}
	recent := append([]string{r.PasswordHash}, r.History...)
	if len(recent) > n {
		recent = recent[:n]
	}
	for _, h := range recent {
		if ok, err := password.Verify(h, pw); err != nil {
			return err
		} else if ok {
			return invalid("NewPassword", "ReusePrevention", "The parameter NewPassword was used recently; the policy refuses the last %d passwords.", n)
		}
	}
	return nil
}

// randomPassword draws a password that satisfies pol for userName: at
// least 16 characters (more if the policy asks) mixing every class.
func randomPassword(pol *PasswordPolicy, userName string) string {
	const (
		lower  = "abcdefghijkmnopqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		symbol = "!@#$%^&*()-_=+"
	)
	length := max(16, pol.MinimumPasswordLength, pol.MinimumPasswordDifferentCharacter)
	classes := []string{lower, upper, digits, symbol}
	all := lower + upper + digits + symbol
	for {
		out := make([]byte, length)
		for i := range out {
			set := all
			if i < len(classes) {
				set = classes[i] // one of each class first
			}
			out[i] = set[randIndex(len(set))]
		}
		for i := len(out) - 1; i > 0; i-- { // shuffle the class prefix away
			j := randIndex(i + 1)
			out[i], out[j] = out[j], out[i]
		}
		if pol.Check("Password", string(out), userName) == nil {
			return string(out)
		}
	}
}

func randIndex(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}

// GeneratePassword draws a random password that pol accepts for userName
// (CloudSSO's ResetUserPassword with GenerateRandomPassword).
func GeneratePassword(pol *PasswordPolicy, userName string) string {
	return randomPassword(pol, userName)
}
