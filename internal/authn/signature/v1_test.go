package signature

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The worked example from Alibaba Cloud's "request signatures" documentation
// (ECS DescribeRegions, AccessKeyId testid, secret testsecret).
func TestV1PublishedVector(t *testing.T) {
	const (
		wantStringToSign = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" +
			"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" +
			"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
		wantSignature = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
	)
	// The documented URL, in its documented (unsorted) order; the signature is
	// percent-encoded as the SDKs send it (the page prints a raw '+', which a
	// form decoder reads as a space).
	raw := "Timestamp=2016-02-23T12%3A46%3A24Z&Format=XML&AccessKeyId=testid&Action=DescribeRegions" +
		"&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&Version=2014-05-26" +
		"&SignatureVersion=1.0&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D"
	p, err := ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(V1StringToSign(nil, "GET", p)); got != wantStringToSign {
		t.Fatalf("string to sign\n got %s\nwant %s", got, wantStringToSign)
	}
	if got := SignV1("testsecret", "GET", p); got != wantSignature {
		t.Fatalf("SignV1 = %s, want %s", got, wantSignature)
	}
	sig, _ := p.Get(SignatureParam)
	if err := NewKey("testsecret").VerifyV1("GET", p, sig); err != nil {
		t.Fatalf("VerifyV1: %v", err)
	}
	err = NewKey("testsecret2").VerifyV1("GET", p, sig)
	var me *MismatchError
	if !errors.As(err, &me) || !errors.Is(err, ErrSignatureMismatch) || me.StringToSign != wantStringToSign {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := NewKey("testsecret").VerifyV1("POST", p, sig); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("wrong method: %v", err)
	}
}

func TestVerifyV1RejectsNonCanonicalSignatures(t *testing.T) {
	p := Params{{"Action", "A"}, {"SignatureType", ""}}
	key := NewKey("k")
	good := SignV1("k", "GET", p)
	if err := key.VerifyV1("GET", p, good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", good[:27], good + "=", " " + good, strings.TrimRight(good, "="), strings.ToLower(good)} {
		if bad == good {
			continue
		}
		if err := key.VerifyV1("GET", p, bad); !errors.Is(err, ErrSignatureMismatch) {
			t.Errorf("signature %q accepted", bad)
		}
	}
}

