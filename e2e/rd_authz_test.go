package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// Who may do what in a Resource Directory: the management account's root
// user, RAM users with system or least-privilege custom policies, explicit
// Deny, and identities of other accounts; and the trail that names them.

// rdUser creates a RAM user of w's account with the policies given
// ("System:Name" or "Custom:Name") and returns its RD client.
func rdUser(t *testing.T, w *rdWorld, name string, policies ...string) *resourcemanager.Client {
	t.Helper()
	w.createUser(t, name)
	for _, p := range policies {
		kind, policy, _ := strings.Cut(p, ":")
		w.attachToUser(t, name, kind, policy)
	}
	id, secret := w.userKey(t, name)
	return w.srv.RDClient(t, id, secret)
}

// rdTree is a directory with two folders (a with a sub-folder, and b)
// and one member in each.
type rdTree struct {
	a, aSub, b         resourcemanager.Folder
	inA, inASub, inB   resourcemanager.Account
	aPattern, bPattern string // account/<path of the folder>/* resource patterns
}

func buildRDTree(t *testing.T, w *rdWorld) rdTree {
	t.Helper()
	var tr rdTree
	tr.a = createFolder(t, w.admin, "", "a")
	tr.aSub = createFolder(t, w.admin, tr.a.FolderId, "a-sub")
	tr.b = createFolder(t, w.admin, "", "b")
	tr.inA = createResourceAccount(t, w.admin, tr.a.FolderId, "in a", "in-a")
	tr.inASub = createResourceAccount(t, w.admin, tr.aSub.FolderId, "in a sub", "in-a-sub")
	tr.inB = createResourceAccount(t, w.admin, tr.b.FolderId, "in b", "in-b")
	base := "acs:resourcemanager::" + w.acct.ID + ":account/" + w.directory.ResourceDirectoryId + "/" + w.directory.RootFolderId + "/"
	tr.aPattern, tr.bPattern = base+tr.a.FolderId+"/*", base+tr.b.FolderId+"/*"
	return tr
}

// The management account's root user builds the directory and renames
// members; the calls the cloud keeps from it (a type switch) refuse it
// saying what to use.
func TestRDManagementRootAllowedAndRefused(t *testing.T) {
	w := newRDWorld(t)
	f := createFolder(t, w.rootRD, "", "by-root")
	ok(t, "root renames a folder", tryRenameFolder(w.rootRD, f.FolderId, "by-root-2"))
	m := createResourceAccount(t, w.rootRD, f.FolderId, "root made", "root-made")
	_, err := fetchAccount(w.rootRD, m.AccountId)
	ok(t, "root GetAccount", err)
	ok(t, "root MoveAccount", tryMoveAccount(w.rootRD, m.AccountId, w.directory.RootFolderId))
	_, err = w.rootRD.ListAccounts(resourcemanager.CreateListAccountsRequest())
	ok(t, "root ListAccounts", err)
	_, err = tryRenameAccount(w.rootRD, m.AccountId, "renamed by root")
	ok(t, "root renames a member", err)
	switchType := resourcemanager.CreateUpdateAccountRequest()
	switchType.AccountId, switchType.NewAccountType = m.AccountId, "CloudAccount"
	_, err = w.rootRD.UpdateAccount(switchType)
	se := wantServerError(t, err, "CallerIdentityError", http.StatusConflict)
	if !strings.Contains(se.Message(), "RAM user") {
		t.Errorf("refusal %q does not say to use a RAM identity", se.Message())
	}
	_, err = tryRenameAccount(w.admin, m.AccountId, "renamed by admin")
	ok(t, "the RAM administrator renames", err)
	ok(t, "root deletes an emptied folder", tryDeleteFolder(w.rootRD, f.FolderId))
}

// A custom policy allowing only resourcemanager:ListAccounts reads the
// member list and nothing else.
func TestRDListAccountsOnlyPolicy(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		m := createResourceAccount(t, w.admin, "", "listed", "listed")
		w.createPolicy(t, "rd-list-only", statementDoc("Allow", "resourcemanager:ListAccounts", ""))
		reader := rdUser(t, w, "reader", "Custom:rd-list-only")
		list, err := reader.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if list.TotalCount != 1 || list.Accounts.Account[0].AccountId != m.AccountId {
			t.Fatalf("reader lists %+v", list.Accounts.Account)
		}
		_, err = tryCreateMember(reader, newMember{name: "not allowed"})
		wantDenied(t, err, "resourcemanager:CreateResourceAccount", "ImplicitDeny")
		_, err = fetchAccount(reader, m.AccountId)
		wantDenied(t, err, "resourcemanager:GetAccount", "ImplicitDeny")
		_, err = reader.ListAccountsForParent(resourcemanager.CreateListAccountsForParentRequest())
		wantDenied(t, err, "resourcemanager:ListAccountsForParent", "ImplicitDeny")
		after, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if after.TotalCount != 1 {
			t.Fatalf("a refused creation left %d members", after.TotalCount)
		}
	})
}

