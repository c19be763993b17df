package authn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

const testSecret = "test-secret"

func testAuthenticator(now time.Time, active bool) *Authenticator {
	keys := NewKeyCache(func(_ context.Context, id string) (*Credential, error) {
		if id != "LTAIknown" {
			return nil, store.ErrNotFound
		}
		return &Credential{Principal: model.Principal{Kind: model.Root, AccountID: "1", AccessKeyID: id},
			Active: active, Key: signature.NewKey(testSecret)}, nil
	})
	a := New(keys, nil)
	a.now = func() time.Time { return now }
	return a
}

func signedRequest(t *testing.T, id, secret, nonce string, ts time.Time) *Request {
	t.Helper()
	return signedRequestWith(t, id, secret, nonce, ts.UTC().Format(timestampLayout))
}

// signedRequestWith signs a V1 request whose Timestamp is ts verbatim.
func signedRequestWith(t *testing.T, id, secret, nonce, ts string) *Request {
	t.Helper()
	v := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}, "AccessKeyId": {id},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {nonce},
		"Timestamp": {ts}}
	p, err := signature.ParseQuery(v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	v.Set("Signature", signature.SignV1(secret, http.MethodGet, p))
	all, _ := signature.ParseQuery(v.Encode())
	return &Request{Method: http.MethodGet, Path: "/", Query: all, Params: all, Header: func(string) string { return "" }}
}

func code(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestTimestampWindowBoundaries(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		skew time.Duration
		want string
	}{
		{0, ""}, {Window - time.Second, ""}, {-Window + time.Second, ""}, {Window, ""}, {-Window, ""},
		{Window + time.Second, "InvalidTimeStamp.Expired"}, {-Window - time.Second, "InvalidTimeStamp.Expired"},
	} {
		a := testAuthenticator(now, true)
		_, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "n1", now.Add(c.skew)))
		if code(err) != c.want {
			t.Errorf("skew %v: got %v, want %q", c.skew, err, c.want)
		}
	}
}

func TestAuthenticateErrorsAndNonce(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	a := testAuthenticator(now, true)
	res, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "nonce-1", now))
	if err != nil || res.Principal.AccountID != "1" || res.Nonce.Value != "nonce-1" ||
		!res.Nonce.Expires.Equal(now.Add(NonceRetention)) {
		t.Fatalf("valid request: %+v %v", res, err)
	}
	if _, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "nonce-1", now)); code(err) != "SignatureNonceUsed" {
		t.Fatalf("replay: %v", err)
	}
	if _, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", "wrong", "nonce-2", now)); code(err) != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %v", err)
	}
	// A failed signature must not burn the nonce.
	if _, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "nonce-2", now)); err != nil {
		t.Fatalf("nonce of a refused request was remembered: %v", err)
	}
	if _, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIother", testSecret, "nonce-3", now)); code(err) != "InvalidAccessKeyId.NotFound" {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := a.Authenticate(context.Background(), signedRequest(t, "STS.abc", testSecret, "nonce-4", now)); code(err) != "MissingSecurityToken" {
		t.Fatalf("STS key without token: %v", err)
	}
	inactive := testAuthenticator(now, false)
	res, err = inactive.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "nonce-5", now))
	if code(err) != "InvalidAccessKeyId.Inactive" || res == nil {
		t.Fatalf("inactive key: %v (the caller must still be known for the audit trail)", err)
	}
}

func TestKeyCacheInvalidationDuringLoadDoesNotKeepStaleEntry(t *testing.T) {
	var c *KeyCache
	loads := 0
	c = NewKeyCache(func(_ context.Context, id string) (*Credential, error) {
		loads++
		if loads == 1 {
			c.InvalidateKey(id) // a change lands while we load
		}
		return &Credential{Principal: model.Principal{AccountID: "1"}}, nil
	})
	c.Get(context.Background(), "k")
	c.Get(context.Background(), "k")
	if loads != 2 {
		t.Fatalf("entry loaded across an invalidation was cached (loads=%d)", loads)
	}
	c.Get(context.Background(), "k")
	if loads != 2 {
		t.Fatalf("clean load not cached (loads=%d)", loads)
	}
	c.InvalidateAccount("1")
	c.Get(context.Background(), "k")
	if loads != 3 {
		t.Fatalf("account invalidation ignored (loads=%d)", loads)
	}
}

func TestNonceReuseWithAnotherTimestampIsRefused(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	a := testAuthenticator(now, true)
	if _, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "same", now)); err != nil {
		t.Fatal(err)
	}
	_, err := a.Authenticate(context.Background(), signedRequest(t, "LTAIknown", testSecret, "same", now.Add(-2*time.Second)))
	if code(err) != "SignatureNonceUsed" {
		t.Fatalf("reused nonce with a new timestamp: %v", err)
	}
}

