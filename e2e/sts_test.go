package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of STS (issue 7): AssumeRole and the use of
// its temporary credentials, through the official SDKs only.

// expirationLayout is the only form of Credentials.Expiration the credential
// providers parse.
const expirationLayout = "2006-01-02T15:04:05Z"

// accountOn creates another account on srv, with its root RAM client.
func accountOn(t *testing.T, srv *canopytest.Server) *ramWorld {
	t.Helper()
	acct := srv.CreateAccount(t)
	return &ramWorld{srv: srv, acct: acct, root: srv.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)}
}

func rootARN(accountID string) string { return "acs:ram::" + accountID + ":root" }

func userARN(accountID, name string) string { return "acs:ram::" + accountID + ":user/" + name }

func roleARN(accountID, name string) string { return "acs:ram::" + accountID + ":role/" + name }

func assumedRoleARN(accountID, role, session string) string {
	return "acs:ram::" + accountID + ":assumed-role/" + role + "/" + session
}

// trustDoc is a trust policy that lets the RAM principals given (account
// roots, user ARNs, role ARNs) assume the role.
func trustDoc(principals ...string) string {
	list, _ := json.Marshal(principals)
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":` + string(list) + `}}]}`
}

// createRole creates a role (maxSession 0 leaves MaxSessionDuration at its
// default) and returns it as GetRole describes it.
func (w *ramWorld) createRole(t *testing.T, name, trust string, maxSession int) ram.Role {
	t.Helper()
	req := ram.CreateCreateRoleRequest()
	req.RoleName, req.AssumeRolePolicyDocument = name, trust
	if maxSession != 0 {
		req.MaxSessionDuration = requests.NewInteger(maxSession)
	}
	_, err := w.root.CreateRole(req)
	ok(t, "CreateRole "+name, err)
	get := ram.CreateGetRoleRequest()
	get.RoleName = name
	resp, err := w.root.GetRole(get)
	ok(t, "GetRole "+name, err)
	if resp.Role.RoleId == "" || resp.Role.Arn != roleARN(w.acct.ID, name) {
		t.Fatalf("GetRole %s answered %+v; want RoleId and Arn %s", name, resp.Role, roleARN(w.acct.ID, name))
	}
	return resp.Role
}

func (w *ramWorld) attachToRole(t *testing.T, role, policyType, policy string) {
	t.Helper()
	req := ram.CreateAttachPolicyToRoleRequest()
	req.RoleName, req.PolicyType, req.PolicyName = role, policyType, policy
	_, err := w.root.AttachPolicyToRole(req)
	ok(t, "AttachPolicyToRole "+policy+" to "+role, err)
}

func (w *ramWorld) detachFromRole(t *testing.T, role, policyType, policy string) {
	t.Helper()
	req := ram.CreateDetachPolicyFromRoleRequest()
	req.RoleName, req.PolicyType, req.PolicyName = role, policyType, policy
	_, err := w.root.DetachPolicyFromRole(req)
	ok(t, "DetachPolicyFromRole "+policy+" from "+role, err)
}

// assumer creates a RAM user allowed to call AssumeRole
// (AliyunSTSAssumeRoleAccess) and returns an STS client signing as it.
func (w *ramWorld) assumer(t *testing.T, name string) *sts.Client {
	t.Helper()
	w.createUser(t, name)
	w.attachToUser(t, name, "System", "AliyunSTSAssumeRoleAccess")
	id, secret := w.userKey(t, name)
	return w.srv.STSClient(t, id, secret)
}

// assumeOpt sets an optional AssumeRole parameter.
type assumeOpt func(*sts.AssumeRoleRequest)

func withDuration(seconds int) assumeOpt {
	return func(r *sts.AssumeRoleRequest) { r.DurationSeconds = requests.NewInteger(seconds) }
}

func withSessionPolicy(doc string) assumeOpt {
	return func(r *sts.AssumeRoleRequest) { r.Policy = doc }
}

func assumeRole(c *sts.Client, roleArn, session string, opts ...assumeOpt) (*sts.AssumeRoleResponse, error) {
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn, req.RoleSessionName = roleArn, session
	for _, o := range opts {
		o(req)
	}
	return c.AssumeRole(req)
}

func mustAssume(t *testing.T, c *sts.Client, roleArn, session string, opts ...assumeOpt) *sts.AssumeRoleResponse {
	t.Helper()
	resp, err := assumeRole(c, roleArn, session, opts...)
	ok(t, "AssumeRole "+roleArn+" as session "+session, err)
	return resp
}

// sessionRAM, sessionSTS and sessionTrail are classic-SDK clients that
// sign with a session's temporary credentials (SecurityToken parameter, V1).
func sessionRAM(t *testing.T, srv *canopytest.Server, c sts.Credentials) *ram.Client {
	return onSession(t, srv, c, ram.NewClientWithStsToken, func(cl *ram.Client) *sdk.Client { return &cl.Client })
}

func sessionSTS(t *testing.T, srv *canopytest.Server, c sts.Credentials) *sts.Client {
	return onSession(t, srv, c, sts.NewClientWithStsToken, func(cl *sts.Client) *sdk.Client { return &cl.Client })
}

func sessionTrail(t *testing.T, srv *canopytest.Server, c sts.Credentials) *actiontrail.Client {
	return onSession(t, srv, c, actiontrail.NewClientWithStsToken, func(cl *actiontrail.Client) *sdk.Client { return &cl.Client })
}

