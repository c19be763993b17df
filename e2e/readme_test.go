package e2e

import (
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The darabonba-openapi example of README.md, as written there (only the
// endpoint and the credentials come from the test): keep the two in step.
func TestREADMEDarabonbaExampleWorks(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	accessKeyID, accessKeySecret := acct.AccessKeyID, acct.AccessKeySecret

	client, err := openapi.NewClient(&openapi.Config{
		AccessKeyId:     tea.String(accessKeyID),
		AccessKeySecret: tea.String(accessKeySecret),
		Endpoint:        tea.String(srv.Endpoint), // README: "127.0.0.1:8080"
		Protocol:        tea.String("HTTP"),
	})
	if err != nil {
		t.Fatal(err)
	}
	params := &openapi.Params{
		Action: tea.String("CreateUser"), Version: tea.String("2015-05-01"), // RAM
		Protocol: tea.String("HTTP"), Method: tea.String("POST"), AuthType: tea.String("AK"),
		Style: tea.String("RPC"), Pathname: tea.String("/"),
		ReqBodyType: tea.String("json"), BodyType: tea.String("json"),
	}
	request := &openapi.OpenApiRequest{Query: map[string]*string{
		"UserName":    tea.String("alice"),
		"DisplayName": tea.String("Alice"),
	}}
	resp, err := client.CallApi(params, request, &dara.RuntimeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := resp["body"].(map[string]any) // the decoded JSON answer
	user := body["User"].(map[string]any)
	if user["UserName"] != "alice" || user["DisplayName"] != "Alice" || user["UserId"] == "" || body["RequestId"] == "" {
		t.Fatalf("CreateUser answered %v", body)
	}

	// The same client reaches every product on the one endpoint.
	params.Action, params.Version = tea.String("GetCallerIdentity"), tea.String("2015-04-01") // STS
	resp, err = client.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if body := resp["body"].(map[string]any); body["AccountId"] != acct.ID {
		t.Fatalf("GetCallerIdentity answered %v", body)
	}
}
