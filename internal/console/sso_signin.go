package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// The portal's sign-in: user name and password, then, as the directory's
// rules say (cloudsso.PortalSignIn), the forced password change, binding
// an MFA device or the bound device's code. Every attempt and step is in
// the management account's trail, naming the CloudSSO user.

func (c *Console) ssoRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /sso/{dir}", func(w http.ResponseWriter, r *http.Request) {
		redirect(w, r, ssoBase(r.PathValue("dir")))
	})
	m.HandleFunc("GET /sso/{dir}/login", c.ssoSignInPage)
	m.HandleFunc("POST /sso/{dir}/login", c.anonymousPost(c.ssoSignIn))
	m.HandleFunc("GET /sso/{dir}/change-password", c.atPortalStage(stageChangePassword, false, c.ssoChangePasswordPage))
	m.HandleFunc("POST /sso/{dir}/change-password", c.atPortalStage(stageChangePassword, true, c.ssoChangePassword))
	m.HandleFunc("GET /sso/{dir}/bind-mfa", c.atPortalStage(stageBindMFA, false, c.ssoBindMFAPage))
	m.HandleFunc("POST /sso/{dir}/bind-mfa", c.atPortalStage(stageBindMFA, true, c.ssoBindMFA))
	m.HandleFunc("GET /sso/{dir}/verify-mfa", c.atPortalStage(stageVerifyMFA, false, c.ssoVerifyMFAPage))
	m.HandleFunc("POST /sso/{dir}/verify-mfa", c.atPortalStage(stageVerifyMFA, true, c.ssoVerifyMFA))
	m.HandleFunc("POST /sso/{dir}/signout", c.ssoSignOut)
	m.HandleFunc("GET /sso/{dir}/{$}", c.atPortalStage(stageReady, false, c.ssoHomePage))
	m.HandleFunc("POST /sso/{dir}/access", c.atPortalStage(stageReady, true, c.ssoAccess))
	m.HandleFunc("POST /sso/{dir}/credentials", c.atPortalStage(stageReady, true, c.ssoCredentials))
	m.HandleFunc("GET /sso/{dir}/mfa-devices/new", c.atPortalStage(stageReady, false, c.anotherDevice(c.ssoAnotherDevicePage)))
	m.HandleFunc("POST /sso/{dir}/mfa-devices/new", c.atPortalStage(stageReady, true, c.anotherDevice(c.ssoAnotherDevice)))
	m.HandleFunc("/sso/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, http.StatusNotFound, pageNotFound.New("There is no portal page at %s.", r.URL.Path))
	})
}

// ssoForm is the data of the portal's pages before the home.
type ssoForm struct {
	Directory string // its name (the URL)
	Base      string
	UserName  string
	Setup     *mfaSetup // bind-mfa
	Action    string    // bind-mfa: the form's path under Base
}

func (c *Console) ssoView(title string, d *cloudsso.Directory, csrf string, err error, f *ssoForm) *view {
	f.Directory, f.Base = d.Name, ssoBase(d.Name)
	v := &view{Title: title, CSRF: csrf, Data: f}
	if err != nil {
		v.Error = shown(err)
	}
	return v
}

func (c *Console) ssoSignInPage(w http.ResponseWriter, r *http.Request) {
	d := c.directoryNamed(w, r)
	if d == nil {
		return
	}
	if a, err := c.portalSession(r, d); err == nil && a != nil {
		redirect(w, r, ssoHome(a))
		return
	}
	c.render(w, http.StatusOK, "sso_signin", c.ssoView("CloudSSO user portal", d, preToken(w, r), nil, &ssoForm{}))
}

// ssoEvent is the trail event of a portal action in acct's trail.
func (c *Console) ssoEvent(r *http.Request, acct string, d *cloudsso.Directory, userName, userID, name string,
	params map[string]string, mfa bool, refusal error, now time.Time) store.Event {
	service := "CloudSSO"
	if name == audit.ConsoleSigninType {
		service = "AasSub"
	}
	e := &audit.PortalEvent{RequestID: model.NewRequestID(), Time: now, AccountID: acct, OwnerID: d.AccountID,
		DirectoryID: d.ID, UserName: userName, UserID: userID, EventName: name, ServiceName: service,
		Params: params, MFAChecked: mfa, SourceIP: clientIP(r).String(), UserAgent: userAgent}
	if refusal != nil {
		x := apperr.As(refusal)
		e.ErrorCode, e.ErrorMsg = x.Code, x.Message
	}
	return audit.Portal(e)
}

