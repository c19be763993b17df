package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// providerChildEnv makes the test binary a credential-provider program
// instead of running tests (see TestMain): its value is a providerRequest
// in JSON.
const providerChildEnv = "CANOPY_E2E_RAM_ROLE_ARN_PROVIDER"

// providerRequest is what the provider program is configured with.
type providerRequest struct {
	AccessKeyID, AccessKeySecret string // the long-term key it starts from
	RoleArn, RoleSessionName     string
	STSEndpoint                  string // host:port; the provider always uses https
}

// runProviderProgram fetches credentials with credentials-go's RAM-role-ARN
// provider, as a program configured by environment would, and prints them
// as JSON. It runs in a process of its own because crypto/x509 reads
// SSL_CERT_FILE once per process, and the provider has no option to trust
// a CA: SSL_CERT_FILE is how a user points it at Canopy's CA.
func runProviderProgram(config string) int {
	var req providerRequest
	if err := json.Unmarshal([]byte(config), &req); err != nil {
		fmt.Fprintln(os.Stderr, "provider request:", err)
		return 2
	}
	p, err := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithAccessKeyId(req.AccessKeyID).WithAccessKeySecret(req.AccessKeySecret).
		WithRoleArn(req.RoleArn).WithRoleSessionName(req.RoleSessionName).
		WithStsEndpoint(req.STSEndpoint).Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build provider:", err)
		return 1
	}
	creds, err := p.GetCredentials()
	if err != nil {
		fmt.Fprintln(os.Stderr, "GetCredentials:", err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(creds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// credentials-go's RAM-role-ARN provider, which hard-codes https and sends
// AssumeRole's parameters in a form body, gets working credentials from
// the TLS listener once SSL_CERT_FILE names Canopy's CA, and refuses the
// listener without it.
func TestCredentialsProviderRAMRoleARNOverTLS(t *testing.T) {
	srv := canopytest.Start(t, canopytest.WithTLS())
	if srv.TLSEndpoint == "" || srv.CAFile == "" {
		t.Fatalf("WithTLS gave TLSEndpoint %q and CAFile %q", srv.TLSEndpoint, srv.CAFile)
	}
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "deployer", trustDoc(rootARN(a.acct.ID)), 0)
	b.attachToRole(t, "deployer", "System", "AliyunRAMReadOnlyAccess")
	a.createUser(t, "ci")
	a.attachToUser(t, "ci", "System", "AliyunSTSAssumeRoleAccess")
	id, secret := a.userKey(t, "ci")
	config, err := json.Marshal(providerRequest{AccessKeyID: id, AccessKeySecret: secret,
		RoleArn: role.Arn, RoleSessionName: "from-provider", STSEndpoint: srv.TLSEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	// run starts the provider program with SSL_CERT_FILE set to caFile
	// ("" = the system's roots). "-test.run=^$": should the TestMain hook
	// be missing, the child runs no test rather than the whole suite.
	run := func(caFile string) (stdout, stderr string, err error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "SSL_CERT_FILE=") && !strings.HasPrefix(kv, providerChildEnv+"=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+caFile, providerChildEnv+"="+string(config))
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err = cmd.Run()
		return out.String(), errOut.String(), err
	}

	out, errOut, err := run(srv.CAFile)
	if err != nil {
		t.Fatalf("the provider trusting %s got no credentials from https://%s: %v\n%s", srv.CAFile, srv.TLSEndpoint, err, errOut)
	}
	var creds providers.Credentials
	if err := json.Unmarshal([]byte(out), &creds); err != nil {
		t.Fatalf("provider output %q: %v", out, err)
	}
	if !strings.HasPrefix(creds.AccessKeyId, "STS.") || creds.AccessKeySecret == "" || creds.SecurityToken == "" ||
		creds.ProviderName != "ram_role_arn/static_ak" {
		t.Fatalf("provider credentials %+v; want an STS. key, secret and token from ram_role_arn/static_ak", creds)
	}

	// They are the session's credentials, good on the plain listener too.
	session := sts.Credentials{AccessKeyId: creds.AccessKeyId, AccessKeySecret: creds.AccessKeySecret, SecurityToken: creds.SecurityToken}
	who, err := getCallerIdentity(sessionSTS(t, srv, session))
	ok(t, "GetCallerIdentity with the provider's credentials", err)
	if who.IdentityType != "AssumedRoleUser" || who.AccountId != b.acct.ID || who.Arn != assumedRoleARN(b.acct.ID, "deployer", "from-provider") ||
		who.PrincipalId != role.RoleId+":from-provider" {
		t.Fatalf("GetCallerIdentity answered %+v; want the session from-provider of %s", who, role.Arn)
	}
	ok(t, "ListUsers in B with the provider's credentials", listUsers(sessionRAM(t, srv, session)))

	// Without Canopy's CA the provider refuses the listener's certificate.
	_, errOut, err = run("")
	if err == nil {
		t.Fatal("the provider accepted the TLS listener without trusting Canopy's CA")
	}
	if !strings.Contains(errOut, "certificate") {
		t.Errorf("without the CA the provider failed for another reason: %s", errOut)
	}
}
