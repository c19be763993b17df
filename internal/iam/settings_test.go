package iam

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

func TestAliasIsUniqueAcrossAccountsAndNamesTheDomain(t *testing.T) {
	e := newEnv(t)
	a, b := e.account(), e.account()
	set := func(acct, alias string) error {
		return e.do(func(tx store.Tx) error { return e.svc.SetAccountAlias(tx, acct, alias, e.now) })
	}
	e.read(func(tx store.Tx) error {
		alias, err := e.svc.GetAccountAlias(tx, a)
		if err != nil || alias != a {
			t.Fatalf("default alias %q %v; want the account id", alias, err)
		}
		return nil
	})
	wantCode(t, set(a, "acme"), "")
	wantCode(t, set(a, "acme"), "") // setting it again is harmless
	wantCode(t, set(b, "acme"), "EntityAlreadyExists.AccountAlias")
	wantCode(t, set(a, "acme-2"), "") // frees "acme"
	wantCode(t, set(b, "acme"), "")
	e.read(func(tx store.Tx) error {
		d, err := e.svc.DefaultDomain(tx, b)
		if err != nil || d != "acme.onaliyun.com" {
			t.Fatalf("domain %q %v", d, err)
		}
		owner, err := e.svc.AccountByAlias(tx, "acme-2")
		if err != nil || owner != a {
			t.Fatalf("AccountByAlias = %s %v; want %s", owner, err, a)
		}
		for upn, code := range map[string]string{
			"alice@acme.onaliyun.com":   "",
			"alice@" + b + DomainSuffix: "",
			"alice@acme-2.onaliyun.com": "InvalidParameter.UserPrincipalName.Format",
			"alice":                     "InvalidParameter.UserPrincipalName.Format",
			"al ice@acme.onaliyun.com":  "InvalidParameter.UserPrincipalName.InvalidChars",
		} {
			name, err := e.svc.UserNameFromPrincipal(tx, b, "UserPrincipalName", upn)
			wantCode(t, err, code)
			if code == "" && name != "alice" {
				t.Fatalf("%s -> %q", upn, name)
			}
		}
		return nil
	})
	e.write(func(tx store.Tx) error {
		d, err := e.svc.SetDefaultDomain(tx, b, b+DomainSuffix, e.now) // back to the id
		if err != nil || d != b+DomainSuffix {
			t.Fatalf("SetDefaultDomain = %q %v", d, err)
		}
		return nil
	})
	wantCode(t, set(a, "acme"), "") // released by SetDefaultDomain
	wantCode(t, e.do(func(tx store.Tx) error {
		_, err := e.svc.SetDefaultDomain(tx, a, "acme.example.com", e.now)
		return err
	}), "InvalidParameter.DefaultDomainName.Format")
}

func TestSettingsKeepUnsentValues(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	yes, twelve, ten := true, 12, 10
	e.write(func(tx store.Tx) error {
		_, err := e.svc.SetPasswordPolicy(tx, acct, PasswordPolicyUpdate{PasswordNotContainUserName: &yes, MinimumPasswordLength: &twelve}, e.now)
		return err
	})
	e.write(func(tx store.Tx) error {
		p, err := e.svc.SetPasswordPolicy(tx, acct, PasswordPolicyUpdate{MaxPasswordAge: &ten}, e.now)
		if err == nil && (!p.PasswordNotContainUserName || p.MinimumPasswordLength != 12 || p.MaxPasswordAge != 10) {
			t.Fatalf("policy %+v", p)
		}
		return err
	})
	e.read(func(tx store.Tx) error {
		pref, err := e.svc.GetSecurityPreference(tx, acct)
		if err != nil || !pref.AllowUserToChangePassword || pref.AllowUserToManageAccessKeys || pref.LoginSessionDuration != 6 {
			t.Fatalf("default preference %+v %v", pref, err)
		}
		return nil
	})
	enforce := true
	e.write(func(tx store.Tx) error {
		p, err := e.svc.SetSecurityPreference(tx, acct, SecurityPreferenceUpdate{EnforceMFAForLogin: &enforce}, e.now)
		if err == nil && p.MFAOperationForLogin != MFALoginMandatory {
			t.Fatalf("EnforceMFAForLogin did not map: %+v", p)
		}
		return err
	})
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "erin")
	two := 2
	e.write(func(tx store.Tx) error {
		if _, err := e.svc.SetPasswordPolicy(tx, acct, PasswordPolicyUpdate{PasswordReusePrevention: &two}, e.now); err != nil {
			return err
		}
		_, _, err := e.svc.CreateLoginProfile(tx, acct, "erin", NewLoginProfile{Password: "First-Passw0rd", PasswordResetRequired: true}, e.now)
		return err
	})
	me := &model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "erin"}
	change := func(p *model.Principal, old, new string) error {
		return e.do(func(tx store.Tx) error { return e.svc.ChangePassword(tx, p, old, new, e.now) })
	}
	wantCode(t, change(root(acct), "x", "Whatever-Passw0rd"), "NotSupport.Account")
	wantCode(t, change(me, "wrong", "Second-Passw0rd"), "InvalidParameter.OldPassword.Incorrect")
	wantCode(t, change(me, "First-Passw0rd", "short"), "InvalidParameter.NewPassword.TooWeak")
	wantCode(t, change(me, "First-Passw0rd", "First-Passw0rd"), "InvalidParameter.NewPassword.ReusePrevention")
	wantCode(t, change(me, "First-Passw0rd", "Second-Passw0rd"), "")
	wantCode(t, change(me, "Second-Passw0rd", "First-Passw0rd"), "InvalidParameter.NewPassword.ReusePrevention")
	wantCode(t, change(me, "Second-Passw0rd", "Third-Passw0rd"), "")
	wantCode(t, change(me, "Third-Passw0rd", "First-Passw0rd"), "") // only the last two are remembered
	e.read(func(tx store.Tx) error {
		p, err := e.svc.GetLoginProfile(tx, acct, "erin")
		if err != nil || p.PasswordResetRequired {
			t.Fatalf("a changed password still requires a reset: %+v %v", p, err)
		}
		u, _ := e.svc.GetUser(tx, acct, "erin")
		rec, _, err := loginProfiles.Get(tx, acct, u.ID)
		if err != nil {
			return err
		}
		for _, h := range append([]string{rec.PasswordHash}, rec.History...) {
			if len(h) < 10 || h[:9] != "$argon2id" {
				t.Fatalf("stored password is not an argon2id hash: %q", h)
			}
		}
		return nil
	})
	off := false
	e.write(func(tx store.Tx) error {
		_, err := e.svc.SetSecurityPreference(tx, acct, SecurityPreferenceUpdate{AllowUserToChangePassword: &off}, e.now)
		return err
	})
	wantCode(t, change(me, "First-Passw0rd", "Fourth-Passw0rd"), "NoPermission")
}
