package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Stages of a session: a RAM user's logon opens its session at the
// password step, and only the stage's page answers until it is done.
const (
	stageReady          = ""
	stageChangePassword = "change-password"
	stageBindMFA        = "bind-mfa"
	stageVerifyMFA      = "verify-mfa"
)

// session is a console sign-in, stored (sessions below) so that every node
// sees it and sign-out or revocation ends it everywhere. The cookie holds
// "<account id>.<expiry>.<secret>"; the record's key is the expiry (unix
// seconds, zero-padded) and the SHA-256 of the whole cookie value, so a
// database read never yields a usable cookie and an account's expired
// sessions come first in key order, for purgeExpired.
type session struct {
	Kind     model.PrincipalKind
	UserName string `json:",omitempty"`
	UserID   string `json:",omitempty"`
	Stage    string `json:",omitempty"`
	// LoginAccount is what the person typed (email, or <user>@<domain>),
	// for the audit record of the logon's last step.
	LoginAccount string
	MFA          bool // an MFA code was checked at this logon
	CSRF         string
	Created      time.Time
	LastSeen     time.Time
	Ends         time.Time // absolute end of the signed-in session
	Expires      time.Time // Ends, or sooner while a stage is pending
	// Fingerprint ties the session to the credential it signed in with: a
	// RAM user's id and password change time, or a hash of the root's
	// password hash. Any change ends the session.
	Fingerprint string
	MFASerial   string `json:",omitempty"` // the device being bound (stageBindMFA)
	// MFAFailures counts wrong codes at this logon: at maxMFAFailures the
	// session ends, so six digits cannot be guessed.
	MFAFailures int `json:",omitempty"`
	// Role is the role session the person logged on to a member with
	// (switchrole.go); nil: the signed-in identity itself.
	Role *switchedRole `json:",omitempty"`
	// Recent lists the roles this session switched to, newest first
	// (switchrole_manual.go).
	Recent []recentRole `json:",omitempty"`
	// SwitchCode is a sent Switch to Resource Account code (rd_switch.go).
	SwitchCode *pendingCode `json:",omitempty"`
	// SSO marks a CloudSSO user portal session (sso_session.go).
	SSO *ssoLogon `json:",omitempty"`
}

// maxMFAFailures wrong MFA codes end a logon (it starts again with the
// password, which counts against MaxLoginAttemps).
const maxMFAFailures = 5

// SessionKind is the record kind of sessions: no node caches them, so
// their changes (a touch a minute per active session) invalidate nothing.
const SessionKind = "console-session"

var sessions = store.Collection[session]{Kind: SessionKind, Key: "expiry unix seconds.sha256(session id)"}

// Timeouts. A stage (password change, MFA) must be finished quickly; a
// ready session ends after IdleTimeout without a request, and at its
// absolute end (the RAM security preference's LoginSessionDuration, or
// rootSessionHours for a root).
const (
	stageTimeout     = 10 * time.Minute
	rootSessionHours = 6
	touchEvery       = time.Minute
)

// cookieName is the session cookie's name: with the __Host- prefix over
// TLS, which the browser accepts only when Secure, Path=/ and no Domain.
func cookieName(secure bool) string {
	if secure {
		return "__Host-canopy-session"
	}
	return "canopy-session"
}

