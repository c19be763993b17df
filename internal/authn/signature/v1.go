package signature

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"slices"
)

// SignatureParam is the parameter that carries the V1 signature; it is the one
// parameter left out of the string to sign.
const SignatureParam = "Signature"

// V1StringToSign appends the V1 string to sign to dst and returns the result:
//
//	METHOD "&%2F&" percentEncode(canonicalizedQuery)
//
// where canonicalizedQuery joins percentEncode(key) "=" percentEncode(value)
// with '&' for every parameter except Signature, in p's order. p must be
// sorted by decoded key as ParseQuery and Merge return it: that is the order
// the SDKs sign (see the package documentation). Parameters with empty values
// are included. The two encoding passes are fused into one.
func V1StringToSign(dst []byte, method string, p Params) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	first := true
	for _, kv := range p {
		if kv.Key == SignatureParam {
			continue
		}
		if !first {
			dst = append(dst, "%26"...) // encoded '&'
		}
		first = false
		dst = appendDoublyEncoded(dst, kv.Key)
		dst = append(dst, "%3D"...) // encoded '='
		dst = appendDoublyEncoded(dst, kv.Value)
	}
	return dst
}

// VerifyV1 checks a V1 (HMAC-SHA1) signature over p, the merged query and
// form parameters (a Signature entry in p is ignored). method is the HTTP
// method as received. It returns nil or a *MismatchError, which matches
// ErrSignatureMismatch and carries the server's string to sign.
//
// The caller is responsible for the checks around the MAC: required
// parameters present, SignatureMethod "HMAC-SHA1", SignatureVersion "1.0",
// timestamp window and nonce reuse.
func (k *Key) VerifyV1(method string, p Params, signature string) error {
	s := getScratch()
	s.buf = V1StringToSign(s.buf[:0], method, p)
	sum := mac(&k.v1, s.sum[:0], s.buf)
	// Compare the canonical base64 text: a non-canonical encoding of the
	// right bytes is rejected too. The length is public, the content is
	// compared in constant time.
	want := s.text[:base64.StdEncoding.EncodedLen(len(sum))]
	base64.StdEncoding.Encode(want, sum)
	var err error
	if len(signature) != len(want) || subtle.ConstantTimeCompare(want, []byte(signature)) != 1 {
		err = &MismatchError{StringToSign: string(s.buf)}
	}
	putScratch(s)
	return err
}

// SignV1 returns the base64 V1 signature of p, as an SDK would compute it.
// p need not be sorted. It is meant for tests and tools; servers use Key.
func SignV1(secret, method string, p Params) string {
	if !slices.IsSortedFunc(p, compareKeys) {
		p = slices.Clone(p)
		slices.SortFunc(p, compareKeys)
	}
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write(V1StringToSign(nil, method, p))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
