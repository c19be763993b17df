package iam

import (
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
)

// wantCode asserts err is a wire error with code ("" = no error).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error; want %s", code)
	}
	if got := apperr.As(err).Code; got != code {
		t.Fatalf("code %s (%v); want %s", got, err, code)
	}
}

func TestNameRules(t *testing.T) {
	cases := []struct {
		param, value string
		rule         nameRule
		code         string
	}{
		{"UserName", "alice", userNameRule, ""},
		{"UserName", "a.b_c-d9", userNameRule, ""},
		{"UserName", strings.Repeat("u", 64), userNameRule, ""},
		{"UserName", strings.Repeat("u", 65), userNameRule, "InvalidParameter.UserName.Length"},
		{"UserName", "", userNameRule, "InvalidParameter.UserName.Length"},
		{"UserName", "al ice", userNameRule, "InvalidParameter.UserName.InvalidChars"},
		{"UserName", "alice@x", userNameRule, "InvalidParameter.UserName.InvalidChars"},
		{"UserName", "ålice", userNameRule, "InvalidParameter.UserName.InvalidChars"},
		{"UserName", "../etc", userNameRule, "InvalidParameter.UserName.InvalidChars"},
		{"GroupName", "dev_ops.team-1", groupNameRule, ""},
		{"RoleName", "ECSAdmin.v2-x", roleNameRule, ""},
		{"RoleName", "has_underscore", roleNameRule, "InvalidParameter.RoleName.InvalidChars"},
		{"PolicyName", strings.Repeat("p", 128), policyNameRule, ""},
		{"PolicyName", strings.Repeat("p", 129), policyNameRule, "InvalidParameter.PolicyName.Length"},
		{"PolicyName", "no.dots", policyNameRule, "InvalidParameter.PolicyName.InvalidChars"},
		{"VirtualMFADeviceName", "phone.1-a", mfaNameRule, ""},
		{"VirtualMFADeviceName", "phone_1", mfaNameRule, "InvalidParameter.VirtualMFADeviceName.InvalidChars"},
	}
	for _, c := range cases {
		t.Run(c.param+"/"+c.value, func(t *testing.T) { wantCode(t, checkName(c.param, c.value, c.rule), c.code) })
	}
}

func TestFreeTextRules(t *testing.T) {
	wantCode(t, CheckDisplayName("DisplayName", "Alice Smith", 128), "")
	wantCode(t, CheckDisplayName("DisplayName", "张三@dev.team_1-a", 128), "")
	wantCode(t, CheckDisplayName("DisplayName", strings.Repeat("d", 129), 128), "InvalidParameter.DisplayName.Length")
	wantCode(t, CheckDisplayName("DisplayName", strings.Repeat("d", 25), 24), "InvalidParameter.DisplayName.Length")
	wantCode(t, CheckDisplayName("NewDisplayName", "<script>", 128), "InvalidParameter.NewDisplayName.InvalidChars")
	wantCode(t, CheckDisplayName("DisplayName", "evil\u202etxt", 128), "InvalidParameter.DisplayName.InvalidChars")
	wantCode(t, checkLength("Comments", strings.Repeat("c", 128), maxComments), "")
	wantCode(t, checkLength("Comments", strings.Repeat("c", 129), maxComments), "InvalidParameter.Comments.Length")
	wantCode(t, checkLength("Description", "bad\x00byte", maxDescription), "InvalidParameter.Description.Length")
	wantCode(t, checkEmail("Email", "alice@example.com"), "")
	wantCode(t, checkEmail("Email", "Alice <alice@example.com>"), "InvalidParameter.Email.Format")
	wantCode(t, checkEmail("NewEmail", "not-an-address"), "InvalidParameter.NewEmail.Format")
	wantCode(t, checkMobile("MobilePhone", "86-13800000000"), "")
	wantCode(t, checkMobile("MobilePhone", "13800000000"), "InvalidParameter.MobilePhone.Format")
}

func TestAliasRules(t *testing.T) {
	cases := map[string]string{
		"my-company":            "",
		"abc":                   "",
		"ab":                    "InvalidParameter.AccountAlias.Length",
		strings.Repeat("a", 33): "InvalidParameter.AccountAlias.Length",
		"Upper":                 "InvalidParameter.AccountAlias.Format",
		"-lead":                 "InvalidParameter.AccountAlias.Format",
		"trail-":                "InvalidParameter.AccountAlias.Format",
		"dou--ble":              "InvalidParameter.AccountAlias.Format",
		"1234567890123456":      "InvalidParameter.AccountAlias.Format", // could be an account id
		"under_score":           "InvalidParameter.AccountAlias.Format",
	}
	for alias, code := range cases {
		t.Run(alias, func(t *testing.T) { wantCode(t, checkAlias("AccountAlias", alias), code) })
	}
}