// onSession builds a product's client with the session's credentials,
// pointed at the server.
func onSession[C any](t *testing.T, srv *canopytest.Server, c sts.Credentials,
	build func(region, id, secret, token string) (*C, error), core func(*C) *sdk.Client) *C {
	t.Helper()
	client, err := build(canopytest.Region, c.AccessKeyId, c.AccessKeySecret, c.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	core(client).Domain = srv.Endpoint
	return client
}

func getCallerIdentity(c *sts.Client) (*sts.GetCallerIdentityResponse, error) {
	return c.GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
}

func createUserWith(c *ram.Client, name string) error {
	req := ram.CreateCreateUserRequest()
	req.UserName = name
	_, err := c.CreateUser(req)
	return err
}

// denial is what the AccessDeniedDetail of a NoPermission must say.
type denial struct {
	action        string // AuthAction
	policyType    string // PolicyType: the layer that refused
	principalType string // AuthPrincipalType: SubUser, AssumedRoleUser
	owner         string // AuthPrincipalOwnerId: the caller's account
	display       string // AuthPrincipalDisplayName; "" = not checked
}

// wantDenial asserts a 403 NoPermission whose AccessDeniedDetail names the
// action, the refusing policy type and the caller, as an ImplicitDeny.
func wantDenial(t *testing.T, err error, want denial) *sdkerrors.ServerError {
	t.Helper()
	se := wantServerError(t, err, "NoPermission", http.StatusForbidden)
	detail := se.AccessDeniedDetail()
	if detail == nil {
		t.Fatalf("NoPermission without AccessDeniedDetail (message %q)", se.Message())
	}
	checks := [][2]string{{"AuthAction", want.action}, {"PolicyType", want.policyType},
		{"AuthPrincipalType", want.principalType}, {"AuthPrincipalOwnerId", want.owner}, {"NoPermissionType", "ImplicitDeny"}}
	if want.display != "" {
		checks = append(checks, [2]string{"AuthPrincipalDisplayName", want.display})
	}
	for _, c := range checks {
		if detail[c[0]] != c[1] {
			t.Errorf("AccessDeniedDetail.%s = %v; want %q (detail %v, message %q)", c[0], detail[c[0]], c[1], detail, se.Message())
		}
	}
	if !strings.Contains(se.Message(), want.action) {
		t.Errorf("denial message %q does not name %s", se.Message(), want.action)
	}
	return se
}

// wantCredentials asserts the shape of an AssumeRole answer: an STS.
// AccessKey id, a secret, a token, an Expiration in the providers' layout
// between from+d and to+d (to the second), and the session's identity.
func wantCredentials(t *testing.T, resp *sts.AssumeRoleResponse, role ram.Role, account, session string, from, to time.Time, d time.Duration) time.Time {
	t.Helper()
	c := resp.Credentials
	if !strings.HasPrefix(c.AccessKeyId, "STS.") || len(c.AccessKeyId) <= len("STS.") {
		t.Errorf("Credentials.AccessKeyId %q; want STS.<id>", c.AccessKeyId)
	}
	if c.AccessKeySecret == "" || c.SecurityToken == "" {
		t.Errorf("Credentials without AccessKeySecret or SecurityToken: %+v", c)
	}
	if resp.RequestId == "" {
		t.Error("AssumeRole answered without RequestId")
	}
	exp := wantExpiration(t, c.Expiration, from, to, d)
	if want := role.RoleId + ":" + session; resp.AssumedRoleUser.AssumedRoleId != want {
		t.Errorf("AssumedRoleUser.AssumedRoleId %q; want %q (<RoleId>:<RoleSessionName>)", resp.AssumedRoleUser.AssumedRoleId, want)
	}
	if want := assumedRoleARN(account, role.RoleName, session); resp.AssumedRoleUser.Arn != want {
		t.Errorf("AssumedRoleUser.Arn %q; want %q", resp.AssumedRoleUser.Arn, want)
	}
	return exp
}

// wantExpiration parses an Expiration exactly as the credential providers
// do (a value that does not format back to itself is refused) and checks it
// lies in [from+d, to+d], to the second.
func wantExpiration(t *testing.T, expiration string, from, to time.Time, d time.Duration) time.Time {
	t.Helper()
	exp, err := time.Parse(expirationLayout, expiration)
	if err != nil || exp.Format(expirationLayout) != expiration {
		t.Fatalf("Expiration %q is not in the layout %s", expiration, expirationLayout)
	}
	lo, hi := from.Add(d).Truncate(time.Second).Add(-time.Second), to.Add(d).Add(time.Second)
	if exp.Before(lo) || exp.After(hi) {
		t.Errorf("Expiration %s; want now+%v (between %s and %s)", expiration, d, lo.UTC().Format(expirationLayout), hi.UTC().Format(expirationLayout))
	}
	return exp
}

// A root AccessKey never assumes a role, even one whose trust policy names
// its account (the management account's root and a member's
// ResourceDirectoryAccountAccessRole).
func TestAssumeRoleRefusesRoot(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	own := a.createRole(t, "ops", trustDoc(rootARN(a.acct.ID)), 0)
	member := b.createRole(t, "ResourceDirectoryAccountAccessRole", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, member.RoleName, "System", "AdministratorAccess")

	root := srv.STSClient(t, a.acct.AccessKeyID, a.acct.AccessKeySecret)
	for _, role := range []ram.Role{own, member} {
		_, err := assumeRole(root, role.Arn, "root-session")
		se := wantServerError(t, err, "NoPermission", http.StatusForbidden)
		if !strings.Contains(se.Message(), "Roles may not be assumed by root accounts") {
			t.Errorf("root assuming %s: message %q; want it to say %q", role.Arn, se.Message(), "Roles may not be assumed by root accounts")
		}
	}
}

// The caller's identity policies must allow sts:AssumeRole on the role's
// ARN, whatever the trust policy says.
func TestAssumeRoleNeedsTheCallersPermission(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	role := a.createRole(t, "ops", trustDoc(rootARN(a.acct.ID)), 0)
	a.createUser(t, "alice")
	id, secret := a.userKey(t, "alice")
	alice := srv.STSClient(t, id, secret)
	refused := denial{action: "sts:AssumeRole", policyType: "AccountLevelIdentityBasedPolicy", principalType: "SubUser", owner: a.acct.ID, display: "alice"}

	_, err := assumeRole(alice, role.Arn, "s1")
	wantDenial(t, err, refused)

	// A grant on another role's ARN does not reach this one.
	a.createPolicy(t, "assume-other", statementDocOn("Allow", "sts:AssumeRole", roleARN(a.acct.ID, "other")))
	a.attachToUser(t, "alice", "Custom", "assume-other")
	_, err = assumeRole(alice, role.Arn, "s1")
	wantDenial(t, err, refused)

	// The resource is the role's ARN: a grant naming it is enough.
	a.createPolicy(t, "assume-ops", statementDocOn("Allow", "sts:AssumeRole", role.Arn))
	a.attachToUser(t, "alice", "Custom", "assume-ops")
	mustAssume(t, alice, role.Arn, "s1")
}

// statementDocOn is a one-statement identity policy on one resource.
func statementDocOn(effect, action, resource string) string {
	return `{"Version":"1","Statement":[{"Effect":"` + effect + `","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// The role's trust policy must admit the caller: a role of account B that
// trusts a third account C refuses A's user even though the user may call
// sts:AssumeRole, and says the trust policy refused.
func TestAssumeRoleNeedsTheTrustPolicy(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	c := accountOn(t, srv)
	role := b.createRole(t, "ops", trustDoc(rootARN(c.acct.ID)), 0)
	alice := a.assumer(t, "alice")
	a.createUser(t, "bob")
	refused := denial{action: "sts:AssumeRole", policyType: "AssumeRolePolicy", principalType: "SubUser", owner: a.acct.ID, display: "alice"}
	setTrust := func(doc string) {
		t.Helper()
		req := ram.CreateUpdateRoleRequest()
		req.RoleName, req.NewAssumeRolePolicyDocument = "ops", doc
		_, err := b.root.UpdateRole(req)
		ok(t, "UpdateRole trust policy", err)
	}
	wantTrustRefusal := func(what string) {
		t.Helper()
		_, err := assumeRole(alice, role.Arn, "s1")
		se := wantDenial(t, err, refused)
		if msg := se.Message(); !strings.Contains(msg, "AssumeRolePolicy") && !strings.Contains(strings.ToLower(msg), "trust policy") {
			t.Errorf("%s: message %q does not say the role's trust policy refused", what, msg)
		}
	}

	wantTrustRefusal("trust policy naming a third account")

	// A user ARN admits that user only.
	setTrust(trustDoc(userARN(a.acct.ID, "bob")))
	wantTrustRefusal("trust policy naming another user of the caller's account")
	setTrust(trustDoc(userARN(a.acct.ID, "alice")))
	mustAssume(t, alice, role.Arn, "s1")

	// An account root admits every identity of that account.
	setTrust(trustDoc(rootARN(a.acct.ID)))
	mustAssume(t, alice, role.Arn, "s2")
}

// AssumeRole validates its parameters: the role's existence and ARN, the
// session name, the duration against the role's MaxSessionDuration, the
// session policy.
func TestAssumeRoleParameters(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	ops := w.createRole(t, "ops", trustDoc(rootARN(w.acct.ID)), 0)
	long := w.createRole(t, "long", trustDoc(rootARN(w.acct.ID)), 7200)
	if ops.MaxSessionDuration != 3600 || long.MaxSessionDuration != 7200 {
		t.Fatalf("MaxSessionDuration ops %d, long %d; want 3600 and 7200", ops.MaxSessionDuration, long.MaxSessionDuration)
	}
	alice := w.assumer(t, "alice")

	t.Run("unknown role", func(t *testing.T) {
		for _, arn := range []string{
			roleARN(w.acct.ID, "nosuchrole"),
			roleARN("1999999999999999", "ops"), // an account that does not exist has no roles
		} {
			_, err := assumeRole(alice, arn, "s1")
			wantServerError(t, err, "EntityNotExist.Role", http.StatusNotFound)
		}
	})

	t.Run("malformed RoleArn", func(t *testing.T) {
		for _, arn := range []string{
			"ops",
			"acs:ram::" + w.acct.ID + ":user/ops",
			"acs:ram::" + w.acct.ID + ":role/",
			"acs:ecs::" + w.acct.ID + ":role/ops",
			"acs:ram::" + w.acct.ID,
		} {
			_, err := assumeRole(alice, arn, "s1")
			wantServerError(t, err, "InvalidParameter.RoleArn", http.StatusBadRequest)
		}
	})

	t.Run("RoleSessionName", func(t *testing.T) {
		for _, name := range []string{"a", strings.Repeat("a", 65), "bad name", "bad/name", "bad:name", "bad*name", "émile"} {
			_, err := assumeRole(alice, ops.Arn, name)
			if err == nil {
				t.Errorf("RoleSessionName %q accepted", name)
				continue
			}
			wantServerError(t, err, "InvalidParameter.RoleSessionName", http.StatusBadRequest)
		}
		// 2 to 64 of letters, digits and . @ - _
		for _, name := range []string{"ab", strings.Repeat("z", 64), "Alice.Smith@example-corp_01"} {
			resp := mustAssume(t, alice, ops.Arn, name)
			if want := ops.RoleId + ":" + name; resp.AssumedRoleUser.AssumedRoleId != want {
				t.Errorf("session %q: AssumedRoleId %q; want %q", name, resp.AssumedRoleUser.AssumedRoleId, want)
			}
		}
	})

	t.Run("DurationSeconds", func(t *testing.T) {
		for _, c := range []struct {
			role    ram.Role
			seconds int
		}{{ops, 899}, {ops, 3601}, {long, 899}, {long, 7201}, {long, 43201}} {
			_, err := assumeRole(alice, c.role.Arn, "s1", withDuration(c.seconds))
			if err == nil {
				t.Errorf("DurationSeconds %d accepted for %s (MaxSessionDuration %d)", c.seconds, c.role.RoleName, c.role.MaxSessionDuration)
				continue
			}
			wantServerError(t, err, "InvalidParameter.DurationSeconds", http.StatusBadRequest)
		}
		for _, c := range []struct {
			role    ram.Role
			seconds int // 0: not sent, 3600 applies
		}{{ops, 900}, {ops, 3600}, {ops, 0}, {long, 900}, {long, 7200}, {long, 0}} {
			var opts []assumeOpt
			want := time.Hour
			if c.seconds != 0 {
				opts = append(opts, withDuration(c.seconds))
				want = time.Duration(c.seconds) * time.Second
			}
			from := time.Now()
			resp := mustAssume(t, alice, c.role.Arn, "s1", opts...)
			wantCredentials(t, resp, c.role, w.acct.ID, "s1", from, time.Now(), want)
		}
	})

	t.Run("session Policy", func(t *testing.T) {
		// 2048 characters at most, counted on the document as sent.
		resources := make([]string, 0, 60)
		for i := 0; len(strings.Join(resources, `","`)) < 2100; i++ {
			resources = append(resources, roleARN(w.acct.ID, "r"+strings.Repeat("x", i%10)))
		}
		big := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:ListUsers","Resource":["` + strings.Join(resources, `","`) + `"]}]}`
		_, err := assumeRole(alice, ops.Arn, "s1", withSessionPolicy(big))
		wantServerError(t, err, "InvalidParameter.PolicySize", http.StatusBadRequest)

		for _, doc := range []string{
			`{"Version":"1","Statement":[`,
			`{"Version":"1","Statement":[{"Effect":"Maybe","Action":"ram:ListUsers","Resource":"*"}]}`,
		} {
			_, err := assumeRole(alice, ops.Arn, "s1", withSessionPolicy(doc))
			wantServerError(t, err, "InvalidParameter.PolicyGrammar", http.StatusBadRequest)
		}
	})
}

