package e2e

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// ramWorld is a running server with one account and its root RAM client.
type ramWorld struct {
	srv  *canopytest.Server
	acct canopytest.Account
	root *ram.Client
}

func newRAMWorld(t *testing.T, opts ...canopytest.Option) *ramWorld {
	t.Helper()
	srv := canopytest.Start(t, opts...)
	acct := srv.CreateAccount(t)
	return &ramWorld{srv: srv, acct: acct, root: srv.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)}
}

// ok fails the test when a call that must succeed did not.
func ok(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (w *ramWorld) createUser(t *testing.T, name string) *ram.CreateUserResponse {
	t.Helper()
	req := ram.CreateCreateUserRequest()
	req.UserName = name
	resp, err := w.root.CreateUser(req)
	ok(t, "CreateUser "+name, err)
	return resp
}

// userClient creates a user with an AccessKey and returns a client that
// signs as that user, plus the key id.
func (w *ramWorld) userClient(t *testing.T, name string) (*ram.Client, string) {
	t.Helper()
	w.createUser(t, name)
	id, secret := w.userKey(t, name)
	return w.srv.RAMClient(t, id, secret), id
}

// userKey creates an AccessKey for an existing user.
func (w *ramWorld) userKey(t *testing.T, name string) (id, secret string) {
	t.Helper()
	req := ram.CreateCreateAccessKeyRequest()
	req.UserName = name
	resp, err := w.root.CreateAccessKey(req)
	ok(t, "CreateAccessKey "+name, err)
	return resp.AccessKey.AccessKeyId, resp.AccessKey.AccessKeySecret
}

func (w *ramWorld) attachToUser(t *testing.T, user, policyType, policy string) {
	t.Helper()
	req := ram.CreateAttachPolicyToUserRequest()
	req.UserName, req.PolicyType, req.PolicyName = user, policyType, policy
	_, err := w.root.AttachPolicyToUser(req)
	ok(t, "AttachPolicyToUser "+policy, err)
}

func (w *ramWorld) detachFromUser(t *testing.T, user, policyType, policy string) {
	t.Helper()
	req := ram.CreateDetachPolicyFromUserRequest()
	req.UserName, req.PolicyType, req.PolicyName = user, policyType, policy
	_, err := w.root.DetachPolicyFromUser(req)
	ok(t, "DetachPolicyFromUser "+policy, err)
}

func (w *ramWorld) createPolicy(t *testing.T, name, doc string) {
	t.Helper()
	req := ram.CreateCreatePolicyRequest()
	req.PolicyName, req.PolicyDocument = name, doc
	_, err := w.root.CreatePolicy(req)
	ok(t, "CreatePolicy "+name, err)
}

func listUsers(c *ram.Client) error {
	_, err := c.ListUsers(ram.CreateListUsersRequest())
	return err
}

// statementDoc is a one-statement identity policy.
func statementDoc(effect, action, condition string) string {
	doc := `{"Version":"1","Statement":[{"Effect":"` + effect + `","Action":"` + action + `","Resource":"*"`
	if condition != "" {
		doc += `,"Condition":` + condition
	}
	return doc + `}]}`
}

// wantDenied asserts a NoPermission refusal that names the action.
func wantDenied(t *testing.T, err error, action, kind string) {
	t.Helper()
	se := wantServerError(t, err, "NoPermission", 403)
	if !strings.Contains(se.Message(), action) {
		t.Errorf("denial message %q does not name %s", se.Message(), action)
	}
	detail := se.AccessDeniedDetail()
	if detail == nil {
		t.Fatal("denial without AccessDeniedDetail")
	}
	if detail["AuthAction"] != action || detail["NoPermissionType"] != kind || detail["AuthPrincipalType"] != "SubUser" {
		t.Errorf("AccessDeniedDetail %v; want AuthAction %s, NoPermissionType %s, AuthPrincipalType SubUser", detail, action, kind)
	}
}