// ssoSignIn checks the user name and password and opens the session at
// its first stage. Refusals never say whether the user exists.
func (c *Console) ssoSignIn(w http.ResponseWriter, r *http.Request) {
	d := c.directoryNamed(w, r)
	if d == nil {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	again := func(status int, err error) {
		c.render(w, status, "sso_signin", c.ssoView("CloudSSO user portal", d, preToken(w, r), err, &ssoForm{UserName: name}))
	}
	now := c.now()
	var res *cloudsso.PortalSignIn
	refusal, err := c.signInAttempt(r, func(tx store.Tx) (err error) {
		res, err = c.sso.PortalSignIn(tx, d, name, r.PostFormValue("password"), clientIP(r), now)
		return err
	}, func(refusal error) store.Event {
		return c.ssoEvent(r, d.AccountID, d, clipName(name), "", audit.ConsoleSigninType, nil, false, refusal, now)
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if refusal != nil {
		again(http.StatusForbidden, refusal)
		return
	}
	u := res.User
	s := &session{LoginAccount: u.Name, Ends: portalEnds(now), Fingerprint: res.Fingerprint,
		SSO: &ssoLogon{DirectoryID: d.ID, DirectoryName: d.Name, UserID: u.ID, UserName: u.Name,
			MFARequired: res.MFARequired, MFABound: res.MFABound},
		Stage: nextStage(res.MustChangePassword, res.MFARequired && !res.MFABound, res.MFARequired && res.MFABound)}
	prev, _ := c.load(r)
	if err := c.open(w, r, d.AccountID, s, prev); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if s.Stage == stageReady {
		if err := c.recordEvent(r.Context(), c.ssoEvent(r, d.AccountID, d, u.Name, u.ID, audit.ConsoleSigninType, nil, false, nil, now)); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
	}
	redirect(w, r, ssoBase(d.Name)+s.Stage)
}

// clipName bounds a typed user name for the trail.
func clipName(s string) string {
	if len(s) > 128 {
		return s[:128]
	}
	return s
}

// ssoAdvance moves a portal session to its next stage; finishing the
// logon opens a new session (a new id) and records the sign-in.
func (c *Console) ssoAdvance(w http.ResponseWriter, r *http.Request, p *portalPage, next string) {
	a := p.a
	if next != stageReady {
		if err := c.ssoUpdate(r, a, func(s *session) { s.Stage = next }); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		redirect(w, r, ssoBase(p.d.Name)+next)
		return
	}
	s := *a.s
	s.Stage, s.MFAFailures = stageReady, 0
	logon := *s.SSO
	logon.PendingMFA = nil
	s.SSO = &logon
	if err := c.open(w, r, a.acct, &s, a); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	ev := c.ssoEvent(r, p.d.AccountID, p.d, logon.UserName, logon.UserID, audit.ConsoleSigninType, nil, s.MFA, nil, c.now())
	if err := c.recordEvent(r.Context(), ev); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	redirect(w, r, ssoBase(p.d.Name))
}

// ssoStep records a logon step (its refusal too) in the trail.
func (c *Console) ssoStep(r *http.Request, p *portalPage, action string, mfa bool, refusal error) (store.Event, error) {
	ev := c.ssoEvent(r, p.d.AccountID, p.d, p.a.s.SSO.UserName, p.a.s.SSO.UserID, action, nil, mfa, refusal, c.now())
	return ev, c.recordEvent(r.Context(), ev)
}

func (c *Console) ssoChangePasswordPage(w http.ResponseWriter, r *http.Request, p *portalPage) {
	c.render(w, http.StatusOK, "sso_changepassword", c.ssoView("Change your password", p.d, p.a.s.CSRF, nil, &ssoForm{UserName: p.a.s.SSO.UserName}))
}

// ssoChangePassword is the forced change; the session is tied to the new
// password afterwards.
func (c *Console) ssoChangePassword(w http.ResponseWriter, r *http.Request, p *portalPage) {
	a := p.a
	fail := func(err error) {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		ev, rerr := c.ssoStep(r, p, "ChangePassword", false, err)
		if rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return
		}
		c.render(w, http.StatusBadRequest, "sso_changepassword", c.ssoView("Change your password", p.d, a.s.CSRF,
			withRequestID(err, ev.ID), &ssoForm{UserName: a.s.SSO.UserName}))
	}
	pw := r.PostFormValue("new")
	if pw != r.PostFormValue("confirm") {
		fail(codeNewPassword.New("The new password and its confirmation differ."))
		return
	}
	now := c.now()
	var fingerprint string
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		var err error
		fingerprint, err = c.sso.PortalChangePassword(tx, p.d, a.s.SSO.UserID, r.PostFormValue("old"), pw, now)
		if err != nil {
			return err
		}
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		s.Fingerprint = fingerprint
		a.s, a.rec = s, rec
		return sessions.Update(tx, rec, s, now)
	})
	if err != nil {
		fail(err)
		return
	}
	if _, err := c.ssoStep(r, p, "ChangePassword", false, nil); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	l := a.s.SSO
	c.ssoAdvance(w, r, p, nextStage(false, l.MFARequired && !l.MFABound, l.MFARequired && l.MFABound))
}

