// Package authn authenticates API requests: signature V1 (HMAC-SHA1) or V3
// (ACS3-HMAC-SHA256), the timestamp window, nonce freshness and the state of
// the AccessKey. It turns a request into a principal or a wire error.
package authn

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

const (
	// Window is how far a request's timestamp may be from the server clock.
	Window = 15 * time.Minute
	// NonceRetention is how long a nonce is remembered: both sides of the
	// window plus a margin, so a replay is refused for as long as its
	// timestamp could be accepted.
	NonceRetention  = 2*Window + time.Minute
	timestampLayout = "2006-01-02T15:04:05Z"
	maxNonceLength  = 128
	// maxKeyIDLength bounds the AccessKey ids worth looking up: real ones
	// are 24 (LTAI...) or 28 (STS.) characters.
	maxKeyIDLength = 128
	v3Prefix       = "ACS3-HMAC-SHA256 "
)

// Request is what authentication reads from an HTTP request.
type Request struct {
	Method        string
	Path          string
	Query         signature.Params // query string only (V3 signs just these)
	Params        signature.Params // query and form body merged
	Authorization string
	Header        func(lowerName string) string // header values; "host" gives the Host
	Body          []byte
}

// Result is an authenticated caller and the nonce its request used.
type Result struct {
	Principal model.Principal
	Nonce     store.Nonce
	// Claimed is set instead, with an error, when the request named a known
	// AccessKey but did not prove it holds it (a wrong signature, a stale
	// timestamp, a malformed signed field): the identity the key stands
	// for, whose owner is shown the attempt. Principal is then empty.
	Claimed *model.Principal
}

// CredentialSource finds what verifies a request signed with an AccessKey
// id: the principal the key stands for and its signing key. Sources are
// chosen by the id's prefix (long-term AccessKeys; "STS." temporary
// credentials, which also carry a SecurityToken).
type CredentialSource interface {
	// Credential returns the credential of accessKeyID, or an
	// *apperr.Error with the cloud's code (InvalidAccessKeyId.NotFound,
	// InvalidSecurityToken.*, ...). token is the request's SecurityToken
	// ("" when it sent none).
	Credential(ctx context.Context, accessKeyID, token string) (*Credential, error)
}

// TemporaryPrefix starts the AccessKey id of every STS credential.
const TemporaryPrefix = "STS."

// Authenticator checks signatures against the credentials its sources give.
type Authenticator struct {
	longTerm  CredentialSource
	temporary CredentialSource
	recent    *recentNonces
	now       func() time.Time // real time: signatures never follow a virtual clock

	usedMu sync.Mutex
	used   map[string]time.Time // AccessKey id -> last use not yet stored
}

// New builds an authenticator: longTerm serves AccessKey ids, temporary the
// "STS." ids (nil: this node issues no temporary credentials, and refuses
// them).
func New(longTerm, temporary CredentialSource) *Authenticator {
	if temporary == nil {
		temporary = noTemporaryCredentials{}
	}
	return &Authenticator{longTerm: longTerm, temporary: temporary, recent: newRecentNonces(), now: time.Now,
		used: map[string]time.Time{}}
}

// IsV3 reports whether an Authorization header selects signature V3. The
// API front routes by the signed x-acs-action/x-acs-version headers exactly
// when this is true (Authenticate then verifies that they are signed), and
// by the signed Action/Version parameters otherwise.
func IsV3(authorization string) bool { return strings.HasPrefix(authorization, v3Prefix) }

// Remember marks a nonce as used, so a request that reuses it is refused:
// a starting node loads the nonces its store and segment log hold (the
// replay guard after a restart or kill -9).
func (a *Authenticator) Remember(n store.Nonce) {
	if !n.Expires.Before(a.now()) {
		a.recent.add(n.AccessKeyID, n.Value, n.Expires)
	}
}

// Sweep forgets in-memory nonces past their retention.
func (a *Authenticator) Sweep() { a.recent.sweep(a.now()) }

// signed is the part of a request both signature versions share.
type signed struct {
	accessKeyID, timestamp, nonce, securityToken string
}

