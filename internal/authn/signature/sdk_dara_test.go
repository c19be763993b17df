package signature

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

func newDaraClient(t *testing.T, srv *sdkServer, ak, secret, algorithm string) *openapi.Client {
	t.Helper()
	cfg := &openapi.Config{
		AccessKeyId:     dara.String(ak),
		AccessKeySecret: dara.String(secret),
		Endpoint:        dara.String(srv.host()),
		Protocol:        dara.String("HTTP"),
	}
	if algorithm != "" {
		cfg.SignatureAlgorithm = dara.String(algorithm)
	}
	c, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func callDara(c *openapi.Client, method string, query, body map[string]string) (map[string]interface{}, error) {
	params := &openapi.Params{
		Action: dara.String("CreateUser"), Version: dara.String("2015-05-01"),
		Protocol: dara.String("HTTP"), Method: dara.String(method), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), Pathname: dara.String("/"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	req := &openapi.OpenApiRequest{Query: map[string]*string{}}
	for k, v := range query {
		req.Query[k] = dara.String(v)
	}
	if body != nil {
		m := map[string]interface{}{}
		for k, v := range body {
			m[k] = v
		}
		req.Body = m
	}
	return c.CallApi(params, req, &dara.RuntimeOptions{})
}

func daraEcho(t *testing.T, res map[string]interface{}) echoResponse {
	t.Helper()
	raw, err := json.Marshal(res["body"])
	if err != nil {
		t.Fatal(err)
	}
	var echo echoResponse
	if err := json.Unmarshal(raw, &echo); err != nil {
		t.Fatal(err)
	}
	return echo
}

// darabonba-openapi's default signer (ACS3-HMAC-SHA256): query names within
// the unreserved set, values and form-body fields fully random.
func TestDarabonbaV3RequestsVerify(t *testing.T) {
	runDarabonba(t, "", "v3", randomV3Key, 300)
}

// darabonba-openapi with SignatureAlgorithm "v2": the legacy HMAC-SHA1 path,
// business parameters in the query and in a form body.
func TestDarabonbaV2RequestsVerify(t *testing.T) {
	runDarabonba(t, "v2", "v1", randomV1Key, 300)
}

func runDarabonba(t *testing.T, algorithm, wantScheme string, newKey func(*rand.Rand) string, n int) {
	const ak, secret = "LTAIdaraTest", "dara secret~*"
	srv := newSDKServer(t, map[string]string{ak: secret})
	client := newDaraClient(t, srv, ak, secret, algorithm)
	if testing.Short() {
		n = 50
	}
	rng := rand.New(rand.NewPCG(5, uint64(len(algorithm))))
	for i := range n {
		taken := map[string]bool{}
		query := randomParams(rng, 1+rng.IntN(10), newKey, taken)
		var body map[string]string
		method := "GET"
		if i%2 == 1 {
			method = "POST"
			// Body names are covered by the payload hash in V3, so any name works.
			body = randomParams(rng, 1+rng.IntN(5), randomV1Key, taken)
		}
		res, err := callDara(client, method, query, body)
		if err != nil {
			t.Fatalf("request %d (%s, query %q, body %q): %v", i, method, query, body, err)
		}
		echo := daraEcho(t, res)
		if echo.Scheme != wantScheme {
			t.Fatalf("request %d verified as %q, want %q", i, echo.Scheme, wantScheme)
		}
		checkEcho(t, fmt.Sprintf("request %d", i), echo.Params, query, body)
	}
	if srv.verified != n {
		t.Fatalf("verified %d of %d", srv.verified, n)
	}

	wrong := newDaraClient(t, srv, ak, "not-the-secret", algorithm)
	for i := range 10 {
		taken := map[string]bool{}
		_, err := callDara(wrong, "POST", randomParams(rng, 3, newKey, taken), randomParams(rng, 2, randomV1Key, taken))
		if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
			t.Fatalf("wrong secret, request %d: %v", i, err)
		}
	}
	if srv.verified != n {
		t.Fatalf("a request signed with the wrong secret verified")
	}
}

// The darabonba V3 signer neither encodes query names nor sorts them after
// encoding (it only rewrites '+' and '*' in the joined string), while the
// published V3 recipe and this package encode names with RFC 3986. The two
// agree for every name in the unreserved set, which covers all parameter
// names of the supported APIs (Tag.1.Key, ResourceId.1, ...); a name outside
// it is rejected rather than accepted ambiguously (an unencoded '=' or '&'
// in a name would make canonical query strings collide). This test pins that
// decision.
func TestDarabonbaV3ReservedCharacterNames(t *testing.T) {
	const ak, secret = "LTAIdaraNames", "s"
	srv := newSDKServer(t, map[string]string{ak: secret})
	client := newDaraClient(t, srv, ak, secret, "")
	if _, err := callDara(client, "GET", map[string]string{"Tag.1.Key": "a b", "x-y_z~": "*"}, nil); err != nil {
		t.Fatalf("unreserved names: %v", err)
	}
	_, err := callDara(client, "GET", map[string]string{"a/b": "1"}, nil)
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("name with '/': %v", err)
	}
}
