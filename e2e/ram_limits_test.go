package e2e

import (
	"fmt"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// A user joins at most 10 groups and holds at most 10 custom policies.
func TestRAMPerUserLimits(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "busy")
	for i := 1; i <= 11; i++ {
		g := ram.CreateCreateGroupRequest()
		g.GroupName = fmt.Sprintf("team-%02d", i)
		_, err := w.root.CreateGroup(g)
		ok(t, "CreateGroup", err)
		add := ram.CreateAddUserToGroupRequest()
		add.UserName, add.GroupName = "busy", g.GroupName
		_, err = w.root.AddUserToGroup(add)
		if i <= 10 {
			ok(t, "AddUserToGroup "+g.GroupName, err)
		} else {
			wantServerError(t, err, "LimitExceeded.User.Group", 409)
		}
	}
	for i := 1; i <= 11; i++ {
		name := fmt.Sprintf("custom-%02d", i)
		w.createPolicy(t, name, statementDoc("Allow", "ram:GetUser", ""))
		req := ram.CreateAttachPolicyToUserRequest()
		req.UserName, req.PolicyType, req.PolicyName = "busy", "Custom", name
		_, err := w.root.AttachPolicyToUser(req)
		if i <= 10 {
			ok(t, "AttachPolicyToUser "+name, err)
		} else {
			wantServerError(t, err, "LimitExceeded.User.Policy", 409)
		}
	}
}
