package console

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/model"
)

// view is what every page template gets.
type view struct {
	Title  string
	Notice string    // a success message (after a redirect)
	Who    *identity // nil on the sign-in pages
	Crumbs []crumb
	Nav    string // the current navigation item
	CSRF   string
	Dev    bool
	Error  *shownError
	Data   any
}

type crumb struct{ Label, Href string }

// identity is who is signed in, shown in the top bar.
type identity struct {
	Name    string // "root" or the RAM user's logon name
	Kind    string // "Root user" / "RAM user"
	Account string
	Role    *roleView // acting as a role in a member (the banner)
}

// shownError is an error as the pages show it: the cloud's code, message
// and the request id.
type shownError struct {
	Code, Message, RequestID string
}

var funcs = template.FuncMap{
	"join": strings.Join,
}

func whoOf(a *active) *identity {
	p := a.principal()
	if p.Kind == model.AssumedRole {
		return &identity{Name: p.Session.RoleName + "/" + p.Session.SessionName, Kind: "Assumed role", Account: p.AccountID, Role: roleBanner(a)}
	}
	if p.Kind == model.Root {
		return &identity{Name: "root", Kind: "Root user", Account: a.acct}
	}
	return &identity{Name: p.UserName, Kind: "RAM user", Account: a.acct}
}

// render writes a page; the template is executed into a buffer first, so
// a failing template never sends half a page.
func (c *Console) render(w http.ResponseWriter, status int, page string, v *view) {
	t := c.pages[page]
	var buf bytes.Buffer
	if t == nil {
		http.Error(w, "no such page template: "+page, http.StatusInternalServerError)
		return
	}
	v.Dev = c.dev
	if err := t.Execute(&buf, v); err != nil {
		c.log.Error("console template failed", "page", page, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows the error view (inside the shell when signed in).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, a *active, status int, err error) {
	e := apperr.As(err)
	if status == 0 {
		status = http.StatusInternalServerError
		if s, ok := api.HTTPStatus[e.Kind]; ok {
			status = s
		}
	}
	if status >= 500 {
		c.log.Error("console request failed", "path", r.URL.Path, "cause", errors.Unwrap(e))
	}
	v := &view{Title: "Error", Error: &shownError{Code: e.Code, Message: e.Message, RequestID: requestIDOf(err)}}
	if a != nil && a.s.Stage == stageReady {
		v.Who, v.CSRF = whoOf(a), a.s.CSRF
	}
	c.render(w, status, "error", v)
}

// requestIDOf is the request id an invoked call's error carries.
func requestIDOf(err error) string {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.requestID
	}
	return model.NewRequestID()
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// origin is this server as the browser reached it.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// sameOrigin is the Origin check of every state-changing request: the
// Origin header (or, when a browser sends none, the Referer) must be this
// server as the browser reached it. A request with neither is refused.
func sameOrigin(r *http.Request) bool {
	want := origin(r)
	if o := r.Header.Get("Origin"); o != "" {
		return o == want
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host == "" {
		return false
	}
	return ref.Scheme+"://"+ref.Host == want
}

// stageHome is the page of a session's stage.
func stageHome(stage string) string {
	switch stage {
	case stageChangePassword:
		return "/console/change-password"
	case stageBindMFA:
		return "/console/bind-mfa"
	case stageVerifyMFA:
		return "/console/verify-mfa"
	}
	return "/console/"
}

type handler func(w http.ResponseWriter, r *http.Request, a *active)

// ready serves a page of a signed-in, fully logged-on session; anyone else
// goes to the sign-in page (or to the stage it must finish).
func (c *Console) ready(h handler) http.HandlerFunc {
	return c.atStage(stageReady, h)
}

func (c *Console) atStage(stage string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := c.load(r)
		if errors.Is(err, errNoSession) {
			redirect(w, r, "/console/signin")
			return
		}
		if err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		if a.s.SSO != nil && a.s.Role == nil {
			redirect(w, r, ssoReturn(a)) // a portal session has no console identity of its own
			return
		}
		if a.s.Stage != stage {
			redirect(w, r, stageHome(a.s.Stage))
			return
		}
		h(w, r, a)
	}
}

// readyPost is ready for a form post (Origin and CSRF checked).
func (c *Console) readyPost(h handler) http.HandlerFunc {
	return c.atStagePost(stageReady, h)
}

// atStagePost is atStage for a form post: Origin and the session's CSRF
// token are checked first.
func (c *Console) atStagePost(stage string, h handler) http.HandlerFunc {
	return c.atStage(stage, func(w http.ResponseWriter, r *http.Request, a *active) {
		if !sameOrigin(r) || !tokenEqual(r.PostFormValue("csrf"), a.s.CSRF) {
			c.fail(w, r, nil, http.StatusForbidden, csrfRefused())
			return
		}
		h(w, r, a)
	})
}

// anonymousPost checks a sign-in form: Origin, and the token of the
// pre-session cookie (double submit).
func (c *Console) anonymousPost(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(preCookieName(r.TLS != nil))
		if !sameOrigin(r) || err != nil || !tokenEqual(r.PostFormValue("csrf"), ck.Value) {
			c.fail(w, r, nil, http.StatusForbidden, csrfRefused())
			return
		}
		if c.throttled(w, r) {
			return
		}
		h(w, r)
	}
}

func csrfRefused() error {
	return codeCSRF.New("The request was refused: it did not come from a console page of this server (missing or wrong CSRF token, or another origin). Reload the page and try again.")
}

// preToken returns the sign-in forms' token, setting its cookie if the
// browser has none.
func preToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(preCookieName(r.TLS != nil)); err == nil && len(ck.Value) >= 40 {
		return ck.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: preCookieName(r.TLS != nil), Value: t, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return t
}

// signOut ends the session (a post, so another site cannot sign anyone
// out) and clears the cookie.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	a, err := c.load(r)
	to := "/console/signin"
	if err == nil {
		if !sameOrigin(r) || !tokenEqual(r.PostFormValue("csrf"), a.s.CSRF) {
			c.fail(w, r, nil, http.StatusForbidden, csrfRefused())
			return
		}
		c.end(r.Context(), a)
		if a.s.SSO != nil {
			to = ssoBase(a.s.SSO.DirectoryName) + "login" // a portal user signs in again there
		}
	}
	setCookie(w, r, cookieName(r.TLS != nil), "", -1)
	redirect(w, r, to)
}
