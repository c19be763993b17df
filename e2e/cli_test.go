package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
		for _, flag := range map[string][]string{"serve": {"--addr", "--data", "--db", "--outbox", "--smtp-addr", "--smtp-from", "--smtp-username", "CANOPY_SMTP_PASSWORD",
			"--tls-addr", "--tls-host", "--tls-cert", "--tls-key", "ca.pem", "SSL_CERT_FILE"},
			"account": {"--data", "--db", "--email", "--real-name", "--password", "--mobile", "--access-key", "--output"}}[args[0]] {
			if !strings.Contains(out, flag) {
				t.Errorf("%v help lacks %s", args, flag)
			}
		}
	}
}

// commandList returns the commands a help text lists under "Available
// Commands:", each with its one-line description.
func commandList(t *testing.T, help string) map[string]string {
	t.Helper()
	_, rest, ok := strings.Cut(help, "Available Commands:\n")
	if !ok {
		t.Fatalf("no command list in\n%s", help)
	}
	cmds := map[string]string{}
	for _, line := range strings.Split(rest, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		name, desc, _ := strings.Cut(strings.TrimSpace(line), " ")
		if desc = strings.TrimSpace(desc); desc == "" {
			t.Errorf("command %q has no description", name)
		}
		cmds[name] = desc
	}
	return cmds
}

func TestCLIHelpListsEveryCommandAndNothingElse(t *testing.T) {
	help, stderr, err := runCLI(t, "--help")
	if err != nil || stderr != "" {
		t.Fatalf("--help: %v %s", err, stderr)
	}
	for _, args := range [][]string{{"help"}, {}} {
		if out, _, err := runCLI(t, args...); err != nil || out != help {
			t.Errorf("canopy %v differs from canopy --help (%v):\n%s", args, err, out)
		}
	}
	// The complete tree: a command added without help (or help naming a
	// command that is gone) fails here.
	tree := map[string][]string{"": {"account", "help", "serve", "version"}, "account": {"create"}}
	for parent, want := range tree {
		out := help
		if parent != "" {
			out, _, err = runCLI(t, parent, "--help")
			if err != nil {
				t.Fatal(err)
			}
		}
		got := commandList(t, out)
		if len(got) != len(want) {
			t.Errorf("canopy %s lists %v; want exactly %v", parent, got, want)
		}
		for _, name := range want {
			if _, ok := got[name]; !ok {
				t.Errorf("canopy %s does not list %s", parent, name)
			}
			if name == "help" {
				continue
			}
			args := strings.Fields(parent + " " + name + " --help")
			if _, stderr, err := runCLI(t, args...); err != nil {
				t.Errorf("%v: %v %s", args, err, stderr)
			}
		}
	}
	for _, planned := range []string{"Resource Directory", "console", "completion"} {
		if strings.Contains(help, planned) {
			t.Errorf("--help advertises %q, which does not exist", planned)
		}
	}
}

func TestCLIUnknownCommandsShowTheCommandsAndExit2(t *testing.T) {
	for _, args := range [][]string{{"serv"}, {"account", "crate"}} {
		out, stderr, err := runCLI(t, args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || out != "" {
			t.Fatalf("%v: %v, stdout %q; want exit status 2 and nothing on stdout", args, err, out)
		}
		if !strings.Contains(stderr, `unknown command "`+args[len(args)-1]+`"`) {
			t.Errorf("%v: stderr does not name the unknown command:\n%s", args, stderr)
		}
		want := []string{"account", "help", "serve", "version"}
		if len(args) == 2 {
			want = []string{"create"}
		}
		got := commandList(t, stderr)
		for _, name := range want {
			if _, ok := got[name]; !ok || len(got) != len(want) {
				t.Errorf("%v: stderr lists %v; want %v", args, got, want)
			}
		}
	}
	if _, stderr, err := runCLI(t, "serve", "--no-such-flag"); err == nil || !strings.Contains(stderr, "--no-such-flag") || !strings.Contains(stderr, "canopy serve --help") {
		t.Errorf("unknown flag: %v\n%s", err, stderr)
	}
}

func TestCLIVersionPrintsWhatGoRecordedInTheBinary(t *testing.T) {
	out, stderr, err := runCLI(t, "version")
	if err != nil {
		t.Fatalf("version: %v %s", err, stderr)
	}
	// go version -m reads the same build information from the file.
	meta, err := exec.Command("go", "version", "-m", canopyBinary(t)).Output()
	if err != nil {
		t.Fatal(err)
	}
	version, commit, modified := "", "unknown", ""
	for _, line := range strings.Split(string(meta), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			version = f[2]
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			commit = strings.TrimPrefix(f[1], "vcs.revision=")
		case len(f) == 2 && f[0] == "build" && f[1] == "vcs.modified=true":
			modified = " (modified)"
		}
	}
	if version == "" {
		t.Fatalf("go version -m shows no module version:\n%s", meta)
	}
	want := "canopy " + version + "\ncommit " + commit + modified + "\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("canopy version printed\n%s\nwant it to start with\n%s(go version -m:\n%s)", out, want, meta)
	}
}

