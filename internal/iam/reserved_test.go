package iam

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
)

// The roles and policies CloudSSO provisions (AliyunReservedSSO-*) can be
// written only through ReservedWriter: every RAM write to them, in any
// case of the name, is refused with NoPermission.ReservedEntity, and
// reads still work.
func TestReservedEntitiesRefuseOtherWriters(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	sso := e.svc.ReservedWriter()
	const role, pol = "AliyunReservedSSO-Dev", "AliyunReservedSSO-Dev-InlinePolicy"
	trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Federated":["acs:ram::` + acct +
		`:saml-provider/AliyunReservedSSO-d-abc"]}}],"Version":"1"}`
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`
	e.write(func(tx store.Tx) error {
		if _, err := sso.CreateRole(tx, acct, NewRole{Name: role, TrustPolicy: trust}, e.now); err != nil {
			return err
		}
		if _, err := sso.CreatePolicy(tx, acct, NewPolicy{Name: pol, Document: doc}, e.now); err != nil {
			return err
		}
		if err := sso.AttachPolicy(tx, acct, PrincipalRole, role, PolicyTypeCustom, pol, e.now); err != nil {
			return err
		}
		return sso.AttachPolicy(tx, acct, PrincipalRole, role, PolicyTypeSystem, "ReadOnlyAccess", e.now)
	})
	e.createUser(acct, "admin")
	wide := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::` + acct + `:root"]}}],"Version":"1"}`
	const code = "NoPermission.ReservedEntity"
	for name, write := range map[string]func(tx store.Tx) error{
		"CreateRole": func(tx store.Tx) error {
			_, err := e.svc.CreateRole(tx, acct, NewRole{Name: "aliyunreservedsso-Other", TrustPolicy: wide}, e.now)
			return err
		},
		"UpdateRole trust": func(tx store.Tx) error {
			_, err := e.svc.UpdateRole(tx, acct, "ALIYUNRESERVEDSSO-dev", RoleUpdate{NewTrustPolicy: wide}, e.now)
			return err
		},
		"DeleteRole": func(tx store.Tx) error { return e.svc.DeleteRole(tx, acct, role) },
		"AttachPolicy to the role": func(tx store.Tx) error {
			return e.svc.AttachPolicy(tx, acct, PrincipalRole, role, PolicyTypeSystem, "AdministratorAccess", e.now)
		},
		"DetachPolicy from the role": func(tx store.Tx) error {
			return e.svc.DetachPolicy(tx, acct, PrincipalRole, role, PolicyTypeSystem, "ReadOnlyAccess")
		},
		"AttachPolicy of the reserved policy to a user": func(tx store.Tx) error {
			return e.svc.AttachPolicy(tx, acct, PrincipalUser, "admin", PolicyTypeCustom, pol, e.now)
		},
		"CreatePolicy": func(tx store.Tx) error {
			_, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: "AliyunReservedSSO-Other-InlinePolicy", Document: doc}, e.now)
			return err
		},
		"CreatePolicyVersion": func(tx store.Tx) error {
			_, err := e.svc.CreatePolicyVersion(tx, acct, pol, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, true, "", e.now)
			return err
		},
		"DeletePolicyVersion":     func(tx store.Tx) error { return e.svc.DeletePolicyVersion(tx, acct, pol, "v1") },
		"SetDefaultPolicyVersion": func(tx store.Tx) error { return e.svc.SetDefaultPolicyVersion(tx, acct, pol, "v1", e.now) },
		"UpdatePolicyDescription": func(tx store.Tx) error {
			_, err := e.svc.UpdatePolicyDescription(tx, acct, pol, "mine now", e.now)
			return err
		},
		"DeletePolicy": func(tx store.Tx) error { return e.svc.DeletePolicy(tx, acct, pol) },
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, e.do(write), code) })
	}
	e.read(func(tx store.Tx) error {
		r, err := e.svc.GetRole(tx, acct, role)
		if err != nil {
			return err
		}
		if r.TrustPolicy != trust {
			t.Errorf("trust policy changed to %s", r.TrustPolicy)
		}
		attached, err := e.svc.ListPoliciesFor(tx, acct, PrincipalRole, role)
		if err != nil {
			return err
		}
		if len(attached) != 2 {
			t.Errorf("the role has %d policies attached; want 2", len(attached))
		}
		return nil
	})
	// The provisioner removes them again.
	e.write(func(tx store.Tx) error {
		for _, p := range []struct{ typ, name string }{{PolicyTypeCustom, pol}, {PolicyTypeSystem, "ReadOnlyAccess"}} {
			if err := sso.DetachPolicy(tx, acct, PrincipalRole, role, p.typ, p.name); err != nil {
				return err
			}
		}
		if err := sso.DeletePolicy(tx, acct, pol); err != nil {
			return err
		}
		return sso.DeleteRole(tx, acct, role)
	})
	// Other names are untouched by the rule.
	e.write(func(tx store.Tx) error {
		_, err := e.svc.CreateRole(tx, acct, NewRole{Name: "AliyunReservedSS", TrustPolicy: wide}, e.now)
		return err
	})
}