func TestVersionIDs(t *testing.T) {
	for id, want := range map[string]int{"v1": 1, "v5": 5, "v123": 123} {
		n, err := parseVersionID(id)
		if err != nil || n != want {
			t.Errorf("parseVersionID(%q) = %d, %v; want %d", id, n, err, want)
		}
	}
	for _, bad := range []string{"", "v", "v0", "v01", "V1", "1", "v-1", "v1a", "v12345678"} {
		_, err := parseVersionID(bad)
		wantCode(t, err, "InvalidParameter.VersionId.Format")
	}
	if versionKey("P", 2) >= versionKey("p", 10) {
		t.Error("version keys must sort numerically and ignore the policy name's case")
	}
}

func TestPolicyTypeAndRanges(t *testing.T) {
	wantCode(t, checkPolicyType("System"), "")
	wantCode(t, checkPolicyType("Custom"), "")
	wantCode(t, checkPolicyType("custom"), "InvalidParameter.PolicyType")
	wantCode(t, checkSessionDuration("MaxSessionDuration", 3599), "InvalidParameter.MaxSessionDuration")
	wantCode(t, checkSessionDuration("MaxSessionDuration", 43200), "")
	wantCode(t, checkSessionDuration("NewMaxSessionDuration", 43201), "InvalidParameter.NewMaxSessionDuration")

	seven, thirtyThree, ok := 7, 33, 24
	up := PasswordPolicyUpdate{MinimumPasswordLength: &seven}
	wantCode(t, up.validate(), "InvalidParameter.MinimumPasswordLength.Range")
	up = PasswordPolicyUpdate{MaxLoginAttempts: &thirtyThree}
	wantCode(t, up.validate(), "InvalidParameter.MaxLoginAttemps.Range")
	up = PasswordPolicyUpdate{PasswordReusePrevention: &ok}
	wantCode(t, up.validate(), "")
}

func TestNetworkMasks(t *testing.T) {
	wantCode(t, checkNetworkMasks(""), "")
	wantCode(t, checkNetworkMasks("10.0.0.0/8;192.168.1.1"), "")
	wantCode(t, checkNetworkMasks("10.0.0.0/8;not-an-ip"), "InvalidParameter.LoginNetworkMasks")
	wantCode(t, checkNetworkMasks(strings.Repeat("1.1.1.1;", 41)+"1.1.1.1"), "InvalidParameter.LoginNetworkMasks")
}

func TestPasswordPolicyCheck(t *testing.T) {
	strict := PasswordPolicy{MinimumPasswordLength: 10, RequireLowercaseCharacters: true, RequireUppercaseCharacters: true,
		RequireNumbers: true, RequireSymbols: true, MinimumPasswordDifferentCharacter: 6, PasswordNotContainUserName: true}
	cases := []struct {
		pw, code string
	}{
		{"Good-Passw0rd", ""},
		{"Sh0rt-Pw", "InvalidParameter.Password.TooWeak"},
		{"no-upper-0000", "InvalidParameter.Password.TooWeak"},
		{"NO-LOWER-0000", "InvalidParameter.Password.TooWeak"},
		{"No-Digits-Here", "InvalidParameter.Password.TooWeak"},
		{"NoSymbols0000", "InvalidParameter.Password.TooWeak"},
		{"Aa1!Aa1!Aa1!", "InvalidParameter.Password.TooWeak"},   // 4 distinct characters
		{"Alice-Passw0rd", "InvalidParameter.Password.TooWeak"}, // contains the user name
		{strings.Repeat("Aa1!", 40), "InvalidParameter.Password.Length"},
	}
	for _, c := range cases {
		wantCode(t, strict.Check("Password", c.pw, "alice"), c.code)
	}
	def := DefaultPasswordPolicy()
	wantCode(t, def.Check("NewPassword", "eightch!", "bob"), "")
	wantCode(t, def.Check("NewPassword", "seven!!", "bob"), "InvalidParameter.NewPassword.TooWeak")
}

func TestRandomPasswordSatisfiesPolicy(t *testing.T) {
	pol := PasswordPolicy{MinimumPasswordLength: 32, RequireLowercaseCharacters: true, RequireUppercaseCharacters: true,
		RequireNumbers: true, RequireSymbols: true, MinimumPasswordDifferentCharacter: 8, PasswordNotContainUserName: true}
	for i := 0; i < 50; i++ {
		pw := randomPassword(&pol, "a")
		if err := pol.Check("Password", pw, "a"); err != nil {
			t.Fatalf("generated %q: %v", pw, err)
		}
	}
}