// AliyunResourceDirectoryReadOnlyAccess reads everything and writes
// nothing.
func TestRDReadOnlyAccess(t *testing.T) {
	w := newRDWorld(t)
	tr := buildRDTree(t, w)
	ro := rdUser(t, w, "auditor", "System:AliyunResourceDirectoryReadOnlyAccess")
	_, err := ro.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
	ok(t, "GetResourceDirectory", err)
	_, err = ro.ListAccounts(resourcemanager.CreateListAccountsRequest())
	ok(t, "ListAccounts", err)
	_, err = fetchAccount(ro, tr.inASub.AccountId)
	ok(t, "GetAccount", err)
	gf := resourcemanager.CreateGetFolderRequest()
	gf.FolderId = tr.aSub.FolderId
	_, err = ro.GetFolder(gf)
	ok(t, "GetFolder", err)
	ancestors(t, ro, tr.aSub.FolderId)
	_, err = ro.ListFoldersForParent(resourcemanager.CreateListFoldersForParentRequest())
	ok(t, "ListFoldersForParent", err)
	lp := resourcemanager.CreateListAccountsForParentRequest()
	lp.ParentFolderId = tr.a.FolderId
	_, err = ro.ListAccountsForParent(lp)
	ok(t, "ListAccountsForParent", err)
	pay := resourcemanager.CreateGetPayerForAccountRequest()
	pay.AccountId = tr.inB.AccountId
	_, err = ro.GetPayerForAccount(pay)
	ok(t, "GetPayerForAccount", err)

	writes := map[string]func() error{
		"resourcemanager:CreateFolder": func() error { _, err := tryCreateFolder(ro, "", "nope"); return err },
		"resourcemanager:UpdateFolder": func() error { return tryRenameFolder(ro, tr.b.FolderId, "nope") },
		"resourcemanager:DeleteFolder": func() error { return tryDeleteFolder(ro, tr.aSub.FolderId) },
		"resourcemanager:CreateResourceAccount": func() error {
			_, err := tryCreateMember(ro, newMember{name: "nope"})
			return err
		},
		"resourcemanager:MoveAccount": func() error { return tryMoveAccount(ro, tr.inA.AccountId, tr.b.FolderId) },
		"resourcemanager:UpdateAccount": func() error {
			_, err := tryRenameAccount(ro, tr.inA.AccountId, "nope")
			return err
		},
		"resourcemanager:DestroyResourceDirectory": func() error {
			_, err := ro.DestroyResourceDirectory(resourcemanager.CreateDestroyResourceDirectoryRequest())
			return err
		},
		"resourcemanager:EnableResourceDirectory": func() error {
			req := resourcemanager.CreateEnableResourceDirectoryRequest()
			req.EnableMode = "CurrentAccount"
			_, err := ro.EnableResourceDirectory(req)
			return err
		},
	}
	for action, call := range writes {
		t.Run(action, func(t *testing.T) { wantDenied(t, call(), action, "ImplicitDeny") })
	}
	got, err := fetchAccount(w.admin, tr.inA.AccountId)
	ok(t, "GetAccount", err)
	if got.Account.FolderId != tr.a.FolderId || got.Account.DisplayName != "in a" {
		t.Fatalf("refused writes changed the member: %+v", got.Account)
	}
}

