package console

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

func clientIP(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		a, _ := netip.ParseAddr(h)
		return a
	}
	return netip.Addr{}
}

// signInForm is the data of the sign-in pages.
type signInForm struct {
	Account  string // root: the email typed
	Logon    string // RAM: <name>@<domain>
	Domain   string // RAM: the pre-filled suffix
	Password bool   // RAM: the password step
}

func (c *Console) rootSignInPage(w http.ResponseWriter, r *http.Request) {
	if a, err := c.load(r); err == nil {
		redirect(w, r, stageHome(a.s.Stage))
		return
	}
	c.render(w, http.StatusOK, "signin", &view{Title: "Sign in", CSRF: preToken(w, r), Data: &signInForm{}})
}

// rootSignIn signs a root user in by email (or account id) and password.
// accounts.RootSignInAt gives one refusal for everything, including the
// root of a resource account and a root locked after too many failures,
// and says how such an account is reached.
func (c *Console) rootSignIn(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("account"))
	pw := r.PostFormValue("password")
	now := c.now()
	var acct store.Account
	found := false
	var refusal error
	budget := c.attemptBudget(r)
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		var err error
		if strings.Contains(login, "@") {
			acct, err = tx.Accounts().GetByEmail(login)
		} else if login != "" {
			acct, err = tx.Accounts().Get(login)
		} else {
			err = store.ErrNotFound
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		found = err == nil
		if !found {
			acct = store.Account{}
		}
		if !found {
			refusal = accounts.RootSignIn(acct, pw) // the same time and answer as a wrong password
		} else {
			var write bool
			write, refusal = accounts.RootSignInAt(&acct, pw, now)
			if refusal == nil || apperr.As(refusal).Kind != apperr.KindInternal {
				if write { // the failure count (or its reset) commits with the event
					if err := tx.Accounts().Update(acct); err != nil {
						return err
					}
				}
			}
		}
		if refusal != nil && apperr.As(refusal).Kind == apperr.KindInternal {
			return refusal
		}
		if found {
			ev := c.signInEvent(r, acct.ID, model.Principal{Kind: model.Root, AccountID: acct.ID}, login, false, refusal, now)
			refusal = withRequestID(refusal, ev.ID)
			if refusal != nil && !budget.keep(acct.ID) {
				return nil // the failure count (if any) still commits
			}
			return tx.Events().Append(ev)
		}
		return nil
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if refusal != nil {
		c.limit.Failed(clientIP(r))
		c.render(w, http.StatusForbidden, "signin", &view{Title: "Sign in", CSRF: preToken(w, r),
			Error: shown(refusal), Data: &signInForm{Account: login}})
		return
	}
	s := &session{Kind: model.Root, LoginAccount: login, Ends: now.Add(rootSessionHours * time.Hour),
		Fingerprint: rootFingerprint(acct)}
	prev, _ := c.load(r)
	if err := c.open(w, r, acct.ID, s, prev); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	redirect(w, r, "/console/")
}

// attemptBudget decides, once per sign-in attempt however often its
// transaction runs, whether the trail keeps the attempt's refusal: a
// stranger who knows an account id, alias or e-mail must not fill that
// account's trail (the API keeps the same budget per AccessKey). The
// budget is per account and source address, so that one stranger using
// it up hides nobody else's attempts.
func (c *Console) attemptBudget(r *http.Request) *signInBudget {
	return &signInBudget{invoker: c.invoke, source: api.SourceKey(clientIP(r)).String()}
}

type signInBudget struct {
	invoker *api.Invoker
	source  string
	decided bool
	kept    bool
}

func (b *signInBudget) keep(acct string) bool {
	if !b.decided {
		b.decided, b.kept = true, b.invoker.KeepAttempt("signin:"+acct+"/"+b.source)
	}
	return b.kept
}

// signInRefused counts a refused sign-in step that runs outside
// signInAttempt (a wrong MFA code) against its address, and records its
// event within the attempt budget.
func (c *Console) signInRefused(r *http.Request, ev store.Event) error {
	c.limit.Failed(clientIP(r))
	if !c.attemptBudget(r).keep(ev.AccountID) {
		return nil
	}
	return c.recordEvent(r.Context(), ev)
}

// throttled answers 429 when r's address has failed authentication too
// often (on the API or a sign-in form or step).
func (c *Console) throttled(w http.ResponseWriter, r *http.Request) bool {
	if c.limit.Allowed(clientIP(r)) {
		return false
	}
	// Refused before any password or code is checked or event stored: a
	// sign-in is the API's authentication by other means.
	c.fail(w, r, nil, http.StatusTooManyRequests, codeThrottled.New(
		"Too many failed sign-ins or authentications from your address; wait a minute and try again."))
	return true
}

// withRequestID ties a refusal to the request id of its audit event, which
// the page shows.
func withRequestID(err error, id string) error {
	if err == nil {
		return nil
	}
	return &callError{err: err, requestID: id}
}

