package iam

import (
	"fmt"
	"testing"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Names are unique regardless of case, and lookups follow the same rule:
// any spelling finds the entity, which keeps its stored spelling.
func TestNamesUniqueAndFoundIgnoringCase(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "Alice")
	wantCode(t, e.do(func(tx store.Tx) error {
		_, err := e.svc.CreateUser(tx, acct, NewUser{Name: "alice"}, e.now)
		return err
	}), "EntityAlreadyExists.User")
	e.write(func(tx store.Tx) error {
		if _, err := e.svc.CreateGroup(tx, acct, NewGroup{Name: "Dev-Team"}, e.now); err != nil {
			return err
		}
		if _, err := e.svc.CreateRole(tx, acct, NewRole{Name: "Auditor", TrustPolicy: trustRoot(acct)}, e.now); err != nil {
			return err
		}
		_, err := e.svc.CreatePolicy(tx, acct, NewPolicy{Name: "Read-Only-Custom", Document: allowDoc("ram:Get*")}, e.now)
		return err
	})
	e.read(func(tx store.Tx) error {
		for _, name := range []string{"Alice", "ALICE", "alice", "aLiCe"} {
			u, err := e.svc.GetUser(tx, acct, name)
			if err != nil || u.Name != "Alice" {
				t.Errorf("GetUser(%s) = %+v, %v", name, u, err)
			}
		}
		_, err := e.svc.GetUser(tx, acct, "Alicia")
		wantCode(t, err, "EntityNotExist.User")
		if g, err := e.svc.GetGroup(tx, acct, "DEV-TEAM"); err != nil || g.Name != "Dev-Team" {
			t.Errorf("GetGroup(DEV-TEAM) = %+v, %v", g, err)
		}
		if r, err := e.svc.GetRole(tx, acct, "auditor"); err != nil || r.Name != "Auditor" {
			t.Errorf("GetRole(auditor) = %+v, %v", r, err)
		}
		if p, _, err := e.svc.GetPolicy(tx, acct, PolicyTypeCustom, "read-only-custom"); err != nil || p.Name != "Read-Only-Custom" {
			t.Errorf("GetPolicy(read-only-custom) = %+v, %v", p, err)
		}
		if p, _, err := e.svc.GetPolicy(tx, acct, PolicyTypeSystem, "readonlyaccess"); err != nil || p.Name != "ReadOnlyAccess" {
			t.Errorf("GetPolicy(System, readonlyaccess) = %+v, %v", p, err)
		}
		return nil
	})
	// Writes that name an entity in another case act on it and store its
	// spelling, never the one given.
	e.write(func(tx store.Tx) error {
		if err := e.svc.AddUserToGroup(tx, acct, "ALICE", "dev-team", e.now); err != nil {
			return err
		}
		return e.svc.AttachPolicy(tx, acct, PrincipalUser, "alice", PolicyTypeSystem, "readonlyaccess", e.now)
	})
	e.read(func(tx store.Tx) error {
		gs, err := e.svc.ListGroupsForUser(tx, acct, "alice")
		if err != nil || len(gs) != 1 || gs[0].Group.Name != "Dev-Team" {
			t.Errorf("ListGroupsForUser = %+v, %v", gs, err)
		}
		ps, err := e.svc.ListPoliciesFor(tx, acct, PrincipalUser, "Alice")
		if err != nil || len(ps) != 1 || ps[0].Name != "ReadOnlyAccess" {
			t.Errorf("ListPoliciesFor = %+v, %v", ps, err)
		}
		return nil
	})
	wantCode(t, e.do(func(tx store.Tx) error {
		return e.svc.AttachPolicy(tx, acct, PrincipalUser, "Alice", PolicyTypeSystem, "ReadOnlyAccess", e.now)
	}), "EntityAlreadyExists.User.Policy")
	wantCode(t, e.do(func(tx store.Tx) error {
		return e.svc.DetachPolicy(tx, acct, PrincipalUser, "ALICE", PolicyTypeSystem, "READONLYACCESS")
	}), "")
	// Acting on oneself is recognised in any case too.
	alice := &model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "Alice"}
	e.read(func(tx store.Tx) error {
		for name, want := range map[string]bool{"": true, "alice": true, "ALICE": true, "Alicia": false} {
			if got, err := e.svc.AllowsSelfService(tx, alice, name, OwnMFADevice); err != nil || got != want {
				t.Errorf("AllowsSelfService(%q) = %v, %v; want %v", name, got, err, want)
			}
		}
		return nil
	})
}

func trustRoot(acct string) string {
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + acct + `:root"]}}]}`
}