// A successful AssumeRole answers fresh STS credentials for the role's
// account; role names in RoleArn match whatever their case, and parameters
// are read from a form body as well (as credential providers send them).
func TestAssumeRoleIssuesCredentials(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "Deployer", trustDoc(rootARN(a.acct.ID)), 0)
	alice := a.assumer(t, "alice")

	from := time.Now()
	first := mustAssume(t, alice, role.Arn, "alice-at-b")
	wantCredentials(t, first, role, b.acct.ID, "alice-at-b", from, time.Now(), time.Hour)
	// SDKs pass the token in a query string: without a session policy it
	// stays under 2 KB.
	if n := len(first.Credentials.SecurityToken); n > 2048 {
		t.Errorf("SecurityToken of %d characters; want at most 2048 without a session policy", n)
	}

	// Every call issues new credentials, even for the same session name.
	second := mustAssume(t, alice, role.Arn, "alice-at-b")
	if second.Credentials.AccessKeyId == first.Credentials.AccessKeyId || second.Credentials.AccessKeySecret == first.Credentials.AccessKeySecret ||
		second.Credentials.SecurityToken == first.Credentials.SecurityToken {
		t.Errorf("two AssumeRole calls share credentials: %+v and %+v", first.Credentials, second.Credentials)
	}

	// The role name in RoleArn matches case-insensitively; the session is
	// of the role as stored.
	for _, arn := range []string{roleARN(b.acct.ID, "deployer"), roleARN(b.acct.ID, "DEPLOYER")} {
		from := time.Now()
		resp, err := assumeRole(alice, arn, "case")
		ok(t, "AssumeRole "+arn, err)
		wantCredentials(t, resp, role, b.acct.ID, "case", from, time.Now(), time.Hour)
	}

	// The same call with its parameters in a signed form body.
	req := requests.NewCommonRequest()
	req.Method, req.Domain, req.Scheme = requests.POST, srv.Endpoint, "http"
	req.Product, req.Version, req.ApiName = "Sts", "2015-04-01", "AssumeRole"
	req.FormParams["RoleArn"] = role.Arn
	req.FormParams["RoleSessionName"] = "from-a-form"
	req.FormParams["DurationSeconds"] = "900"
	from = time.Now()
	raw, err := alice.ProcessCommonRequest(req)
	ok(t, "AssumeRole with a form body", err)
	var form sts.AssumeRoleResponse
	if err := json.Unmarshal(raw.GetHttpContentBytes(), &form); err != nil {
		t.Fatalf("AssumeRole answer %s: %v", raw.GetHttpContentString(), err)
	}
	if raw.GetHttpStatus() != http.StatusOK {
		t.Errorf("AssumeRole answered HTTP %d; providers accept only 200", raw.GetHttpStatus())
	}
	wantCredentials(t, &form, role, b.acct.ID, "from-a-form", from, time.Now(), 900*time.Second)
}