// resourcemanager:* granted on one folder's subtree of member paths
// manages the members in that subtree and no others; member calls are
// authorized on the member's ResourceDirectoryPath.
func TestRDFolderScopedAdministrator(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		tr := buildRDTree(t, w)
		w.createPolicy(t, "rd-folder-a", statementDocOn("Allow", "resourcemanager:*", tr.aPattern))
		scoped := rdUser(t, w, "folder-a-admin", "Custom:rd-folder-a")

		for _, m := range []resourcemanager.Account{tr.inA, tr.inASub} {
			got, err := fetchAccount(scoped, m.AccountId)
			ok(t, "GetAccount in a's subtree", err)
			if got.Account.AccountId != m.AccountId {
				t.Fatalf("GetAccount answered %+v", got.Account)
			}
			pay := resourcemanager.CreateGetPayerForAccountRequest()
			pay.AccountId = m.AccountId
			_, err = scoped.GetPayerForAccount(pay)
			ok(t, "GetPayerForAccount in a's subtree", err)
		}
		ok(t, "MoveAccount within a", tryMoveAccount(scoped, tr.inA.AccountId, tr.aSub.FolderId))
		_, err := tryRenameAccount(scoped, tr.inASub.AccountId, "renamed in a")
		ok(t, "rename in a", err)

		// Members outside the subtree, and directory-wide calls, are not
		// granted; an unknown id is refused before anything is looked up,
		// so the answer does not tell which ids are members.
		_, err = fetchAccount(scoped, tr.inB.AccountId)
		wantDenied(t, err, "resourcemanager:GetAccount", "ImplicitDeny")
		wantDenied(t, tryMoveAccount(scoped, tr.inB.AccountId, tr.a.FolderId), "resourcemanager:MoveAccount", "ImplicitDeny")
		_, err = tryRenameAccount(scoped, tr.inB.AccountId, "not mine")
		wantDenied(t, err, "resourcemanager:UpdateAccount", "ImplicitDeny")
		_, err = fetchAccount(scoped, "1234567890123456")
		wantDenied(t, err, "resourcemanager:GetAccount", "ImplicitDeny")
		_, err = scoped.ListAccounts(resourcemanager.CreateListAccountsRequest())
		wantDenied(t, err, "resourcemanager:ListAccounts", "ImplicitDeny")
		_, err = tryCreateMember(scoped, newMember{folder: tr.a.FolderId, name: "new in a"})
		wantDenied(t, err, "resourcemanager:CreateResourceAccount", "ImplicitDeny")

		// The grant follows the member: moved out of a, it is out of reach.
		ok(t, "admin moves the member to b", tryMoveAccount(w.admin, tr.inA.AccountId, tr.b.FolderId))
		_, err = fetchAccount(scoped, tr.inA.AccountId)
		wantDenied(t, err, "resourcemanager:GetAccount", "ImplicitDeny")
		ok(t, "admin moves it back", tryMoveAccount(w.admin, tr.inA.AccountId, tr.a.FolderId))
		_, err = fetchAccount(scoped, tr.inA.AccountId)
		ok(t, "GetAccount after the move back", err)
	})
}

// An explicit Deny wins over AliyunResourceDirectoryFullAccess, for the
// whole directory or one folder's subtree.
func TestRDExplicitDenyWins(t *testing.T) {
	w := newRDWorld(t)
	tr := buildRDTree(t, w)
	w.createPolicy(t, "rd-no-create", statementDoc("Deny", "resourcemanager:CreateResourceAccount", ""))
	w.createPolicy(t, "rd-hands-off-b", statementDocOn("Deny", "resourcemanager:*", tr.bPattern))
	c := rdUser(t, w, "limited-admin", "System:AliyunResourceDirectoryFullAccess", "Custom:rd-no-create", "Custom:rd-hands-off-b")

	_, err := tryCreateMember(c, newMember{name: "denied"})
	wantDenied(t, err, "resourcemanager:CreateResourceAccount", "ExplicitDeny")
	_, err = fetchAccount(c, tr.inB.AccountId)
	wantDenied(t, err, "resourcemanager:GetAccount", "ExplicitDeny")
	wantDenied(t, tryMoveAccount(c, tr.inB.AccountId, tr.a.FolderId), "resourcemanager:MoveAccount", "ExplicitDeny")
	// Elsewhere the full access holds.
	_, err = fetchAccount(c, tr.inA.AccountId)
	ok(t, "GetAccount in a", err)
	ok(t, "MoveAccount in a", tryMoveAccount(c, tr.inA.AccountId, tr.aSub.FolderId))
	createFolder(t, c, "", "allowed")
	// Moving a member into the denied subtree is a call on the member,
	// which is outside it: allowed, and then the member is out of reach.
	ok(t, "move into b", tryMoveAccount(c, tr.inA.AccountId, tr.b.FolderId))
	_, err = fetchAccount(c, tr.inA.AccountId)
	wantDenied(t, err, "resourcemanager:GetAccount", "ExplicitDeny")
}