func shown(err error) *shownError {
	e := apperr.As(err)
	return &shownError{Code: e.Code, Message: e.Message, RequestID: requestIDOf(err)}
}

// signInEvent is the ConsoleSignin event of an attempt (refusal nil: a
// success).
func (c *Console) signInEvent(r *http.Request, acct string, p model.Principal, login string, mfa bool, refusal error, now time.Time) store.Event {
	s := &audit.SignIn{RequestID: model.NewRequestID(), Time: now, AccountID: acct, Caller: p, LoginAccount: login,
		MFAChecked: mfa, SourceIP: clientIP(r).String(), UserAgent: userAgent}
	if refusal != nil {
		e := apperr.As(refusal)
		s.ErrorCode, s.ErrorMsg = e.Code, e.Message
	}
	return audit.ConsoleSignin(s)
}

// recordEvent appends an event in its own transaction (a refusal's, whose
// attempt wrote nothing).
func (c *Console) recordEvent(ctx context.Context, ev store.Event) error {
	return c.store.Write(context.WithoutCancel(ctx), func(tx store.Tx) error { return tx.Events().Append(ev) })
}

func (c *Console) ramSignInPage(w http.ResponseWriter, r *http.Request) {
	if a, err := c.load(r); err == nil {
		redirect(w, r, stageHome(a.s.Stage))
		return
	}
	f := &signInForm{Logon: r.URL.Query().Get("username"), Domain: r.PathValue("domain")}
	c.render(w, http.StatusOK, "ramsignin", &view{Title: "RAM user logon", CSRF: preToken(w, r), Data: f})
}

// parseLogon splits <name>@<alias or uid>[.onaliyun.com].
func parseLogon(logon string) (name, alias string, ok bool) {
	name, domain, ok := strings.Cut(strings.TrimSpace(logon), "@")
	if !ok || name == "" || domain == "" || len(logon) > 200 {
		return "", "", false
	}
	alias = strings.TrimSuffix(strings.ToLower(domain), iam.DomainSuffix)
	return name, alias, alias != "" && !strings.Contains(alias, "@")
}

// ramSignIn is the RAM user logon: step "next" checks the logon name's
// form and its account (never the user: that would enumerate users), step
// "password" checks the password and the login profile's rules and opens
// a session at its first stage.
func (c *Console) ramSignIn(w http.ResponseWriter, r *http.Request) {
	logon := strings.TrimSpace(r.PostFormValue("logon"))
	f := &signInForm{Logon: logon}
	again := func(status int, err error) {
		c.render(w, status, "ramsignin", &view{Title: "RAM user logon", CSRF: preToken(w, r), Error: shown(err), Data: f})
	}
	name, alias, ok := parseLogon(logon)
	if !ok {
		again(http.StatusBadRequest, codeBadLogon.New("Enter the logon name as <user name>@<default domain>, e.g. alice@%s.", "example"+iam.DomainSuffix))
		return
	}
	var acct string
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		id, err := c.iam.AccountByAlias(tx, alias)
		if err != nil {
			return err
		}
		a, err := tx.Accounts().Get(id)
		if err == nil && !accounts.Live(a) {
			err = store.ErrNotFound
		}
		acct = id
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		c.limit.Failed(clientIP(r)) // probing for accounts, as an unknown AccessKey id is
		again(http.StatusNotFound, codeNoAccount.New("No account has the domain %q. Check the part after @ (the account alias or UID, optionally followed by %s).", alias, iam.DomainSuffix))
		return
	}
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	f.Password = true
	if r.PostFormValue("step") != "password" {
		c.render(w, http.StatusOK, "ramsignin", &view{Title: "RAM user logon", CSRF: preToken(w, r), Data: f})
		return
	}
	now := c.now()
	var res *iam.UserSignIn
	refusal, err := c.signInAttempt(r, func(tx store.Tx) (err error) {
		res, err = c.iam.SignInUser(tx, acct, name, r.PostFormValue("password"), now, clientIP(r))
		return err
	}, func(refusal error) store.Event {
		p := model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: name}
		return c.signInEvent(r, acct, p, logon, false, refusal, now)
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if refusal != nil {
		again(http.StatusForbidden, refusal)
		return
	}
	s := &session{Kind: model.RAMUser, UserName: res.Principal.UserName, UserID: res.Principal.UserID,
		LoginAccount: logon, Ends: now.Add(time.Duration(res.SessionHours) * time.Hour),
		Fingerprint: userFingerprint(res.State.UserID, res.State.PasswordChanged), Stage: nextStage(res.MustChangePassword, res.MustBindMFA, res.MFABound)}
	prev, _ := c.load(r)
	if err := c.open(w, r, acct, s, prev); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if s.Stage == stageReady {
		if err := c.recordEvent(r.Context(), c.signInEvent(r, acct, res.Principal, logon, false, nil, now)); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
	}
	redirect(w, r, stageHome(s.Stage))
}
