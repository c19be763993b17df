package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// V3Algorithm is the only ACS3 algorithm accepted.
const V3Algorithm = "ACS3-HMAC-SHA256"

// requiredV3Headers must all appear in SignedHeaders. Together they bind the
// target host, the operation, the body and the replay-protection fields.
var requiredV3Headers = [...]string{
	"host",
	"x-acs-action",
	"x-acs-content-sha256",
	"x-acs-date",
	"x-acs-signature-nonce",
	"x-acs-version",
}

const (
	maxAuthorizationLen = 4096
	maxAccessKeyIDLen   = 128
	maxSignedHeaders    = 64
	maxHeaderNameLen    = 64
)

// V3Authorization is a parsed ACS3-HMAC-SHA256 Authorization header.
type V3Authorization struct {
	AccessKeyID string
	// SignedHeaders is the list as sent: lowercase names, strictly
	// ascending, separated by ';'. It is part of the canonical request.
	SignedHeaders string
	// Signature is 64 lowercase hex digits.
	Signature string
}

// String renders the header value the SDKs send.
func (a V3Authorization) String() string {
	return V3Algorithm + " Credential=" + a.AccessKeyID + ",SignedHeaders=" + a.SignedHeaders + ",Signature=" + a.Signature
}

// SignsHeader reports whether name (lowercase) is covered by the signature.
// A caller that relies on an optional header, such as x-acs-security-token or
// content-type, should require it to be signed.
func (a V3Authorization) SignsHeader(name string) bool {
	for rest := a.SignedHeaders; rest != ""; {
		var h string
		h, rest, _ = strings.Cut(rest, ";")
		if h == name {
			return true
		}
	}
	return false
}

// ParseV3Authorization parses exactly the shape the SDKs produce:
//
//	ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2;...>,Signature=<hex>
//
// with one space, the three fields in this order, no other whitespace. The
// AccessKeyId is 1-128 bytes of [A-Za-z0-9._-]; header names are lowercase
// [a-z0-9._-], strictly ascending, at most 64 of them; the signature is 64
// lowercase hex digits. Another ACS3-* algorithm is ErrUnsupportedAlgorithm,
// a list without host, x-acs-action, x-acs-content-sha256, x-acs-date,
// x-acs-signature-nonce and x-acs-version is ErrIncompleteSignature, anything
// else malformed is ErrMalformedAuthorization.
func ParseV3Authorization(h string) (V3Authorization, error) {
	if len(h) > maxAuthorizationLen {
		return V3Authorization{}, ErrMalformedAuthorization
	}
	algorithm, rest, ok := strings.Cut(h, " ")
	if !ok {
		return V3Authorization{}, ErrMalformedAuthorization
	}
	if algorithm != V3Algorithm {
		if strings.HasPrefix(algorithm, "ACS3-") {
			return V3Authorization{}, ErrUnsupportedAlgorithm
		}
		return V3Authorization{}, ErrMalformedAuthorization
	}
	var a V3Authorization
	if a.AccessKeyID, rest, ok = cutField(rest, "Credential=", ','); !ok {
		return V3Authorization{}, ErrMalformedAuthorization
	}
	if a.SignedHeaders, rest, ok = cutField(rest, "SignedHeaders=", ','); !ok {
		return V3Authorization{}, ErrMalformedAuthorization
	}
	if !strings.HasPrefix(rest, "Signature=") {
		return V3Authorization{}, ErrMalformedAuthorization
	}
	a.Signature = rest[len("Signature="):]
	if err := a.validate(); err != nil {
		return V3Authorization{}, err
	}
	return a, nil
}