// A RAM user of another account, with resourcemanager:* and a policy
// naming this directory's resources, sees nothing of it and cannot reach
// its members.
func TestRDAnotherAccountSeesNothing(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		tr := buildRDTree(t, w)
		stranger := &rdWorld{ramWorld: accountOn(t, w.srv)}
		stranger.createPolicy(t, "their-directory", statementDocOn("Allow", "resourcemanager:*",
			"acs:resourcemanager::"+w.acct.ID+":*"))
		c := rdUser(t, stranger, "intruder", "System:AliyunResourceDirectoryFullAccess", "Custom:their-directory", "System:AliyunSTSAssumeRoleAccess")

		_, err := c.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		wantServerError(t, err, "ResourceDirectoryNotInUse", http.StatusNotFound)
		_, err = c.ListAccounts(resourcemanager.CreateListAccountsRequest())
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		_, err = fetchAccount(c, tr.inA.AccountId)
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		wantServerError(t, tryMoveAccount(c, tr.inA.AccountId, tr.b.FolderId), "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		gf := resourcemanager.CreateGetFolderRequest()
		gf.FolderId = tr.a.FolderId
		_, err = c.GetFolder(gf)
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		_, err = tryRenameAccount(c, tr.inA.AccountId, "hijacked")
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		la := resourcemanager.CreateListAncestorsRequest()
		la.ChildId = tr.aSub.FolderId
		_, err = c.ListAncestors(la)
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)

		// The member's access role trusts the management account only.
		id, secret := stranger.userKey(t, "intruder")
		_, err = assumeRole(w.srv.STSClient(t, id, secret), accessRoleARN(tr.inA.AccountId), "intrusion")
		wantServerError(t, err, "NoPermission", http.StatusForbidden)

		got, err := fetchAccount(w.admin, tr.inA.AccountId)
		ok(t, "GetAccount", err)
		if got.Account.FolderId != tr.a.FolderId || got.Account.DisplayName != "in a" {
			t.Fatalf("the stranger changed the member: %+v", got.Account)
		}
	})
}

// Every RD call is in the management account's trail, naming the RAM
// identity that made it and, for calls on a member, the member's id.
func TestRDCallsAreInTheManagementTrail(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		folder, err := tryCreateFolder(w.admin, "", "audited")
		ok(t, "CreateFolder", err)
		created, err := tryCreateMember(w.admin, newMember{folder: folder.Folder.FolderId, name: "audited member", prefix: "audited"})
		ok(t, "CreateResourceAccount", err)
		member := created.Account.AccountId
		got, err := fetchAccount(w.admin, member)
		ok(t, "GetAccount", err)
		mv := resourcemanager.CreateMoveAccountRequest()
		mv.AccountId, mv.DestinationFolderId = member, w.directory.RootFolderId
		moved, err := w.admin.MoveAccount(mv)
		ok(t, "MoveAccount", err)
		renamed, err := tryRenameAccount(w.admin, member, "audited renamed")
		ok(t, "UpdateAccount", err)
		w.createPolicy(t, "rd-list-only", statementDoc("Allow", "resourcemanager:ListAccounts", ""))
		reader := rdUser(t, w, "reader", "Custom:rd-list-only")
		_, denied := fetchAccount(reader, member)
		deniedErr := wantServerError(t, denied, "NoPermission", http.StatusForbidden)

		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		cases := []struct {
			event, requestID, user, param, value, errorCode string
		}{
			{"CreateFolder", folder.RequestId, "rd-admin", "FolderName", "audited", ""},
			{"CreateResourceAccount", created.RequestId, "rd-admin", "DisplayName", "audited member", ""},
			{"GetAccount", got.RequestId, "rd-admin", "AccountId", member, ""},
			{"MoveAccount", moved.RequestId, "rd-admin", "AccountId", member, ""},
			{"UpdateAccount", renamed.RequestId, "rd-admin", "AccountId", member, ""},
			{"GetAccount", deniedErr.RequestId(), "reader", "AccountId", member, "NoPermission"},
		}
		for _, c := range cases {
			ev := findEvent(t, trail, "EventName", c.event, c.requestID)
			if ev == nil {
				t.Fatalf("the management trail has no %s event %s", c.event, c.requestID)
			}
			who, _ := ev["userIdentity"].(map[string]any)
			params, _ := ev["requestParameters"].(map[string]any)
			if who["type"] != "ram-user" || who["userName"] != c.user || who["accountId"] != w.acct.ID ||
				params[c.param] != c.value || ev["errorCode"] != c.errorCode || ev["serviceName"] != "ResourceManager" {
				t.Errorf("%s event: identity %v, parameters %v, error %v; want ram-user %s, %s=%s, %q",
					c.event, who, params, ev["errorCode"], c.user, c.param, c.value, c.errorCode)
			}
			wantRW := "Write"
			if c.event == "GetAccount" {
				wantRW = "Read"
			}
			if ev["eventRW"] != wantRW {
				t.Errorf("%s eventRW %v; want %s", c.event, ev["eventRW"], wantRW)
			}
		}
		// The member's own trail holds none of the management's calls.
		creds := mustAssume(t, w.adminSTS, accessRoleARN(member), "trail-check").Credentials
		memberTrail := lookup(t, sessionTrail(t, w.srv, creds), "EventName", "MoveAccount", "50", "")
		if len(memberTrail.Events) != 0 {
			t.Fatalf("the member's trail holds the management's MoveAccount: %v", memberTrail.Events)
		}
	})
}
