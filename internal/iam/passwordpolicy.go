package iam

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/store"
)

// PasswordPolicy is the account's rule set for RAM-user console passwords.
// RAM calls the expiry flag HardExpiry and IMS HardExpire; both map to
// HardExpire here. MaxLoginAttempts is MaxLoginAttemps on the wire (sic).
type PasswordPolicy struct {
	MinimumPasswordLength             int
	RequireLowercaseCharacters        bool
	RequireUppercaseCharacters        bool
	RequireNumbers                    bool
	RequireSymbols                    bool
	HardExpire                        bool
	MaxPasswordAge                    int // days, 0 = never expires
	PasswordReusePrevention           int // previous passwords refused, 0 = off
	MaxLoginAttempts                  int // failed logons per hour, 0 = unlimited
	MinimumPasswordDifferentCharacter int // IMS only
	PasswordNotContainUserName        bool
}

// Ranges of the password policy parameters (security.md a.2).
const (
	MinPasswordLengthLow  = 8
	MinPasswordLengthHigh = 32
	MaxPasswordAgeDays    = 1095
	MaxReusePrevention    = 24
	MaxLoginAttemptsLimit = 32
	MaxDifferentChars     = 8
)

// DefaultPasswordPolicy is the policy of an account that never set one
// (the cloud's API defaults).
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinimumPasswordLength: MinPasswordLengthLow}
}

// PasswordPolicyUpdate carries SetPasswordPolicy's parameters; nil leaves
// the current value. Keeping unsent values (rather than resetting them)
// means a RAM call cannot silently weaken what IMS set, e.g.
// PasswordNotContainUserName, which RAM has no parameter for.
type PasswordPolicyUpdate struct {
	MinimumPasswordLength             *int
	RequireLowercaseCharacters        *bool
	RequireUppercaseCharacters        *bool
	RequireNumbers                    *bool
	RequireSymbols                    *bool
	HardExpire                        *bool
	MaxPasswordAge                    *int
	PasswordReusePrevention           *int
	MaxLoginAttempts                  *int
	MinimumPasswordDifferentCharacter *int
	PasswordNotContainUserName        *bool
}

func (u *PasswordPolicyUpdate) validate() error {
	checks := []struct {
		param    string
		v        *int
		min, max int
	}{
		{"MinimumPasswordLength", u.MinimumPasswordLength, MinPasswordLengthLow, MinPasswordLengthHigh},
		{"MaxPasswordAge", u.MaxPasswordAge, 0, MaxPasswordAgeDays},
		{"PasswordReusePrevention", u.PasswordReusePrevention, 0, MaxReusePrevention},
		{"MaxLoginAttemps", u.MaxLoginAttempts, 0, MaxLoginAttemptsLimit},
		{"MinimumPasswordDifferentCharacter", u.MinimumPasswordDifferentCharacter, 0, MaxDifferentChars},
	}
	for _, c := range checks {
		if c.v != nil {
			if err := checkRange(c.param, *c.v, c.min, c.max); err != nil {
				return err
			}
		}
	}
	return nil
}

func (u *PasswordPolicyUpdate) apply(p *PasswordPolicy) {
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setBool := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setInt(&p.MinimumPasswordLength, u.MinimumPasswordLength)
	setBool(&p.RequireLowercaseCharacters, u.RequireLowercaseCharacters)
	setBool(&p.RequireUppercaseCharacters, u.RequireUppercaseCharacters)
	setBool(&p.RequireNumbers, u.RequireNumbers)
	setBool(&p.RequireSymbols, u.RequireSymbols)
	setBool(&p.HardExpire, u.HardExpire)
	setInt(&p.MaxPasswordAge, u.MaxPasswordAge)
	setInt(&p.PasswordReusePrevention, u.PasswordReusePrevention)
	setInt(&p.MaxLoginAttempts, u.MaxLoginAttempts)
	setInt(&p.MinimumPasswordDifferentCharacter, u.MinimumPasswordDifferentCharacter)
	setBool(&p.PasswordNotContainUserName, u.PasswordNotContainUserName)
}

// GetPasswordPolicy returns the account's password policy.
func (s *Service) GetPasswordPolicy(tx store.Tx, accountID string) (*PasswordPolicy, error) {
	p := DefaultPasswordPolicy()
	if _, err := passwordPolicySetting.load(tx, accountID, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// SetPasswordPolicy changes the password policy and returns it.
func (s *Service) SetPasswordPolicy(tx store.Tx, accountID string, up PasswordPolicyUpdate, now time.Time) (*PasswordPolicy, error) {
	if err := up.validate(); err != nil {
		return nil, err
	}
	p, err := s.GetPasswordPolicy(tx, accountID)
	if err != nil {
		return nil, err
	}
	up.apply(p)
	return p, passwordPolicySetting.save(tx, accountID, p, now)
}

// Check reports why pw does not satisfy the policy for userName, as
// InvalidParameter.<param>.TooWeak; nil when it does.
func (p *PasswordPolicy) Check(param, pw, userName string) error {
	weak := func(format string, args ...any) error {
		return invalid(param, "TooWeak", "The parameter %s is not compliant with the password policy: "+format, append([]any{param}, args...)...)
	}
	if len(pw) > password.MaxLength {
		return invalid(param, "Length", "The parameter %s must be at most %d bytes long.", param, password.MaxLength)
	}
	if !utf8.ValidString(pw) {
		return weak("it is not valid UTF-8 text.")
	}
	if n := utf8.RuneCountInString(pw); n < p.MinimumPasswordLength {
		return weak("it must have at least %d characters.", p.MinimumPasswordLength)
	}
	var lower, upper, digit, symbol bool
	distinct := map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsControl(r):
			return weak("it must not contain control characters.")
		default:
			symbol = true
		}
	}
	switch {
	case p.RequireLowercaseCharacters && !lower:
		return weak("it must contain a lower-case letter.")
	case p.RequireUppercaseCharacters && !upper:
		return weak("it must contain an upper-case letter.")
	case p.RequireNumbers && !digit:
		return weak("it must contain a digit.")
	case p.RequireSymbols && !symbol:
		return weak("it must contain a symbol.")
	case len(distinct) < p.MinimumPasswordDifferentCharacter:
		return weak("it must contain at least %d different characters.", p.MinimumPasswordDifferentCharacter)
	case p.PasswordNotContainUserName && userName != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(userName)):
		return weak("it must not contain the user name.")
	}
	return nil
}
