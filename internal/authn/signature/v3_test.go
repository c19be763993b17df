package signature

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// The fixed-value example from Alibaba Cloud's "V3 request structure and
// signature" documentation (ECS RunInstances).
func TestV3PublishedVector(t *testing.T) {
	const (
		authz = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId," +
			"SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
			"Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
		wantStringToSign = "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
	)
	headers := map[string]string{
		"host":                  "ecs.cn-shanghai.aliyuncs.com",
		"x-acs-action":          "RunInstances",
		"x-acs-version":         "2014-05-26",
		"x-acs-date":            "2023-10-26T10:22:32Z",
		"x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
		"x-acs-content-sha256":  emptySHA256,
	}
	header := func(name string) string { return headers[name] }
	query, err := ParseQuery("ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := ParseV3Authorization(authz)
	if err != nil {
		t.Fatal(err)
	}
	if auth.AccessKeyID != "YourAccessKeyId" || auth.String() != authz {
		t.Fatalf("parsed %+v", auth)
	}
	if err := NewKey("YourAccessKeySecret").VerifyV3("POST", "/", query, header, nil, auth); err != nil {
		t.Fatalf("VerifyV3: %v", err)
	}
	// The SDK trims header values before signing; so must the server.
	padded := func(name string) string { return " \t" + headers[name] + "  " }
	if err := NewKey("YourAccessKeySecret").VerifyV3("POST", "/", query, padded, nil, auth); err != nil {
		t.Fatalf("padded header values: %v", err)
	}
	if got := SignV3("YourAccessKeySecret", "POST", "/", query, header, nil, auth.SignedHeaders); got != auth.Signature {
		t.Fatalf("SignV3 = %s", got)
	}
	err = NewKey("other").VerifyV3("POST", "/", query, header, nil, auth)
	var me *MismatchError
	if !errors.As(err, &me) || me.StringToSign != wantStringToSign || !strings.HasPrefix(me.CanonicalRequest, "POST\n/\nImageId=") {
		t.Fatalf("wrong secret: %v %+v", err, me)
	}
}

func TestParseV3Authorization(t *testing.T) {
	const (
		sig      = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
		required = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
		full     = "content-type;host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
	)
	good := []string{
		"ACS3-HMAC-SHA256 Credential=LTAI5tAbc,SignedHeaders=" + required + ",Signature=" + sig,
		"ACS3-HMAC-SHA256 Credential=STS.NUab-c_d,SignedHeaders=" + full + ",Signature=" + sig,
	}
	for _, h := range good {
		a, err := ParseV3Authorization(h)
		if err != nil || a.String() != h {
			t.Errorf("ParseV3Authorization(%q) = %+v, %v", h, a, err)
		}
	}
	a, _ := ParseV3Authorization(good[1])
	if !a.SignsHeader("x-acs-security-token") || !a.SignsHeader("content-type") || a.SignsHeader("x-acs") || a.SignsHeader("") {
		t.Errorf("SignsHeader wrong for %q", a.SignedHeaders)
	}

	bad := []struct {
		h    string
		want error
	}{
		{"", ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256", ErrMalformedAuthorization},
		{"ACS3-HMAC-SM3 Credential=a,SignedHeaders=" + required + ",Signature=" + sig, ErrUnsupportedAlgorithm},
		{"ACS3-RSA-SHA256 Credential=a,SignedHeaders=" + required + ",Signature=" + sig, ErrUnsupportedAlgorithm},
		{"acs3-hmac-sha256 Credential=a,SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"HMAC-SHA256 Credential=a,SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256  Credential=a,SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a, SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=,SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a b,SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=" + strings.Repeat("a", 129) + ",SignedHeaders=" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 SignedHeaders=" + required + ",Credential=a,Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=" + required + ",Signature=" + strings.ToUpper(sig), ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=" + required + ",Signature=" + sig[:63], ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=" + required + ",Signature=" + sig + "0", ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=" + required + ",Signature=" + sig + ",", ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=" + required + ";,Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=;" + required + ",Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=x-acs-action;host;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=,Signature=" + sig, ErrMalformedAuthorization},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-version,Signature=" + sig, ErrIncompleteSignature},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" + sig, ErrIncompleteSignature},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" + sig, ErrIncompleteSignature},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=" + sig, ErrIncompleteSignature},
		{"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=" + strings.Repeat("x;", 3000) + ",Signature=" + sig, ErrMalformedAuthorization},
	}
	for _, c := range bad {
		if _, err := ParseV3Authorization(c.h); !errors.Is(err, c.want) {
			t.Errorf("ParseV3Authorization(%.120q) = %v, want %v", c.h, err, c.want)
		}
	}
}

// v3Request is a synthetic darabonba-shaped request.
type v3Request struct {
	method, path string
	rawQuery     string
	headers      map[string]string
	body         []byte
	auth         V3Authorization
}

func (r *v3Request) header(name string) string { return r.headers[name] }

