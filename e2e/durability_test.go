package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestAcknowledgedWritesSurviveKill9 runs `canopy serve` as a process, puts
// it under concurrent write load, kills it with SIGKILL mid-load, restarts
// it on the same data and checks that every acknowledged write is there
// with its audit event, and that nothing is half-written.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	data := t.TempDir()
	out, stderr, err := runCLI(t, "account", "create", "--data", data, "--email", "durable@example.com",
		"--real-name", "Durable Ltd", "--password", "Sturdy-Pass-42", "--access-key")
	if err != nil {
		t.Fatalf("account create: %v %s", err, stderr)
	}
	var acct createdAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, data)

	var acked sync.Map // user name -> true
	var ackCount atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		// One client per goroutine: the classic SDK client is not safe
		// for concurrent use.
		client := (&canopytest.Server{Endpoint: srv.endpoint}).RAMClient(t, acct.AccessKeyId, acct.AccessKeySecret)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req := ram.CreateCreateUserRequest()
				req.UserName = fmt.Sprintf("u%d-%d", w, i)
				if _, err := client.CreateUser(req); err == nil {
					acked.Store(req.UserName, true)
					ackCount.Add(1)
				}
			}
		}(w)
	}
	// Let real load build up, then pull the plug while requests are in flight.
	deadline := time.Now().Add(20 * time.Second)
	for ackCount.Load() < 150 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	if ackCount.Load() < 50 {
		t.Fatalf("only %d writes acknowledged before the kill; logs:\n%s", ackCount.Load(), srv.logs)
	}

	again := startServe(t, data)
	c2 := (&canopytest.Server{Endpoint: again.endpoint}).RAMClient(t, acct.AccessKeyId, acct.AccessKeySecret)
	stored := map[string]bool{}
	marker := ""
	for {
		req := ram.CreateListUsersRequest()
		req.MaxItems, req.Marker = "1000", marker
		resp, err := c2.ListUsers(req)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range resp.Users.User {
			stored[u.UserName] = true
		}
		if !resp.IsTruncated {
			break
		}
		marker = resp.Marker
	}
	missing := 0
	acked.Range(func(k, _ any) bool {
		if !stored[k.(string)] {
			missing++
			t.Errorf("acknowledged user %s is lost", k)
		}
		return true
	})
	// Nothing half-written: every stored user has its audit event, because
	// the write and its event commit together.
	trail := (&canopytest.Server{Endpoint: again.endpoint}).TrailClient(t, acct.AccessKeyId, acct.AccessKeySecret)
	events := map[string]bool{}
	for _, e := range trailEvents(t, trail, "EventName", "CreateUser", "50") {
		if e["errorCode"] == "" {
			params, _ := e["requestParameters"].(map[string]any)
			name, _ := params["UserName"].(string)
			events[name] = true
		}
	}
	for name := range stored {
		if !events[name] {
			t.Errorf("user %s is stored without its CreateUser event", name)
		}
	}
	for name := range events {
		if !stored[name] {
			t.Errorf("CreateUser event for %s without the user", name)
		}
	}
	t.Logf("%d acknowledged, %d stored, %d events after kill -9", ackCount.Load(), len(stored), len(events))
}

// TestAcknowledgedReadsSurviveKill9 floods `canopy serve` with signed
// reads, kills it with SIGKILL mid-flood, restarts it on the same data and
// checks that every answered call's event is in the trail (the segment
// log is durable before the answer; the restart folds its tail) and that
// every answered request is refused if replayed (its nonce came back).
func TestAcknowledgedReadsSurviveKill9(t *testing.T) {
	data := t.TempDir()
	out, stderr, err := runCLI(t, "account", "create", "--data", data, "--email", "reads@example.com",
		"--real-name", "Reads Ltd", "--password", "Sturdy-Pass-42", "--access-key")
	if err != nil {
		t.Fatalf("account create: %v %s", err, stderr)
	}
	var acct createdAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, data)
	type answered struct{ id, url string }
	var mu sync.Mutex
	var acked []answered
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				u := signedURL(t, srv.endpoint, acct.AccessKeyId, acct.AccessKeySecret, callerIdentity, time.Now())
				resp, err := http.Get(u)
				if err != nil {
					continue // the server is gone
				}
				var body struct{ RequestId, Code string }
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked = append(acked, answered{body.RequestId, u})
					mu.Unlock()
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 3000 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 500 {
		t.Fatalf("only %d reads answered before the kill; logs:\n%s", len(acked), srv.logs)
	}

	again := startServe(t, data)
	trail := (&canopytest.Server{Endpoint: again.endpoint}).TrailClient(t, acct.AccessKeyId, acct.AccessKeySecret)
	found := map[string]bool{}
	for _, e := range trailEvents(t, trail, "EventName", "GetCallerIdentity", "50") {
		if e["errorCode"] == "" {
			id, _ := e["eventId"].(string)
			found[id] = true
		}
	}
	lost := 0
	for _, a := range acked {
		if !found[a.id] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d answered reads have no event after kill -9", lost, len(acked))
	}
	// Replays of answered requests are refused by the restarted node.
	for _, a := range acked[len(acked)-20:] {
		resp, err := http.Get(strings.Replace(a.url, srv.endpoint, again.endpoint, 1))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assertErrorBody(t, resp.StatusCode, body, "SignatureNonceUsed", http.StatusBadRequest)
	}
	t.Logf("%d reads answered before kill -9, all %d in the trail after restart", len(acked), len(acked))
}