// A session of a role in another account acts in that account:
// GetCallerIdentity names the session.
func TestAssumedRoleCallerIdentityAcrossAccounts(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "auditor", trustDoc(rootARN(a.acct.ID)), 0)
	alice := a.assumer(t, "alice")
	creds := mustAssume(t, alice, role.Arn, "alice-session").Credentials

	id, err := getCallerIdentity(sessionSTS(t, srv, creds))
	ok(t, "GetCallerIdentity with STS credentials", err)
	want := sts.GetCallerIdentityResponse{IdentityType: "AssumedRoleUser", AccountId: b.acct.ID,
		Arn: assumedRoleARN(b.acct.ID, "auditor", "alice-session"), RoleId: role.RoleId,
		PrincipalId: role.RoleId + ":alice-session", UserId: ""}
	if id.IdentityType != want.IdentityType || id.AccountId != want.AccountId || id.Arn != want.Arn ||
		id.RoleId != want.RoleId || id.PrincipalId != want.PrincipalId || id.UserId != want.UserId || id.RequestId == "" {
		t.Fatalf("GetCallerIdentity answered %+v;\nwant IdentityType %s, AccountId %s, Arn %s, RoleId %s, PrincipalId %s and no UserId",
			id, want.IdentityType, want.AccountId, want.Arn, want.RoleId, want.PrincipalId)
	}
}

