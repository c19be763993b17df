package e2e

import (
	"net/http"
	"testing"

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
