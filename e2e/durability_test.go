package e2e

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
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
	token := ""
	for {
		req := actiontrail.CreateLookupEventsRequest()
		req.LookupAttribute = &[]actiontrail.LookupEventsLookupAttribute{{Key: "EventName", Value: "CreateUser"}}
		req.MaxResults, req.NextToken = "50", token
		resp, err := trail.LookupEvents(req)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range resp.Events {
			if e["errorCode"] == "" {
				params, _ := e["requestParameters"].(map[string]any)
				name, _ := params["UserName"].(string)
				events[name] = true
			}
		}
		if token = resp.NextToken; token == "" {
			break
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
