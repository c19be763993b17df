package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// A stranger who knows an account's id (its alias, its e-mail) can neither
// fill its trail through the sign-in forms nor try passwords without end:
// the trail keeps the API's per-key budget of refused attempts per account,
// and a refused sign-in counts against its address like a failed API
// authentication (one limiter for both, so the address is throttled on
// both).
func TestConsoleSignInFailuresAreBoundedLikeTheAPIs(t *testing.T) {
	srv := canopytest.Start(t)
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
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	if got := len(lookup(t, trail, "EventName", "ConsoleSignin", "50", "").Events); got != api.DefaultKeyAttemptBurst {
		t.Fatalf("the trail keeps %d refused sign-ins of %d; want %d", got, first, api.DefaultKeyAttemptBurst)
	}

	// The address earns a failure back each second (DefaultAuthFailPerMinute),
	// so how many more are refused before the throttle depends on the pace.
	refused := first
	for i := first; ; i++ {
		p := attempt(i)
		if p.status == http.StatusTooManyRequests {
			wantStatus(t, p, http.StatusTooManyRequests, "Throttling")
			break
		}
		wantStatus(t, p, http.StatusForbidden)
		if refused++; float64(refused) > api.DefaultAuthFailBurst+time.Since(start).Seconds()*api.DefaultAuthFailPerMinute/60+1 {
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
	newBrowserFrom(t, srv, "127.0.0.2").signInRoot(acct.Email, acct.Password)
}
