// Package console is Canopy's web console: server-rendered pages at
// /console/ on the API's listener. People sign in here (root with email
// and password, RAM users with <name>@<domain> and the login profile's
// rules) and act through the same api.Invoker as the RPC endpoint, with the
// session's principal instead of a signature: the same authorization, the
// same audit (eventType ConsoleOperation). Sessions are store records, so
// every node sees them.
package console

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/sts"
)

// Prefix is where the console is served.
const Prefix = "/console/"

// DefaultIdleTimeout ends a session after this long without a request.
const DefaultIdleTimeout = 30 * time.Minute

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the console needs from the node.
type Config struct {
	Store   store.Backend
	IAM     *iam.Service
	Invoker *api.Invoker
	Now     func() time.Time // the domain clock (tests move it)
	Log     *slog.Logger
	// Outbox is the directory of sent e-mails and SMS; Dev shows it on the
	// Outbox page (development mode: never in production, the messages
	// carry verification codes).
	Outbox string
	Dev    bool
	// IdleTimeout: DefaultIdleTimeout when zero.
	IdleTimeout time.Duration
	// Tokens opens the STS session a Log On to a member obtains.
	Tokens *sts.Tokens
	// SSO and STS serve the CloudSSO user portal (sso_*.go).
	SSO *cloudsso.Service
	STS *sts.Service
	// Limiter is the API's limit on failed authentications per source
	// address, which a failed sign-in counts against too (nil: none).
	Limiter *api.FailureLimiter
}

// Console serves the pages.
type Console struct {
	store  store.Backend
	iam    *iam.Service
	invoke *api.Invoker
	now    func() time.Time
	log    *slog.Logger
	outbox string
	dev    bool
	idle   time.Duration
	pages  map[string]*template.Template
	mux    *http.ServeMux
	tokens *sts.Tokens
	sso    *cloudsso.Service
	sts    *sts.Service
	limit  *api.FailureLimiter
}

// New builds the console.
func New(cfg Config) *Console {
	c := &Console{store: cfg.Store, iam: cfg.IAM, invoke: cfg.Invoker, now: cfg.Now, log: cfg.Log,
		outbox: cfg.Outbox, dev: cfg.Dev, idle: cfg.IdleTimeout, tokens: cfg.Tokens, sso: cfg.SSO, sts: cfg.STS, limit: cfg.Limiter}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.pages = parsePages()
	c.routes()
	return c
}

func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
		out[n[len("templates/"):len(n)-len(".html")]] = t
	}
	return out
}

