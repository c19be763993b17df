package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// canopyBinary builds ./cmd/canopy once per test run, as a user would.
func canopyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "canopy-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "canopy")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/canopy")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runCLI runs the binary and returns stdout, stderr and the exit error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCLIIn(t, "", nil, args...)
}

// runCLIIn runs the binary in working directory dir ("" = the test's) with
// extra environment variables.
func runCLIIn(t *testing.T, dir string, env []string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(canopyBinary(t), args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// serverProcess is `canopy serve` running as a child process.
type serverProcess struct {
	cmd      *exec.Cmd
	endpoint string
	logs     *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts the binary and waits for /healthz.
func startServe(t *testing.T, dataDir string, extra ...string) *serverProcess {
	t.Helper()
	addr := freePort(t)
	logs := &bytes.Buffer{}
	args := append([]string{"serve", "--addr", addr, "--data", dataDir}, extra...)
	cmd := exec.Command(canopyBinary(t), args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, endpoint: addr, logs: logs}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy; logs:\n%s", logs)
	return nil
}
