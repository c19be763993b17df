package e2e

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// Two nodes on one PostgreSQL database: a write's event is in the trail of
// both at once (it commits with the write); a read's event at once on its
// own node and, on the other, within audit.VisibilityDelay (each node
// folds its segment log into the store every 200 ms).
func TestTrailVisibilityAcrossNodes(t *testing.T) {
	a := canopytest.Start(t, canopytest.WithPostgres())
	b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB))
	acct := a.CreateAccount(t)
	trailA := a.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	trailB := b.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)

	create := ram.CreateCreateUserRequest()
	create.UserName = "seen-at-once"
	created, err := a.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret).CreateUser(create)
	if err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, trailB, "EventId", created.RequestId, "", "").Events; len(got) != 1 {
		t.Fatalf("the other node does not show a write's event at once: %v", got)
	}

	who, err := a.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	if err != nil {
		t.Fatal(err)
	}
	answered := time.Now()
	if got := lookup(t, trailA, "EventId", who.RequestId, "", "").Events; len(got) != 1 {
		t.Fatalf("the answering node does not show its read's event at once: %v", got)
	}
	for {
		if got := lookup(t, trailB, "EventId", who.RequestId, "", "").Events; len(got) == 1 {
			break
		}
		if time.Since(answered) > audit.VisibilityDelay {
			t.Fatalf("the other node does not show a read's event %v after it was answered", audit.VisibilityDelay)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("a read's event reached the other node within %v", time.Since(answered).Round(time.Millisecond))
}
