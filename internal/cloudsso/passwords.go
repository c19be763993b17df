package cloudsso

import (
	"errors"
	"time"

	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/store"
)

// PasswordReset is the input of ResetUserPassword.
type PasswordReset struct {
	Password string
	Generate bool
	// RequireResetAtNextLogin makes the portal ask for a new password at
	// the user's next sign-in.
	RequireResetAtNextLogin bool
}

// Password policy bounds (SetPasswordPolicy).
const (
	MaxPasswordAgeDays   = 120
	MaxReusePrevention   = 24
	MaxLoginAttemptsCap  = 32
	MaxPasswordMinLength = MaxPasswordLength
	// LockoutDuration is how long MaxLoginAttempts failures lock a user.
	LockoutDuration = time.Hour
)

// ramPolicy is the directory's policy in the form iam checks and generates
// passwords for (one rule set for RAM and CloudSSO): all four character
// classes are always required.
func (p PasswordPolicy) ramPolicy() *iam.PasswordPolicy {
	return &iam.PasswordPolicy{MinimumPasswordLength: p.MinPasswordLength, RequireLowercaseCharacters: true,
		RequireUppercaseCharacters: true, RequireNumbers: true, RequireSymbols: true,
		MinimumPasswordDifferentCharacter: p.MinPasswordDifferentChars, PasswordNotContainUserName: p.PasswordNotContainUsername}
}

// CheckPassword checks a new password of user against the directory's
// policy, including its length cap and reuse prevention against cred.
func (d *Directory) CheckPassword(u *User, cred *Credential, pw string) error {
	if len([]rune(pw)) > MaxPasswordLength {
		return invalidParameter.Of("Password").New("The parameter Password must be at most %d characters long.", MaxPasswordLength)
	}
	if err := d.PasswordPolicy.ramPolicy().Check("Password", pw, u.Name); err != nil {
		return err
	}
	if cred == nil || d.PasswordPolicy.PasswordReusePrevention == 0 {
		return nil
	}
	recent := append([]string{cred.PasswordHash}, cred.History...)
	if len(recent) > d.PasswordPolicy.PasswordReusePrevention {
		recent = recent[:d.PasswordPolicy.PasswordReusePrevention]
	}
	for _, h := range recent {
		if h == "" {
			continue
		}
		if same, err := password.Verify(h, pw); err != nil {
			return err
		} else if same {
			return invalidParameter.Of("Password").New("The password was used recently: the policy refuses the last %d passwords.", d.PasswordPolicy.PasswordReusePrevention)
		}
	}
	return nil
}

// credentialOf returns a user's credential (nil when it has no password).
func credentialOf(tx store.Tx, d *Directory, userID string) (*Credential, store.Record, error) {
	c, rec, err := credentials.Get(tx, d.AccountID, scoped(d.ID, userID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, nil
	}
	return c, rec, err
}

// UserCredential returns a user's credential (nil when none was set), for
// the portal's sign-in.
func (s *Service) UserCredential(tx store.Tx, d *Directory, userID string) (*Credential, error) {
	c, _, err := credentialOf(tx, d, userID)
	return c, err
}

// SetCredential stores a user's new password hash and what goes with it,
// remembering the previous hash for reuse prevention.
func setPassword(tx store.Tx, d *Directory, userID string, cred *Credential, rec store.Record, hash string, requireReset bool, now time.Time) error {
	fresh := cred == nil
	if fresh {
		cred = &Credential{}
	} else if cred.PasswordHash != "" {
		cred.History = append([]string{cred.PasswordHash}, cred.History...)
		if len(cred.History) > MaxReusePrevention {
			cred.History = cred.History[:MaxReusePrevention]
		}
	}
	cred.PasswordHash, cred.PasswordChanged, cred.ResetRequired = hash, now, requireReset
	cred.FailedLogins, cred.LockedUntil = 0, time.Time{} // an admin reset unlocks
	if fresh {
		return credentials.Insert(tx, d.AccountID, scoped(d.ID, userID), "", cred, now)
	}
	return credentials.Update(tx, rec, cred, now)
}

// ResetUserPassword sets a user's password, or generates one; it returns
// the generated password ("" when the caller chose it). Refused while the
// directory signs users in through an external IdP.
func (s *Service) ResetUserPassword(tx store.Tx, accountID, directoryID, userID string, r PasswordReset, now time.Time) (string, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return "", err
	}
	u, _, err := userByID(tx, d, userID)
	if err != nil {
		return "", err
	}
	if d.SSOEnabled {
		return "", codeSSOEnabled.New("The directory signs users in through an external identity provider; passwords cannot be reset.")
	}
	cred, rec, err := credentialOf(tx, d, u.ID)
	if err != nil {
		return "", err
	}
	plain, generated := r.Password, ""
	switch {
	case r.Generate && r.Password != "":
		return "", invalidParameter.Of("Password").New("Give either Password or GenerateRandomPassword=true, not both.")
	case r.Generate:
		plain = iam.GeneratePassword(d.PasswordPolicy.ramPolicy(), u.Name)
		generated = plain
	case plain == "":
		return "", missingParameter.Of("Password").New("The parameter Password is required (or set GenerateRandomPassword=true).")
	default:
		if err := d.CheckPassword(u, cred, plain); err != nil {
			return "", err
		}
	}
	hash, err := password.Hash(plain)
	if err != nil {
		return "", err
	}
	return generated, setPassword(tx, d, u.ID, cred, rec, hash, r.RequireResetAtNextLogin, now)
}