// A rename that only changes the case keeps the user's AccessKeys working:
// keys are filed under the stored spelling, which the key cache resolves.
func TestCaseOnlyRenameKeepsAccessKeys(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	u := e.createUser(acct, "tom")
	var keyID string
	e.write(func(tx store.Tx) error {
		k, err := e.svc.CreateAccessKey(tx, root(acct), "tom", e.now)
		if err == nil {
			keyID = k.ID
		}
		return err
	})
	e.write(func(tx store.Tx) error {
		_, err := e.svc.UpdateUser(tx, acct, "TOM", UserUpdate{NewName: "Tom"}, e.now)
		return err
	})
	e.read(func(tx store.Tx) error {
		k, err := tx.AccessKeys().Get(keyID)
		if err != nil || k.UserName != "Tom" {
			t.Fatalf("key after a case-only rename: %+v, %v", k, err)
		}
		id, err := e.svc.ResolveUserID(tx, acct, k.UserName)
		if err != nil || id != u.ID {
			t.Fatalf("ResolveUserID(%s) = %q, %v; want %s", k.UserName, id, err, u.ID)
		}
		keys, err := e.svc.ListAccessKeys(tx, root(acct), "tom")
		if err != nil || len(keys) != 1 {
			t.Fatalf("ListAccessKeys(tom) = %+v, %v", keys, err)
		}
		return nil
	})
}

func TestRenameMovesAccessKeysAndKeepsMemberships(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	u := e.createUser(acct, "old")
	var keyID string
	e.write(func(tx store.Tx) error {
		k, err := e.svc.CreateAccessKey(tx, root(acct), "old", e.now)
		keyID = k.ID
		if err != nil {
			return err
		}
		if _, err := e.svc.CreateGroup(tx, acct, NewGroup{Name: "devs"}, e.now); err != nil {
			return err
		}
		return e.svc.AddUserToGroup(tx, acct, "old", "devs", e.now)
	})
	e.write(func(tx store.Tx) error {
		_, err := e.svc.UpdateUser(tx, acct, "old", UserUpdate{NewName: "new"}, e.now)
		return err
	})
	e.read(func(tx store.Tx) error {
		k, err := tx.AccessKeys().Get(keyID)
		if err != nil || k.UserName != "new" {
			t.Fatalf("key after rename: %+v %v", k, err)
		}
		id, err := e.svc.ResolveUserID(tx, acct, "new")
		if err != nil || id != u.ID {
			t.Fatalf("ResolveUserID(new) = %s %v; want %s", id, err, u.ID)
		}
		if _, err := e.svc.ResolveUserID(tx, acct, "old"); !isNotFound(err) {
			t.Fatalf("ResolveUserID(old) = %v; want store.ErrNotFound", err)
		}
		gs, err := e.svc.ListGroupsForUser(tx, acct, "new")
		if err != nil || len(gs) != 1 || gs[0].Group.Name != "devs" {
			t.Fatalf("groups after rename: %+v %v", gs, err)
		}
		return nil
	})
}

func TestDeleteUserConflicts(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "bob")
	del := func() error { return e.do(func(tx store.Tx) error { return e.svc.DeleteUser(tx, acct, "bob") }) }

	var keyID string
	e.write(func(tx store.Tx) error {
		k, err := e.svc.CreateAccessKey(tx, root(acct), "bob", e.now)
		keyID = k.ID
		return err
	})
	wantCode(t, del(), "DeleteConflict.User.AccessKey")
	e.write(func(tx store.Tx) error { return e.svc.DeleteAccessKey(tx, root(acct), "bob", keyID) })

	e.write(func(tx store.Tx) error {
		_, _, err := e.svc.CreateLoginProfile(tx, acct, "bob", NewLoginProfile{Password: "Passw0rd-Long"}, e.now)
		return err
	})
	wantCode(t, del(), "DeleteConflict.User.LoginProfile")
	e.write(func(tx store.Tx) error { return e.svc.DeleteLoginProfile(tx, acct, "bob") })

	e.write(func(tx store.Tx) error {
		if _, err := e.svc.CreateGroup(tx, acct, NewGroup{Name: "g"}, e.now); err != nil {
			return err
		}
		return e.svc.AddUserToGroup(tx, acct, "bob", "g", e.now)
	})
	wantCode(t, del(), "DeleteConflict.User.Group")
	e.write(func(tx store.Tx) error { return e.svc.RemoveUserFromGroup(tx, acct, "bob", "g") })

	e.write(func(tx store.Tx) error {
		return e.svc.AttachPolicy(tx, acct, PrincipalUser, "bob", PolicyTypeSystem, "ReadOnlyAccess", e.now)
	})
	wantCode(t, del(), "DeleteConflict.User.Policy")
	e.write(func(tx store.Tx) error {
		return e.svc.DetachPolicy(tx, acct, PrincipalUser, "bob", PolicyTypeSystem, "ReadOnlyAccess")
	})
	wantCode(t, del(), "")
	wantCode(t, del(), "EntityNotExist.User")
}

