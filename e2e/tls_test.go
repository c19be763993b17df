package e2e

import (
	"os"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// listUsersOverTLS calls ListUsers through c pointed at the TLS listener,
// trusting the server's local CA (never skipping verification).
func listUsersOverTLS(t *testing.T, srv *canopytest.Server, c *ram.Client) error {
	t.Helper()
	c.Domain = srv.TLSEndpoint
	c.SetTransport(srv.HTTPSTransport(t))
	req := ram.CreateListUsersRequest()
	req.Scheme = "https"
	_, err := c.ListUsers(req)
	return err
}

// acs:SecureTransport is true exactly for requests that came over the TLS
// listener: the same signed call is allowed there and refused over HTTP.
func TestTLSSecureTransportCondition(t *testing.T) {
	w := newRAMWorld(t, canopytest.WithTLS())
	w.createPolicy(t, "ListOverTLS", statementDoc("Allow", "ram:ListUsers", `{"Bool":{"acs:SecureTransport":"true"}}`))
	w.createUser(t, "tls-only")
	id, secret := w.userKey(t, "tls-only")
	w.attachToUser(t, "tls-only", "Custom", "ListOverTLS")

	ok(t, "ListUsers over TLS, allowed when acs:SecureTransport is true", listUsersOverTLS(t, w.srv, w.srv.RAMClient(t, id, secret)))
	wantDenied(t, listUsers(w.srv.RAMClient(t, id, secret)), "ram:ListUsers", "ImplicitDeny")

	// The usual guardrail, the other way round: deny whatever does not come
	// over TLS.
	w.createPolicy(t, "DenyInsecure", `{"Version":"1","Statement":[`+
		`{"Effect":"Allow","Action":"ram:ListUsers","Resource":"*"},`+
		`{"Effect":"Deny","Action":"ram:*","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"false"}}}]}`)
	w.createUser(t, "guarded")
	id, secret = w.userKey(t, "guarded")
	w.attachToUser(t, "guarded", "Custom", "DenyInsecure")
	ok(t, "ListUsers over TLS under a deny-insecure guardrail", listUsersOverTLS(t, w.srv, w.srv.RAMClient(t, id, secret)))
	wantDenied(t, listUsers(w.srv.RAMClient(t, id, secret)), "ram:ListUsers", "ExplicitDeny")
}

// darabonba-openapi (V3 signatures) over HTTPS, trusting ca.pem through its
// Ca option.
func TestTLSDarabonbaWithTheCA(t *testing.T) {
	srv := canopytest.Start(t, canopytest.WithTLS())
	acct := srv.CreateAccount(t)
	ca, err := os.ReadFile(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	client, err := openapi.NewClient(&openapi.Config{
		AccessKeyId:     tea.String(acct.AccessKeyID),
		AccessKeySecret: tea.String(acct.AccessKeySecret),
		Endpoint:        tea.String(srv.TLSEndpoint),
		Protocol:        tea.String("HTTPS"),
		Ca:              tea.String(string(ca)),
	})
	if err != nil {
		t.Fatal(err)
	}
	params := &openapi.Params{
		Action: tea.String("GetCallerIdentity"), Version: tea.String("2015-04-01"),
		Protocol: tea.String("HTTPS"), Method: tea.String("POST"), AuthType: tea.String("AK"),
		Style: tea.String("RPC"), Pathname: tea.String("/"),
		ReqBodyType: tea.String("json"), BodyType: tea.String("json"),
	}
	resp, err := client.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{})
	if err != nil {
		t.Fatalf("GetCallerIdentity over HTTPS: %v", err)
	}
	if body := resp["body"].(map[string]any); body["AccountId"] != acct.ID {
		t.Fatalf("GetCallerIdentity answered %v", body)
	}

	// Without the CA, the handshake fails: the certificate is not trusted
	// by accident (the system roots do not know the local CA). tea pools
	// its HTTP clients by endpoint and runtime settings, not by Ca, so a
	// different ReadTimeout keeps this call off the pooled client above.
	client, err = openapi.NewClient(&openapi.Config{
		AccessKeyId:     tea.String(acct.AccessKeyID),
		AccessKeySecret: tea.String(acct.AccessKeySecret),
		Endpoint:        tea.String(srv.TLSEndpoint),
		Protocol:        tea.String("HTTPS"),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{ReadTimeout: tea.Int(9000)})
	if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Fatalf("a client that does not trust ca.pem: %v; want an unknown-authority failure", err)
	}
}
