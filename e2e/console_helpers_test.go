package e2e

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// browser is a plain HTTP client of the console that behaves as a browser
// does: a cookie jar, the page's Origin on every post, no automatic
// redirects (the tests look at each answer).
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string // the token of the last page that carried one
}

func newBrowser(t *testing.T, srv *canopytest.Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: "http://" + srv.Endpoint, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// newBrowserFrom is newBrowser whose connections leave from local, another
// loopback address (Linux routes all of 127/8 to lo): a second client as
// the server's per-address limits see it.
func newBrowserFrom(t *testing.T, srv *canopytest.Server, local string) *browser {
	t.Helper()
	b := newBrowser(t, srv)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	b.client.Transport = &http.Transport{DialContext: d.DialContext}
	return b
}

// page is one answer.
type page struct {
	status   int
	body     string
	location string
	cookies  []*http.Cookie
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), cookies: resp.Cookies()}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form with the last page's CSRF token and this server's
// Origin, as the console's own forms do.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	form = cloneForm(form)
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf)
	}
	return b.postRaw(path, form, b.base)
}

// postRaw sends a form as is, with the given Origin ("" for none).
func (b *browser) postRaw(path string, form url.Values, origin string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return b.do(req)
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// follow gets the page a redirect names.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.status != http.StatusSeeOther && p.status != http.StatusFound {
		b.t.Fatalf("want a redirect, got %d:\n%s", p.status, p.body)
	}
	return b.get(p.location)
}

// signInRoot signs an account's root in and returns the console home.
func (b *browser) signInRoot(login, password string) page {
	b.t.Helper()
	b.get("/console/signin")
	p := b.post("/console/signin", url.Values{"account": {login}, "password": {password}})
	if p.status != http.StatusSeeOther || p.location != "/console/" {
		b.t.Fatalf("root sign-in: %d %s\n%s", p.status, p.location, p.body)
	}
	return b.follow(p)
}

// ramLogon runs both steps of a RAM user's logon and returns the answer to
// the password step.
func (b *browser) ramLogon(logon, password string) page {
	b.t.Helper()
	b.get("/console/ram-signin")
	next := b.post("/console/ram-signin", url.Values{"logon": {logon}})
	if next.status != http.StatusOK || !strings.Contains(next.body, `data-testid="ram-password"`) {
		b.t.Fatalf("RAM logon step 1 for %s: %d\n%s", logon, next.status, next.body)
	}
	return b.post("/console/ram-signin", url.Values{"logon": {logon}, "step": {"password"}, "password": {password}})
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.base + "/console/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantStatus(t *testing.T, p page, status int, contains ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d:\n%s", p.status, status, p.body)
	}
	for _, s := range contains {
		if !strings.Contains(p.body, s) {
			t.Fatalf("page lacks %q:\n%s", s, p.body)
		}
	}
}

// consoleUser creates a RAM user with a console password.
func (w *ramWorld) consoleUser(t *testing.T, name, password string, resetRequired, mfaRequired bool) {
	t.Helper()
	w.createUser(t, name)
	req := ram.CreateCreateLoginProfileRequest()
	req.UserName, req.Password = name, password
	req.PasswordResetRequired = requests.NewBoolean(resetRequired)
	req.MFABindRequired = requests.NewBoolean(mfaRequired)
	_, err := w.root.CreateLoginProfile(req)
	ok(t, "CreateLoginProfile "+name, err)
}

// totpAt is the code of secret's TOTP step that holds at.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// consecutiveCodes are the codes of the step before now's and of now's.
func consecutiveCodes(t *testing.T, secret string, now time.Time) (string, string) {
	return totpAt(t, secret, now.Add(-30*time.Second)), totpAt(t, secret, now)
}

var secretShown = regexp.MustCompile(`data-testid="mfa-secret">([A-Z2-7]+)<`)
