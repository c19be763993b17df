package iam

import (
	"testing"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// CanonicalResource names entities as stored, whatever case a call used,
// so authorization sees the resource name policies spell.
func TestCanonicalResource(t *testing.T) {
	e := newEnv(t)
	acct, other := e.account(), e.account()
	e.createUser(acct, "tom")
	e.createUser(other, "Zed")
	e.write(func(tx store.Tx) error {
		if _, err := e.svc.CreateGroup(tx, acct, NewGroup{Name: "Dev"}, e.now); err != nil {
			return err
		}
		if _, err := e.svc.CreateRole(tx, acct, NewRole{Name: "Deployer", TrustPolicy: trustRoot(acct)}, e.now); err != nil {
			return err
		}
		if _, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: "OwnKeys", Document: allowDoc("ram:*AccessKey*")}, e.now); err != nil {
			return err
		}
		_, err := e.svc.CreateVirtualMFADevice(tx, root(acct), "Tom-Phone", false, e.now)
		return err
	})
	cases := map[string]string{
		// Found in another case: the stored spelling.
		model.UserARN(acct, "TOM"):                                     model.UserARN(acct, "tom"),
		model.UserARN(acct, "tom"):                                     model.UserARN(acct, "tom"),
		model.GroupARN(acct, "dEV"):                                    model.GroupARN(acct, "Dev"),
		model.RoleARN(acct, "deployer"):                                model.RoleARN(acct, "Deployer"),
		model.PolicyARN(acct, PolicyTypeCustom, "ownkeys"):             model.PolicyARN(acct, PolicyTypeCustom, "OwnKeys"),
		model.PolicyARN(acct, PolicyTypeSystem, "administratoraccess"): model.PolicyARN(acct, PolicyTypeSystem, "AdministratorAccess"),
		model.MFAARN(acct, "TOM-PHONE"):                                model.MFAARN(acct, "Tom-Phone"),
		// In whichever account the ARN names.
		model.UserARN(other, "ZED"): model.UserARN(other, "Zed"),
		// Unchanged: missing entities, wildcards, other resources and
		// anything that is not a RAM entity name.
		model.UserARN(acct, "Nobody"):                           model.UserARN(acct, "Nobody"),
		model.PolicyARN(other, PolicyTypeCustom, "ownkeys"):     model.PolicyARN(other, PolicyTypeCustom, "ownkeys"),
		"acs:ram::12a4:user/TOM":                                "acs:ram::12a4:user/TOM",
		model.PolicyARN(acct, PolicyTypeSystem, "NoSuchPolicy"): model.PolicyARN(acct, PolicyTypeSystem, "NoSuchPolicy"),
		model.UserARN(acct, "*"):                                model.UserARN(acct, "*"),
		model.UserARN(acct, "TOM/extra"):                        model.UserARN(acct, "TOM/extra"),
		model.RootARN(acct):                                     model.RootARN(acct),
		model.AccountResource(acct):                             model.AccountResource(acct),
		"acs:ram::" + acct + ":user":                            "acs:ram::" + acct + ":user",
		"acs:ram::" + acct + ":user/":                           "acs:ram::" + acct + ":user/",
		"acs:ram::" + acct + ":users/TOM":                       "acs:ram::" + acct + ":users/TOM",
		"acs:ecs:*:" + acct + ":instance/TOM":                   "acs:ecs:*:" + acct + ":instance/TOM",
		"*":                                                     "*",
		"":                                                      "",
		"acs:ram::" + acct + ":user/\xff":                       "acs:ram::" + acct + ":user/\xff",
		"acs:ram::" + acct + "0:user/TOM":                       "acs:ram::" + acct + "0:user/TOM",
	}
	e.read(func(tx store.Tx) error {
		for in, want := range cases {
			got, err := e.svc.CanonicalResource(tx, in)
			if err != nil || got != want {
				t.Errorf("CanonicalResource(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
		// An ARN without an account names nothing to look up.
		got, err := e.svc.CanonicalResource(tx, model.UserARN("", "TOM"))
		if err != nil || got != model.UserARN("", "TOM") {
			t.Errorf("CanonicalResource without an account = %q, %v", got, err)
		}
		return nil
	})
}

// A read that can remember keeps a canonical spelling until the next write:
// the second read recalls it, and a rename shows at once.
func TestCanonicalResourceRemembered(t *testing.T) {
	e := newEnvWith(t, true)
	acct := e.account()
	e.createUser(acct, "tom")
	canonical := func(arn string) (string, bool) {
		var got string
		recalled := false
		e.read(func(tx store.Tx) error {
			memo, ok := tx.(store.Remembering)
			if !ok {
				t.Fatal("the SQLite store's reads should remember")
			}
			_, recalled = memo.Recall(canonicalKeyPrefix + arn)
			var err error
			got, err = e.svc.CanonicalResource(tx, arn)
			return err
		})
		return got, recalled
	}
	tom, tommy := model.UserARN(acct, "TOM"), model.UserARN(acct, "TOMMY")
	if got, recalled := canonical(tom); got != model.UserARN(acct, "tom") || recalled {
		t.Fatalf("first read: %q, recalled %v; want the stored spelling, looked up", got, recalled)
	}
	if got, recalled := canonical(tom); got != model.UserARN(acct, "tom") || !recalled {
		t.Fatalf("second read: %q, recalled %v; want the stored spelling, remembered", got, recalled)
	}
	e.write(func(tx store.Tx) error {
		_, err := e.svc.UpdateUser(tx, acct, "tom", UserUpdate{NewName: "Tommy"}, e.now)
		return err
	})
	if got, recalled := canonical(tom); got != tom || recalled {
		t.Errorf("after the rename, the old name: %q, recalled %v; want it unchanged (no such user)", got, recalled)
	}
	if got, _ := canonical(tommy); got != model.UserARN(acct, "Tommy") {
		t.Errorf("after the rename, the new name: %q", got)
	}
}
