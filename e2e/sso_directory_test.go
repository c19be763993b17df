package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of the CloudSSO service switch and
// directory (issue 11, reference cloudsso.md 5.1), through darabonba
// CallApi as the CloudSSO SDK calls it.

// Only a resource directory's management account may enable CloudSSO; it
// then creates its one directory, which reads back the same through V3
// and V1 clients.
func TestSSOEnableServiceAndCreateDirectory(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)

		loner := srv.CreateAccount(t)
		outside := ssoClientFor(t, srv, loner.AccessKeyID, loner.AccessKeySecret, false)
		st := ssoObject(t, outside.must(t, "GetServiceStatus", nil), "ServiceStatus")
		if st["Status"] != "Disabled" || st["PrerequisiteCheckResult"] != "Failed" || st["AccountId"] != loner.ID {
			t.Errorf("GetServiceStatus outside any directory = %v", st)
		}
		_, err := outside.call("EnableService", nil)
		wantDaraError(t, err, "Forbidden.NotManagementAccount", http.StatusForbidden)
		_, err = outside.call("CreateDirectory", map[string]any{"DirectoryName": "loner-" + loner.ID})
		wantDaraError(t, err, "Forbidden.NotManagementAccount", http.StatusForbidden)

		w := newRDWorldOn(t, srv)
		root := ssoClientFor(t, srv, w.acct.AccessKeyID, w.acct.AccessKeySecret, false)
		st = ssoObject(t, root.must(t, "GetServiceStatus", nil), "ServiceStatus")
		if st["Status"] != "Disabled" || st["PrerequisiteCheckResult"] != "Success" {
			t.Errorf("GetServiceStatus of a management account before EnableService = %v", st)
		}
		_, err = root.call("CreateDirectory", map[string]any{"DirectoryName": "early-" + w.acct.ID})
		wantDaraError(t, err, "OperationConflict.ServiceNotEnabled", http.StatusConflict)

		root.must(t, "EnableService", nil)
		root.must(t, "EnableService", nil) // enabling twice is no error
		st = ssoObject(t, root.must(t, "GetServiceStatus", nil), "ServiceStatus")
		if st["Status"] != "Enabled" || st["PrerequisiteCheckResult"] != nil {
			t.Errorf("GetServiceStatus after EnableService = %v", st)
		}

		name := "corp-" + w.acct.ID
		d := ssoObject(t, root.must(t, "CreateDirectory", map[string]any{"DirectoryName": name}), "Directory")
		id, _ := d["DirectoryId"].(string)
		if len(id) != 14 || id[:2] != "d-" || d["DirectoryName"] != name || d["Region"] != "cn-shanghai" ||
			d["CreateTime"] == "" || d["UpdateTime"] == "" {
			t.Fatalf("CreateDirectory answered %v", d)
		}
		v1 := ssoClientFor(t, srv, w.acct.AccessKeyID, w.acct.AccessKeySecret, true)
		for _, c := range []*ssoClient{root, v1} {
			got := ssoObject(t, c.must(t, "GetDirectory", map[string]any{"DirectoryId": id}), "Directory")
			if got["DirectoryId"] != id || got["DirectoryName"] != name || got["CreateTime"] != d["CreateTime"] {
				t.Errorf("GetDirectory = %v; created %v", got, d)
			}
		}
		_, err = root.call("CreateDirectory", map[string]any{"DirectoryName": "second-" + w.acct.ID})
		wantDaraError(t, err, "EntityAlreadyExists.Directory", http.StatusConflict)
		_, err = root.call("GetDirectory", map[string]any{"DirectoryId": "d-000000000000"})
		wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)
		st = ssoObject(t, root.must(t, "GetServiceStatus", nil), "ServiceStatus")
		if regions, _ := st["RegionsInUse"].([]any); len(regions) != 1 || regions[0] != "cn-shanghai" {
			t.Errorf("RegionsInUse = %v", st["RegionsInUse"])
		}
	})
}

