package iam

import (
	"net/netip"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// SecurityPreference holds the account-wide RAM-user settings of both API
// shapes: RAM's (PublicKeyPreference) and IMS's (MFA logon mode, risk logon,
// verification types, DingTalk, long-term logon).
type SecurityPreference struct {
	AllowUserToChangePassword         bool
	AllowUserToManageAccessKeys       bool
	AllowUserToManageMFADevices       bool
	AllowUserToManagePublicKeys       bool
	AllowUserToManagePersonalDingTalk bool
	AllowUserLongTermLogin            bool
	EnableSaveMFATicket               bool
	LoginSessionDuration              int    // hours
	LoginNetworkMasks                 string // ";"-separated CIDRs, "" = anywhere
	MFAOperationForLogin              string
	OperationForRiskLogin             string
	VerificationTypes                 []string
}

// Values of the enumerated preferences.
const (
	MFALoginMandatory   = "mandatory"
	MFALoginIndependent = "independent"
	MFALoginAdaptive    = "adaptive"
	RiskLoginAutonomous = "autonomous"
	RiskLoginEnforce    = "enforceVerify"
)

// Limits of the security preference (security.md a.3).
const (
	MinLoginSessionHours = 1
	MaxLoginSessionHours = 24
	MaxLoginNetworkMasks = 40
	MaxLoginMasksLength  = 512
)

// DefaultSecurityPreference is the preference of an account that never
// set one (the cloud's documented defaults).
func DefaultSecurityPreference() SecurityPreference {
	return SecurityPreference{AllowUserToChangePassword: true, AllowUserToManageMFADevices: true,
		LoginSessionDuration: 6, MFAOperationForLogin: MFALoginIndependent, OperationForRiskLogin: RiskLoginAutonomous,
		VerificationTypes: []string{}}
}

// EnforceMFAForLogin is the legacy IMS view of MFAOperationForLogin.
func (p *SecurityPreference) EnforceMFAForLogin() bool {
	return p.MFAOperationForLogin == MFALoginMandatory
}

// SecurityPreferenceUpdate carries SetSecurityPreference's parameters; nil
// leaves the current value.
type SecurityPreferenceUpdate struct {
	AllowUserToChangePassword         *bool
	AllowUserToManageAccessKeys       *bool
	AllowUserToManageMFADevices       *bool
	AllowUserToManagePublicKeys       *bool
	AllowUserToManagePersonalDingTalk *bool
	AllowUserLongTermLogin            *bool
	EnableSaveMFATicket               *bool
	EnforceMFAForLogin                *bool // legacy IMS switch
	LoginSessionDuration              *int
	LoginNetworkMasks                 *string
	MFAOperationForLogin              *string
	OperationForRiskLogin             *string
	VerificationTypes                 *[]string
}

func (u *SecurityPreferenceUpdate) validate() error {
	if u.LoginSessionDuration != nil {
		if err := checkRange("LoginSessionDuration", *u.LoginSessionDuration, MinLoginSessionHours, MaxLoginSessionHours); err != nil {
			return err
		}
	}
	if u.LoginNetworkMasks != nil {
		if err := checkNetworkMasks(*u.LoginNetworkMasks); err != nil {
			return err
		}
	}
	if u.MFAOperationForLogin != nil {
		if err := checkEnum("MFAOperationForLogin", *u.MFAOperationForLogin, MFALoginMandatory, MFALoginIndependent, MFALoginAdaptive); err != nil {
			return err
		}
	}
	if u.OperationForRiskLogin != nil {
		if err := checkEnum("OperationForRiskLogin", *u.OperationForRiskLogin, RiskLoginAutonomous, RiskLoginEnforce); err != nil {
			return err
		}
	}
	if u.VerificationTypes != nil {
		for _, t := range *u.VerificationTypes {
			if err := checkEnum("VerificationTypes", t, "sms", "email"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkNetworkMasks validates ";"-separated IP addresses or CIDR blocks.
func checkNetworkMasks(masks string) error {
	if masks == "" {
		return nil
	}
	if len(masks) > MaxLoginMasksLength {
		return invalid("LoginNetworkMasks", "Length", "The parameter LoginNetworkMasks must be at most %d characters.", MaxLoginMasksLength)
	}
	parts := strings.Split(masks, ";")
	if len(parts) > MaxLoginNetworkMasks {
		return invalid("LoginNetworkMasks", "", "The parameter LoginNetworkMasks may list at most %d masks; got %d.", MaxLoginNetworkMasks, len(parts))
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err == nil {
			continue
		}
		return invalid("LoginNetworkMasks", "", "The parameter LoginNetworkMasks holds %q, which is neither an IP address nor a CIDR block.", p)
	}
	return nil
}

func (u *SecurityPreferenceUpdate) apply(p *SecurityPreference) {
	for _, f := range []struct {
		dst *bool
		v   *bool
	}{
		{&p.AllowUserToChangePassword, u.AllowUserToChangePassword},
		{&p.AllowUserToManageAccessKeys, u.AllowUserToManageAccessKeys},
		{&p.AllowUserToManageMFADevices, u.AllowUserToManageMFADevices},
		{&p.AllowUserToManagePublicKeys, u.AllowUserToManagePublicKeys},
		{&p.AllowUserToManagePersonalDingTalk, u.AllowUserToManagePersonalDingTalk},
		{&p.AllowUserLongTermLogin, u.AllowUserLongTermLogin},
		{&p.EnableSaveMFATicket, u.EnableSaveMFATicket},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if u.EnforceMFAForLogin != nil {
		switch {
		case *u.EnforceMFAForLogin:
			p.MFAOperationForLogin = MFALoginMandatory
		case p.MFAOperationForLogin == MFALoginMandatory:
			p.MFAOperationForLogin = MFALoginIndependent
		}
	}
	if u.LoginSessionDuration != nil {
		p.LoginSessionDuration = *u.LoginSessionDuration
	}
	if u.LoginNetworkMasks != nil {
		p.LoginNetworkMasks = *u.LoginNetworkMasks
	}
	if u.MFAOperationForLogin != nil { // the explicit mode wins over the legacy switch
		p.MFAOperationForLogin = *u.MFAOperationForLogin
	}
	if u.OperationForRiskLogin != nil {
		p.OperationForRiskLogin = *u.OperationForRiskLogin
	}
	if u.VerificationTypes != nil {
		p.VerificationTypes = append([]string{}, *u.VerificationTypes...)
	}
}

// GetSecurityPreference returns the account's security preference.
func (s *Service) GetSecurityPreference(tx store.Tx, accountID string) (*SecurityPreference, error) {
	p := DefaultSecurityPreference()
	if _, err := securityPreferenceSetting.load(tx, accountID, &p); err != nil {
		return nil, err
	}
	if p.VerificationTypes == nil {
		p.VerificationTypes = []string{}
	}
	return &p, nil
}

// SetSecurityPreference changes the security preference and returns it.
func (s *Service) SetSecurityPreference(tx store.Tx, accountID string, up SecurityPreferenceUpdate, now time.Time) (*SecurityPreference, error) {
	if err := up.validate(); err != nil {
		return nil, err
	}
	p, err := s.GetSecurityPreference(tx, accountID)
	if err != nil {
		return nil, err
	}
	up.apply(p)
	return p, securityPreferenceSetting.save(tx, accountID, p, now)
}

// SelfService names what a security preference lets RAM users manage of
// their own without a policy.
type SelfService int

const (
	OwnPassword   SelfService = iota // AllowUserToChangePassword
	OwnAccessKeys                    // AllowUserToManageAccessKeys
	// OwnMFADevice (AllowUserToManageMFADevices) includes creating a
	// device for oneself, which CreateVirtualMFADevice caps when only
	// self-service allowed it.
	OwnMFADevice
)

// AllowsSelfService reports whether caller, a RAM user, acts on itself
// (userName "" or its own name, in any case, as lookups find it) and the
// account's security preference lets RAM users do that without a policy.
func (s *Service) AllowsSelfService(tx store.Tx, caller *model.Principal, userName string, what SelfService) (bool, error) {
	if caller.Kind != model.RAMUser || (userName != "" && lookupKey(userName) != lookupKey(caller.UserName)) {
		return false, nil
	}
	pref, err := s.GetSecurityPreference(tx, caller.AccountID)
	if err != nil {
		return false, err
	}
	switch what {
	case OwnPassword:
		return pref.AllowUserToChangePassword, nil
	case OwnAccessKeys:
		return pref.AllowUserToManageAccessKeys, nil
	case OwnMFADevice:
		return pref.AllowUserToManageMFADevices, nil
	}
	return false, nil
}
