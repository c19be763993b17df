package app

import (
	"context"
	"fmt"
	"html/template"
	"mime"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/rdapi"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// The page behind the links of the legacy Resource Directory e-mails
// (CreateCloudAccount, PromoteResourceAccount): GET shows what the link
// confirms and asks for the account's root password, POST confirms. A
// minimal server-rendered page; the console is another matter.
//
// CSRF: the POST carries the link's token in its body, which a forging
// page cannot know, and is refused when the browser says it comes from
// another origin (Origin, Sec-Fetch-Site). No cookie is involved. GET
// changes nothing (mail scanners fetch links).

// ConfirmPath is the path of the confirmation page.
const ConfirmPath = "/rd/confirm"

// maxConfirmBody bounds the POST body (a token and two passwords).
const maxConfirmBody = 16 << 10

func (a *App) handleConfirmations(mux *http.ServeMux) {
	mux.HandleFunc("GET "+ConfirmPath, a.showConfirmation)
	mux.HandleFunc("POST "+ConfirmPath, a.confirm)
}

func (a *App) showConfirmation(w http.ResponseWriter, r *http.Request) {
	tokens := r.URL.Query()["token"]
	if len(tokens) != 1 {
		writePage(w, http.StatusBadRequest, page{Title: "Invalid link", Problem: "The link has no token, or more than one: open the link of the e-mail exactly as it was sent."})
		return
	}
	c, err := a.openConfirmation(r.Context(), tokens[0])
	if err != nil {
		a.refusePage(w, err)
		return
	}
	writePage(w, http.StatusOK, page{Title: "Confirm", C: c, Token: tokens[0]})
}

func (a *App) confirm(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r, a.Config.PublicURL) {
		writePage(w, http.StatusForbidden, page{Title: "Refused", Problem: "This form was sent from another site: open the link of the e-mail and submit its form."})
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		writePage(w, http.StatusUnsupportedMediaType, page{Title: "Refused", Problem: "Submit the confirmation form of the page."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxConfirmBody)
	if err := r.ParseForm(); err != nil {
		writePage(w, http.StatusBadRequest, page{Title: "Refused", Problem: "The form could not be read: submit the confirmation form of the page."})
		return
	}
	form := r.PostForm
	if len(form["token"]) != 1 || len(form["password"]) != 1 || len(form["password2"]) != 1 {
		writePage(w, http.StatusBadRequest, page{Title: "Refused", Problem: "The form is incomplete: submit the confirmation form of the page."})
		return
	}
	token, pw, again := form.Get("token"), form.Get("password"), form.Get("password2")
	// The token is checked before the (slow) hashing: only the holder of a
	// live link makes the server hash.
	c, err := a.openConfirmation(r.Context(), token)
	if err != nil {
		a.refusePage(w, err)
		return
	}
	hash, err := c.HashRootPassword(pw, again)
	if err != nil {
		e := apperr.As(err)
		writePage(w, statusOf(e), page{Title: "Confirm", C: c, Token: token, Problem: e.Message})
		return
	}
	now := a.Now()
	err = a.Store.Write(r.Context(), func(tx store.Tx) error {
		var err error
		if c, err = a.RD.Confirm(tx, token, hash, now); err != nil {
			return err
		}
		return a.auditConfirmation(tx, r, c, now)
	})
	if err != nil {
		a.refusePage(w, err)
		return
	}
	if err := a.watcher.sync(r.Context()); err != nil {
		a.Config.Log.Warn("cache sync after a confirmation failed", "err", err)
	}
	a.jobs.Wake()
	writePage(w, http.StatusOK, page{Title: "Confirmed", C: c, Done: true})
}

func (a *App) openConfirmation(ctx context.Context, token string) (*directory.Confirmation, error) {
	var c *directory.Confirmation
	err := a.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		c, err = a.RD.OpenConfirmation(tx, token, a.Now())
		return err
	})
	return c, err
}

// refusePage answers a refused link or confirmation with its reason and
// the status of its code; an internal failure says nothing of its cause.
func (a *App) refusePage(w http.ResponseWriter, err error) {
	e := apperr.As(err)
	if e.Kind == apperr.KindInternal {
		a.Config.Log.Error("confirmation page failed", "err", err)
	}
	writePage(w, statusOf(e), page{Title: "Cannot confirm", Problem: e.Message})
}