// Authenticate verifies the request and returns its principal. Errors are
// *apperr.Error with the cloud's codes. When the signature verified and the
// nonce was fresh but a later check failed (a disabled key), the principal
// and the nonce are still returned with the error, so the refusal is
// recorded in the caller's audit trail and uses the nonce up; when the
// request named a known AccessKey but failed before its signature was
// proven, or replayed a nonce, the result carries only Claimed.
func (a *Authenticator) Authenticate(ctx context.Context, req *Request) (*Result, error) {
	isV3 := IsV3(req.Authorization)
	var s signed
	var v3 signature.V3Authorization
	var err error
	if isV3 {
		s, v3, err = v3Fields(req)
	} else {
		s, err = v1Fields(req)
	}
	if err != nil {
		return a.claim(ctx, s, nil, err)
	}
	now := a.now()
	signedAt, err := checkTimestamp(s.timestamp, now)
	if err != nil {
		return a.claim(ctx, s, nil, err)
	}
	if err := checkNonceShape(s.nonce); err != nil {
		return a.claim(ctx, s, nil, err)
	}
	source := a.sourceOf(s.accessKeyID)
	cred, err := source.Credential(ctx, s.accessKeyID, s.securityToken)
	if err != nil {
		return nil, apperr.As(err)
	}
	if isV3 {
		err = cred.Key.VerifyV3(req.Method, req.Path, req.Query, req.Header, req.Body, v3)
	} else {
		sig, _ := req.Params.Get("Signature")
		err = cred.Key.VerifyV1(req.Method, req.Params, sig)
	}
	if err != nil {
		return a.claim(ctx, s, cred, signatureError(err))
	}
	if source == a.longTerm {
		a.noteUse(cred, s.accessKeyID, now) // temporary keys have no LastUsed to keep
	}
	// The nonce expires relative to the SIGNED timestamp, so a replay (same
	// timestamp, same nonce) maps to the same stored key, and keys arrive in
	// time order: the store appends them instead of scattering random
	// inserts across its index.
	res := &Result{Principal: cred.Principal,
		Nonce: store.Nonce{AccessKeyID: s.accessKeyID, Value: s.nonce, Expires: signedAt.Add(NonceRetention)}}
	// This node refuses any reuse of a nonce within the window, whatever
	// the timestamp. The store (another node, or after a restart) refuses
	// the exact replay: same nonce with the same signed timestamp. A reuse
	// proves only that someone holds a request the key signed, not who
	// sent it, so it is an attempt against the key (Claimed), not the
	// signer's own call.
	if !a.recent.add(s.accessKeyID, s.nonce, res.Nonce.Expires) {
		p := cred.Principal
		return &Result{Claimed: &p}, NonceUsed()
	}
	// Checked after the nonce is taken: a refused request uses its nonce
	// up like any other (its refusal records it), so the same bytes cannot
	// run once the key is enabled again.
	if !cred.Active {
		if cred.Disabled != "" {
			return res, codeKeyInactive.New("%s", cred.Disabled)
		}
		return res, codeKeyInactive.New("Specified access key is disabled.")
	}
	return res, nil
}

func (a *Authenticator) sourceOf(accessKeyID string) CredentialSource {
	if strings.HasPrefix(accessKeyID, TemporaryPrefix) {
		return a.temporary
	}
	return a.longTerm
}

// claim returns err, with the identity the request's AccessKey stands for
// when the key is known (cred, or looked up now), so that the owner's trail
// shows the failed attempt. The lookup's own failure leaves err alone.
func (a *Authenticator) claim(ctx context.Context, s signed, cred *Credential, err error) (*Result, error) {
	if cred == nil && s.accessKeyID != "" && len(s.accessKeyID) <= maxKeyIDLength {
		cred, _ = a.sourceOf(s.accessKeyID).Credential(ctx, s.accessKeyID, s.securityToken)
	}
	if cred == nil {
		return nil, err
	}
	p := cred.Principal
	return &Result{Claimed: &p}, err
}

// noteUse queues a key's use for GetAccessKeyLastUsed, at most once a
// second per key, so the hot path takes the lock rarely.
func (a *Authenticator) noteUse(cred *Credential, id string, now time.Time) {
	ns := now.UnixNano()
	last := cred.lastNoted.Load()
	if ns-last < int64(time.Second) || !cred.lastNoted.CompareAndSwap(last, ns) {
		return
	}
	a.usedMu.Lock()
	a.used[id] = now
	a.usedMu.Unlock()
}

// TakeUsed returns the key uses queued since the last call, for the store.
func (a *Authenticator) TakeUsed() map[string]time.Time {
	a.usedMu.Lock()
	defer a.usedMu.Unlock()
	out := a.used
	a.used = map[string]time.Time{}
	return out
}

// NonceUsed is the error for a replayed request.
func NonceUsed() *apperr.Error {
	return codeNonceUsed.New("Specified signature nonce was used already.")
}

func v1Fields(req *Request) (signed, error) {
	p := req.Params
	get := func(k string) string { v, _ := p.Get(k); return v }
	if get("Signature") == "" {
		return signed{}, codeIncompleteSignature.New("The request signature does not conform to Aliyun standards: Signature is missing.")
	}
	s := signed{accessKeyID: get("AccessKeyId"), timestamp: get("Timestamp"), nonce: get("SignatureNonce"),
		securityToken: get("SecurityToken")}
	if s.accessKeyID == "" {
		return s, codeIncompleteSignature.New("The request signature does not conform to Aliyun standards: AccessKeyId is missing.")
	}
	if m := get("SignatureMethod"); m != "HMAC-SHA1" {
		return s, codeSignatureMethod.New("The signature method %q is not supported; use HMAC-SHA1.", m)
	}
	if v := get("SignatureVersion"); v != "1.0" {
		return s, codeSignatureVersion.New("The signature version %q is not supported; use 1.0.", v)
	}
	if s.timestamp == "" {
		return s, apperr.MissingParameter("Timestamp")
	}
	if s.nonce == "" {
		return s, apperr.MissingParameter("SignatureNonce")
	}
	return s, nil
}