// A session can do what the role's policies allow, in the role's account,
// and nothing more.
func TestSessionActsAsTheRole(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	b.createUser(t, "only-in-b")
	role := b.createRole(t, "reader", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := a.assumer(t, "alice")
	session := sessionRAM(t, srv, mustAssume(t, alice, role.Arn, "s1").Credentials)

	users, err := session.ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers in B as reader", err)
	var names []string
	for _, u := range users.Users.User {
		names = append(names, u.UserName)
	}
	if !contains(names, "only-in-b") || contains(names, "alice") {
		t.Fatalf("the session listed %v; want B's users (only-in-b), not A's (alice)", names)
	}

	err = createUserWith(session, "mallory")
	wantDenial(t, err, denial{action: "ram:CreateUser", policyType: "AccountLevelIdentityBasedPolicy",
		principalType: "AssumedRoleUser", owner: b.acct.ID, display: "reader:s1"})
	get := ram.CreateGetUserRequest()
	get.UserName = "mallory"
	_, err = b.root.GetUser(get)
	wantServerError(t, err, "EntityNotExist.User", http.StatusNotFound)
}

// A session policy narrows what the role allows; a broader one does not
// widen it.
func TestSessionPolicyOnlyNarrows(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	admin := w.createRole(t, "admin", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "admin", "System", "AliyunRAMFullAccess")
	reader := w.createRole(t, "reader", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := w.assumer(t, "alice")

	// Without a session policy the role's rights apply in full.
	full := sessionRAM(t, srv, mustAssume(t, alice, admin.Arn, "full").Credentials)
	ok(t, "CreateUser as admin without a session policy", createUserWith(full, "made-by-admin"))

	narrow := sessionRAM(t, srv, mustAssume(t, alice, admin.Arn, "narrow",
		withSessionPolicy(statementDoc("Allow", "ram:ListUsers", ""))).Credentials)
	ok(t, "ListUsers allowed by role and session policy", listUsers(narrow))
	wantDenial(t, createUserWith(narrow, "narrowed"), denial{action: "ram:CreateUser", policyType: "SessionPolicy",
		principalType: "AssumedRoleUser", owner: w.acct.ID, display: "admin:narrow"})

	broad := sessionRAM(t, srv, mustAssume(t, alice, reader.Arn, "broad",
		withSessionPolicy(statementDoc("Allow", "*", ""))).Credentials)
	ok(t, "ListUsers allowed by role and session policy", listUsers(broad))
	wantDenial(t, createUserWith(broad, "widened"), denial{action: "ram:CreateUser", policyType: "AccountLevelIdentityBasedPolicy",
		principalType: "AssumedRoleUser", owner: w.acct.ID, display: "reader:broad"})
}

// A session's rights are the role's as they are now: a detached policy
// bites on the very next request, and a deleted role leaves its sessions
// nothing, even when a new role takes its name.
func TestRoleChangesBiteOnTheNextRequest(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "reader", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := a.assumer(t, "alice")
	session := sessionRAM(t, srv, mustAssume(t, alice, role.Arn, "s1").Credentials)
	refused := denial{action: "ram:ListUsers", policyType: "AccountLevelIdentityBasedPolicy",
		principalType: "AssumedRoleUser", owner: b.acct.ID, display: "reader:s1"}

	ok(t, "ListUsers while the role may", listUsers(session))
	b.detachFromRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	wantDenial(t, listUsers(session), refused)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	ok(t, "ListUsers once the policy is attached again", listUsers(session))

	del := ram.CreateDeleteRoleRequest()
	del.RoleName = "reader"
	_, err := b.root.DeleteRole(del)
	wantServerError(t, err, "DeleteConflict.Role.Policy", http.StatusConflict)
	b.detachFromRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	_, err = b.root.DeleteRole(del)
	ok(t, "DeleteRole", err)
	wantDenial(t, listUsers(session), refused)

	// A new role of the same name is another role: the old session does not
	// get its rights.
	b.createRole(t, "reader", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	wantDenial(t, listUsers(session), refused)
}

// flipMiddle changes one character in the middle of s, keeping it in the
// base64 alphabets.
func flipMiddle(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// Temporary credentials are refused with the gateway's codes when their
// parts do not belong together.
func TestSecurityTokenRefusals(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "reader", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := a.assumer(t, "alice")
	one := mustAssume(t, alice, role.Arn, "one").Credentials
	two := mustAssume(t, alice, role.Arn, "two").Credentials

	// The genuine credentials work, through STS and RAM.
	_, err := getCallerIdentity(sessionSTS(t, srv, one))
	ok(t, "GetCallerIdentity with session one", err)
	ok(t, "ListUsers with session two", listUsers(sessionRAM(t, srv, two)))

	with := func(id, secret, token string) sts.Credentials {
		return sts.Credentials{AccessKeyId: id, AccessKeySecret: secret, SecurityToken: token}
	}
	cases := []struct {
		name  string
		creds sts.Credentials
		code  string
	}{
		{"tampered token", with(one.AccessKeyId, one.AccessKeySecret, flipMiddle(one.SecurityToken)), "InvalidSecurityToken.Malformed"},
		{"not a token", with(one.AccessKeyId, one.AccessKeySecret, "not-a-token"), "InvalidSecurityToken.Malformed"},
		{"another session's token", with(two.AccessKeyId, two.AccessKeySecret, one.SecurityToken), "InvalidSecurityToken.MismatchWithAccessKey"},
		{"wrong secret", with(one.AccessKeyId, two.AccessKeySecret, one.SecurityToken), "SignatureDoesNotMatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := getCallerIdentity(sessionSTS(t, srv, c.creds))
			wantServerError(t, err, c.code, http.StatusBadRequest)
			wantServerError(t, listUsers(sessionRAM(t, srv, c.creds)), c.code, http.StatusBadRequest)
		})
	}

	t.Run("no token", func(t *testing.T) {
		se := wantServerError(t, listUsers(srv.RAMClient(t, one.AccessKeyId, one.AccessKeySecret)), "MissingSecurityToken", http.StatusBadRequest)
		if !strings.Contains(se.Message(), "SecurityToken is mandatory") {
			t.Errorf("MissingSecurityToken message %q", se.Message())
		}
	})

	// A token sealed by another deployment (its own keys) means nothing here.
	t.Run("another deployment's token", func(t *testing.T) {
		other := canopytest.Start(t)
		oa := accountOn(t, other)
		orole := oa.createRole(t, "reader", trustDoc(rootARN(oa.acct.ID)), 0)
		foreign := mustAssume(t, oa.assumer(t, "alice"), orole.Arn, "one").Credentials
		_, err := getCallerIdentity(sessionSTS(t, srv, foreign))
		wantServerError(t, err, "InvalidSecurityToken.Malformed", http.StatusBadRequest)
	})
}

// advance moves srv's clock (see canopytest.Server.Advance), failing the
// test rather than panicking while the node has no movable clock.
func advance(t *testing.T, srv *canopytest.Server, d time.Duration) {
	t.Helper()
	srv.Advance(d)
}

// A session ends at its Expiration: an injected clock moves past it (no
// sleep), and every product refuses its credentials.
func TestExpiredSecurityToken(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	role := w.createRole(t, "reader", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := w.assumer(t, "alice")
	creds := mustAssume(t, alice, role.Arn, "short", withDuration(900)).Credentials
	stsClient, ramClient := sessionSTS(t, srv, creds), sessionRAM(t, srv, creds)

	advance(t, srv, 890*time.Second)
	_, err := getCallerIdentity(stsClient)
	ok(t, "GetCallerIdentity 10 s before the session expires", err)
	ok(t, "ListUsers 10 s before the session expires", listUsers(ramClient))

	advance(t, srv, 20*time.Second)
	_, err = getCallerIdentity(stsClient)
	wantServerError(t, err, "InvalidSecurityToken.Expired", http.StatusBadRequest)
	wantServerError(t, listUsers(ramClient), "InvalidSecurityToken.Expired", http.StatusBadRequest)

	// The role itself is unharmed: a new session works.
	fresh := mustAssume(t, alice, role.Arn, "fresh", withDuration(900)).Credentials
	ok(t, "ListUsers with a new session", listUsers(sessionRAM(t, srv, fresh)))
}

// darabonba-openapi v2 signs with STS credentials when its Config has a
// SecurityToken: the x-acs-security-token header with V3 (its default), the
// SecurityToken parameter with V1.
func TestDarabonbaWithSecurityToken(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "reader", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := a.assumer(t, "alice")
	creds := mustAssume(t, alice, role.Arn, "dara").Credentials

	call := func(algorithm, token, action, version string) (map[string]any, error) {
		cfg := &openapi.Config{AccessKeyId: ptr(creds.AccessKeyId), AccessKeySecret: ptr(creds.AccessKeySecret),
			SecurityToken: ptr(token), Endpoint: ptr(srv.Endpoint), Protocol: ptr("HTTP")}
		if algorithm != "" {
			cfg.SignatureAlgorithm = ptr(algorithm)
		}
		client, err := openapi.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		params := &openapi.Params{Action: ptr(action), Version: ptr(version), Protocol: ptr("HTTP"),
			Method: ptr("POST"), AuthType: ptr("AK"), Style: ptr("RPC"), Pathname: ptr("/"), ReqBodyType: ptr("formData"), BodyType: ptr("json")}
		out, err := client.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{})
		if err != nil {
			return nil, err
		}
		body, _ := out["body"].(map[string]any)
		return body, nil
	}
	for _, algorithm := range []string{"", "v2"} { // ACS3-HMAC-SHA256, and the legacy V1 path
		id, err := call(algorithm, creds.SecurityToken, "GetCallerIdentity", "2015-04-01")
		if err != nil {
			t.Fatalf("algorithm %q: GetCallerIdentity: %v", algorithm, err)
		}
		if id["IdentityType"] != "AssumedRoleUser" || id["AccountId"] != b.acct.ID ||
			id["Arn"] != assumedRoleARN(b.acct.ID, "reader", "dara") || id["PrincipalId"] != role.RoleId+":dara" || id["RoleId"] != role.RoleId {
			t.Errorf("algorithm %q: GetCallerIdentity answered %v", algorithm, id)
		}
		if _, err := call(algorithm, creds.SecurityToken, "ListUsers", "2015-05-01"); err != nil {
			t.Errorf("algorithm %q: ListUsers as reader: %v", algorithm, err)
		}
		_, err = call(algorithm, flipMiddle(creds.SecurityToken), "GetCallerIdentity", "2015-04-01")
		wantDaraError(t, err, "InvalidSecurityToken.Malformed", http.StatusBadRequest)
	}
}

// wantDaraError asserts a darabonba error with the code and status.
func wantDaraError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded; want %s (%d)", code, status)
	}
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a tea.SDKError; want %s", err, err, code)
	}
	if tea.StringValue(se.Code) != code || tea.IntValue(se.StatusCode) != status {
		t.Fatalf("got %s (%d) %q; want %s (%d)", tea.StringValue(se.Code), tea.IntValue(se.StatusCode), tea.StringValue(se.Message), code, status)
	}
}