// cutField expects s to start with prefix and returns the text up to sep and
// the remainder after it.
func cutField(s, prefix string, sep byte) (field, rest string, ok bool) {
	if !strings.HasPrefix(s, prefix) {
		return "", "", false
	}
	s = s[len(prefix):]
	i := strings.IndexByte(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// validate checks every field, so VerifyV3 is safe on hand-built values too.
func (a V3Authorization) validate() error {
	if len(a.AccessKeyID) == 0 || len(a.AccessKeyID) > maxAccessKeyIDLen || !allBytes(a.AccessKeyID, isAccessKeyIDByte) {
		return ErrMalformedAuthorization
	}
	if len(a.Signature) != 2*sha256.Size || !allBytes(a.Signature, isLowerHex) {
		return ErrMalformedAuthorization
	}
	count, previous := 0, ""
	for rest := a.SignedHeaders; ; {
		var name string
		var more bool
		name, rest, more = strings.Cut(rest, ";")
		count++
		if name == "" || len(name) > maxHeaderNameLen || !allBytes(name, isHeaderNameByte) ||
			(count > 1 && name <= previous) || count > maxSignedHeaders {
			return ErrMalformedAuthorization
		}
		previous = name
		if !more {
			break
		}
	}
	for _, required := range requiredV3Headers {
		if !a.SignsHeader(required) {
			return ErrIncompleteSignature
		}
	}
	return nil
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isAccessKeyIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

func isHeaderNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// appendV3CanonicalRequest appends
//
//	METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HexPayloadHash
//
// CanonicalQueryString holds only query parameters (a form body is covered by
// the payload hash), each enc(key)=enc(value), in decoded-key order like the
// SDK's sort. CanonicalHeaders has one "name:value\n" line per signed header,
// value trimmed, so the block ends in a newline and a blank line follows.
func appendV3CanonicalRequest(dst []byte, method, path string, query Params, header func(string) string, signedHeaders string, payloadHex []byte) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = appendEncodedPath(dst, path)
	dst = append(dst, '\n')
	for i, kv := range query {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendPercentEncoded(dst, kv.Key)
		dst = append(dst, '=')
		dst = appendPercentEncoded(dst, kv.Value)
	}
	dst = append(dst, '\n')
	for rest := signedHeaders; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = append(dst, strings.TrimSpace(header(name))...)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	dst = append(dst, signedHeaders...)
	dst = append(dst, '\n')
	return append(dst, payloadHex...)
}

// VerifyV3 checks an ACS3-HMAC-SHA256 signature. path is the decoded URL path
// ("/" for the RPC APIs; empty means "/"), query the parsed URL query only,
// header returns the value of a lowercase header name (the caller answers
// "host" with the request's Host and joins repeated headers with ','), body
// the raw request body.
//
// Order of checks: auth is validated as ParseV3Authorization would; the
// SHA-256 of body must equal x-acs-content-sha256 (ErrPayloadHashMismatch);
// then the signature is recomputed and compared in constant time
// (*MismatchError). Date window and nonce reuse are the caller's job.
func (k *Key) VerifyV3(method, path string, query Params, header func(string) string, body []byte, auth V3Authorization) error {
	if err := auth.validate(); err != nil {
		return err
	}
	var want [sha256.Size]byte
	for i := range want {
		hi, _ := unhex(auth.Signature[2*i])
		lo, _ := unhex(auth.Signature[2*i+1])
		want[i] = hi<<4 | lo
	}
	payload := sha256.Sum256(body)
	var payloadHex [2 * sha256.Size]byte
	hex.Encode(payloadHex[:], payload[:])
	// Trimmed like every signed header value, so that the value compared
	// here is the value signed.
	if strings.TrimSpace(header("x-acs-content-sha256")) != string(payloadHex[:]) {
		return ErrPayloadHashMismatch
	}

	s := getScratch()
	s.buf = appendV3CanonicalRequest(s.buf[:0], method, path, query, header, auth.SignedHeaders, payloadHex[:])
	stringToSign := appendV3StringToSign(s.text[:0], s.buf)
	sum := mac(&k.v3, s.sum[:0], stringToSign)
	var err error
	if !hmac.Equal(sum, want[:]) {
		err = &MismatchError{StringToSign: string(stringToSign), CanonicalRequest: string(s.buf)}
	}
	putScratch(s)
	return err
}

// appendV3StringToSign appends "ACS3-HMAC-SHA256\n" hex(SHA-256(canonicalRequest)).
func appendV3StringToSign(dst, canonicalRequest []byte) []byte {
	digest := sha256.Sum256(canonicalRequest)
	dst = append(dst, V3Algorithm+"\n"...)
	return hex.AppendEncode(dst, digest[:])
}

// SignV3 returns the hex ACS3-HMAC-SHA256 signature an SDK would send for
// this request, signing the headers listed in signedHeaders (lowercase,
// ascending, ';'-separated). The payload hash is computed from body. query
// must be sorted as ParseQuery returns it. It is meant for tests and tools.
func SignV3(secret, method, path string, query Params, header func(string) string, body []byte, signedHeaders string) string {
	payload := sha256.Sum256(body)
	payloadHex := hex.AppendEncode(nil, payload[:])
	canonical := appendV3CanonicalRequest(nil, method, path, query, header, signedHeaders, payloadHex)
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(appendV3StringToSign(nil, canonical))
	return hex.EncodeToString(h.Sum(nil))
}