func v3Fields(req *Request) (signed, signature.V3Authorization, error) {
	if _, dup := req.Params.Get("Signature"); dup {
		return signed{}, signature.V3Authorization{}, codeIncompleteSignature.New("The request carries both a V3 Authorization header and a V1 Signature parameter.")
	}
	auth, err := signature.ParseV3Authorization(req.Authorization)
	if err != nil {
		return signed{}, auth, codeIncompleteSignature.New("The Authorization header is malformed: %v", err)
	}
	s := signed{accessKeyID: auth.AccessKeyID, timestamp: req.Header("x-acs-date"),
		nonce: req.Header("x-acs-signature-nonce"), securityToken: req.Header("x-acs-security-token")}
	if s.timestamp == "" {
		return s, auth, apperr.MissingParameter("x-acs-date")
	}
	if s.nonce == "" {
		return s, auth, apperr.MissingParameter("x-acs-signature-nonce")
	}
	// The payload hash binds the body's bytes, not how they are read: the
	// body becomes parameters only when content-type says it is a form. With
	// content-type unsigned, anyone holding a signed request could make its
	// body parameters appear or vanish. The SDKs sign content-type whenever
	// they send a body, so a body is refused without it.
	if len(req.Body) > 0 && !auth.SignsHeader("content-type") {
		return s, auth, codeIncompleteSignature.New("The request has a body but content-type is not among the SignedHeaders of the Authorization header.")
	}
	return s, auth, nil
}

func checkTimestamp(ts string, now time.Time) (time.Time, error) {
	t, ok := parseTimestamp(ts)
	if !ok {
		return t, codeTimestampFormat.New("Specified time stamp or date value is not well formatted; use yyyy-MM-ddTHH:mm:ssZ in UTC.")
	}
	if d := now.Sub(t); d > Window || d < -Window {
		return t, codeTimestampExpired.New("Specified time stamp or date value is expired: it is more than 15 minutes from the server time %s.", now.UTC().Format(timestampLayout))
	}
	return t, nil
}

// parseTimestamp reads exactly the layout the SDKs send,
// yyyy-MM-ddTHH:mm:ssZ, a valid date and time of day in UTC. It accepts
// what time.Parse(timestampLayout) accepts and formats back to itself
// (time.Parse alone is lenient: fractional seconds after "05", one-digit
// hours), in a fifth of its time and without formatting it back.
func parseTimestamp(ts string) (time.Time, bool) {
	if len(ts) != len(timestampLayout) || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' ||
		ts[13] != ':' || ts[16] != ':' || ts[19] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := ts[i]
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, second := num(11, 13), num(14, 16), num(17, 19)
	if !ok || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Day() != day { // past the month's end: time.Date moved it on
		return time.Time{}, false
	}
	return t, true
}

func checkNonceShape(n string) error {
	if len(n) > maxNonceLength {
		return apperr.InvalidParameter("The SignatureNonce is longer than %d characters.", maxNonceLength)
	}
	for i := 0; i < len(n); i++ {
		if n[i] <= ' ' || n[i] >= 0x7f {
			return apperr.InvalidParameter("The SignatureNonce must be printable ASCII.")
		}
	}
	return nil
}

// noTemporaryCredentials is the temporary-credential source of a node
// that issues none: every STS. key is refused with the cloud's codes.
type noTemporaryCredentials struct{}

func (noTemporaryCredentials) Credential(_ context.Context, _, token string) (*Credential, error) {
	if token == "" {
		return nil, MissingSecurityToken()
	}
	return nil, codeSecurityTokenMalformed.New("Specified SecurityToken is malformed.")
}

// MissingSecurityToken is the error for an STS. key sent without its token.
func MissingSecurityToken() *apperr.Error {
	return codeMissingSecurityToken.New("SecurityToken is mandatory for this action.")
}

// signatureError shows the caller the server's string to sign, as the
// cloud does, as a Diagnostic: it holds every parameter the request signed,
// passwords included, so the audit trail and the log never keep it.
func signatureError(err error) error {
	e := codeSignatureDoesNotMatch.New("Specified signature is not matched with our calculation.")
	var mismatch *signature.MismatchError
	if errors.As(err, &mismatch) && mismatch.StringToSign != "" {
		e.Diagnostic = " server string to sign is:" + mismatch.StringToSign
	}
	return e
}