// v3Request builds an ACS3-HMAC-SHA256 request for GetCallerIdentity,
// signing exactly the headers in signedHeaders.
func v3Request(t *testing.T, nonce, date string, body []byte, contentType, signedHeaders string) *Request {
	t.Helper()
	sum := sha256.Sum256(body)
	h := map[string]string{"host": "127.0.0.1", "x-acs-action": "GetCallerIdentity", "x-acs-version": "2015-04-01",
		"x-acs-date": date, "x-acs-signature-nonce": nonce, "x-acs-content-sha256": hex.EncodeToString(sum[:])}
	if contentType != "" {
		h["content-type"] = contentType
	}
	header := func(name string) string { return h[name] }
	sig := signature.SignV3(testSecret, http.MethodPost, "/", nil, header, body, signedHeaders)
	auth := signature.V3Authorization{AccessKeyID: "LTAIknown", SignedHeaders: signedHeaders, Signature: sig}
	var params signature.Params
	if len(body) > 0 && contentType == "application/x-www-form-urlencoded" {
		var err error
		if params, err = signature.ParseForm(body); err != nil {
			t.Fatal(err)
		}
	}
	return &Request{Method: http.MethodPost, Path: "/", Params: params, Authorization: auth.String(), Header: header, Body: body}
}

const v3Signed = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"

// The payload hash binds a body's bytes but not whether they are read as
// form parameters: content-type decides that, so it must be signed.
func TestV3BodyRequiresSignedContentType(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	date := now.Format(timestampLayout)
	form := []byte("UserName=alice")
	for i, c := range []struct {
		name, contentType, signed string
		body                      []byte
		want                      string
	}{
		{"form body, content-type signed", "application/x-www-form-urlencoded", "content-type;" + v3Signed, form, ""},
		{"form body, content-type unsigned", "application/x-www-form-urlencoded", v3Signed, form, "IncompleteSignature"},
		{"other body, content-type unsigned", "application/json", v3Signed, []byte(`{"UserName":"alice"}`), "IncompleteSignature"},
		{"body, no content-type, unsigned", "", v3Signed, form, "IncompleteSignature"},
		{"no body, nothing to bind", "", v3Signed, nil, ""},
	} {
		a := testAuthenticator(now, true)
		_, err := a.Authenticate(context.Background(), v3Request(t, fmt.Sprint("nonce-", i), date, c.body, c.contentType, c.signed))
		if code(err) != c.want {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if c.want != "" {
			if e := (*apperr.Error)(nil); !errors.As(err, &e) || e.Kind != apperr.KindInvalid {
				t.Errorf("%s: status of %v is not 400", c.name, err)
			}
		}
	}
}

// time.Parse accepts fractional seconds and one-digit fields the layout
// does not have; only the exact yyyy-MM-ddTHH:mm:ssZ shape is valid.
func TestTimestampMustHaveTheExactShape(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for i, ts := range []string{"2026-11-30T10:00:00.5Z", "2026-11-30T10:00:00.000Z", "2026-11-30T10:00:00,5Z",
		"2026-11-30T9:59:59Z", "2026-11-30T10:00:00+00:00", "2026-11-30 10:00:00Z", "2026-11-30T10:00:00z", "2026-11-30T10:00:00"} {
		v1 := signedRequestWith(t, "LTAIknown", testSecret, fmt.Sprint("v1-", i), ts)
		if _, err := testAuthenticator(now, true).Authenticate(context.Background(), v1); code(err) != "InvalidTimeStamp.Format" {
			t.Errorf("V1 Timestamp %q: got %v, want InvalidTimeStamp.Format", ts, err)
		}
		v3 := v3Request(t, fmt.Sprint("v3-", i), ts, nil, "", v3Signed)
		if _, err := testAuthenticator(now, true).Authenticate(context.Background(), v3); code(err) != "InvalidTimeStamp.Format" {
			t.Errorf("V3 x-acs-date %q: got %v, want InvalidTimeStamp.Format", ts, err)
		}
	}
	// The exact shape still passes both ways.
	if _, err := testAuthenticator(now, true).Authenticate(context.Background(), signedRequestWith(t, "LTAIknown", testSecret, "ok1", "2026-11-30T10:00:00Z")); err != nil {
		t.Errorf("V1 well-formed timestamp: %v", err)
	}
	if _, err := testAuthenticator(now, true).Authenticate(context.Background(), v3Request(t, "ok3", "2026-11-30T10:00:00Z", nil, "", v3Signed)); err != nil {
		t.Errorf("V3 well-formed date: %v", err)
	}
}

// parseTimestamp accepts exactly what time.Parse accepts and formats back
// to the same text, and reads the same time.
func FuzzParseTimestampAsTimeParse(f *testing.F) {
	for _, s := range []string{"2026-11-30T10:00:00Z", "2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T10:60:00Z",
		"2026-11-30T10:00:60Z", "2026-11-30T9:59:59Z", "2026-11-30T10:00:00.5Z", "+026-11-30T10:00:00Z", "2026-00-10T10:00:00Z",
		"2026-11-00T10:00:00Z", "2026-1a-30T10:00:00Z", "2026-11-30T10:00:0 Z", "2026-11-30T10:00:00z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.Parse(timestampLayout, s)
		wantOK := err == nil && want.Format(timestampLayout) == s
		got, ok := parseTimestamp(s)
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("parseTimestamp(%q) = %v, %v; time.Parse gives %v, %v (valid %v)", s, got, ok, want, err, wantOK)
		}
	})
}
