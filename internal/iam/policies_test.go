package iam

import (
	"fmt"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

func allowDoc(action string) string {
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

func TestMalformedPolicyIsNotStored(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	for doc, code := range map[string]string{
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*"}]}`: "MalformedPolicyDocument", // no Resource
		`{"Version":"2","Statement":[]}`:                                    "MalformedPolicyDocument",
		`not json`:                                                          "MalformedPolicyDocument",
		strings.Repeat(" ", MaxPolicyDocumentLength+1):                      "InvalidParameter.PolicyDocument.Length",
	} {
		wantCode(t, e.do(func(tx store.Tx) error {
			_, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: "p", Document: doc}, e.now)
			return err
		}), code)
	}
	e.read(func(tx store.Tx) error {
		_, _, err := e.svc.GetPolicy(tx, acct, PolicyTypeCustom, "p")
		wantCode(t, err, "EntityNotExist.Policy")
		n, err := tx.Records().Count(store.Query{AccountID: acct, Kind: policyVersions.Kind})
		if err != nil || n != 0 {
			t.Fatalf("%d versions left behind (%v)", n, err)
		}
		return nil
	})
	wantCode(t, e.do(func(tx store.Tx) error {
		_, err := e.svc.CreateRole(tx, acct, NewRole{Name: "r", TrustPolicy: allowDoc("sts:AssumeRole")}, e.now)
		return err
	}), "MalformedPolicyDocument") // a trust policy needs Principal, not Resource
}

func TestPolicyVersions(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.write(func(tx store.Tx) error {
		_, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: "versions", Document: allowDoc("ram:GetUser")}, e.now)
		return err
	})
	create := func(setDefault bool, rotate string) (*PolicyVersion, error) {
		var v *PolicyVersion
		err := e.do(func(tx store.Tx) (err error) {
			v, err = e.svc.CreatePolicyVersion(tx, acct, "versions", allowDoc("ram:ListUsers"), setDefault, rotate, e.now)
			return err
		})
		return v, err
	}
	for i := 2; i <= MaxPolicyVersions; i++ {
		v, err := create(i == 3, "")
		if err != nil || v.ID != fmt.Sprintf("v%d", i) {
			t.Fatalf("version %d: %+v %v", i, v, err)
		}
	}
	_, err := create(false, "")
	wantCode(t, err, "LimitExceeded.Policy.Version")
	_, err = create(false, "Sometimes")
	wantCode(t, err, "InvalidParameter.RotateStrategy")
	// Rotation drops v1 (the oldest that is not the default v3).
	v, err := create(false, RotateDeleteOldest)
	if err != nil || v.ID != "v6" {
		t.Fatalf("rotated version: %+v %v", v, err)
	}
	e.read(func(tx store.Tx) error {
		vs, err := e.svc.ListPolicyVersions(tx, acct, PolicyTypeCustom, "versions")
		if err != nil {
			return err
		}
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.ID)
			if v.IsDefault != (v.ID == "v3") {
				t.Errorf("%s IsDefault=%v", v.ID, v.IsDefault)
			}
		}
		if strings.Join(ids, ",") != "v2,v3,v4,v5,v6" {
			t.Fatalf("versions %v", ids)
		}
		return nil
	})
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeletePolicyVersion(tx, acct, "versions", "v3") }),
		"DeleteConflict.Policy.Version.Default")
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeletePolicyVersion(tx, acct, "versions", "v1") }),
		"EntityNotExist.Policy.Version")
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeletePolicy(tx, acct, "versions") }),
		"DeleteConflict.Policy.Version")
	for _, id := range []string{"v2", "v4", "v5", "v6"} {
		e.write(func(tx store.Tx) error { return e.svc.DeletePolicyVersion(tx, acct, "versions", id) })
	}
	// Ids are never reused: the next version is v7 although v2..v6 are gone.
	v, err = create(false, "")
	if err != nil || v.ID != "v7" {
		t.Fatalf("version after deletions: %+v %v", v, err)
	}
}

func TestIdentityPoliciesFollowDefaultVersionAndGroups(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "dave")
	e.write(func(tx store.Tx) error {
		if _, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: "mine", Document: allowDoc("ram:GetUser")}, e.now); err != nil {
			return err
		}
		if _, err := e.svc.CreateGroup(tx, acct, NewGroup{Name: "readers"}, e.now); err != nil {
			return err
		}
		if err := e.svc.AddUserToGroup(tx, acct, "dave", "readers", e.now); err != nil {
			return err
		}
		if err := e.svc.AttachPolicy(tx, acct, PrincipalGroup, "readers", PolicyTypeSystem, "ReadOnlyAccess", e.now); err != nil {
			return err
		}
		return e.svc.AttachPolicy(tx, acct, PrincipalUser, "dave", PolicyTypeCustom, "mine", e.now)
	})
	p := &model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "dave"}
	keys := func() map[string]string {
		out := map[string]string{}
		e.read(func(tx store.Tx) error {
			docs, err := e.svc.IdentityPolicies(tx, p)
			for _, d := range docs {
				out[d.Key] = d.Document
			}
			return err
		})
		return out
	}
	before := keys()
	if len(before) != 2 || before["System/ReadOnlyAccess/v1"] == "" {
		t.Fatalf("policies %v", before)
	}
	e.write(func(tx store.Tx) error {
		_, err := e.svc.CreatePolicyVersion(tx, acct, "mine", allowDoc("ram:DeleteUser"), true, "", e.now)
		return err
	})
	after := keys()
	for k, doc := range after {
		if strings.HasPrefix(k, "Custom/") {
			if _, same := before[k]; same || !strings.Contains(doc, "ram:DeleteUser") {
				t.Fatalf("new default version served as %s: %s", k, doc)
			}
		}
	}
	if err := e.do(func(tx store.Tx) error {
		return e.svc.AttachPolicy(tx, acct, PrincipalUser, "dave", PolicyTypeCustom, "mine", e.now)
	}); err == nil {
		t.Fatal("attached twice")
	}
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeletePolicy(tx, acct, "mine") }), "DeleteConflict.Policy.User")
	e.read(func(tx store.Tx) error {
		p, _, err := e.svc.GetPolicy(tx, acct, PolicyTypeSystem, "ReadOnlyAccess")
		if err != nil || p.AttachmentCount != 1 {
			t.Fatalf("system policy attachment count %+v %v", p, err)
		}
		ents, err := e.svc.ListEntitiesForPolicy(tx, acct, PolicyTypeSystem, "ReadOnlyAccess")
		if err != nil || len(ents.Groups) != 1 || ents.Groups[0].Entity.Name != "readers" || len(ents.Users) != 0 {
			t.Fatalf("entities %+v %v", ents, err)
		}
		return nil
	})
}

