package cloudsso

import (
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// LoginPreferenceUpdate is the input of SetLoginPreference; nil fields
// stay as they are.
type LoginPreferenceUpdate struct {
	// LoginNetworkMasks: ';'-separated IPv4 addresses or CIDR blocks;
	// ";" alone clears them.
	LoginNetworkMasks         *string
	AllowUserToGetCredentials *bool
}

// GetLoginPreference returns the portal's sign-in preference.
func (s *Service) GetLoginPreference(tx store.Tx, accountID, directoryID string) (*LoginPreference, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	return &d.Login, nil
}

// normalizeMasks checks a mask list and returns it in canonical form.
func normalizeMasks(raw string) (string, error) {
	bad := invalidParameter.Of("LoginNetworkMasks")
	var out []string
	for _, m := range strings.Split(raw, ";") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if len(out) == MaxNetworkMasks {
			return "", bad.New("The parameter LoginNetworkMasks may hold at most %d entries.", MaxNetworkMasks)
		}
		p, err := parseMask(m)
		if err != nil {
			return "", bad.New("The entry %q of LoginNetworkMasks is not an IPv4 address or CIDR block.", clip(m))
		}
		out = append(out, p.String())
	}
	return strings.Join(out, ";"), nil
}

// parseMask reads an IPv4 address or CIDR block.
func parseMask(m string) (netip.Prefix, error) {
	if strings.Contains(m, "/") {
		p, err := netip.ParsePrefix(m)
		if err != nil || !p.Addr().Is4() {
			return netip.Prefix{}, errBadMask
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(m)
	if err != nil || !a.Is4() {
		return netip.Prefix{}, errBadMask
	}
	return netip.PrefixFrom(a, 32), nil
}

var errBadMask = errors.New("not an IPv4 address or CIDR block")

// AllowsAddress reports whether the preference lets addr sign in to the
// portal (no masks: anyone).
func (p *LoginPreference) AllowsAddress(addr netip.Addr) bool {
	if p.LoginNetworkMasks == "" {
		return true
	}
	for _, m := range strings.Split(p.LoginNetworkMasks, ";") {
		if pre, err := parseMask(m); err == nil && pre.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// SetLoginPreference changes the portal's sign-in preference.
func (s *Service) SetLoginPreference(tx store.Tx, accountID, directoryID string, up LoginPreferenceUpdate, now time.Time) error {
	var masks string
	if up.LoginNetworkMasks != nil {
		var err error
		if masks, err = normalizeMasks(*up.LoginNetworkMasks); err != nil {
			return err
		}
	}
	return s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		if up.LoginNetworkMasks != nil {
			d.Login.LoginNetworkMasks = masks
		}
		if up.AllowUserToGetCredentials != nil {
			d.Login.AllowUserToGetCredentials = *up.AllowUserToGetCredentials
		}
		return nil
	})
}

// PasswordPolicyUpdate is the input of SetPasswordPolicy; nil fields stay.
type PasswordPolicyUpdate struct {
	MinPasswordLength          *int
	MinPasswordDifferentChars  *int
	PasswordNotContainUsername *bool
	MaxPasswordAge             *int
	PasswordReusePrevention    *int
	MaxLoginAttempts           *int
}

// GetPasswordPolicy returns the directory's password policy.
func (s *Service) GetPasswordPolicy(tx store.Tx, accountID, directoryID string) (*PasswordPolicy, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	return &d.PasswordPolicy, nil
}

func checkRange(param string, v *int, min, max int) error {
	if v != nil && (*v < min || *v > max) {
		return invalidParameter.Of(param).New("The parameter %s must be %d to %d.", param, min, max)
	}
	return nil
}

// SetPasswordPolicy changes the password policy; passwords already set
// stay valid until they expire or are changed.
func (s *Service) SetPasswordPolicy(tx store.Tx, accountID, directoryID string, up PasswordPolicyUpdate, now time.Time) error {
	return s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		p := d.PasswordPolicy
		for _, c := range []struct {
			param    string
			v        *int
			min, max int
			dst      *int
		}{
			{"MinPasswordLength", up.MinPasswordLength, MinPasswordLength, MaxPasswordLength, &p.MinPasswordLength},
			{"MaxPasswordAge", up.MaxPasswordAge, 1, MaxPasswordAgeDays, &p.MaxPasswordAge},
			{"PasswordReusePrevention", up.PasswordReusePrevention, 0, MaxReusePrevention, &p.PasswordReusePrevention},
			{"MaxLoginAttempts", up.MaxLoginAttempts, 0, MaxLoginAttemptsCap, &p.MaxLoginAttempts},
		} {
			if err := checkRange(c.param, c.v, c.min, c.max); err != nil {
				return err
			}
			if c.v != nil {
				*c.dst = *c.v
			}
		}
		// Checked against the length in force after this call.
		if err := checkRange("MinPasswordDifferentChars", up.MinPasswordDifferentChars, 0, p.MinPasswordLength); err != nil {
			return err
		}
		if up.MinPasswordDifferentChars != nil {
			p.MinPasswordDifferentChars = *up.MinPasswordDifferentChars
		}
		if p.MinPasswordDifferentChars > p.MinPasswordLength {
			return invalidParameter.Of("MinPasswordDifferentChars").New("MinPasswordDifferentChars (%d) must not exceed MinPasswordLength (%d).", p.MinPasswordDifferentChars, p.MinPasswordLength)
		}
		if up.PasswordNotContainUsername != nil {
			p.PasswordNotContainUsername = *up.PasswordNotContainUsername
		}
		d.PasswordPolicy = p
		return nil
	})
}
