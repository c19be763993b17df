package e2e

import (
	"fmt"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// ssoVersion is CloudSSO's API version.
const ssoVersion = "2021-05-15"

// ssoClient calls CloudSSO the way its generated SDK does: darabonba
// CallApi, RPC style, every parameter in the query, JSON answers. With
// SignatureAlgorithm "v2" darabonba takes the classic V1 path; by default
// it signs ACS3-HMAC-SHA256 with x-acs-action/x-acs-version headers.
type ssoClient struct {
	c *openapi.Client
}

// ssoClientFor returns a CloudSSO client for an AccessKey (v1: sign the
// classic way).
func ssoClientFor(t *testing.T, srv *canopytest.Server, id, secret string, v1 bool) *ssoClient {
	t.Helper()
	return ssoClientWith(t, srv, &openapi.Config{AccessKeyId: ptr(id), AccessKeySecret: ptr(secret)}, v1)
}

// ssoSessionClient returns a CloudSSO client for STS credentials.
func ssoSessionClient(t *testing.T, srv *canopytest.Server, c sts.Credentials) *ssoClient {
	t.Helper()
	return ssoClientWith(t, srv, &openapi.Config{AccessKeyId: ptr(c.AccessKeyId), AccessKeySecret: ptr(c.AccessKeySecret),
		SecurityToken: ptr(c.SecurityToken)}, false)
}

func ssoClientWith(t *testing.T, srv *canopytest.Server, cfg *openapi.Config, v1 bool) *ssoClient {
	t.Helper()
	cfg.Endpoint, cfg.Protocol, cfg.RegionId = ptr(srv.Endpoint), ptr("HTTP"), ptr("cn-shanghai")
	if v1 {
		cfg.SignatureAlgorithm = ptr("v2")
	}
	c, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &ssoClient{c: c}
}

// call runs one action and returns the decoded body.
func (s *ssoClient) call(action string, params map[string]any) (map[string]any, error) {
	p := &openapi.Params{Action: ptr(action), Version: ptr(ssoVersion), Protocol: ptr("HTTP"), Pathname: ptr("/"),
		Method: ptr("POST"), AuthType: ptr("AK"), Style: ptr("RPC"), ReqBodyType: ptr("formData"), BodyType: ptr("json")}
	req := &openapi.OpenApiRequest{Query: openapiutil.Query(params)}
	out, err := s.c.CallApi(p, req, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, _ := out["body"].(map[string]any)
	return body, nil
}

// must is call failing the test on an error.
func (s *ssoClient) must(t *testing.T, action string, params map[string]any) map[string]any {
	t.Helper()
	body, err := s.call(action, params)
	if err != nil {
		t.Fatalf("%s %v: %v", action, params, err)
	}
	return body
}

// ssoObject is the object an answer wraps under name.
func ssoObject(t *testing.T, body map[string]any, name string) map[string]any {
	t.Helper()
	o, ok := body[name].(map[string]any)
	if !ok {
		t.Fatalf("answer has no %s object: %v", name, body)
	}
	return o
}

// ssoArray is the bare array an answer holds under name.
func ssoArray(t *testing.T, body map[string]any, name string) []map[string]any {
	t.Helper()
	raw, ok := body[name].([]any)
	if !ok {
		t.Fatalf("answer has no %s array: %v", name, body)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// ssoNumber is a JSON number of an answer (darabonba decodes them as
// json.Number or float64).
func ssoNumber(t *testing.T, v any) int {
	t.Helper()
	switch n := v.(type) {
	case float64:
		return int(n)
	case fmt.Stringer:
		var i int
		if _, err := fmt.Sscan(n.String(), &i); err == nil {
			return i
		}
	case int:
		return n
	case int64:
		return int(n)
	}
	t.Fatalf("%v (%T) is not a JSON number", v, v)
	return 0
}

// ssoWorld is an RD management account with CloudSSO enabled and a
// directory, its root's CloudSSO client, and a CloudSSO administrator: a
// RAM user with AliyunCloudSSOFullAccess.
type ssoWorld struct {
	*rdWorld
	rootSSO  *ssoClient
	ssoAdmin *ssoClient
	dirID    string
	dirName  string
	adminARN string
}

// newSSOWorld sets up an ssoWorld on srv; the directory is named after the
// account.
func newSSOWorld(t *testing.T, srv *canopytest.Server) *ssoWorld {
	t.Helper()
	w := &ssoWorld{rdWorld: newRDWorldOn(t, srv)}
	w.rootSSO = ssoClientFor(t, srv, w.acct.AccessKeyID, w.acct.AccessKeySecret, false)
	w.createUser(t, "sso-admin")
	w.attachToUser(t, "sso-admin", "System", "AliyunCloudSSOFullAccess")
	id, secret := w.userKey(t, "sso-admin")
	w.ssoAdmin = ssoClientFor(t, srv, id, secret, false)
	w.adminARN = userARN(w.acct.ID, "sso-admin")
	w.ssoAdmin.must(t, "EnableService", nil)
	w.dirName = "sso-" + w.acct.ID
	d := ssoObject(t, w.ssoAdmin.must(t, "CreateDirectory", map[string]any{"DirectoryName": w.dirName}), "Directory")
	w.dirID, _ = d["DirectoryId"].(string)
	return w
}

// in returns params with the world's DirectoryId added.
func (w *ssoWorld) in(params map[string]any) map[string]any {
	out := map[string]any{"DirectoryId": w.dirID}
	for k, v := range params {
		out[k] = v
	}
	return out
}

// ssoCreateUser creates a user through the world's administrator and
// returns its id.
func (w *ssoWorld) ssoCreateUser(t *testing.T, name string, extra map[string]any) string {
	t.Helper()
	params := w.in(extra)
	params["UserName"] = name
	u := ssoObject(t, w.ssoAdmin.must(t, "CreateUser", params), "User")
	id, _ := u["UserId"].(string)
	return id
}

// ssoCreateGroup creates a group and returns its id.
func (w *ssoWorld) ssoCreateGroup(t *testing.T, name string) string {
	t.Helper()
	g := ssoObject(t, w.ssoAdmin.must(t, "CreateGroup", w.in(map[string]any{"GroupName": name})), "Group")
	id, _ := g["GroupId"].(string)
	return id
}

// ssoMemberSession is a session in a new member of the world's resource
// directory (its access role assumed by the RD administrator).
func (w *ssoWorld) ssoMemberSession(t *testing.T) *ssoClient {
	t.Helper()
	m := createResourceAccount(t, w.rootRD, w.directory.RootFolderId, "sso member", "sso-member")
	creds := mustAssume(t, w.adminSTS, accessRoleARN(m.AccountId), "sso-probe").Credentials
	return ssoSessionClient(t, w.srv, creds)
}