func newV3Request(rng *rand.Rand, secret string) *v3Request {
	taken := map[string]bool{}
	r := &v3Request{method: "POST", path: "/", rawQuery: sdkEncode(randomParams(rng, rng.IntN(8), randomV3Key, taken))}
	if rng.IntN(2) == 0 {
		r.body = []byte(sdkEncode(randomParams(rng, 1+rng.IntN(4), randomV1Key, taken)))
	}
	sum := sha256.Sum256(r.body)
	r.headers = map[string]string{
		"host":                       "127.0.0.1:8080",
		"x-acs-action":               "CreateUser",
		"x-acs-version":              "2015-05-01",
		"x-acs-date":                 "2026-11-22T10:00:00Z",
		"x-acs-signature-nonce":      fmt.Sprintf("%032x", rng.Uint64()),
		"x-acs-content-sha256":       hex.EncodeToString(sum[:]),
		"x-acs-credentials-provider": "static_ak",
	}
	signed := "host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version"
	if r.body != nil {
		r.headers["content-type"] = "application/x-www-form-urlencoded"
		signed = "content-type;" + signed
	}
	query, _ := ParseQuery(r.rawQuery)
	r.auth = V3Authorization{AccessKeyID: "LTAIv3", SignedHeaders: signed}
	r.auth.Signature = SignV3(secret, r.method, r.path, query, r.header, r.body, signed)
	return r
}

func (r *v3Request) verify(key *Key) error {
	query, err := ParseQuery(r.rawQuery)
	if err != nil {
		return err
	}
	return key.VerifyV3(r.method, r.path, query, r.header, r.body, r.auth)
}

func (r *v3Request) clone() *v3Request {
	c := *r
	c.headers = make(map[string]string, len(r.headers))
	for k, v := range r.headers {
		c.headers[k] = v
	}
	c.body = append([]byte(nil), r.body...)
	if r.body == nil {
		c.body = nil
	}
	return &c
}

// G-SIG-4 for V3: each single change to a signed part fails.
func TestV3TamperedRequestsFail(t *testing.T) {
	const secret = "v3-tamper"
	key := NewKey(secret)
	rng := rand.New(rand.NewPCG(9, 10))
	mutations := 0
	for n := range 200 {
		r := newV3Request(rng, secret)
		if err := r.verify(key); err != nil {
			t.Fatalf("request %d does not verify: %v", n, err)
		}
		mustFail := func(desc string, m *v3Request, want error) {
			mutations++
			if err := m.verify(key); err == nil || (want != nil && !errors.Is(err, want)) {
				t.Errorf("request %d: %s: got %v, want %v", n, desc, err, want)
			}
		}
		for _, method := range []string{"GET", "post", "PUT"} {
			m := r.clone()
			m.method = method
			mustFail("method "+method, m, ErrSignatureMismatch)
		}
		for _, path := range []string{"/x", "//", "/%2F", ""} {
			m := r.clone()
			m.path = path
			if path == "" {
				continue // empty means "/", the same request
			}
			mustFail("path "+path, m, ErrSignatureMismatch)
		}
		query, _ := ParseQuery(r.rawQuery)
		for i, kv := range query {
			m := r.clone()
			m.rawQuery = append(query[:i:i], query[i+1:]...).Encode()
			mustFail("drop "+kv.Key, m, ErrSignatureMismatch)

			p := append(Params(nil), query...)
			p[i].Value += "x"
			m = r.clone()
			m.rawQuery = p.Encode()
			mustFail("change "+kv.Key, m, ErrSignatureMismatch)

			if recased, ok := toggleFirstLetter(kv.Key); ok {
				p := append(Params(nil), query...)
				p[i].Key = recased
				m = r.clone()
				m.rawQuery = p.Encode()
				mustFail("recase "+kv.Key, m, nil)
			}
		}
		m := r.clone()
		m.rawQuery = append(append(Params(nil), query...), Param{"~Extra", ""}).Encode()
		mustFail("add a query parameter", m, ErrSignatureMismatch)

		for name, value := range r.headers {
			m := r.clone()
			m.headers[name] = value + "0"
			want := ErrSignatureMismatch
			if name == "x-acs-content-sha256" {
				want = ErrPayloadHashMismatch
			}
			mustFail("header "+name, m, want)
		}
		if len(r.body) > 0 {
			m := r.clone()
			m.body[rng.IntN(len(m.body))] ^= 1
			mustFail("body byte, hash header unchanged", m, ErrPayloadHashMismatch)
			sum := sha256.Sum256(m.body)
			m.headers["x-acs-content-sha256"] = hex.EncodeToString(sum[:])
			mustFail("body byte, hash header updated", m, ErrSignatureMismatch)
		}
		m = r.clone()
		m.auth.SignedHeaders = strings.Replace(m.auth.SignedHeaders, "x-acs-credentials-provider;", "", 1)
		mustFail("unsign an optional header", m, ErrSignatureMismatch)
		m = r.clone()
		m.auth.SignedHeaders = strings.Replace(m.auth.SignedHeaders, "x-acs-date;", "", 1)
		mustFail("unsign a required header", m, ErrIncompleteSignature)
		m = r.clone()
		m.auth.AccessKeyID = "LTAIv3 "
		mustFail("malformed credential", m, ErrMalformedAuthorization)
		for i := range len(r.auth.Signature) {
			m := r.clone()
			b := []byte(m.auth.Signature)
			b[i] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", b[i])+1)%16]
			m.auth.Signature = string(b)
			mustFail(fmt.Sprintf("signature digit %d", i), m, ErrSignatureMismatch)
		}
	}
	t.Logf("%d mutations rejected", mutations)
}
