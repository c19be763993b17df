package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

type createdAccount struct {
	AccountId, AccessKeyId, AccessKeySecret string
}

func TestCLIAccountCreateWhileServing(t *testing.T) {
	data := t.TempDir()
	srv := startServe(t, data)
	out, stderr, err := runCLI(t, "account", "create", "--data", data, "--email", "Owner@Example.com",
		"--real-name", "Example Ltd", "--password", "Sturdy-Pass-42", "--mobile", "86-13800000000", "--access-key", "--output", "json")
	if err != nil {
		t.Fatalf("account create: %v\n%s", err, stderr)
	}
	var acct createdAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if len(acct.AccountId) != 16 || acct.AccountId[0] == '0' || !strings.HasPrefix(acct.AccessKeyId, "LTAI") || len(acct.AccessKeySecret) < 30 {
		t.Fatalf("unexpected output %+v", acct)
	}
	// The running server accepts the new key on its very next request.
	c := (&canopytest.Server{Endpoint: srv.endpoint}).STSClient(t, acct.AccessKeyId, acct.AccessKeySecret)
	resp, err := c.GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	if err != nil || resp.AccountId != acct.AccountId {
		t.Fatalf("new key refused: %v %+v", err, resp)
	}
	// Without --access-key only the id is printed.
	out, _, err = runCLI(t, "account", "create", "--data", data, "--email", "second@example.com",
		"--real-name", "Example Ltd", "--password", "Sturdy-Pass-42", "--output", "json")
	var plain map[string]string
	if err != nil || json.Unmarshal([]byte(out), &plain) != nil || len(plain) != 1 || plain["AccountId"] == "" {
		t.Fatalf("without --access-key: %v %q", err, out)
	}
	// Graceful stop on SIGTERM.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v; logs:\n%s", err, srv.logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}

func TestCLIAccountCreateRefusesBadInput(t *testing.T) {
	data := t.TempDir()
	good := []string{"--email", "taken@example.com", "--real-name", "R", "--password", "Sturdy-Pass-42"}
	if _, stderr, err := runCLI(t, append([]string{"account", "create", "--data", data}, good...)...); err != nil {
		t.Fatalf("first create: %v %s", err, stderr)
	}
	cases := map[string][]string{
		"missing email":   {"--real-name", "R", "--password", "Sturdy-Pass-42"},
		"malformed email": {"--email", "not-an-email", "--real-name", "R", "--password", "Sturdy-Pass-42"},
		"weak password":   {"--email", "a@example.com", "--real-name", "R", "--password", "short"},
		"one-class pw":    {"--email", "a@example.com", "--real-name", "R", "--password", "alllowercase"},
		"duplicate email": {"--email", "TAKEN@example.com", "--real-name", "R", "--password", "Sturdy-Pass-42"},
		"missing name":    {"--email", "b@example.com", "--password", "Sturdy-Pass-42"},
		"bad mobile":      {"--email", "c@example.com", "--real-name", "R", "--password", "Sturdy-Pass-42", "--mobile", "12"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := runCLI(t, append([]string{"account", "create", "--data", data, "--access-key"}, args...)...)
			if err == nil || out != "" || strings.TrimSpace(stderr) == "" {
				t.Fatalf("want a non-zero exit with a message; got err=%v out=%q stderr=%q", err, out, stderr)
			}
		})
	}
	// Nothing half-created: a fresh data dir for a refused call stays empty.
	fresh := filepath.Join(t.TempDir(), "never")
	runCLI(t, "account", "create", "--data", fresh, "--email", "x", "--real-name", "R", "--password", "p")
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatalf("refused create left %s behind", fresh)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"account", "create", "--help"}} {
		out, _, err := runCLI(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, flag := range map[string][]string{"serve": {"--addr", "--data", "--db", "--outbox"},
			"account": {"--data", "--db", "--email", "--real-name", "--password", "--mobile", "--access-key", "--output"}}[args[0]] {
			if !strings.Contains(out, flag) {
				t.Errorf("%v help lacks %s", args, flag)
			}
		}
	}
}
