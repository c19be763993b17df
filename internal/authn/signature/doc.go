// Package signature verifies the request signatures produced by the official
// Alibaba Cloud SDKs, so that Canopy can accept them unchanged.
//
// Two schemes are supported:
//
//   - V1 (HMAC-SHA1, "SignatureVersion=1.0"): the classic
//     github.com/aliyun/alibaba-cloud-sdk-go signer, darabonba-openapi with
//     SignatureAlgorithm "v2", and the credential providers that call STS.
//     Every query and form-body parameter except Signature is signed.
//   - V3 (ACS3-HMAC-SHA256): the darabonba-openapi default. The query
//     string, a chosen set of headers and the SHA-256 of the body are signed,
//     and the signature travels in the Authorization header.
//
// The package is pure: it takes strings and bytes, performs no I/O and does not
// depend on net/http. The HTTP layer extracts the raw query, the body, the
// method and the header values, and maps the exported errors to wire codes
// (for example ErrSignatureMismatch to SignatureDoesNotMatch).
//
// Parameter order. Both SDK families sort parameters by their decoded name
// (Go's url.Values.Encode sorts before escaping) and only then percent-encode.
// Sorting by the encoded name would give a different order whenever a name
// holds a byte outside the RFC 3986 unreserved set that sorts above an
// unreserved byte (for example "a/b" against "a.b", or "é" against "a"),
// so Params are kept sorted by decoded name and that order is what is signed.
//
// Typical V1 use, with a *Key cached per AccessKey:
//
//	q, err := signature.ParseQuery(r.URL.RawQuery)
//	form, err := signature.ParseForm(body) // only for urlencoded bodies
//	all, err := signature.Merge(q, form)
//	sig, _ := all.Get("Signature")
//	err = key.VerifyV1(r.Method, all, sig)
package signature