func TestAttachmentLimits(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.write(func(tx store.Tx) error {
		_, err := e.svc.CreateRole(tx, acct, NewRole{Name: "r",
			TrustPolicy: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + acct + `:root"]}}]}`}, e.now)
		if err != nil {
			return err
		}
		for i := 0; i <= MaxCustomPoliciesPerPrincipal; i++ {
			if _, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: fmt.Sprintf("p%d", i), Document: allowDoc("ram:GetUser")}, e.now); err != nil {
				return err
			}
		}
		for i := 0; i < MaxCustomPoliciesPerPrincipal; i++ {
			if err := e.svc.AttachPolicy(tx, acct, PrincipalRole, "r", PolicyTypeCustom, fmt.Sprintf("p%d", i), e.now); err != nil {
				return err
			}
		}
		return nil
	})
	wantCode(t, e.do(func(tx store.Tx) error {
		return e.svc.AttachPolicy(tx, acct, PrincipalRole, "r", PolicyTypeCustom, fmt.Sprintf("p%d", MaxCustomPoliciesPerPrincipal), e.now)
	}), "LimitExceeded.Role.Policy")
	// System policies count separately.
	wantCode(t, e.do(func(tx store.Tx) error {
		return e.svc.AttachPolicy(tx, acct, PrincipalRole, "r", PolicyTypeSystem, "AdministratorAccess", e.now)
	}), "")
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteRole(tx, acct, "r") }), "DeleteConflict.Role.Policy")
	wantCode(t, e.do(func(tx store.Tx) error {
		return e.svc.DetachPolicy(tx, acct, PrincipalRole, "r", PolicyTypeSystem, "ReadOnlyAccess")
	}), "EntityNotExist.Role.Policy")
}

func TestListPoliciesPagesSystemThenCustom(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.write(func(tx store.Tx) error {
		for i := 0; i < 4; i++ {
			if _, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: fmt.Sprintf("custom-%d", i), Document: allowDoc("ram:GetUser")}, e.now); err != nil {
				return err
			}
		}
		return nil
	})
	three := 3
	for _, typ := range []string{"", PolicyTypeSystem, PolicyTypeCustom} {
		seen := map[string]int{}
		req := PageRequest{MaxItems: &three}
		for {
			var page Page[Policy]
			e.read(func(tx store.Tx) (err error) {
				page, err = e.svc.ListPolicies(tx, acct, typ, req)
				return err
			})
			for _, p := range page.Items {
				seen[p.Type+"/"+p.Name]++
			}
			if !page.IsTruncated {
				break
			}
			req.Marker = page.Marker
		}
		want := 0
		if typ != PolicyTypeCustom {
			want += len(systemCatalogue)
		}
		if typ != PolicyTypeSystem {
			want += 4
		}
		if len(seen) != want {
			t.Fatalf("type %q: listed %d policies; want %d", typ, len(seen), want)
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("type %q: %s listed %d times", typ, k, n)
			}
		}
	}
}

// The identity layer serves a principal by its user id, as it does a role
// session by its role id: the principal of a deleted user (a console
// session, say) never inherits the policies of a new user that took its
// name.
func TestIdentityLayerServesTheUserThePrincipalNames(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	old := e.createUser(acct, "erin")
	e.write(func(tx store.Tx) error { return e.svc.DeleteUser(tx, acct, "erin") })
	renewed := e.createUser(acct, "Erin")
	e.write(func(tx store.Tx) error {
		return e.svc.AttachPolicy(tx, acct, PrincipalUser, "Erin", PolicyTypeSystem, "AdministratorAccess", e.now)
	})
	layer := e.svc.IdentityLayer()
	for _, c := range []struct {
		p    *model.Principal
		want int
	}{
		{&model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "erin", UserID: old.ID}, 0},
		{&model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "Erin", UserID: old.ID}, 0},
		{&model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "Erin", UserID: renewed.ID}, 1},
	} {
		e.read(func(tx store.Tx) error {
			docs, err := layer.Policies(tx, c.p)
			if len(docs) != c.want {
				t.Errorf("%s (id %s): %d policies; want %d", c.p.UserName, c.p.UserID, len(docs), c.want)
			}
			return err
		})
	}
}
