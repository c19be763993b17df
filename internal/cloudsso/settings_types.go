package cloudsso

// MFA settings values (UpdateMFAAuthenticationSettings).
const (
	MFAEnabled        = "Enabled"
	MFAByUser         = "Byuser"
	MFADisabled       = "Disabled"
	MFAOnlyRiskyLogin = "OnlyRiskyLogin"

	RiskAutonomous    = "Autonomous"
	RiskEnforceVerify = "EnforceVerify"
)

// MFASettings is the directory's MFA policy for portal sign-in.
type MFASettings struct {
	Setting               string // Enabled | Byuser | Disabled | OnlyRiskyLogin
	OperationForRiskLogin string `json:",omitempty"` // Autonomous | EnforceVerify
}

// LoginPreference is what the portal allows at sign-in.
type LoginPreference struct {
	// LoginNetworkMasks are the IPv4 addresses or CIDR blocks portal
	// sign-in is allowed from, ';'-separated as on the wire; "" = anywhere.
	LoginNetworkMasks string `json:",omitempty"`
	// AllowUserToGetCredentials lets the portal hand out STS credentials.
	AllowUserToGetCredentials bool `json:",omitempty"`
}

// PasswordPolicy rules the passwords of the directory's users.
type PasswordPolicy struct {
	MinPasswordLength          int
	MinPasswordDifferentChars  int
	PasswordNotContainUsername bool
	MaxPasswordAge             int // days
	PasswordReusePrevention    int
	MaxLoginAttempts           int // 0 = unlimited; exceeding locks the user for LockoutDuration
}

// Fixed parts of the password policy (GetPasswordPolicy shows them; they
// cannot be set).
const (
	MaxPasswordLength = 32
	// HardExpire: an expired password must be changed at sign-in, not
	// block it.
	HardExpire = false
)

// defaultMFA is a new directory's MFA setting (the docs: username-password
// logon turns MFA on).
func defaultMFA() MFASettings {
	return MFASettings{Setting: MFAEnabled, OperationForRiskLogin: RiskAutonomous}
}

// defaultPasswordPolicy is a new directory's policy: length 8, all four
// character classes (always required), reuse 1, 5 attempts, 90 days (the
// reference's unverified defaults).
func defaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinPasswordLength: 8, MinPasswordDifferentChars: 0, PasswordNotContainUsername: true,
		MaxPasswordAge: 90, PasswordReusePrevention: 1, MaxLoginAttempts: 5}
}
