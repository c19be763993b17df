package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

func nonce(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// signedURL builds a V1-signed GET URL by hand, for cases an SDK cannot
// produce (a stale timestamp, hostile parameters).
func signedURL(t *testing.T, endpoint, id, secret string, extra url.Values, ts time.Time) string {
	t.Helper()
	v := url.Values{"Format": {"JSON"}, "AccessKeyId": {id}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"}, "SignatureNonce": {nonce(t)}, "Timestamp": {ts.UTC().Format("2006-01-02T15:04:05Z")}}
	for k, vals := range extra {
		v[k] = vals
	}
	params, err := signature.ParseQuery(v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	v.Set("Signature", signature.SignV1(secret, http.MethodGet, params))
	return "http://" + endpoint + "/?" + v.Encode()
}

func get(t *testing.T, u string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header
}

var callerIdentity = url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}}

func TestStaleTimestampIsRefused(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	for _, skew := range []time.Duration{-16 * time.Minute, 16 * time.Minute} {
		status, body, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, callerIdentity, time.Now().Add(skew)))
		assertErrorBody(t, status, body, "InvalidTimeStamp.Expired", http.StatusBadRequest)
	}
	// Inside the window the same construction is accepted.
	status, body, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, callerIdentity, time.Now().Add(-14*time.Minute)))
	if status != http.StatusOK {
		t.Fatalf("in-window request refused: %d %s", status, body)
	}
}

func TestV3SignatureWithDarabonba(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	for _, algorithm := range []string{"", "v2"} { // default ACS3-HMAC-SHA256, and the legacy V1 path
		cfg := &openapi.Config{AccessKeyId: ptr(acct.AccessKeyID), AccessKeySecret: ptr(acct.AccessKeySecret),
			Endpoint: ptr(srv.Endpoint), Protocol: ptr("HTTP")}
		if algorithm != "" {
			cfg.SignatureAlgorithm = ptr(algorithm)
		}
		client, err := openapi.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		params := &openapi.Params{Action: ptr("GetCallerIdentity"), Version: ptr("2015-04-01"), Protocol: ptr("HTTP"),
			Method: ptr("POST"), AuthType: ptr("AK"), Style: ptr("RPC"), Pathname: ptr("/"), ReqBodyType: ptr("formData"), BodyType: ptr("json")}
		out, err := client.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{})
		if err != nil {
			t.Fatalf("algorithm %q: %v", algorithm, err)
		}
		body, _ := out["body"].(map[string]any)
		if body["Arn"] != "acs:ram::"+acct.ID+":root" || body["IdentityType"] != "Account" {
			t.Fatalf("algorithm %q: unexpected body %v", algorithm, body)
		}

		bad := *cfg
		bad.AccessKeySecret = ptr("wrong-secret")
		badClient, _ := openapi.NewClient(&bad)
		_, err = badClient.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{})
		if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
			t.Fatalf("algorithm %q: wrong secret gave %v", algorithm, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestHostileRequestsGetClear4xx(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	base := "http://" + srv.Endpoint + "/"
	cases := []struct {
		name   string
		do     func() (*http.Response, error)
		status int
		code   string
	}{
		{"malformed percent-encoding", func() (*http.Response, error) { return http.Get(base + "?Action=GetCallerIdentity&Bad=%zz") }, 400, "InvalidParameter"},
		{"non-UTF-8", func() (*http.Response, error) { return http.Get(base + "?Action=GetCallerIdentity&Name=%ff%fe") }, 400, "InvalidParameter"},
		{"duplicate parameter", func() (*http.Response, error) {
			return http.Get(base + "?Action=GetCallerIdentity&Action=GetCallerIdentity")
		}, 400, "InvalidParameter"},
		{"query and body disagree", func() (*http.Response, error) {
			return http.Post(base+"?Action=GetCallerIdentity", "application/x-www-form-urlencoded", strings.NewReader("Action=Other"))
		}, 400, "InvalidParameter"},
		{"oversized body", func() (*http.Response, error) {
			return http.Post(base, "application/x-www-form-urlencoded", strings.NewReader("A="+strings.Repeat("x", 2<<20)))
		}, 413, "RequestEntityTooLarge"},
		{"unsigned", func() (*http.Response, error) {
			return http.Get(base + "?Action=GetCallerIdentity&Version=2015-04-01")
		}, 400, "IncompleteSignature"},
		{"bad timestamp format", func() (*http.Response, error) {
			return http.Get(base + "?Action=GetCallerIdentity&Version=2015-04-01&AccessKeyId=" + acct.AccessKeyID +
				"&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=abc&Timestamp=yesterday&Signature=x")
		}, 400, "InvalidTimeStamp.Format"},
		{"binary action header", func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodPost, base, nil)
			req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=LTAIx,SignedHeaders=host,Signature=00")
			req.Header.Set("x-acs-action", "Get\xffUser")
			req.Header.Set("x-acs-version", "2015-05-01")
			return http.DefaultClient.Do(req)
		}, 400, "InvalidParameter"},
		{"V1 action only in an unsigned header", func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodGet, base+"?Version=2015-04-01", nil)
			req.Header.Set("x-acs-action", "GetCallerIdentity")
			return http.DefaultClient.Do(req)
		}, 400, "MissingParameter.Action"},
		{"method", func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodPut, base, nil)
			return http.DefaultClient.Do(req)
		}, 405, "UnsupportedHTTPMethod"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := c.do()
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assertErrorBody(t, resp.StatusCode, body, c.code, c.status)
		})
	}
}