// A directory is listed, renamed under the same rules, counted, refused
// deletion while it holds users or groups, and deleted when empty, which
// frees its name for any account.
func TestSSODirectoryLifecycle(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)
		c := w.ssoAdmin

		list := c.must(t, "ListDirectories", nil)
		dirs := ssoArray(t, list, "Directories")
		if len(dirs) != 1 || dirs[0]["DirectoryId"] != w.dirID || ssoNumber(t, list["TotalCounts"]) != 1 {
			t.Errorf("ListDirectories = %v", list)
		}

		renamed := "renamed-" + w.acct.ID
		d := ssoObject(t, c.must(t, "UpdateDirectory", w.in(map[string]any{"NewDirectoryName": renamed})), "Directory")
		if d["DirectoryName"] != renamed || d["DirectoryId"] != w.dirID {
			t.Errorf("UpdateDirectory = %v", d)
		}
		// The directory's own id is the one d- name it may take.
		d = ssoObject(t, c.must(t, "UpdateDirectory", w.in(map[string]any{"NewDirectoryName": w.dirID})), "Directory")
		if d["DirectoryName"] != w.dirID {
			t.Errorf("UpdateDirectory to its own id = %v", d)
		}
		_, err := c.call("UpdateDirectory", w.in(map[string]any{"NewDirectoryName": "d-someoneelse1"}))
		wantDaraError(t, err, "InvalidParameter.NewDirectoryName", http.StatusBadRequest)
		_, err = c.call("UpdateDirectory", w.in(nil))
		wantDaraError(t, err, "MissingParameter.NewDirectoryName", http.StatusBadRequest)

		// The old name is free again: another management account takes it.
		other := newSSOWorld(t, srv)
		other.ssoAdmin.must(t, "UpdateDirectory", other.in(map[string]any{"NewDirectoryName": renamed}))
		_, err = c.call("UpdateDirectory", w.in(map[string]any{"NewDirectoryName": renamed}))
		wantDaraError(t, err, "EntityAlreadyExists.DirectoryName", http.StatusConflict)
		_, err = c.call("UpdateDirectory", map[string]any{"DirectoryId": other.dirID, "NewDirectoryName": "mine-" + w.acct.ID})
		wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)

		userID := w.ssoCreateUser(t, "alice", nil)
		groupID := w.ssoCreateGroup(t, "admins")
		st := ssoObject(t, c.must(t, "GetDirectoryStatistics", w.in(nil)), "DirectoryStatistics")
		if ssoNumber(t, st["UserCount"]) != 1 || ssoNumber(t, st["GroupCount"]) != 1 || ssoNumber(t, st["UserQuota"]) != 1000 ||
			ssoNumber(t, st["GroupQuota"]) != 500 || st["SSOEnabled"] != false || st["DirectoryId"] != w.dirID {
			t.Errorf("GetDirectoryStatistics = %v", st)
		}

		_, err = c.call("DeleteDirectory", w.in(nil))
		wantDaraError(t, err, "DeletionConflict.Directory", http.StatusConflict)
		c.must(t, "DeleteUser", w.in(map[string]any{"UserId": userID}))
		_, err = c.call("DeleteDirectory", w.in(nil))
		wantDaraError(t, err, "DeletionConflict.Directory", http.StatusConflict)
		c.must(t, "DeleteGroup", w.in(map[string]any{"GroupId": groupID}))
		_, err = c.call("DisableService", nil)
		wantDaraError(t, err, "OperationConflict.DirectoryExists", http.StatusConflict)
		c.must(t, "DeleteDirectory", w.in(nil))
		_, err = c.call("GetDirectory", w.in(nil))
		wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)
		if dirs := ssoArray(t, c.must(t, "ListDirectories", nil), "Directories"); len(dirs) != 0 {
			t.Errorf("ListDirectories after DeleteDirectory = %v", dirs)
		}
		// Its name (the directory id) is free, and the account may create a new one.
		d = ssoObject(t, c.must(t, "CreateDirectory", map[string]any{"DirectoryName": "again-" + w.acct.ID}), "Directory")
		if d["DirectoryId"] == w.dirID {
			t.Errorf("a new directory reuses the id %s", w.dirID)
		}
	})
}

// Directory names: 2 to 64 lower-case letters, digits and inner single
// hyphens, not d-; an omitted name is the directory's id.
func TestSSODirectoryNameRules(t *testing.T) {
	srv := canopytest.Start(t)
	w := newRDWorldOn(t, srv)
	root := ssoClientFor(t, srv, w.acct.AccessKeyID, w.acct.AccessKeySecret, false)
	root.must(t, "EnableService", nil)
	for _, bad := range []string{"a", strings.Repeat("a", 65), "Upper", "under_score", "-lead", "trail-", "two--hyphens",
		"d-reserved", "dot.ted", "ünï", "sp ace"} {
		_, err := root.call("CreateDirectory", map[string]any{"DirectoryName": bad})
		wantDaraError(t, err, "InvalidParameter.DirectoryName", http.StatusBadRequest)
	}
	if dirs := ssoArray(t, root.must(t, "ListDirectories", nil), "Directories"); len(dirs) != 0 {
		t.Fatalf("refused names left directories: %v", dirs)
	}
	d := ssoObject(t, root.must(t, "CreateDirectory", nil), "Directory")
	if d["DirectoryName"] != d["DirectoryId"] {
		t.Errorf("CreateDirectory without a name = %v; want the id as its name", d)
	}
	long := strings.Repeat("a", 64)
	root.must(t, "UpdateDirectory", map[string]any{"DirectoryId": d["DirectoryId"], "NewDirectoryName": long})
}

// Fifty management accounts race to create a directory of the same name:
// exactly one wins, the others learn that the name is taken, and no loser
// is left with a directory.
func TestSSODirectoryNameRace(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		const n = 50
		clients := make([]*ssoClient, n)
		for i := range clients {
			acct := srv.CreateAccount(t)
			rd := srv.RDClient(t, acct.AccessKeyID, acct.AccessKeySecret)
			req := resourcemanager.CreateEnableResourceDirectoryRequest()
			req.EnableMode = "CurrentAccount"
			_, err := rd.EnableResourceDirectory(req)
			ok(t, "EnableResourceDirectory", err)
			clients[i] = ssoClientFor(t, srv, acct.AccessKeyID, acct.AccessKeySecret, false)
			clients[i].must(t, "EnableService", nil)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.call("CreateDirectory", map[string]any{"DirectoryName": "contested"})
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			dirs := ssoArray(t, clients[i].must(t, "ListDirectories", nil), "Directories")
			if err == nil {
				won++
				if len(dirs) != 1 || dirs[0]["DirectoryName"] != "contested" {
					t.Errorf("winner lists %v", dirs)
				}
				continue
			}
			wantDaraError(t, err, "EntityAlreadyExists.DirectoryName", http.StatusConflict)
			if len(dirs) != 0 {
				t.Errorf("a loser has directories %v", dirs)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d CreateDirectory calls won the name; want exactly 1", won, n)
		}
	})
}