// The SDK sorts by decoded name. With names whose encoded order differs the
// string to sign must keep decoded order.
func TestV1StringToSignKeepsDecodedOrder(t *testing.T) {
	p, err := ParseQuery("a%2Fb=2&a.b=1&Z%C3%A9=4&Za=3")
	if err != nil {
		t.Fatal(err)
	}
	got := string(V1StringToSign(nil, "GET", p))
	want := "GET&%2F&Za%3D3%26Z%25C3%25A9%3D4%26a.b%3D1%26a%252Fb%3D2"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// signedV1Request builds an SDK-shaped request (common parameters plus
// random business parameters, encoded as the SDK puts them on the wire) and
// signs it.
func signedV1Request(rng *rand.Rand, secret string) (method, raw string) {
	taken := map[string]bool{}
	m := randomParams(rng, 1+rng.IntN(8), randomV1Key, taken)
	for k, v := range map[string]string{
		"AccessKeyId": "LTAItamper", "Action": "CreateUser", "Format": "JSON", "RegionId": "cn-hangzhou",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": fmt.Sprintf("%032x", rng.Uint64()),
		"SignatureType": "", "SignatureVersion": "1.0", "Timestamp": "2026-11-22T10:00:00Z", "Version": "2015-05-01",
	} {
		m[k] = v
	}
	method = []string{"GET", "POST"}[rng.IntN(2)]
	p, _ := ParseQuery(sdkEncode(m))
	m[SignatureParam] = SignV1(secret, method, p)
	return method, sdkEncode(m)
}

// G-SIG-4: every single mutation of a signed request that changes what the
// handler would see must be rejected, by the parser or by the verifier.
func TestV1TamperedRequestsFail(t *testing.T) {
	const secret = "tamper-secret"
	key := NewKey(secret)
	verify := func(method, raw string) error {
		p, err := ParseQuery(raw)
		if err != nil {
			return err
		}
		sig, _ := p.Get(SignatureParam)
		return key.VerifyV1(method, p, sig)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	requests := 300
	if testing.Short() {
		requests = 40
	}
	mutations, noops := 0, 0
	for n := range requests {
		method, raw := signedV1Request(rng, secret)
		if err := verify(method, raw); err != nil {
			t.Fatalf("request %d does not verify untampered: %v", n, err)
		}
		orig, _ := ParseQuery(raw)
		mustFail := func(desc, m, r string) {
			mutations++
			if p, err := ParseQuery(r); err == nil && m == method && reflect.DeepEqual(p, orig) {
				noops++ // an equivalent encoding of the same request, e.g. %3a for %3A
				mutations--
				return
			}
			if err := verify(m, r); err == nil {
				t.Errorf("request %d: %s accepted\n%s %s", n, desc, m, r)
			}
		}
		// p need not be sorted or unique: ParseQuery sorts, and a collision
		// is itself a rejection.
		mustFailParams := func(desc string, p Params) {
			mustFail(desc, method, p.Encode())
		}

		for i, kv := range orig {
			mustFailParams("drop "+kv.Key, append(orig[:i:i], orig[i+1:]...))

			flipped := slicesCloneParams(orig)
			if kv.Value == "" {
				flipped[i].Value = "x"
			} else {
				b := []byte(kv.Value)
				b[rng.IntN(len(b))] ^= 1 << rng.IntN(7)
				flipped[i].Value = string(b)
			}
			if validUTF8NoNUL(flipped[i].Value) {
				mustFailParams("flip value of "+kv.Key, flipped)
			}

			if recased, ok := toggleFirstLetter(kv.Key); ok {
				p := slicesCloneParams(orig)
				p[i].Key = recased
				mustFailParams("recase "+kv.Key, p)
			}

			b := []byte(kv.Key)
			b[rng.IntN(len(b))] ^= 1
			if k := string(b); checkKey(k) == nil {
				p := slicesCloneParams(orig)
				p[i].Key = k
				mustFailParams("flip name "+kv.Key, p)
			}

			dup := raw + "&" + Params{kv}.Encode()
			if _, err := ParseQuery(dup); !errors.Is(err, ErrDuplicateParameter) {
				t.Errorf("duplicate %q: %v", kv.Key, err)
			}
		}
		for _, extra := range []Param{{"Extra", ""}, {"action", "CreateUser"}, {"ZZZ", "1"}, {"0", "x"}, {"RegionID", "cn-hangzhou"}} {
			if _, exists := orig.Get(extra.Key); !exists {
				mustFailParams("add "+extra.Key, append(slicesCloneParams(orig), extra))
			}
		}
		for _, m := range []string{"GET", "POST", "PUT", "get", "post", ""} {
			if m != method {
				mustFail("method "+m, m, raw)
			}
		}
		// Double encoding changes the decoded value.
		if i := strings.IndexByte(raw, '%'); i >= 0 {
			mustFail("double encoding", method, raw[:i]+"%25"+raw[i+1:])
		}
		// Every byte of the raw query, two different bit flips each.
		for i := 0; i < len(raw); i++ {
			for _, mask := range []byte{0x01, 0x20} {
				b := []byte(raw)
				b[i] ^= mask
				mustFail(fmt.Sprintf("flip byte %d by %#x", i, mask), method, string(b))
			}
		}
	}
	t.Logf("%d requests, %d mutations rejected, %d equivalent re-encodings skipped", requests, mutations, noops)
}

func slicesCloneParams(p Params) Params { return append(Params(nil), p...) }

func toggleFirstLetter(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return s[:i] + string(c^0x20) + s[i+1:], true
		}
	}
	return "", false
}

func validUTF8NoNUL(s string) bool { return checkValue(s) == nil }
