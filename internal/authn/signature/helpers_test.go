package signature

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Pieces that random names and values are built from: every character class
// the SDKs treat specially, multi-byte UTF-8 and plain text.
var (
	valuePieces = []string{
		"a", "Z", "0", "9", "abc", " ", "  ", "*", "~", "/", "+", "=", "&", "%", "%20", "%2B",
		"-", "_", ".", "?", "#", "!", "'", "\"", ":", ";", ",", "@", "$", "(", ")", "[", "]",
		"\n", "\t", "张三", " é", "é", "😀", "ß", "\u00a0", "\u200b", "null",
	}
	// Names for V1 may hold anything but control characters. The first piece
	// keeps them clear of the SDK's common parameters, which it overwrites.
	v1KeyFirst  = []string{"P", "Tag.", "a", "Z", "é", "x", "k", "Q"}
	v1KeyPieces = []string{"a", "B", "1", ".", "-", "_", "~", "/", " ", "*", "+", "é", ":", "=", "&", "%", "张"}
	// V3 query names stay within the RFC 3986 unreserved set, as every real
	// API parameter name does (see TestDarabonbaV3ReservedCharacterNames).
	v3KeyPieces = []string{"a", "B", "1", ".", "-", "_", "~", "Key", "Value"}
)

func randomText(rng *rand.Rand, pieces []string, maxPieces int) string {
	var b strings.Builder
	for n := rng.IntN(maxPieces + 1); n > 0; n-- {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func randomValue(rng *rand.Rand) string {
	if rng.IntN(8) == 0 {
		return "" // empty values are sent and signed
	}
	return randomText(rng, valuePieces, 12)
}

func randomV1Key(rng *rand.Rand) string {
	return v1KeyFirst[rng.IntN(len(v1KeyFirst))] + randomText(rng, v1KeyPieces, 5)
}

func randomV3Key(rng *rand.Rand) string {
	return "P" + randomText(rng, v3KeyPieces, 5)
}

// randomParams returns n distinct names from newKey with random values.
func randomParams(rng *rand.Rand, n int, newKey func(*rand.Rand) string, taken map[string]bool) map[string]string {
	out := make(map[string]string, n)
	for len(out) < n {
		k := newKey(rng)
		if taken[k] {
			continue
		}
		taken[k] = true
		out[k] = randomValue(rng)
	}
	return out
}

// sdkEncode builds a query string the way both SDKs do (url.Values.Encode:
// sorted by decoded name, spaces as '+').
func sdkEncode(m map[string]string) string {
	v := url.Values{}
	for k, val := range m {
		v.Set(k, val)
	}
	return v.Encode()
}

// echoResponse is what the test server answers on success.
type echoResponse struct {
	RequestId    string
	Scheme       string // "v1" or "v3": which verifier accepted the request
	Params       map[string]string
	StringToSign string
}

// sdkServer is a real HTTP server that authenticates requests with this
// package exactly as the Canopy front end is meant to.
type sdkServer struct {
	*httptest.Server
	keys map[string]*Key

	mu       sync.Mutex
	verified int
}

func newSDKServer(t *testing.T, secrets map[string]string) *sdkServer {
	t.Helper()
	s := &sdkServer{keys: map[string]*Key{}}
	for ak, secret := range secrets {
		s.keys[ak] = NewKey(secret)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *sdkServer) host() string { return strings.TrimPrefix(s.URL, "http://") }

func (s *sdkServer) fail(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{
		"RequestId": "00000000-0000-0000-0000-000000000000", "HostId": "canopy.test",
		"Code": code, "Message": message,
	})
}

func (s *sdkServer) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, 400, "InvalidParameter", err.Error())
		return
	}
	query, err := ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, 400, "InvalidParameter", err.Error())
		return
	}
	var form Params
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err = ParseForm(body); err != nil {
			s.fail(w, 400, "InvalidParameter", err.Error())
			return
		}
	}
	all, err := Merge(query, form)
	if err != nil {
		s.fail(w, 400, "InvalidParameter", err.Error())
		return
	}

	var stringToSign, scheme string
	if authz := r.Header.Get("Authorization"); authz != "" {
		auth, err := ParseV3Authorization(authz)
		if err != nil {
			s.fail(w, 400, "IncompleteSignature", err.Error())
			return
		}
		key := s.keys[auth.AccessKeyID]
		if key == nil {
			s.fail(w, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
			return
		}
		header := func(name string) string {
			if name == "host" {
				return r.Host
			}
			return strings.Join(r.Header.Values(name), ",")
		}
		if err := key.VerifyV3(r.Method, r.URL.Path, query, header, body, auth); err != nil {
			s.fail(w, 400, "SignatureDoesNotMatch", err.Error())
			return
		}
		scheme = "v3"
	} else {
		ak, _ := all.Get("AccessKeyId")
		key := s.keys[ak]
		if key == nil {
			s.fail(w, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
			return
		}
		sig, _ := all.Get(SignatureParam)
		if err := key.VerifyV1(r.Method, all, sig); err != nil {
			msg := "Specified signature is not matched with our calculation."
			if me, ok := err.(*MismatchError); ok {
				msg += " server string to sign is:" + me.StringToSign
			}
			s.fail(w, 400, "SignatureDoesNotMatch", msg)
			return
		}
		stringToSign = string(V1StringToSign(nil, r.Method, all))
		scheme = "v1"
	}
	s.mu.Lock()
	s.verified++
	s.mu.Unlock()
	echo := echoResponse{RequestId: "11111111-1111-1111-1111-111111111111", Scheme: scheme, Params: map[string]string{}, StringToSign: stringToSign}
	for _, kv := range all {
		echo.Params[kv.Key] = kv.Value
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	json.NewEncoder(w).Encode(echo)
}

// checkEcho verifies that every parameter the client meant to send arrived
// with exactly its value.
func checkEcho(t *testing.T, label string, got map[string]string, sent ...map[string]string) {
	t.Helper()
	for _, m := range sent {
		for k, v := range m {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s: parameter %q arrived as %q (present %v), sent %q", label, k, g, ok, v)
			}
		}
	}
}