// ssoPendingSetup draws the device to bind on the first visit (kept sealed
// in the session) and shows its secret while it is unbound.
func (c *Console) ssoPendingSetup(r *http.Request, p *portalPage) (*mfaSetup, error) {
	a := p.a
	var secret, otpURL string
	if a.s.SSO.PendingMFA != nil {
		s, err := c.sso.OpenPendingMFA(p.d, a.s.SSO.UserID, a.s.SSO.PendingMFA)
		if err != nil {
			return nil, err
		}
		secret, otpURL = s, cloudsso.PendingMFAURL(p.d, a.s.SSO.UserName, s)
	} else {
		pending, err := cloudsso.NewPendingMFA(p.d, &cloudsso.User{Name: a.s.SSO.UserName})
		if err != nil {
			return nil, err
		}
		sealed := c.sso.SealPendingMFA(p.d, a.s.SSO.UserID, pending.Secret)
		if err := c.ssoUpdate(r, a, func(s *session) { s.SSO.PendingMFA = sealed }); err != nil {
			return nil, err
		}
		secret, otpURL = pending.Secret, pending.URL
	}
	qr, err := qrDataURL(otpURL)
	if err != nil {
		return nil, err
	}
	return &mfaSetup{UserName: a.s.SSO.UserName, Secret: secret, QR: qr}, nil
}

func (c *Console) ssoBindMFAPage(w http.ResponseWriter, r *http.Request, p *portalPage) {
	setup, err := c.ssoPendingSetup(r, p)
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.render(w, http.StatusOK, "sso_bindmfa", c.ssoView("Bind an MFA device", p.d, p.a.s.CSRF, nil,
		&ssoForm{UserName: p.a.s.SSO.UserName, Setup: setup, Action: "bind-mfa"}))
}

// ssoBindMFA binds the pending device with two consecutive codes.
func (c *Console) ssoBindMFA(w http.ResponseWriter, r *http.Request, p *portalPage) {
	if !c.ssoBindPending(w, r, p, "bind-mfa") {
		return
	}
	p.a.s.MFA = true
	c.ssoAdvance(w, r, p, stageReady)
}

// ssoBindPending binds the session's pending device (path: the form's
// page); on a refusal it shows the page again and reports false.
func (c *Console) ssoBindPending(w http.ResponseWriter, r *http.Request, p *portalPage, path string) bool {
	a := p.a
	if a.s.SSO.PendingMFA == nil {
		redirect(w, r, ssoBase(p.d.Name)+path)
		return false
	}
	now := c.now()
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		secret, err := c.sso.OpenPendingMFA(p.d, a.s.SSO.UserID, a.s.SSO.PendingMFA)
		if err != nil {
			return err
		}
		_, err = c.sso.BindPortalMFA(tx, p.d, a.s.SSO.UserID, secret, strings.TrimSpace(r.PostFormValue("code1")),
			strings.TrimSpace(r.PostFormValue("code2")), now)
		return err
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return false
		}
		ev, rerr := c.ssoStep(r, p, "BindMFADevice", a.s.MFA, err)
		if rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return false
		}
		setup, serr := c.ssoPendingSetup(r, p)
		if serr != nil {
			c.fail(w, r, nil, 0, serr)
			return false
		}
		c.render(w, http.StatusBadRequest, "sso_bindmfa", c.ssoView("Bind an MFA device", p.d, a.s.CSRF, withRequestID(err, ev.ID),
			&ssoForm{UserName: a.s.SSO.UserName, Setup: setup, Action: path}))
		return false
	}
	if _, err := c.ssoStep(r, p, "BindMFADevice", true, nil); err != nil {
		c.fail(w, r, nil, 0, err)
		return false
	}
	return true
}

