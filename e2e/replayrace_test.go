package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// fire sends the same signed request from n goroutines at once, spread
// over the endpoints, and counts the answers by code ("" for success).
func fire(t *testing.T, u string, n int, endpoints ...string) map[string]int {
	t.Helper()
	codes := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := u
			if len(endpoints) > 0 {
				ep := endpoints[i%len(endpoints)]
				target = "http://" + ep + u[strings.Index(u, "/?"):]
			}
			<-start
			resp, err := http.Get(target)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var body struct{ Code string }
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != http.StatusOK && body.Code == "" {
				body.Code = resp.Status
			}
			mu.Lock()
			codes[body.Code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// Of fifty identical signed requests racing, exactly one is answered; the
// others are refused as replays (SignatureNonceUsed), on one node and
// across two nodes sharing PostgreSQL.
func TestRacingIdenticalRequestsOneWins(t *testing.T) {
	// Replays are failed authentications, which the per-address limiter
	// throttles after a burst; this test is about the replay guard alone.
	unthrottled := canopytest.WithConfig(func(c *app.Config) { c.AuthFailBurst = -1 })
	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			srv := canopytest.Start(t, append(backend.opts, unthrottled)...)
			acct := srv.CreateAccount(t)
			for _, action := range []string{"GetCallerIdentity", "GetUser"} {
				extra := callerIdentity
				if action == "GetUser" { // a refusal (no such user) races too
					extra = map[string][]string{"Action": {"GetUser"}, "Version": {"2015-05-01"}, "UserName": {"nobody"}}
				}
				for round := range 3 {
					u := signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, extra, time.Now())
					codes := fire(t, u, 50)
					won := codes[""] + codes["EntityNotExist.User"]
					if won != 1 || codes["SignatureNonceUsed"] != 49 {
						t.Fatalf("%s round %d: answers %v; want exactly one answered, 49 SignatureNonceUsed", action, round, codes)
					}
				}
			}
		})
	}
	t.Run("two postgres nodes", func(t *testing.T) {
		a := canopytest.Start(t, canopytest.WithPostgres(), unthrottled)
		b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB), unthrottled)
		acct := a.CreateAccount(t)
		for round := range 3 {
			u := signedURL(t, a.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, callerIdentity, time.Now())
			codes := fire(t, u, 50, a.Endpoint, b.Endpoint)
			if codes[""] != 1 || codes["SignatureNonceUsed"] != 49 {
				t.Fatalf("round %d: answers %v; want exactly one success, 49 SignatureNonceUsed", round, codes)
			}
		}
	})
}
