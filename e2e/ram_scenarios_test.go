package e2e

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// The RAM quick start: an administrator with console access (reset and MFA
// required), AdministratorAccess and an AccessKey, which then administers
// the account on its own.
func TestRAMQuickStartAdministrator(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			w := newRAMWorld(t, b.opts...)
			w.createUser(t, "administrator")
			lp := ram.CreateCreateLoginProfileRequest()
			lp.UserName, lp.Password = "administrator", "Admin-Passw0rd-2024"
			lp.PasswordResetRequired, lp.MFABindRequired = "true", "true"
			prof, err := w.root.CreateLoginProfile(lp)
			ok(t, "CreateLoginProfile", err)
			if !prof.LoginProfile.PasswordResetRequired || !prof.LoginProfile.MFABindRequired || prof.LoginProfile.UserName != "administrator" {
				t.Fatalf("login profile %+v", prof.LoginProfile)
			}
			w.attachToUser(t, "administrator", "System", "AdministratorAccess")
			key := ram.CreateCreateAccessKeyRequest()
			key.UserName = "administrator"
			k, err := w.root.CreateAccessKey(key)
			ok(t, "CreateAccessKey", err)
			admin := w.srv.RAMClient(t, k.AccessKey.AccessKeyId, k.AccessKey.AccessKeySecret)

			u := ram.CreateCreateUserRequest()
			u.UserName = "made-by-admin"
			_, err = admin.CreateUser(u)
			ok(t, "admin CreateUser", err)
			g := ram.CreateCreateGroupRequest()
			g.GroupName = "admins-group"
			_, err = admin.CreateGroup(g)
			ok(t, "admin CreateGroup", err)
			r := ram.CreateCreateRoleRequest()
			r.RoleName = "admins-role"
			r.AssumeRolePolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + w.acct.ID + `:root"]}}]}`
			r.MaxSessionDuration = "7200"
			role, err := admin.CreateRole(r)
			ok(t, "admin CreateRole", err)
			if role.Role.Arn != "acs:ram::"+w.acct.ID+":role/admins-role" || role.Role.MaxSessionDuration != 7200 {
				t.Fatalf("role %+v", role.Role)
			}
			p := ram.CreateCreatePolicyRequest()
			p.PolicyName, p.PolicyDocument = "admins-policy", statementDoc("Allow", "ram:Get*", "")
			pol, err := admin.CreatePolicy(p)
			ok(t, "admin CreatePolicy", err)
			if pol.Policy.PolicyType != "Custom" || pol.Policy.DefaultVersion != "v1" {
				t.Fatalf("policy %+v", pol.Policy)
			}
			sys := ram.CreateGetPolicyRequest()
			sys.PolicyType, sys.PolicyName = "System", "AdministratorAccess"
			got, err := admin.GetPolicy(sys)
			ok(t, "GetPolicy System/AdministratorAccess", err)
			if got.Policy.AttachmentCount != 1 || got.DefaultPolicyVersion.VersionId != "v1" || !got.DefaultPolicyVersion.IsDefaultVersion {
				t.Fatalf("system policy %+v %+v", got.Policy, got.DefaultPolicyVersion)
			}
			mine := ram.CreateListPoliciesForUserRequest()
			mine.UserName = "administrator"
			attached, err := admin.ListPoliciesForUser(mine)
			ok(t, "ListPoliciesForUser", err)
			if ps := attached.Policies.Policy; len(ps) != 1 || ps[0].PolicyName != "AdministratorAccess" || ps[0].PolicyType != "System" {
				t.Fatalf("administrator's policies %+v", ps)
			}
		})
	}
}