// A session may assume another role when its role may (role chaining); the
// chained session lasts at most an hour and never outlives its parent.
func TestRoleChaining(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	first := w.createRole(t, "first", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "first", "System", "AliyunSTSAssumeRoleAccess")
	// second trusts the role first (its sessions) and the user bob, not the
	// account: alice reaches it only through first.
	second := w.createRole(t, "second", trustDoc(roleARN(w.acct.ID, "first"), userARN(w.acct.ID, "bob")), 7200)
	w.attachToRole(t, "second", "System", "AliyunRAMReadOnlyAccess")
	alice := w.assumer(t, "alice")
	bob := w.assumer(t, "bob")

	_, err := assumeRole(alice, second.Arn, "direct")
	wantDenial(t, err, denial{action: "sts:AssumeRole", policyType: "AssumeRolePolicy", principalType: "SubUser", owner: w.acct.ID, display: "alice"})
	// Unchained, second grants its full MaxSessionDuration.
	from := time.Now()
	resp := mustAssume(t, bob, second.Arn, "bob-long", withDuration(7200))
	wantCredentials(t, resp, second, w.acct.ID, "bob-long", from, time.Now(), 7200*time.Second)

	from = time.Now()
	parent := mustAssume(t, alice, first.Arn, "hop1", withDuration(900))
	parentExp := wantCredentials(t, parent, first, w.acct.ID, "hop1", from, time.Now(), 900*time.Second)
	hop := sessionSTS(t, srv, parent.Credentials)

	chained := mustAssume(t, hop, second.Arn, "hop2")
	exp, err := time.Parse(expirationLayout, chained.Credentials.Expiration)
	if err != nil {
		t.Fatalf("chained Expiration %q: %v", chained.Credentials.Expiration, err)
	}
	if exp.After(parentExp) {
		t.Errorf("chained session expires at %s, after its parent (%s)", chained.Credentials.Expiration, parent.Credentials.Expiration)
	}
	if !strings.HasPrefix(chained.Credentials.AccessKeyId, "STS.") || chained.AssumedRoleUser.AssumedRoleId != second.RoleId+":hop2" ||
		chained.AssumedRoleUser.Arn != assumedRoleARN(w.acct.ID, "second", "hop2") {
		t.Errorf("chained AssumeRole answered %+v", chained)
	}
	id, err := getCallerIdentity(sessionSTS(t, srv, chained.Credentials))
	ok(t, "GetCallerIdentity of the chained session", err)
	if id.IdentityType != "AssumedRoleUser" || id.Arn != assumedRoleARN(w.acct.ID, "second", "hop2") || id.RoleId != second.RoleId {
		t.Errorf("chained GetCallerIdentity answered %+v", id)
	}
	ok(t, "ListUsers as second through the chain", listUsers(sessionRAM(t, srv, chained.Credentials)))

	// Chained sessions are capped at 3600 s, whatever the role allows.
	_, err = assumeRole(hop, second.Arn, "hop2-long", withDuration(7200))
	wantServerError(t, err, "InvalidParameter.DurationSeconds", http.StatusBadRequest)
}