func TestListUsersPagesEveryUserOnce(t *testing.T) {
	e := newEnv(t)
	acct, other := e.account(), e.account()
	want := map[string]bool{}
	e.write(func(tx store.Tx) error {
		for i := 0; i < 23; i++ {
			name := fmt.Sprintf("user-%02d", i)
			want[name] = true
			for _, a := range []string{acct, other} {
				if _, err := e.svc.CreateUser(tx, a, NewUser{Name: name, Tags: []Tag{{Key: "odd", Value: fmt.Sprint(i%2 == 1)}}}, e.now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	five := 5
	walk := func(keep func(*User) bool) []string {
		var seen []string
		req := PageRequest{MaxItems: &five}
		for pages := 0; ; pages++ {
			var page Page[User]
			e.read(func(tx store.Tx) (err error) {
				page, err = e.svc.ListUsers(tx, acct, req, keep)
				return err
			})
			if len(page.Items) > five {
				t.Fatalf("page of %d items; MaxItems was %d", len(page.Items), five)
			}
			for _, u := range page.Items {
				seen = append(seen, u.Name)
			}
			if !page.IsTruncated {
				return seen
			}
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			req.Marker = page.Marker
		}
	}
	seen := walk(nil)
	if len(seen) != len(want) {
		t.Fatalf("listed %d users; want %d", len(seen), len(want))
	}
	for i, n := range seen {
		if !want[n] || (i > 0 && seen[i-1] >= n) {
			t.Fatalf("listing %v is not every user once in order", seen)
		}
	}
	odd := walk(func(u *User) bool { return u.Tags[0].Value == "true" })
	if len(odd) != 11 {
		t.Fatalf("filtered listing returned %d users; want 11", len(odd))
	}
	// A marker of another list is refused, not misread.
	e.read(func(tx store.Tx) error {
		_, err := e.svc.ListGroups(tx, acct, PageRequest{Marker: e.svc.encodeMarker(acct, queryScope(store.Query{Kind: users.Kind}), "user-03")})
		wantCode(t, err, "InvalidParameter.Marker")
		// ... and so is a marker of the same list in another account.
		_, err = e.svc.ListUsers(tx, acct, PageRequest{Marker: e.svc.encodeMarker("another-account", queryScope(store.Query{Kind: users.Kind}), "user-03")}, nil)
		wantCode(t, err, "InvalidParameter.Marker")
		zero := 0
		_, err = e.svc.ListUsers(tx, acct, PageRequest{MaxItems: &zero}, nil)
		wantCode(t, err, "InvalidParameter.MaxItems")
		return nil
	})
}

func TestAccessKeyLimitAndSelfService(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "carol")
	for i := 0; i < 2; i++ {
		e.write(func(tx store.Tx) error { _, err := e.svc.CreateAccessKey(tx, root(acct), "carol", e.now); return err })
	}
	wantCode(t, e.do(func(tx store.Tx) error { _, err := e.svc.CreateAccessKey(tx, root(acct), "carol", e.now); return err }),
		"LimitExceeded.User.AccessKey")

	self := &model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "carol"}
	wantCode(t, e.do(func(tx store.Tx) error { _, err := e.svc.ListAccessKeys(tx, self, ""); return err }), "NoPermission")
	on := true
	e.write(func(tx store.Tx) error {
		_, err := e.svc.SetSecurityPreference(tx, acct, SecurityPreferenceUpdate{AllowUserToManageAccessKeys: &on}, e.now)
		return err
	})
	e.read(func(tx store.Tx) error {
		keys, err := e.svc.ListAccessKeys(tx, self, "")
		if err != nil || len(keys) != 2 || keys[0].Secret != "" {
			t.Fatalf("self-service list: %+v %v", keys, err)
		}
		// A key of another user is not found through this user's name.
		_, err = e.svc.GetAccessKeyLastUsed(tx, root(acct), "", keys[0].ID)
		wantCode(t, err, "EntityNotExist.User.AccessKey")
		return nil
	})
}

// Names fold ASCII case only: the Kelvin sign (which Unicode lower-cases
// to "k") is not the key of "k", whatever path reaches a lookup.
func TestLookupsFoldASCIIOnly(t *testing.T) {
	for in, want := range map[string]string{"AbC-9": "abc-9", "abc": "abc", "\u212a": "\u212a", "Ä": "Ä", "": ""} {
		if got := lookupKey(in); got != want {
			t.Errorf("lookupKey(%q) = %q, want %q", in, got, want)
		}
	}
}
