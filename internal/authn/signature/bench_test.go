package signature

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"testing"
)

const benchSecret = "bench-secret-0123456789abcdefghij"

// benchQuery is a RAM CreateUser request as the classic SDK sends it: 12
// signed parameters plus Signature, about 470 bytes.
var benchQuery = func() string {
	p, err := ParseQuery("AccessKeyId=LTAI5tBenchmarkKey0000001&Action=CreateUser" +
		"&Comments=Created+by+the+benchmark+for+the+platform+team+%28on-call+rotation+2026-Q4%29%2C+do+not+delete" +
		"&DisplayName=Benchmark+User+%E5%BC%A0%E4%B8%89&Format=JSON&RegionId=cn-hangzhou" +
		"&SignatureMethod=HMAC-SHA1&SignatureNonce=5d7b1c0e9f3a4b2c8d6e0f1a2b3c4d5e&SignatureType=" +
		"&SignatureVersion=1.0&Timestamp=2026-11-22T10%3A15%3A30Z&UserName=bench.user-0001")
	if err != nil {
		panic(err)
	}
	p = append(p, Param{SignatureParam, SignV1(benchSecret, "POST", p)})
	v := url.Values{}
	for _, kv := range p {
		v.Set(kv.Key, kv.Value)
	}
	return v.Encode()
}()

func TestBenchQueryShape(t *testing.T) {
	p, err := ParseQuery(benchQuery)
	if err != nil || len(p) != 13 || len(benchQuery) < 440 || len(benchQuery) > 500 {
		t.Fatalf("%d params, %d bytes, %v", len(p), len(benchQuery), err)
	}
	if err := verifyTuned(NewKey(benchSecret), benchQuery); err != nil {
		t.Fatal(err)
	}
	if err := verifyNaive(benchSecret, benchQuery); err != nil {
		t.Fatal(err)
	}
	if verifyNaive("wrong", benchQuery) == nil || verifyTuned(NewKey("wrong"), benchQuery) == nil {
		t.Fatal("wrong secret accepted")
	}
}

func verifyTuned(key *Key, raw string) error {
	p, err := ParseQuery(raw)
	if err != nil {
		return err
	}
	sig, _ := p.Get(SignatureParam)
	return key.VerifyV1("POST", p, sig)
}

// verifyNaive is the baseline a straightforward port of the SDK's signer
// gives: url.ParseQuery, a map, QueryEscape plus string replacements, string
// concatenation and a fresh hmac.New per request.
func verifyNaive(secret, raw string) error {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(values.Get(k)))
	}
	canonical := strings.Join(parts, "&")
	canonical = strings.Replace(canonical, "+", "%20", -1)
	canonical = strings.Replace(canonical, "*", "%2A", -1)
	canonical = strings.Replace(canonical, "%7E", "~", -1)
	stringToSign := "POST&%2F&" + url.QueryEscape(canonical)
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(values.Get("Signature"))) {
		return errors.New("mismatch")
	}
	return nil
}

// BenchmarkVerifyV1: full parse, canonicalisation and verification with a
// cached Key, as the server runs it per request.
func BenchmarkVerifyV1(b *testing.B) {
	key := NewKey(benchSecret)
	b.SetBytes(int64(len(benchQuery)))
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyTuned(key, benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyV1Naive: the same work done the naive way, for the ratio.
func BenchmarkVerifyV1Naive(b *testing.B) {
	b.SetBytes(int64(len(benchQuery)))
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyNaive(benchSecret, benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyV1UncachedKey: tuned path but a new Key per request, i.e.
// what skipping the per-AccessKey cache costs.
func BenchmarkVerifyV1UncachedKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyTuned(NewKey(benchSecret), benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseQuery(b *testing.B) {
	b.SetBytes(int64(len(benchQuery)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseQuery(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyV3(b *testing.B) {
	r := newV3Request(rand.New(rand.NewPCG(11, 12)), benchSecret)
	key := NewKey(benchSecret)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.verify(key); err != nil {
			b.Fatal(err)
		}
	}
}