// findEvent returns the event of trail whose requestId is requestID among
// those LookupEvents finds with the attribute key=value, or nil.
func findEvent(t *testing.T, trail *actiontrail.Client, key, value, requestID string) map[string]any {
	t.Helper()
	for _, e := range lookup(t, trail, key, value, "50", "").Events {
		if e["requestId"] == requestID {
			return e
		}
	}
	return nil
}

// A session's calls are audited in the role owner's trail, naming the
// session and who assumed the role; the AssumeRole call itself is in the
// caller's trail and in the role owner's.
func TestAssumedRoleSessionAudit(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "auditor", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "auditor", "System", "AliyunRAMReadOnlyAccess")
	alice := a.assumer(t, "alice")
	assumed := mustAssume(t, alice, role.Arn, "alice-audit")
	creds := assumed.Credentials
	listed, err := sessionRAM(t, srv, creds).ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers as auditor", err)
	denied := createUserWith(sessionRAM(t, srv, creds), "not-allowed")
	wantServerError(t, denied, "NoPermission", http.StatusForbidden)

	trailA := srv.TrailClient(t, a.acct.AccessKeyID, a.acct.AccessKeySecret)
	trailB := srv.TrailClient(t, b.acct.AccessKeyID, b.acct.AccessKeySecret)
	sourceARN := userARN(a.acct.ID, "alice")

	ev := findEvent(t, trailB, "EventName", "ListUsers", listed.RequestId)
	if ev == nil {
		t.Fatalf("B's trail has no ListUsers event with requestId %s", listed.RequestId)
	}
	who, _ := ev["userIdentity"].(map[string]any)
	if who["type"] != "assumed-role" || who["accountId"] != b.acct.ID || who["principalId"] != role.RoleId+":alice-audit" ||
		who["userName"] != "auditor:alice-audit" || who["accessKeyId"] != creds.AccessKeyId || ev["errorCode"] != "" {
		t.Errorf("session ListUsers event userIdentity %v (errorCode %v);\nwant type assumed-role, accountId %s, principalId %s:alice-audit, userName auditor:alice-audit, accessKeyId %s",
			who, ev["errorCode"], b.acct.ID, role.RoleId, creds.AccessKeyId)
	}
	session, found := who["sessionContext"]
	raw, _ := json.Marshal(session)
	if !found || !strings.Contains(string(raw), sourceARN) {
		t.Errorf("userIdentity.sessionContext %s does not name the source %s", raw, sourceARN)
	}
	if findEvent(t, trailA, "EventName", "ListUsers", listed.RequestId) != nil {
		t.Errorf("the session's ListUsers in B is in A's trail")
	}

	// The User filter finds the session by <role>:<session>, and nothing else.
	byUser := lookup(t, trailB, "User", "auditor:alice-audit", "50", "").Events
	var names []string
	for _, e := range byUser {
		who, _ := e["userIdentity"].(map[string]any)
		if who["userName"] != "auditor:alice-audit" {
			t.Errorf("User=auditor:alice-audit found an event of %v", who)
		}
		name, _ := e["eventName"].(string)
		names = append(names, name)
	}
	if !contains(names, "ListUsers") || !contains(names, "CreateUser") {
		t.Errorf("User=auditor:alice-audit found %v; want the session's ListUsers and refused CreateUser", names)
	}

	// AssumeRole is in the caller's trail, and visible to the role's owner.
	for side, trail := range map[string]*actiontrail.Client{"A": trailA, "B": trailB} {
		ev := findEvent(t, trail, "EventName", "AssumeRole", assumed.RequestId)
		if ev == nil {
			t.Errorf("%s's trail has no AssumeRole event with requestId %s", side, assumed.RequestId)
			continue
		}
		who, _ := ev["userIdentity"].(map[string]any)
		if ev["eventName"] != "AssumeRole" || ev["serviceName"] != "Sts" || ev["errorCode"] != "" ||
			who["type"] != "ram-user" || who["accountId"] != a.acct.ID || who["userName"] != "alice" {
			t.Errorf("AssumeRole event in %s's trail: %v", side, ev)
		}
	}
}

