package signature

import (
	"encoding/json"
	stderrors "errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

func classicRequest(srv *sdkServer, method string, query, form map[string]string) *requests.CommonRequest {
	req := requests.NewCommonRequest()
	req.Domain = srv.host()
	req.Scheme = "http"
	req.Product = "Ram"
	req.Version = "2015-05-01"
	req.ApiName = "CreateUser"
	req.Method = method
	for k, v := range query {
		req.QueryParams[k] = v
	}
	for k, v := range form {
		req.FormParams[k] = v
	}
	return req
}

// The classic SDK signs, this package verifies: randomized names and values
// over GET and POST, with and without form bodies. The server also returns
// its string to sign, which must equal the SDK's byte for byte.
func TestClassicSDKRequestsVerify(t *testing.T) {
	const ak, secret = "LTAIclassicTest01", "classic-secret/+="
	srv := newSDKServer(t, map[string]string{ak: secret})
	client, err := sdk.NewClientWithAccessKey("cn-hangzhou", ak, secret)
	if err != nil {
		t.Fatal(err)
	}
	n := 400
	if testing.Short() {
		n = 60
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		taken := map[string]bool{}
		query := randomParams(rng, 1+rng.IntN(12), randomV1Key, taken)
		var form map[string]string
		method := "GET"
		if i%2 == 1 {
			method = "POST"
			form = randomParams(rng, rng.IntN(6), randomV1Key, taken)
		}
		req := classicRequest(srv, method, query, form)
		resp, err := client.ProcessCommonRequest(req)
		if err != nil {
			t.Fatalf("request %d (%s, query %q, form %q): %v", i, method, query, form, err)
		}
		var echo echoResponse
		if err := json.Unmarshal(resp.GetHttpContentBytes(), &echo); err != nil {
			t.Fatalf("request %d: %v: %s", i, err, resp.GetHttpContentString())
		}
		if echo.Scheme != "v1" {
			t.Fatalf("request %d verified as %q", i, echo.Scheme)
		}
		checkEcho(t, fmt.Sprintf("request %d", i), echo.Params, query, form)
		if sdkSTS := req.Ontology.GetStringToSign(); echo.StringToSign != sdkSTS {
			t.Fatalf("request %d: string to sign differs\nserver %s\nsdk    %s", i, echo.StringToSign, sdkSTS)
		}
	}
	if srv.verified != n {
		t.Fatalf("verified %d of %d", srv.verified, n)
	}
}

// Names whose decoded order differs from their encoded order: the SDK sorts
// before encoding, so must the server.
func TestClassicSDKSortsByDecodedName(t *testing.T) {
	const ak, secret = "LTAIorder", "s"
	srv := newSDKServer(t, map[string]string{ak: secret})
	client, err := sdk.NewClientWithAccessKey("cn-hangzhou", ak, secret)
	if err != nil {
		t.Fatal(err)
	}
	query := map[string]string{"a.b": "1", "a/b": "2", "Za": "3", "Zé": "4", "Z~": "5", "Z*": "6", "Z b": "7", "Z+": "8"}
	if _, err := client.ProcessCommonRequest(classicRequest(srv, "GET", query, nil)); err != nil {
		t.Fatal(err)
	}
}

// A wrong secret must fail, and because the server returns its string to
// sign the SDK can tell that only the secret differs.
func TestClassicSDKWrongSecretFails(t *testing.T) {
	const ak = "LTAIwrong"
	srv := newSDKServer(t, map[string]string{ak: "right-secret"})
	client, err := sdk.NewClientWithAccessKey("cn-hangzhou", ak, "wrong-secret")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		taken := map[string]bool{}
		method := []string{"GET", "POST"}[i%2]
		req := classicRequest(srv, method, randomParams(rng, 4, randomV1Key, taken), randomParams(rng, i%2*3, randomV1Key, taken))
		_, err := client.ProcessCommonRequest(req)
		var se *sdkerrors.ServerError
		if !stderrors.As(err, &se) || se.ErrorCode() != "SignatureDoesNotMatch" {
			t.Fatalf("request %d: want SignatureDoesNotMatch, got %v", i, err)
		}
		if se.Recommend() != "InvalidAccessKeySecret: Please check you AccessKeySecret" {
			t.Fatalf("request %d: SDK saw a different string to sign: %q", i, se.Recommend())
		}
	}
	if srv.verified != 0 {
		t.Fatalf("%d requests verified with a wrong secret", srv.verified)
	}
}