// preCookie carries the sign-in forms' CSRF token before any session
// exists (double submit: the form's hidden field must equal it).
func preCookieName(secure bool) string {
	if secure {
		return "__Host-canopy-pre"
	}
	return "canopy-pre"
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// keyOf is the record key of a session cookie.
func keyOf(cookie string, expires int64) string {
	sum := sha256.Sum256([]byte(cookie))
	return fmt.Sprintf("%012d.%s", expires, hex.EncodeToString(sum[:]))
}

// newCookie is a fresh session id for acct, ending at expires.
func newCookie(acct string, expires time.Time) string {
	return acct + "." + strconv.FormatInt(expires.Unix(), 10) + "." + randomToken()
}

// splitCookie reads the account id and expiry a session cookie names.
func splitCookie(v string) (accountID string, expires int64, ok bool) {
	acct, rest, ok := strings.Cut(v, ".")
	if !ok || len(acct) == 0 || len(acct) > 32 {
		return "", 0, false
	}
	exp, secret, ok := strings.Cut(rest, ".")
	if !ok || len(secret) < 40 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || n <= 0 || n > 1e11 {
		return "", 0, false
	}
	return acct, n, true
}

// purgeExpired deletes up to a batch of an account's sessions past their
// absolute end (keys begin with it), so abandoned sessions do not pile up;
// it runs in the transaction that opens a new one.
func purgeExpired(tx store.Tx, acct string, now time.Time) error {
	recs, err := sessions.Records(tx, store.Query{AccountID: acct, Limit: 50})
	if err != nil {
		return err
	}
	cutoff := fmt.Sprintf("%012d.", now.Unix())
	for _, r := range recs {
		if r.Key >= cutoff {
			break
		}
		if err := sessions.Delete(tx, acct, r.Key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// active is a session read for a request.
type active struct {
	cookie string
	key    string
	acct   string
	s      *session
	rec    store.Record
	// roleEnded: this request's load ended the session's role session.
	roleEnded bool
}

// principal is the identity the session acts as.
func (a *active) principal() *model.Principal {
	if a.s.Role != nil {
		p := a.s.Role.Principal
		return &p
	}
	p := &model.Principal{Kind: a.s.Kind, AccountID: a.acct, UserName: a.s.UserName, UserID: a.s.UserID,
		MFAPresent: a.s.MFA}
	return p
}

// rootFingerprint names a root's current password.
func rootFingerprint(acct store.Account) string {
	sum := sha256.Sum256([]byte(acct.PasswordHash))
	return "root:" + hex.EncodeToString(sum[:8])
}

func userFingerprint(userID string, changed time.Time) string {
	return "user:" + userID + ":" + changed.UTC().Format(time.RFC3339Nano)
}

// errNoSession: no cookie, an unknown or ended session.
var errNoSession = errors.New("no session")

// load reads the request's session and checks that it is still alive:
// its timeouts on the domain clock, and the credential it signed in with.
// An ended session is deleted. The idle clock is moved at most once a
// minute (a write).
func (c *Console) load(r *http.Request) (*active, error) {
	ck, err := r.Cookie(cookieName(r.TLS != nil))
	if err != nil {
		return nil, errNoSession
	}
	acct, expires, ok := splitCookie(ck.Value)
	if !ok {
		return nil, errNoSession
	}
	a := &active{cookie: ck.Value, key: keyOf(ck.Value, expires), acct: acct}
	now := c.now()
	alive := false
	err = c.store.Read(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, acct, a.key)
		if err != nil {
			return err
		}
		a.s, a.rec = s, rec
		alive, err = c.stillValid(tx, acct, s, now)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	if !alive {
		c.end(r.Context(), a)
		return nil, errNoSession
	}
	if now.Sub(a.s.LastSeen) >= touchEvery {
		a.s.LastSeen = now
		err := c.store.Write(r.Context(), func(tx store.Tx) error {
			s, rec, err := sessions.Get(tx, acct, a.key)
			if err != nil {
				return err
			}
			s.LastSeen = now
			a.s, a.rec = s, rec
			return sessions.Update(tx, rec, s, now)
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoSession // signed out meanwhile
		}
		if err != nil {
			return nil, err
		}
	}
	if err := c.dropEndedRole(r.Context(), a, now); err != nil {
		return nil, err
	}
	return a, nil
}

// stillValid checks a session's timeouts and its credential.
func (c *Console) stillValid(tx store.Tx, acct string, s *session, now time.Time) (bool, error) {
	if !now.Before(s.Expires) {
		return false, nil
	}
	if s.Stage == stageReady && now.Sub(s.LastSeen) >= c.idle {
		return false, nil
	}
	account, err := tx.Accounts().Get(acct)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !accounts.Live(account) {
		return false, nil
	}
	if s.SSO != nil {
		return c.ssoStillValid(tx, acct, s)
	}
	switch s.Kind {
	case model.Root:
		return accounts.RootEnabled(account) && rootFingerprint(account) == s.Fingerprint, nil
	case model.RAMUser:
		state, ok, err := c.iam.CurrentLoginState(tx, acct, s.UserName)
		if err != nil || !ok {
			return false, err
		}
		return userFingerprint(state.UserID, state.PasswordChanged) == s.Fingerprint, nil
	}
	return false, nil
}

// open stores a new session with a fresh id (never one the browser sent:
// no fixation) and sets its cookie. prev, if any, is deleted in the same
// transaction.
func (c *Console) open(w http.ResponseWriter, r *http.Request, acct string, s *session, prev *active) error {
	now := c.now()
	s.Created, s.LastSeen, s.CSRF = now, now, randomToken()
	s.Expires = s.Ends
	if deadline := now.Add(stageTimeout); s.Stage != stageReady && deadline.Before(s.Ends) {
		s.Expires = deadline
	}
	cookie := newCookie(acct, s.Expires)
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		if prev != nil {
			if err := sessions.Delete(tx, prev.acct, prev.key); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if err := purgeExpired(tx, acct, now); err != nil {
			return err
		}
		return sessions.Insert(tx, acct, keyOf(cookie, s.Expires.Unix()), "", s, now)
	})
	if err != nil {
		return err
	}
	setCookie(w, r, cookieName(r.TLS != nil), cookie, 0)
	return nil
}

// end deletes a session (sign-out, timeout, revocation).
func (c *Console) end(ctx context.Context, a *active) {
	err := c.store.Write(context.WithoutCancel(ctx), func(tx store.Tx) error {
		return sessions.Delete(tx, a.acct, a.key)
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		c.log.Warn("ending a console session failed", "err", err)
	}
}

func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