// A session reads its own account's trail when its role may, and finds
// there what it did.
func TestSessionLooksUpItsAccountsTrail(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "trail-reader", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "trail-reader", "System", "AliyunActionTrailReadOnlyAccess")
	alice := a.assumer(t, "alice")
	creds := mustAssume(t, alice, role.Arn, "look").Credentials
	id, err := getCallerIdentity(sessionSTS(t, srv, creds))
	ok(t, "GetCallerIdentity", err)

	ev := findEvent(t, sessionTrail(t, srv, creds), "EventName", "GetCallerIdentity", id.RequestId)
	if ev == nil {
		t.Fatalf("the session does not find its GetCallerIdentity in B's trail")
	}
	if who, _ := ev["userIdentity"].(map[string]any); who["accountId"] != b.acct.ID || who["type"] != "assumed-role" {
		t.Errorf("GetCallerIdentity event %v", ev)
	}
}

// Trust policies can require an ExternalId (sts:ExternalId) and name the
// caller with acs:PrincipalARN; a condition that does not hold refuses the
// assumption as the trust policy's.
func TestTrustPolicyConditions(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["` + rootARN(w.acct.ID) + `"]},` +
		`"Condition":{"StringEquals":{"sts:ExternalId":"partner-7f3a"},"StringLike":{"acs:PrincipalARN":"` + userARN(w.acct.ID, "ci-*") + `"}}}]}`
	w.createRole(t, "partner", trust, 0)
	arn := roleARN(w.acct.ID, "partner")
	ci := w.assumer(t, "ci-bot")
	other := w.assumer(t, "dev")
	withExternalID := func(id string) assumeOpt { return func(r *sts.AssumeRoleRequest) { r.ExternalId = id } }
	refused := denial{action: "sts:AssumeRole", policyType: "AssumeRolePolicy", principalType: "SubUser", owner: w.acct.ID}

	_, err := assumeRole(ci, arn, "no-external-id")
	wantDenial(t, err, refused)
	_, err = assumeRole(ci, arn, "wrong-external-id", withExternalID("partner-0000"))
	wantDenial(t, err, refused)
	_, err = assumeRole(other, arn, "wrong-principal", withExternalID("partner-7f3a"))
	wantDenial(t, err, refused)
	mustAssume(t, ci, arn, "right", withExternalID("partner-7f3a"))
	_, err = assumeRole(ci, arn, "bad-external-id", withExternalID("x"))
	wantServerError(t, err, "InvalidParameter.ExternalId", http.StatusBadRequest)
}
