package e2e

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestCreateMembersAndReachThem walks the seed "create members in folders
// and log on to them": a RAM administrator of the management account
// builds folders and a resource account, assumes the member's access role
// and creates a RAM user in the member, who then works there.
func TestCreateMembersAndReachThem(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		if !strings.HasPrefix(w.directory.ResourceDirectoryId, "rd-") || !strings.HasPrefix(w.directory.RootFolderId, "r-") ||
			w.directory.MasterAccountId != w.acct.ID {
			t.Fatalf("directory %+v", w.directory)
		}
		prod := createFolder(t, w.admin, "", "prod")
		web := createFolder(t, w.admin, prod.FolderId, "web")
		if web.ParentFolderId != prod.FolderId || !strings.HasPrefix(web.FolderId, "fd-") {
			t.Fatalf("folder %+v", web)
		}
		m := createResourceAccount(t, w.admin, web.FolderId, "web prod", "webprod")
		if m.Type != "ResourceAccount" || m.JoinMethod != "created" || m.Status != "CreateSuccess" || m.FolderId != web.FolderId ||
			m.AccountName != "webprod@"+strings.ToLower(w.directory.ResourceDirectoryId)+".aliyunid.com" || len(m.AccountId) != 16 {
			t.Fatalf("member %+v", m)
		}

		get := resourcemanager.CreateGetAccountRequest()
		get.AccountId = m.AccountId
		got, err := w.admin.GetAccount(get)
		ok(t, "GetAccount", err)
		wantPath := w.directory.ResourceDirectoryId + "/" + w.directory.RootFolderId + "/" + prod.FolderId + "/" + web.FolderId + "/" + m.AccountId
		if got.Account.ResourceDirectoryPath != wantPath || got.Account.Location != "root/prod/web" {
			t.Fatalf("GetAccount path %q location %q; want %q, root/prod/web", got.Account.ResourceDirectoryPath, got.Account.Location, wantPath)
		}

		creds := mustAssume(t, w.adminSTS, accessRoleARN(m.AccountId), "admin-session").Credentials
		inMember := sessionRAM(t, w.srv, creds)
		ok(t, "create a user in the member", createUserWith(inMember, "alice"))
		memberWorld := &ramWorld{srv: w.srv, root: inMember}
		id, secret := memberWorld.userKey(t, "alice")
		memberWorld.attachToUser(t, "alice", "System", "AliyunRAMReadOnlyAccess")
		alice := w.srv.STSClient(t, id, secret)
		who, err := getCallerIdentity(alice)
		ok(t, "alice's GetCallerIdentity", err)
		if who.AccountId != m.AccountId || who.IdentityType != "RAMUser" {
			t.Fatalf("alice is %+v; want a RAM user of %s", who, m.AccountId)
		}
	})
}

// TestManagementRootLeastPrivilege: the management account's root user
// builds the directory but is kept from the dangerous operations, each
// refusal saying what to use instead.
func TestManagementRootLeastPrivilege(t *testing.T) {
	w := newRDWorld(t)
	folder := createFolder(t, w.rootRD, "", "by-root")
	m := createResourceAccount(t, w.rootRD, folder.FolderId, "root made", "rootmade")

	rename := resourcemanager.CreateUpdateAccountRequest()
	rename.AccountId, rename.NewDisplayName = m.AccountId, "renamed by root"
	renamed, err := w.rootRD.UpdateAccount(rename)
	ok(t, "UpdateAccount rename as the management root", err)
	if renamed.Account.DisplayName != "renamed by root" {
		t.Fatalf("renamed %+v", renamed.Account)
	}
	switchType := resourcemanager.CreateUpdateAccountRequest()
	switchType.AccountId, switchType.NewAccountType = m.AccountId, "CloudAccount"
	_, err = w.rootRD.UpdateAccount(switchType)
	se := wantServerError(t, err, "CallerIdentityError", 409)
	if !strings.Contains(se.Message(), "RAM user") {
		t.Errorf("refusal %q does not say to use a RAM identity", se.Message())
	}
	_, err = assumeRole(w.srv.STSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret), accessRoleARN(m.AccountId), "root")
	wantServerError(t, err, "NoPermission", 403)
}