func TestCLIAccountCreateSaysWhichStoreItUsed(t *testing.T) {
	// Without --data: ./canopy-data of the working directory, named in full.
	dir := t.TempDir()
	out, stderr, err := runCLIIn(t, dir, nil, "account", "create", "--email", "owner@example.com",
		"--real-name", "Example Ltd", "--password", "Sturdy-Pass-42")
	if err != nil || !strings.Contains(out, "AccountId") {
		t.Fatalf("account create: %v %q %s", err, out, stderr)
	}
	want := filepath.Join(dir, "canopy-data")
	real, _ := filepath.EvalSymlinks(want)
	if !strings.Contains(stderr, "SQLite database in data directory "+want+"\n") && !strings.Contains(stderr, "SQLite database in data directory "+real+"\n") {
		t.Fatalf("stderr does not name %s:\n%s", want, stderr)
	}
	if strings.Contains(out, "data directory") {
		t.Fatalf("the store message went to stdout, which must stay one JSON object: %q", out)
	}
	// A relative --data is reported as an absolute path too.
	_, stderr, err = runCLIIn(t, dir, nil, "account", "create", "--data", "elsewhere", "--email", "second@example.com",
		"--real-name", "Example Ltd", "--password", "Sturdy-Pass-42")
	want, real = filepath.Join(dir, "elsewhere"), filepath.Join(real, "..", "elsewhere")
	if err != nil || !(strings.Contains(stderr, want+"\n") || strings.Contains(stderr, filepath.Clean(real)+"\n")) {
		t.Fatalf("relative --data: %v; stderr does not name %s:\n%s", err, want, stderr)
	}
}

func TestCLIServeRefusesNotificationSettingsThatCannotWork(t *testing.T) {
	cases := map[string][]string{
		"--smtp-username without the password": {"--smtp-addr", "127.0.0.1:2525", "--smtp-username", "mailer"},
		"--smtp-addr without a port":           {"--smtp-addr", "mail.example.com"},
		"--smtp-from not an address":           {"--smtp-addr", "127.0.0.1:2525", "--smtp-from", "nobody"},
	}
	for name, extra := range cases {
		args := append([]string{"serve", "--addr", freePort(t), "--data", t.TempDir()}, extra...)
		_, stderr, err := runCLIIn(t, "", []string{"CANOPY_SMTP_PASSWORD="}, args...)
		if err == nil || !strings.Contains(stderr, "smtp") {
			t.Errorf("%s: %v\n%s", name, err, stderr)
		}
	}
}

func TestCLIServeLogsWhereMessagesGo(t *testing.T) {
	data, outbox := t.TempDir(), filepath.Join(t.TempDir(), "mail")
	srv := startServe(t, data, "--outbox", outbox)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, srv.logs)
	}
	logs := srv.logs.String()
	if !strings.Contains(logs, "data="+data) || !strings.Contains(logs, "outbox="+outbox) {
		t.Fatalf("the log does not name the data directory and the outbox:\n%s", logs)
	}
}

// httpsGet fetches url trusting only the CA certificate in caFile.
func httpsGet(t *testing.T, caFile, url string) (*http.Response, error) {
	t.Helper()
	roots := x509.NewCertPool()
	if pem, err := os.ReadFile(caFile); err != nil || !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s: %v; want a CA certificate", caFile, err)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	return c.Get(url)
}

func stopServe(t *testing.T, srv *serverProcess) string {
	t.Helper()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, srv.logs)
	}
	return srv.logs.String()
}

