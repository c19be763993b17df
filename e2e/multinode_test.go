package e2e

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestRevocationReachesEveryNode: two nodes share one PostgreSQL. A policy
// detached or a key disabled through node A is refused by node B within
// the change-poll interval, without any request to B in between.
func TestRevocationReachesEveryNode(t *testing.T) {
	a := canopytest.Start(t, canopytest.WithPostgres())
	b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB))
	acct := a.CreateAccount(t)
	rootA := a.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	w := &ramWorld{srv: a, acct: acct, root: rootA}
	w.createUser(t, "operator")
	w.attachToUser(t, "operator", "System", "AliyunRAMReadOnlyAccess")
	id, secret := w.userKey(t, "operator")
	onB := b.RAMClient(t, id, secret)
	ok(t, "ListUsers on B (warms B's caches)", listUsers(onB))

	w.detachFromUser(t, "operator", "System", "AliyunRAMReadOnlyAccess")
	eventually(t, "B refuses after the detach on A", func() bool { return listUsers(onB) != nil })
	wantDenied(t, listUsers(onB), "ram:ListUsers", "ImplicitDeny")

	w.attachToUser(t, "operator", "System", "AliyunRAMReadOnlyAccess")
	eventually(t, "B allows after the re-attach on A", func() bool { return listUsers(onB) == nil })

	disable := ram.CreateUpdateAccessKeyRequest()
	disable.UserName, disable.UserAccessKeyId, disable.Status = "operator", id, "Inactive"
	_, err := rootA.UpdateAccessKey(disable)
	ok(t, "UpdateAccessKey Inactive on A", err)
	eventually(t, "B refuses the disabled key", func() bool { return listUsers(onB) != nil })
	wantServerError(t, listUsers(onB), "InvalidAccessKeyId.Inactive", 400)
}

// eventually polls cond for a few poll intervals of the change watcher.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * app.PollInterval) // generous for a loaded CI machine
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, 30*app.PollInterval)
		}
		time.Sleep(app.PollInterval / 5)
	}
}