func (c *Console) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /console/{$}", c.ready(c.home))
	m.HandleFunc("GET /console/signin", c.rootSignInPage)
	m.HandleFunc("POST /console/signin", c.anonymousPost(c.rootSignIn))
	m.HandleFunc("GET /console/ram-signin", c.ramSignInPage)
	m.HandleFunc("GET /console/ram-signin/{domain}", c.ramSignInPage)
	m.HandleFunc("POST /console/ram-signin", c.anonymousPost(c.ramSignIn))
	m.HandleFunc("GET /console/change-password", c.atStage(stageChangePassword, c.changePasswordPage))
	m.HandleFunc("POST /console/change-password", c.atStagePost(stageChangePassword, c.changePassword))
	m.HandleFunc("GET /console/bind-mfa", c.atStage(stageBindMFA, c.bindMFAPage))
	m.HandleFunc("POST /console/bind-mfa", c.atStagePost(stageBindMFA, c.bindMFA))
	m.HandleFunc("GET /console/verify-mfa", c.atStage(stageVerifyMFA, c.verifyMFAPage))
	m.HandleFunc("POST /console/verify-mfa", c.atStagePost(stageVerifyMFA, c.verifyMFA))
	m.HandleFunc("POST /console/signout", c.signOut)
	m.HandleFunc("GET /console/trail", c.ready(c.trailPage))
	m.HandleFunc("GET /console/ram/overview", c.ready(c.ramOverview))
	m.HandleFunc("GET /console/ram/overview/administrator", c.ready(c.adminPage))
	m.HandleFunc("POST /console/ram/overview/administrator", c.readyPost(c.performAdmin))
	m.HandleFunc("GET /console/ram/users", c.ready(c.usersPage))
	m.HandleFunc("GET /console/ram/create-user", c.ready(c.newUserPage))
	m.HandleFunc("POST /console/ram/create-user", c.readyPost(c.createUser))
	m.HandleFunc("GET /console/ram/users/{name}", c.ready(c.userPage))
	m.HandleFunc("POST /console/ram/users/{name}/keys/create", c.readyPost(c.createKey))
	m.HandleFunc("POST /console/ram/users/{name}/keys/{op}", c.readyPost(c.keyAction))
	m.HandleFunc("POST /console/ram/users/{name}/login/{op}", c.readyPost(c.loginAction))
	m.HandleFunc("POST /console/ram/users/{name}/revoke", c.readyPost(c.revokePolicy))
	m.HandleFunc("POST /console/ram/users/{name}/mfa/unbind", c.readyPost(c.unbindMFA))
	m.HandleFunc("POST /console/ram/users/{name}/mfa/create", c.readyPost(c.createUserMFA))
	m.HandleFunc("POST /console/ram/users/{name}/mfa/bind", c.readyPost(c.bindUserMFA))
	m.HandleFunc("GET /console/ram/users/{name}/grant", c.ready(c.grantPanelOf("User")))
	m.HandleFunc("POST /console/ram/users/{name}/grant", c.readyPost(c.grantTo("User")))
	m.HandleFunc("POST /console/ram/users/{name}/groups/{op}", c.readyPost(c.userGroupAction))
	m.HandleFunc("POST /console/ram/users/delete", c.readyPost(c.deleteUsers))
	m.HandleFunc("POST /console/ram/users-batch/add-group", c.readyPost(c.batchAddToGroup))
	m.HandleFunc("GET /console/ram/users-batch/grant", c.ready(c.grantPanelOf("")))
	m.HandleFunc("POST /console/ram/users-batch/grant", c.readyPost(c.batchGrantPost))
	m.HandleFunc("GET /console/ram/policies", c.ready(c.policiesPage))
	m.HandleFunc("GET /console/ram/create-policy", c.ready(c.newPolicyPage))
	m.HandleFunc("POST /console/ram/create-policy", c.readyPost(c.createPolicy))
	m.HandleFunc("GET /console/ram/policies/{type}/{name}", c.ready(c.policyPage))
	m.HandleFunc("POST /console/ram/policies/Custom/{name}/versions", c.readyPost(c.savePolicyVersion))
	m.HandleFunc("POST /console/ram/policies/Custom/{name}/delete", c.readyPost(c.deletePolicy))
	m.HandleFunc("GET /console/ram/policies/Custom/{name}/versions/{version}", c.ready(c.policyVersionPage))
	m.HandleFunc("POST /console/ram/policies/Custom/{name}/versions/{version}/{op}", c.readyPost(c.policyVersionAction))
	m.HandleFunc("GET /console/ram/groups", c.ready(c.groupsPage))
	m.HandleFunc("POST /console/ram/groups", c.readyPost(c.createGroup))
	m.HandleFunc("GET /console/ram/groups/{name}", c.ready(c.groupPage))
	m.HandleFunc("POST /console/ram/groups/{name}/{op}", c.readyPost(c.groupAction))
	m.HandleFunc("GET /console/ram/groups/{name}/grant", c.ready(c.grantPanelOf("Group")))
	m.HandleFunc("POST /console/ram/groups/{name}/grant", c.readyPost(c.grantTo("Group")))
	m.HandleFunc("GET /console/ram/settings", c.ready(c.settingsPage))
	m.HandleFunc("POST /console/ram/settings/{part}", c.readyPost(c.saveSettings))
	m.HandleFunc("GET /console/ram/roles", c.ready(c.rolesPage))
	m.HandleFunc("GET /console/ram/roles/{name}", c.ready(c.rolePage))
	m.HandleFunc("POST /console/ram/roles/{name}/trust", c.readyPost(c.saveTrust))
	m.HandleFunc("GET /console/ram/create-role", c.ready(c.newRolePage))
	m.HandleFunc("POST /console/ram/create-role", c.readyPost(c.createRole))
	m.HandleFunc("GET /console/ram/roles/{name}/grant", c.ready(c.grantPanelOf("Role")))
	m.HandleFunc("POST /console/ram/roles/{name}/grant", c.readyPost(c.grantTo("Role")))
	m.HandleFunc("POST /console/ram/roles/{name}/revoke", c.readyPost(c.revokeRolePolicy))
	m.HandleFunc("POST /console/ram/roles/{name}/delete", c.readyPost(c.deleteRole))
	m.HandleFunc("GET /console/outbox", c.ready(c.outboxPage))
	c.rdRoutes(m)
	c.switchRoutes(m)
	c.ssoRoutes(m)
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, http.StatusNotFound, pageNotFound.New("There is no console page at %s.", r.URL.Path))
	})
	c.mux = m
}

// ServeHTTP answers every request under Prefix, with headers that keep the
// pages out of frames and caches and scripts to our own files.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if r.Method == http.MethodPost {
		// Read the form once here, so that a post over the cap gets the
		// RPC endpoint's answer to such a body instead of looking like a
		// post without its CSRF token; an oversized field under the cap
		// reaches its action, which names the field and its limit.
		var tooBig *http.MaxBytesError
		if err := r.ParseForm(); errors.As(err, &tooBig) {
			c.fail(w, r, nil, 0, codeTooLarge.New("The request body is larger than %d bytes.", maxFormBytes))
			return
		}
	}
	c.mux.ServeHTTP(w, r)
}

// maxFormBytes caps a form post as the RPC endpoint caps a request body:
// a field too long for its action (a 1 MB description) still reaches the
// action, whose refusal names the field.
const maxFormBytes = api.MaxBodyBytes