// Two accounts may use the same names; neither ever sees the other's.
func TestRAMAccountsAreIsolated(t *testing.T) {
	w := newRAMWorld(t)
	other := w.srv.CreateAccount(t)
	otherRoot := w.srv.RAMClient(t, other.AccessKeyID, other.AccessKeySecret)
	ids := map[string]string{}
	for acct, c := range map[string]*ram.Client{w.acct.ID: w.root, other.ID: otherRoot} {
		for _, name := range []string{"shared", "twin"} {
			req := ram.CreateCreateUserRequest()
			req.UserName = name
			resp, err := c.CreateUser(req)
			ok(t, "CreateUser "+name, err)
			ids[acct+"/"+name] = resp.User.UserId
		}
	}
	if ids[w.acct.ID+"/shared"] == ids[other.ID+"/shared"] {
		t.Fatal("two accounts' users share an id")
	}
	del := ram.CreateDeleteUserRequest()
	del.UserName = "twin"
	_, err := otherRoot.DeleteUser(del)
	ok(t, "other account deletes its twin", err)

	for acct, c := range map[string]*ram.Client{w.acct.ID: w.root, other.ID: otherRoot} {
		resp, err := c.ListUsers(ram.CreateListUsersRequest())
		ok(t, "ListUsers", err)
		for _, u := range resp.Users.User {
			if ids[acct+"/"+u.UserName] != u.UserId {
				t.Fatalf("account %s lists %s with id %s, which is not its own", acct, u.UserName, u.UserId)
			}
		}
		want := 2
		if acct == other.ID {
			want = 1
		}
		if len(resp.Users.User) != want {
			t.Fatalf("account %s lists %d users; want %d", acct, len(resp.Users.User), want)
		}
	}
	// A key of one account does not manage the other's users.
	key := ram.CreateListAccessKeysRequest()
	key.UserName = "twin"
	_, err = otherRoot.ListAccessKeys(key)
	wantServerError(t, err, "EntityNotExist.User", 404)
}

// Paging with a small MaxItems returns every user exactly once.
func TestRAMListUsersPaging(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			w := newRAMWorld(t, b.opts...)
			want := map[string]bool{}
			for i := 0; i < 23; i++ {
				name := fmt.Sprintf("pager-%02d", i)
				w.createUser(t, name)
				want[name] = true
			}
			seen := map[string]int{}
			req := ram.CreateListUsersRequest()
			req.MaxItems = "5"
			pages := 0
			for {
				resp, err := w.root.ListUsers(req)
				ok(t, "ListUsers", err)
				pages++
				if len(resp.Users.User) > 5 {
					t.Fatalf("page of %d users with MaxItems=5", len(resp.Users.User))
				}
				for _, u := range resp.Users.User {
					seen[u.UserName]++
				}
				if !resp.IsTruncated {
					break
				}
				if resp.Marker == "" || pages > 10 {
					t.Fatalf("truncated page without a usable marker (%q) after %d pages", resp.Marker, pages)
				}
				req.Marker = resp.Marker
			}
			if pages != 5 || len(seen) != len(want) {
				t.Fatalf("%d pages, %d users; want 5 pages, %d users", pages, len(seen), len(want))
			}
			for name, n := range seen {
				if n != 1 || !want[name] {
					t.Fatalf("user %s listed %d times", name, n)
				}
			}
			req.Marker, req.MaxItems = "not-a-marker", "5"
			_, err := w.root.ListUsers(req)
			wantServerError(t, err, "InvalidParameter.Marker", 400)
			// A marker is bound to its list and its account, and cannot
			// be made by hand.
			first := ram.CreateListUsersRequest()
			first.MaxItems = "5"
			page, err := w.root.ListUsers(first)
			ok(t, "ListUsers", err)
			other := w.srv.CreateAccount(t)
			otherRoot := w.srv.RAMClient(t, other.AccessKeyID, other.AccessKeySecret)
			req.Marker = page.Marker
			_, err = otherRoot.ListUsers(req)
			wantServerError(t, err, "InvalidParameter.Marker", 400)
			roles := ram.CreateListRolesRequest()
			roles.Marker = page.Marker
			_, err = w.root.ListRoles(roles)
			wantServerError(t, err, "InvalidParameter.Marker", 400)
			req.Marker = base64.RawURLEncoding.EncodeToString([]byte("user||\npager-10"))
			_, err = w.root.ListUsers(req)
			wantServerError(t, err, "InvalidParameter.Marker", 400)
			req.Marker, req.MaxItems = "", "1001"
			_, err = w.root.ListUsers(req)
			wantServerError(t, err, "InvalidParameter.MaxItems", 400)
		})
	}
}
