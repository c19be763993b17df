package console

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/canopy-iam/canopy/internal/accounts"
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
// accounts.RootSignIn gives one refusal for everything, including the
// root of a resource account, and says how such an account is reached.
func (c *Console) rootSignIn(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("account"))
	pw := r.PostFormValue("password")
	now := c.now()
	var acct store.Account
	found := false
	var refusal error
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
		refusal = accounts.RootSignIn(acct, pw)
		if refusal != nil && apperr.As(refusal).Kind == apperr.KindInternal {
			return refusal
		}
		if found {
			ev := c.signInEvent(r, acct.ID, model.Principal{Kind: model.Root, AccountID: acct.ID}, login, false, refusal, now)
			refusal = withRequestID(refusal, ev.ID)
			return tx.Events().Append(ev)
		}
		return nil
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if refusal != nil {
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
	var refusal error
	err = c.store.Write(r.Context(), func(tx store.Tx) error {
		var err error
		res, err = c.iam.SignInUser(tx, acct, name, r.PostFormValue("password"), now, clientIP(r))
		kept, keep := apperr.KeptWrites(err)
		switch {
		case keep:
			refusal = kept // the failure count commits with the event
		case err != nil && apperr.As(err).Kind == apperr.KindInternal:
			return err
		default:
			refusal = err
		}
		if refusal == nil {
			return nil // the event is recorded when the logon completes
		}
		p := model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: name}
		ev := c.signInEvent(r, acct, p, logon, false, refusal, now)
		refusal = withRequestID(refusal, ev.ID)
		return tx.Events().Append(ev)
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

// nextStage orders a logon's remaining steps: the password change first,
// then binding a device, or the bound device's code.
func nextStage(changePassword, bindMFA, mfaBound bool) string {
	switch {
	case changePassword:
		return stageChangePassword
	case bindMFA:
		return stageBindMFA
	case mfaBound:
		return stageVerifyMFA
	}
	return stageReady
}

// advance moves a session to its next stage. Finishing the logon opens a
// new session (a new id for the signed-in session) and records the
// ConsoleSignin event.
func (c *Console) advance(w http.ResponseWriter, r *http.Request, a *active, next string) {
	now := c.now()
	s := *a.s
	s.Stage = next
	if next != stageReady {
		if err := c.store.Write(r.Context(), func(tx store.Tx) error {
			return sessions.Update(tx, a.rec, &s, now)
		}); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		redirect(w, r, stageHome(next))
		return
	}
	s.MFASerial = ""
	if err := c.open(w, r, a.acct, &s, a); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if err := c.recordEvent(r.Context(), c.signInEvent(r, a.acct, *a.principal(), s.LoginAccount, s.MFA, nil, now)); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	redirect(w, r, "/console/")
}

// stageView shows a stage's page, with an error when a post failed.
func (c *Console) stageView(w http.ResponseWriter, status int, page, title string, a *active, err error, data any) {
	v := &view{Title: title, CSRF: a.s.CSRF, Data: data}
	if err != nil {
		v.Error = shown(err)
	}
	c.render(w, status, page, v)
}

func (c *Console) changePasswordPage(w http.ResponseWriter, r *http.Request, a *active) {
	c.stageView(w, http.StatusOK, "changepassword", "Change your password", a, nil, a.s.UserName)
}

// changePassword is the forced change; the new password must satisfy the
// policy, and the session is tied to the new password afterwards.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, a *active) {
	old, pw, again := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("confirm")
	if pw != again {
		c.stageView(w, http.StatusBadRequest, "changepassword", "Change your password", a,
			codeNewPassword.New("The new password and its confirmation differ."), a.s.UserName)
		return
	}
	now := c.now()
	params := map[string]string{"OldPassword": audit.Redacted, "NewPassword": audit.Redacted}
	var res *iam.UserSignIn
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		state, err := c.iam.ChangePasswordAtSignIn(tx, a.acct, a.s.UserName, old, pw, now)
		if err != nil {
			return err
		}
		a.s.Fingerprint = userFingerprint(state.UserID, state.PasswordChanged)
		// The rest of the logon follows the login profile as it is now.
		res, err = c.iam.SignInUser(tx, a.acct, a.s.UserName, pw, now, clientIP(r))
		if err != nil {
			return err
		}
		if err := tx.Events().Append(c.stepEvent(r, a, "ChangePassword", params, nil, now)); err != nil {
			return err
		}
		return sessions.Update(tx, a.rec, a.s, now)
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		ev := c.stepEvent(r, a, "ChangePassword", params, err, now)
		if rerr := c.recordEvent(r.Context(), ev); rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return
		}
		c.stageView(w, http.StatusBadRequest, "changepassword", "Change your password", a, withRequestID(err, ev.ID), a.s.UserName)
		return
	}
	c.reloadAndAdvance(w, r, a, nextStage(false, res.MustBindMFA, res.MFABound))
}

// reloadAndAdvance rereads the session (its record changed) and advances.
func (c *Console) reloadAndAdvance(w http.ResponseWriter, r *http.Request, a *active, next string) {
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		a.s, a.rec = s, rec
		return err
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.advance(w, r, a, next)
}