func (c *Console) ssoVerifyMFAPage(w http.ResponseWriter, r *http.Request, p *portalPage) {
	c.render(w, http.StatusOK, "sso_verifymfa", c.ssoView("MFA verification", p.d, p.a.s.CSRF, nil, &ssoForm{UserName: p.a.s.SSO.UserName}))
}

// ssoVerifyMFA checks a bound device's code; a wrong one is a failed
// sign-in in the trail, and maxMFAFailures of them end the logon.
func (c *Console) ssoVerifyMFA(w http.ResponseWriter, r *http.Request, p *portalPage) {
	if c.throttled(w, r) {
		return
	}
	a := p.a
	now := c.now()
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		return c.sso.VerifyPortalMFA(tx, p.d, a.s.SSO.UserID, strings.TrimSpace(r.PostFormValue("code")), now)
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		ev := c.ssoEvent(r, p.d.AccountID, p.d, a.s.SSO.UserName, a.s.SSO.UserID, audit.ConsoleSigninType, nil, true, err, now)
		if rerr := c.signInRefused(r, ev); rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return
		}
		if c.countMFAFailure(r, a, now) {
			c.render(w, http.StatusForbidden, "sso_signin", c.ssoView("CloudSSO user portal", p.d, preToken(w, r),
				codeWrongMFA.New("Too many wrong MFA codes: sign in again."), &ssoForm{UserName: a.s.SSO.UserName}))
			return
		}
		c.render(w, http.StatusForbidden, "sso_verifymfa", c.ssoView("MFA verification", p.d, a.s.CSRF, withRequestID(err, ev.ID),
			&ssoForm{UserName: a.s.SSO.UserName}))
		return
	}
	a.s.MFA = true
	c.ssoAdvance(w, r, p, stageReady)
}

// ssoSignOut ends the portal session (a post with its CSRF token).
func (c *Console) ssoSignOut(w http.ResponseWriter, r *http.Request) {
	base := ssoBase(r.PathValue("dir"))
	a, err := c.load(r)
	if err == nil && a.s.SSO != nil {
		if !sameOrigin(r) || !tokenEqual(r.PostFormValue("csrf"), a.s.CSRF) {
			c.fail(w, r, nil, http.StatusForbidden, csrfRefused())
			return
		}
		c.end(r.Context(), a)
		setCookie(w, r, cookieName(r.TLS != nil), "", -1)
	}
	redirect(w, r, base+"login")
}

// signInAttempt runs a sign-in's password check in one write; a refusal
// is recorded in the trail (its event built by refused, within the budget
// of refused attempts of its account and address) together with the writes it kept
// (a failure count), counted against its source address, and returned
// tied to its event.
func (c *Console) signInAttempt(r *http.Request, check func(tx store.Tx) error, refused func(error) store.Event) (refusal, err error) {
	budget := c.attemptBudget(r)
	err = c.store.Write(r.Context(), func(tx store.Tx) error {
		var err error
		if refusal, err = splitRefusal(check(tx)); err != nil || refusal == nil {
			return err // on success the event is recorded when the logon completes
		}
		ev := refused(refusal)
		refusal = withRequestID(refusal, ev.ID)
		if !budget.keep(ev.AccountID) {
			return nil // past the budget: counted, not stored
		}
		return tx.Events().Append(ev)
	})
	if err == nil && refusal != nil {
		c.limit.Failed(clientIP(r))
	}
	return refusal, err
}

// splitRefusal sorts a sign-in's error: a refusal to show (whose writes,
// if apperr.KeepWrites kept them, commit with its event), or a failure.
func splitRefusal(err error) (refusal, failure error) {
	if kept, keep := apperr.KeptWrites(err); keep {
		return kept, nil // the failure count commits with the event
	}
	if err != nil && apperr.As(err).Kind == apperr.KindInternal {
		return nil, err
	}
	return err, nil
}
