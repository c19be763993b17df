package signature

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

var querySeeds = []string{
	"",
	"a",
	"a=",
	"=",
	"&&a=1&",
	"a=1&a=2",
	"a=%zz",
	"a=%e9",
	"a=%C0%AF",
	"a%00=1",
	"k=%E5%BC%A0%E4%B8%89+%C3%A9&x=%2A~%2B%3D%26%25",
	"Timestamp=2016-02-23T12%3A46%3A24Z&Format=XML&AccessKeyId=testid&Action=DescribeRegions" +
		"&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&Version=2014-05-26" +
		"&SignatureVersion=1.0&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D",
}

// FuzzParseQuery: never panics; whatever parses is sorted and unique, and
// re-encoding then re-parsing gives the same Params (G-FZ-1, G-FZ-2).
func FuzzParseQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s)
	}
	f.Add(benchQuery)
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := ParseQuery(raw)
		if err != nil {
			if p != nil {
				t.Fatal("Params returned with an error")
			}
			return
		}
		if len(p) > MaxParameters {
			t.Fatalf("%d params", len(p))
		}
		for i := 1; i < len(p); i++ {
			if p[i-1].Key >= p[i].Key {
				t.Fatalf("not sorted and unique at %d: %q", i, p)
			}
		}
		for _, kv := range p {
			if v, ok := p.Get(kv.Key); !ok || v != kv.Value {
				t.Fatalf("Get(%q) = %q, %v", kv.Key, v, ok)
			}
		}
		again, err := ParseQuery(p.Encode())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("round trip: %q -> %q -> %q, %v", raw, p.Encode(), again, err)
		}
		form, err := ParseForm([]byte(raw))
		if err != nil || !reflect.DeepEqual(form, p) {
			t.Fatalf("ParseForm differs: %q, %v", form, err)
		}
	})
}

// FuzzParseV3Authorization: never panics; an accepted header is exactly the
// canonical rendering of what was parsed, and carries the required headers.
func FuzzParseV3Authorization(f *testing.F) {
	f.Add("ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")
	f.Add("ACS3-HMAC-SHA256 Credential=STS.a,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")
	f.Add("ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00")
	f.Add("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=;;,Signature=")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseV3Authorization(h)
		if err != nil {
			if !errors.Is(err, ErrMalformedAuthorization) && !errors.Is(err, ErrUnsupportedAlgorithm) && !errors.Is(err, ErrIncompleteSignature) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if a.String() != h {
			t.Fatalf("accepted a non-canonical header: %q renders as %q", h, a.String())
		}
		for _, name := range requiredV3Headers {
			if !a.SignsHeader(name) {
				t.Fatalf("accepted without %s", name)
			}
		}
	})
}

// FuzzVerifyV1: never panics; for any request that parses, signing it with
// the fuzzed secret verifies, and a different signature does not.
func FuzzVerifyV1(f *testing.F) {
	for _, s := range querySeeds {
		f.Add("GET", s, "testsecret", "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
	}
	f.Add("POST", benchQuery, benchSecret, "")
	f.Fuzz(func(t *testing.T, method, raw, secret, sig string) {
		p, err := ParseQuery(raw)
		if err != nil {
			return
		}
		key := NewKey(secret)
		_ = key.VerifyV1(method, p, sig)
		good := SignV1(secret, method, p)
		if err := key.VerifyV1(method, p, good); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if sig != good {
			var me *MismatchError
			if err := key.VerifyV1(method, p, sig); !errors.As(err, &me) {
				t.Fatalf("foreign signature %q: %v", sig, err)
			} else if me.StringToSign != string(V1StringToSign(nil, method, p)) {
				t.Fatal("mismatch error carries the wrong string to sign")
			}
		}
	})
}

// FuzzVerifyV3: never panics on arbitrary headers, query, body and path.
func FuzzVerifyV3(f *testing.F) {
	f.Add("POST", "/", "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
		"ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
		"ecs.cn-shanghai.aliyuncs.com", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path, rawQuery, authz, headerValue string, body []byte) {
		auth, err := ParseV3Authorization(authz)
		if err != nil {
			return
		}
		query, err := ParseQuery(rawQuery)
		if err != nil {
			return
		}
		header := func(name string) string {
			if name == "x-acs-content-sha256" {
				return emptySHA256
			}
			return headerValue
		}
		_ = NewKey("s").VerifyV3(method, path, query, header, body, auth)
		// A request signed over exactly these inputs verifies.
		if len(body) == 0 {
			auth.Signature = SignV3("s", method, path, query, header, body, auth.SignedHeaders)
			if err := NewKey("s").VerifyV3(method, path, query, header, body, auth); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}
		}
	})
}

// The fuzz targets' seed corpus also runs as a plain test; this keeps the
// property helpers honest on a few hand-picked inputs.
func TestFuzzPropertiesOnSeeds(t *testing.T) {
	ok := 0
	for _, s := range querySeeds {
		if p, err := ParseQuery(s); err == nil {
			ok++
			if !slices.IsSortedFunc(p, compareKeys) {
				t.Fatalf("%q not sorted", s)
			}
		}
	}
	if ok == 0 || ok == len(querySeeds) {
		t.Fatalf("seeds should mix valid and invalid inputs, %d of %d parse", ok, len(querySeeds))
	}
}