// mfaSetup is the binding page's data.
type mfaSetup struct {
	UserName string
	Secret   string
	QR       template.URL // data: URL of the QR code PNG (ours: trusted)
	Serial   string
}

func (c *Console) bindMFAPage(w http.ResponseWriter, r *http.Request, a *active) {
	setup, err := c.pendingDevice(r, a)
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.stageView(w, http.StatusOK, "bindmfa", "Bind an MFA device", a, nil, setup)
}

// pendingDevice creates the device to bind on the first visit and shows
// its secret (again, on a reload) while it is unbound.
func (c *Console) pendingDevice(r *http.Request, a *active) (*mfaSetup, error) {
	now := c.now()
	var seed, otpURL string
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		if s.MFASerial == "" {
			d, err := c.iam.StartMFABinding(tx, a.principal(), now)
			if err != nil {
				return err
			}
			s.MFASerial = d.SerialNumber
			if err := sessions.Update(tx, rec, s, now); err != nil {
				return err
			}
			name := d.SerialNumber[strings.LastIndex(d.SerialNumber, "/")+1:]
			ev := c.stepEvent(r, a, "CreateVirtualMFADevice", map[string]string{"VirtualMFADeviceName": name}, nil, now)
			if err := tx.Events().Append(ev); err != nil {
				return err
			}
		}
		a.s = s
		seed, otpURL, err = c.iam.PendingMFASecret(tx, a.acct, s.MFASerial)
		return err
	})
	if err != nil {
		return nil, err
	}
	key, err := otp.NewKeyFromURL(otpURL)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return nil, err
	}
	png, err := encodePNG(img)
	if err != nil {
		return nil, err
	}
	return &mfaSetup{UserName: a.s.UserName, Secret: seed, Serial: a.s.MFASerial,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}, nil
}

// bindMFA binds the device with two consecutive codes.
func (c *Console) bindMFA(w http.ResponseWriter, r *http.Request, a *active) {
	now := c.now()
	params := map[string]string{"SerialNumber": a.s.MFASerial, "UserName": a.s.UserName}
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		if err := c.iam.BindMFADevice(tx, a.acct, a.s.MFASerial, a.s.UserName,
			strings.TrimSpace(r.PostFormValue("code1")), strings.TrimSpace(r.PostFormValue("code2")), now); err != nil {
			return err
		}
		return tx.Events().Append(c.stepEvent(r, a, "BindMFADevice", params, nil, now))
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		ev := c.stepEvent(r, a, "BindMFADevice", params, err, now)
		if rerr := c.recordEvent(r.Context(), ev); rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return
		}
		err = withRequestID(err, ev.ID)
		setup, serr := c.pendingDevice(r, a)
		if serr != nil {
			c.fail(w, r, nil, 0, serr)
			return
		}
		c.stageView(w, http.StatusBadRequest, "bindmfa", "Bind an MFA device", a, err, setup)
		return
	}
	a.s.MFA = true
	c.advance(w, r, a, stageReady)
}

func (c *Console) verifyMFAPage(w http.ResponseWriter, r *http.Request, a *active) {
	c.stageView(w, http.StatusOK, "verifymfa", "MFA verification", a, nil, a.s.UserName)
}

// verifyMFA checks the bound device's code; each code works once
// (iam.VerifyMFACode remembers the last step used). A wrong code is a
// failed sign-in in the trail.
func (c *Console) verifyMFA(w http.ResponseWriter, r *http.Request, a *active) {
	now := c.now()
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		return c.iam.VerifyMFACode(tx, a.acct, a.s.UserName, strings.TrimSpace(r.PostFormValue("code")), now)
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		var refusal error = codeWrongMFA.New("The MFA code is wrong or was used already; wait for the next code.")
		ev := c.signInEvent(r, a.acct, *a.principal(), a.s.LoginAccount, true, refusal, now)
		if err := c.recordEvent(r.Context(), ev); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		refusal = withRequestID(refusal, ev.ID)
		if c.countMFAFailure(r, a, now) {
			c.render(w, http.StatusForbidden, "ramsignin", &view{Title: "RAM user logon", CSRF: preToken(w, r),
				Error: shown(codeWrongMFA.New("Too many wrong MFA codes: log on again.")), Data: &signInForm{Logon: a.s.LoginAccount}})
			return
		}
		c.stageView(w, http.StatusForbidden, "verifymfa", "MFA verification", a, refusal, a.s.UserName)
		return
	}
	a.s.MFA = true
	c.advance(w, r, a, stageReady)
}

// countMFAFailure records a wrong code on the session and ends the session
// at maxMFAFailures; it reports whether it ended it.
func (c *Console) countMFAFailure(r *http.Request, a *active, now time.Time) bool {
	ended := false
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		s.MFAFailures++
		if s.MFAFailures >= maxMFAFailures {
			ended = true
			return sessions.Delete(tx, a.acct, a.key)
		}
		return sessions.Update(tx, rec, s, now)
	})
	if err != nil {
		c.log.Warn("counting a wrong MFA code failed", "err", err)
		c.end(r.Context(), a)
		return true
	}
	return ended
}