func TestCLIServeTLSWithTheLocalCA(t *testing.T) {
	data := t.TempDir()
	tlsAddr := freePort(t)
	srv := startServe(t, data, "--tls-addr", tlsAddr, "--tls-host", "canopy.test", "--tls-host", "10.9.8.7")
	caFile := filepath.Join(data, "ca.pem")
	resp, err := httpsGet(t, caFile, "https://"+tlsAddr+"/healthz")
	if err != nil {
		t.Fatalf("healthz over TLS trusting %s: %v\n%s", caFile, err, srv.logs)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("healthz over TLS: %d", resp.StatusCode)
	}
	leaf := resp.TLS.PeerCertificates[0]
	if !slices.Contains(leaf.DNSNames, "canopy.test") || len(leaf.IPAddresses) != 3 || leaf.IPAddresses[2].String() != "10.9.8.7" {
		t.Fatalf("the certificate names %v %v; want localhost, canopy.test, 127.0.0.1, ::1 and 10.9.8.7", leaf.DNSNames, leaf.IPAddresses)
	}
	for file, mode := range map[string]os.FileMode{"ca-key.pem": 0o600, "tls-key.pem": 0o600} {
		if fi, err := os.Stat(filepath.Join(data, file)); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v; want mode %v", file, fi, err, mode)
		}
	}
	logs := stopServe(t, srv)
	if !strings.Contains(logs, "tls_addr="+tlsAddr) || !strings.Contains(logs, "ca="+caFile) {
		t.Fatalf("the log does not name the TLS address and %s:\n%s", caFile, logs)
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}

	// A later start reuses the CA and, for the same names, the certificate.
	srv = startServe(t, data, "--tls-addr", tlsAddr, "--tls-host", "10.9.8.7", "--tls-host", "canopy.test")
	resp, err = httpsGet(t, caFile, "https://"+tlsAddr+"/healthz")
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	resp.Body.Close()
	if resp.TLS.PeerCertificates[0].SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Error("the server certificate was re-issued for the same names")
	}
	logs = stopServe(t, srv)
	if again, _ := os.ReadFile(caFile); !bytes.Equal(again, ca) {
		t.Fatal("a restart replaced ca.pem")
	}
	if strings.Contains(logs, "created a local CA") || strings.Contains(logs, "issued the TLS certificate") {
		t.Errorf("a restart with the same names created or issued something:\n%s", logs)
	}
}

func TestCLIServeTLSWithACertificateOfOnesOwn(t *testing.T) {
	// A certificate made elsewhere: here by another data directory's CA.
	own := t.TempDir()
	first := startServe(t, own, "--tls-addr", freePort(t))
	stopServe(t, first)
	cert, key := filepath.Join(own, "tls-cert.pem"), filepath.Join(own, "tls-key.pem")

	data, tlsAddr := t.TempDir(), freePort(t)
	srv := startServe(t, data, "--tls-addr", tlsAddr, "--tls-cert", cert, "--tls-key", key)
	resp, err := httpsGet(t, filepath.Join(own, "ca.pem"), "https://"+tlsAddr+"/healthz")
	if err != nil {
		t.Fatalf("healthz with one's own certificate: %v", err)
	}
	resp.Body.Close()
	logs := stopServe(t, srv)
	if !strings.Contains(logs, "tls_addr="+tlsAddr) || !strings.Contains(logs, "cert="+cert) {
		t.Fatalf("the log does not name the TLS address and the certificate:\n%s", logs)
	}
	if _, err := os.Stat(filepath.Join(data, "ca.pem")); err == nil {
		t.Fatal("a local CA was created though a certificate was given")
	}
}

func TestCLIServeRefusesTLSSettingsThatCannotWork(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "cert.pem")
	cases := map[string]struct {
		args []string
		want string
	}{
		"--tls-cert without --tls-key":  {[]string{"--tls-addr", freePort(t), "--tls-cert", missing}, "--tls-cert and --tls-key"},
		"--tls-host without --tls-addr": {[]string{"--tls-host", "canopy.test"}, "need --tls-addr"},
		"--tls-host with a port":        {[]string{"--tls-addr", freePort(t), "--tls-host", "canopy.test:8443"}, `"canopy.test:8443"`},
		"a missing certificate file":    {[]string{"--tls-addr", freePort(t), "--tls-cert", missing, "--tls-key", missing}, missing},
	}
	for name, c := range cases {
		args := append([]string{"serve", "--addr", freePort(t), "--data", t.TempDir()}, c.args...)
		_, stderr, err := runCLI(t, args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: %v; want exit status 1 and a message saying %q:\n%s", name, err, c.want, stderr)
		}
	}
}
