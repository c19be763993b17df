package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// slowRefill gives an address one failure back a minute, not a second:
// a throttled address stays throttled for the rest of a test.
var slowRefill = canopytest.WithConfig(func(c *app.Config) { c.AuthFailPerMinute = 1 })

// A stranger who knows an account's id (its alias, its e-mail) can neither
// fill its trail through the sign-in forms nor try passwords without end:
// the trail keeps the API's per-key budget of refused attempts per account
// and address, and a refused sign-in counts against its address like a failed API
// authentication (one limiter for both, so the address is throttled on
// both).
func TestConsoleSignInFailuresAreBoundedLikeTheAPIs(t *testing.T) {
	srv := canopytest.Start(t, slowRefill)
	acct := srv.CreateAccount(t)
	b := newBrowser(t, srv)
	start := time.Now()
	b.get("/console/ram-signin")
	attempt := func(i int) page {
		return b.post("/console/ram-signin", url.Values{"logon": {fmt.Sprintf("nobody%d@%s.onaliyun.com", i, acct.ID)},
			"step": {"password"}, "password": {"wrong"}})
	}
	const first = api.DefaultKeyAttemptBurst + 5 // past the trail's budget, within the address's
	for i := 0; i < first; i++ {
		wantStatus(t, attempt(i), http.StatusForbidden)
	}
	// The budget is per address: this stranger using it up hides nobody
	// else's attempt.
	other := newBrowserFrom(t, srv, "127.0.0.2")
	other.get("/console/signin")
	wantStatus(t, other.post("/console/signin", url.Values{"account": {acct.Email}, "password": {"guess"}}), http.StatusForbidden)
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	events := lookup(t, trail, "EventName", "ConsoleSignin", "50", "").Events
	if len(events) != api.DefaultKeyAttemptBurst+1 || events[0]["sourceIpAddress"] != "127.0.0.2" {
		t.Fatalf("the trail keeps %d refused sign-ins of %d, the newest from %v; want %d, the newest from 127.0.0.2",
			len(events), first+1, events[0]["sourceIpAddress"], api.DefaultKeyAttemptBurst+1)
	}

	// The address earns a failure back each minute (slowRefill), so how
	// many more are refused before the throttle depends a little on the pace.
	refused := first
	for i := first; ; i++ {
		p := attempt(i)
		if p.status == http.StatusTooManyRequests {
			wantStatus(t, p, http.StatusTooManyRequests, "Throttling")
			break
		}
		wantStatus(t, p, http.StatusForbidden)
		if refused++; float64(refused) > api.DefaultAuthFailBurst+time.Since(start).Minutes()+1 {
			t.Fatalf("%d refused sign-ins from one address in %v and no throttle", refused, time.Since(start))
		}
	}
	// Throttled before any password is checked: the right one too, on
	// every sign-in form, and the API from the same address.
	b.get("/console/signin")
	wantStatus(t, b.post("/console/signin", url.Values{"account": {acct.Email}, "password": {acct.Password}}),
		http.StatusTooManyRequests, "Throttling")
	_, err := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	wantServerError(t, err, "Throttling", http.StatusBadRequest)
	// Another address is not throttled: the root signs in from there.
	other.signInRoot(acct.Email, acct.Password)
}

// A wrong MFA code is a failed sign-in like a wrong password: it counts
// against the address, so signing in again with the password (a success)
// and guessing five more codes does not go on for ever.
func TestConsoleMFAStepFailuresCountAgainstTheAddress(t *testing.T) {
	w := newRAMWorld(t, slowRefill)
	w.consoleUser(t, "erin", "Erin-Passw0rd-1", false, false)
	create := ram.CreateCreateVirtualMFADeviceRequest()
	create.VirtualMFADeviceName = "erin"
	dev, err := w.root.CreateVirtualMFADevice(create)
	ok(t, "CreateVirtualMFADevice", err)
	bind := ram.CreateBindMFADeviceRequest()
	bind.UserName, bind.SerialNumber = "erin", dev.VirtualMFADevice.SerialNumber
	c1, c2 := consecutiveCodes(t, dev.VirtualMFADevice.Base32StringSeed, w.srv.App.Now())
	bind.AuthenticationCode1, bind.AuthenticationCode2 = c1, c2
	_, err = w.root.BindMFADevice(bind)
	ok(t, "BindMFADevice", err)

	b := newBrowser(t, w.srv)
	start, refused := time.Now(), 0
	for {
		logon := "erin@" + w.acct.ID + ".onaliyun.com"
		b.get("/console/ram-signin")
		p := b.post("/console/ram-signin", url.Values{"logon": {logon}, "step": {"password"}, "password": {"Erin-Passw0rd-1"}})
		if p.status == http.StatusTooManyRequests {
			break // throttled at the password form: the codes counted
		}
		wantRedirect(t, p, "/console/verify-mfa")
		b.get("/console/verify-mfa")
		for range 5 { // a session ends at its fifth wrong code
			p = b.post("/console/verify-mfa", url.Values{"code": {"000000"}})
			if p.status == http.StatusTooManyRequests {
				break
			}
			wantStatus(t, p, http.StatusForbidden)
			refused++
		}
		if p.status == http.StatusTooManyRequests {
			wantStatus(t, p, http.StatusTooManyRequests, "Throttling")
			break
		}
		if float64(refused) > api.DefaultAuthFailBurst+time.Since(start).Minutes()+5 {
			t.Fatalf("%d wrong MFA codes from one address in %v and no throttle", refused, time.Since(start))
		}
	}
	if refused < api.DefaultAuthFailBurst-5 {
		t.Fatalf("throttled after %d wrong codes; want about %d", refused, api.DefaultAuthFailBurst)
	}
}