func statusOf(e *apperr.Error) int {
	if s, ok := api.HTTPStatus[e.Kind]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// sameOrigin refuses a POST a browser marks as coming from another site:
// an Origin header must be the public URL's origin or the request's own.
func sameOrigin(r *http.Request, publicURL string) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser, or an old one: the token in the body is the proof
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if origin == scheme+"://"+r.Host {
		return true
	}
	u, err := url.Parse(publicURL)
	return err == nil && origin == u.Scheme+"://"+u.Host
}

// auditConfirmation records the confirmation in the trails of the
// management account and of the member: the member's root (the owner, who
// just chose its password) is the caller.
func (a *App) auditConfirmation(tx store.Tx, r *http.Request, c *directory.Confirmation, now time.Time) error {
	id := model.NewRequestID()
	for _, recipient := range []string{c.ManagementAccountID, c.AccountID} {
		ev := audit.Event(&audit.Call{RequestID: id, Time: now, Product: rdapi.Product.Code, Version: rdapi.Product.Version,
			Action: "Confirm" + c.Action, Write: true, Host: rdapi.Product.Host, SourceIP: clientIP(r), UserAgent: r.UserAgent(),
			Caller: &model.Principal{Kind: model.Root, AccountID: c.AccountID},
			Params: map[string]string{"RecordId": c.RecordID, "AccountId": c.AccountID}, Recipient: recipient})
		if err := tx.Events().Append(ev); err != nil {
			return err
		}
	}
	return nil
}

func clientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// runLegacyExpiry is the job that writes down the expiry of a legacy
// confirmation mail, on the domain clock.
func (a *App) runLegacyExpiry(ctx context.Context, j store.Job) error {
	// ErrNotDue (this node's clock is behind the writer's) retries later.
	if err := a.Store.Write(ctx, func(tx store.Tx) error { return a.RD.RunLegacyExpiry(tx, j.Payload, a.Now()) }); err != nil {
		return err
	}
	if err := a.watcher.sync(ctx); err != nil {
		a.Config.Log.Warn("cache sync after a confirmation expiry failed", "err", err)
	}
	return nil
}

// defaultPublicURL is http://<addr>, naming localhost when addr's host is
// empty or unspecified (0.0.0.0, ::).
func defaultPublicURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// validatePublicURL accepts an absolute http(s) URL with a host and
// nothing after its path.
func validatePublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--public-url %q must be an http:// or https:// URL with a host and no query, e.g. https://canopy.example.com", s)
	}
	return nil
}

// page is what the confirmation page shows.
type page struct {
	Title   string
	C       *directory.Confirmation
	Token   string // the form's hidden token
	Problem string
	Done    bool
}

func (p page) Upgrade() bool { return p.C != nil && p.C.Action == "PromoteResourceAccount" }

var pageTemplate = template.Must(template.New("confirm").Funcs(template.FuncMap{
	"time": func(t time.Time) string { return t.UTC().Format(time.RFC1123) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="referrer" content="no-referrer"><title>{{.Title}} - Canopy</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:2em auto">
<h1>{{.Title}}</h1>
{{if .Problem}}<p role="alert"><strong>{{.Problem}}</strong></p>{{end}}
{{with .C}}{{if $.Done}}
<p>Done. The account {{.DisplayName}} ({{.AccountID}}) is a cloud account of the resource directory {{.DirectoryID}}:
its root user signs in with <strong>{{.Email}}</strong> and the password you chose.</p>
{{else}}
{{if $.Upgrade}}<p>The resource directory {{.DirectoryID}} (management account {{.ManagementName}}) asks to make its member account
{{.DisplayName}} ({{.AccountID}}) a cloud account whose root user signs in with <strong>{{.Email}}</strong>.</p>
{{else}}<p>The resource directory {{.DirectoryID}} (management account {{.ManagementName}}) created the cloud account
{{.DisplayName}} ({{.AccountID}}), whose root user signs in with <strong>{{.Email}}</strong>.</p>{{end}}
<p>Choose the root user's password to confirm: at least 8 characters of two kinds or more (lower case, upper case,
digits, symbols), not the e-mail address. This link works until {{time .Expires}} and only once.</p>
<form method="post" action="` + ConfirmPath + `">
<input type="hidden" name="token" value="{{$.Token}}">
<p><label>Password <input type="password" name="password" autocomplete="new-password" required></label></p>
<p><label>Password again <input type="password" name="password2" autocomplete="new-password" required></label></p>
<p><button type="submit">Confirm</button></p>
</form>
{{end}}{{end}}
</body></html>
`))

func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the URL holds the token
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	pageTemplate.Execute(w, p)
}