func TestXMLFormat(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	extra := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}, "Format": {"XML"}}
	status, body, header := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, extra, time.Now()))
	if status != 200 || !strings.HasPrefix(header.Get("Content-Type"), "text/xml") ||
		!strings.Contains(string(body), "<GetCallerIdentityResponse><RequestId>") ||
		!strings.Contains(string(body), "<Arn>acs:ram::"+acct.ID+":root</Arn>") {
		t.Fatalf("XML response: %d %s %s", status, header.Get("Content-Type"), body)
	}
}

func TestSecondNodeRefusesReplayOnPostgres(t *testing.T) {
	a := canopytest.Start(t, canopytest.WithPostgres())
	// The second node shares the database and the key-encryption key.
	b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB))
	acct := a.CreateAccount(t)
	client := a.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	rec := &recorder{}
	client.SetTransport(rec)
	if _, err := client.GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
		t.Fatal(err)
	}
	status, body := replay(t, rec.last(t), b.Endpoint)
	assertErrorBody(t, status, body, "SignatureNonceUsed", http.StatusBadRequest)
}

// v3Post sends a hand-built ACS3-HMAC-SHA256 POST with a body, signing
// content-type only when signContentType is set (the SDKs always sign it).
func v3Post(t *testing.T, endpoint, id, secret, action, version, contentType string, body []byte, signContentType bool) (int, []byte) {
	t.Helper()
	sum := sha256.Sum256(body)
	h := map[string]string{"host": endpoint, "x-acs-action": action, "x-acs-version": version,
		"x-acs-date": time.Now().UTC().Format("2006-01-02T15:04:05Z"), "x-acs-signature-nonce": nonce(t),
		"x-acs-content-sha256": hex.EncodeToString(sum[:]), "content-type": contentType}
	signed := "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
	if signContentType {
		signed = "content-type;" + signed
	}
	sig := signature.SignV3(secret, http.MethodPost, "/", nil, func(name string) string { return h[name] }, body, signed)
	req, err := http.NewRequest(http.MethodPost, "http://"+endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		if k != "host" {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set("Authorization", signature.V3Authorization{AccessKeyID: id, SignedHeaders: signed, Signature: sig}.String())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// A V3 payload hash binds the body's bytes, not whether they are read as
// parameters: content-type decides that, so a body whose content-type is
// not signed is refused, while the SDK (which signs it) keeps working.
func TestV3BodyWithUnsignedContentTypeIsRefused(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	form := []byte("UserName=nobody")

	status, body := v3Post(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, "GetUser", "2015-05-01",
		"application/x-www-form-urlencoded", form, false)
	assertErrorBody(t, status, body, "IncompleteSignature", http.StatusBadRequest)
	// The same body with its content type switched, still unsigned.
	status, body = v3Post(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, "GetUser", "2015-05-01",
		"text/plain", form, false)
	assertErrorBody(t, status, body, "IncompleteSignature", http.StatusBadRequest)

	// Signed, the form body is read: GetUser looks for the user it names.
	status, body = v3Post(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, "GetUser", "2015-05-01",
		"application/x-www-form-urlencoded", form, true)
	assertErrorBody(t, status, body, "EntityNotExist.User", http.StatusNotFound)

	// darabonba sends business parameters in a signed form body too.
	client, err := openapi.NewClient(&openapi.Config{AccessKeyId: ptr(acct.AccessKeyID), AccessKeySecret: ptr(acct.AccessKeySecret),
		Endpoint: ptr(srv.Endpoint), Protocol: ptr("HTTP")})
	if err != nil {
		t.Fatal(err)
	}
	params := &openapi.Params{Action: ptr("CreateUser"), Version: ptr("2015-05-01"), Protocol: ptr("HTTP"),
		Method: ptr("POST"), AuthType: ptr("AK"), Style: ptr("RPC"), Pathname: ptr("/"), ReqBodyType: ptr("formData"), BodyType: ptr("json")}
	out, err := client.CallApi(params, &openapi.OpenApiRequest{Body: map[string]any{"UserName": "from-body"}}, &dara.RuntimeOptions{})
	if err != nil {
		t.Fatalf("darabonba with a form body: %v", err)
	}
	created, _ := out["body"].(map[string]any)
	user, _ := created["User"].(map[string]any)
	if user["UserName"] != "from-body" {
		t.Fatalf("darabonba CreateUser answered %v", out["body"])
	}
}

// Go's time.Parse accepts fractional seconds and one-digit hours the layout
// does not have; the gateway's format is exact.
func TestTimestampWithFractionalSecondsIsRefused(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	now := time.Now().UTC()
	for _, ts := range []string{now.Format("2006-01-02T15:04:05") + ".5Z", now.Format("2006-01-02T15:04:05.000Z")} {
		extra := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}, "Timestamp": {ts}}
		status, body, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, extra, now))
		assertErrorBody(t, status, body, "InvalidTimeStamp.Format", http.StatusBadRequest)
	}
}
