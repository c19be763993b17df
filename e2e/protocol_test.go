package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
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

// unroutedHost is the HostId of an error raised before any product is
// known (no version, an unknown one, an unreadable request). The cloud
// answers from the host the client called, which here is only the
// listener address: a fixed name says "Canopy, no product" instead.
const unroutedHost = "canopy"

// Every error envelope names a product host: the host of the product whose
// version the request names (even for an unknown action of that version,
// or an error raised before the action is resolved), else unroutedHost;
// never the address the client called.
func TestErrorHostIdIsTheProductHost(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	base := "http://" + srv.Endpoint + "/"
	v1 := func(params ...string) func() (int, []byte) {
		return func() (int, []byte) {
			extra := url.Values{}
			for i := 0; i+1 < len(params); i += 2 {
				extra.Set(params[i], params[i+1])
			}
			status, body, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, extra, time.Now()))
			return status, body
		}
	}
	do := func(method, u, contentType string, body io.Reader) func() (int, []byte) {
		return func() (int, []byte) {
			req, err := http.NewRequest(method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, out
		}
	}
	cases := []struct {
		name, code, host string
		call             func() (int, []byte)
	}{
		{"Ram error", "EntityNotExist.User", "ram.aliyuncs.com",
			v1("Action", "GetUser", "Version", "2015-05-01", "UserName", "nobody")},
		{"Ims error", "EntityNotExist.User", "ims.aliyuncs.com",
			v1("Action", "GetUser", "Version", "2019-08-15", "UserPrincipalName", "nobody@"+acct.ID+".onaliyun.com")},
		{"Actiontrail error", "InvalidQueryParameter", "actiontrail.aliyuncs.com",
			v1("Action", "LookupEvents", "Version", "2020-07-06", "MaxResults", "0")},
		{"Sts signature mismatch", "SignatureDoesNotMatch", "sts.aliyuncs.com", func() (int, []byte) {
			status, body, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, "wrong-secret", callerIdentity, time.Now()))
			return status, body
		}},
		{"Sts unsigned", "IncompleteSignature", "sts.aliyuncs.com",
			do(http.MethodGet, base+"?Action=GetCallerIdentity&Version=2015-04-01", "", nil)},
		{"unknown action of Ram", "InvalidAction.NotFound", "ram.aliyuncs.com",
			v1("Action", "NoSuchAction", "Version", "2015-05-01")},
		{"unknown action of Ims", "InvalidAction.NotFound", "ims.aliyuncs.com",
			v1("Action", "NoSuchAction", "Version", "2019-08-15")},
		{"unknown action of Ram over V3", "InvalidAction.NotFound", "ram.aliyuncs.com", func() (int, []byte) {
			return v3Post(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, "NoSuchAction", "2015-05-01",
				"application/x-www-form-urlencoded", nil, true)
		}},
		{"Ram version without action", "MissingParameter.Action", "ram.aliyuncs.com", v1("Version", "2015-05-01")},
		{"Ram body too large", "RequestEntityTooLarge", "ram.aliyuncs.com",
			do(http.MethodPost, base+"?Action=GetUser&Version=2015-05-01", "application/x-www-form-urlencoded",
				strings.NewReader("A="+strings.Repeat("x", 2<<20)))},
		{"no version", "MissingParameter.Version", unroutedHost, v1("Action", "GetUser")},
		{"unknown version", "InvalidVersion", unroutedHost, v1("Action", "GetUser", "Version", "2000-01-01")},
		{"malformed version", "InvalidParameter", unroutedHost, v1("Action", "GetUser", "Version", "2015-5-1")},
		{"unreadable query", "InvalidParameter", unroutedHost, do(http.MethodGet, base+"?Action=GetUser&Bad=%zz", "", nil)},
		{"method", "UnsupportedHTTPMethod", unroutedHost, do(http.MethodPut, base, "", nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := c.call()
			var env struct{ Code, HostId string }
			if err := json.Unmarshal(body, &env); err != nil || status < 400 {
				t.Fatalf("not an error envelope: %d %s", status, body)
			}
			if env.Code != c.code {
				t.Fatalf("got %s; want %s (%s)", env.Code, c.code, body)
			}
			if env.HostId != c.host || strings.Contains(env.HostId, "127.0.0.1") || env.HostId == srv.Endpoint {
				t.Errorf("HostId %q; want %q (%s)", env.HostId, c.host, body)
			}
		})
	}
	t.Run("XML", func(t *testing.T) {
		status, body := v1("Action", "GetUser", "Version", "2015-05-01", "UserName", "nobody", "Format", "XML")()
		var env struct{ Code, HostId string }
		if err := xml.Unmarshal(body, &env); err != nil || status != http.StatusNotFound || env.Code != "EntityNotExist.User" {
			t.Fatalf("XML error: %d %v %s", status, err, body)
		}
		if env.HostId != "ram.aliyuncs.com" {
			t.Errorf("XML HostId %q; want ram.aliyuncs.com", env.HostId)
		}
	})
}

// A V1 request is routed by its signed Action/Version only: headers that
// look like V3 routing (an Authorization merely starting "ACS3-", unsigned
// x-acs-action/x-acs-version) cannot turn a signed GetCallerIdentity into
// another action, or into a call of another product.
func TestV1IgnoresUnsignedRoutingHeaders(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	for _, auth := range []string{"ACS3-", "ACS3-HMAC-SHA1 x", "acs3-hmac-sha256 Credential=x"} {
		req, err := http.NewRequest(http.MethodGet, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, callerIdentity, time.Now()), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("x-acs-action", "ListUsers")
		req.Header.Set("x-acs-version", "2015-05-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out map[string]any
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%q: %s", auth, body)
		}
		if resp.StatusCode != http.StatusOK || out["IdentityType"] != "Account" || out["Users"] != nil {
			t.Errorf("Authorization %q: %d %s; want the signed GetCallerIdentity", auth, resp.StatusCode, body)
		}

		// Signed parameters that name no action: the headers must not
		// supply one.
		req, err = http.NewRequest(http.MethodGet, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, nil, time.Now()), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("x-acs-action", "ListUsers")
		req.Header.Set("x-acs-version", "2015-05-01")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		assertErrorBody(t, resp.StatusCode, body, "MissingParameter.Action", http.StatusBadRequest)
	}
}
