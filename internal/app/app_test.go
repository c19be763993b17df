package app

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/tlsca"
)

// Shutdown may come before Serve has started (a signal just after start,
// Serve running in its own goroutine): Serve must then return at once, not
// begin answering over the closed store, and the two must not race.
func TestServeAfterShutdownReturnsAtOnce(t *testing.T) {
	a, stop := startNode(t, t.TempDir(), "")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() { done <- a.Serve(ln) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve kept serving after Shutdown")
	}
}

// On SQLite a node's memory is the whole replay guard, so a second node on
// the same store would run the first one's replays: it is refused at
// start, until the first one has shut down.
func TestOneNodeServesASQLiteStore(t *testing.T) {
	dir := t.TempDir()
	_, stop := startNode(t, dir, "")
	second, err := New(context.Background(), Config{DataDir: dir, Log: slog.New(slog.DiscardHandler)})
	if err == nil {
		second.Shutdown(context.Background())
		t.Fatal("a second node started on the SQLite store the first one serves")
	}
	if !strings.Contains(err.Error(), "another canopy serve") {
		t.Fatalf("refused with %v; want it to name the other node", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	startNode(t, dir, "") // the first one's lock went with it
}

// The local CA writes its certificate into the data directory at start: a
// second node refused by the serve lock must not have replaced the TLS
// certificate of the node that serves there (here it asks for another
// name, so a start that got that far would issue a new one).
func TestARefusedSecondNodeLeavesTheTLSFilesAlone(t *testing.T) {
	dir := t.TempDir()
	first, err := New(context.Background(), Config{DataDir: dir, TLSAddr: "127.0.0.1:0", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(context.Background())
	certFile := filepath.Join(dir, tlsca.CertFile)
	before, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	second, err := New(context.Background(), Config{DataDir: dir, TLSAddr: "127.0.0.1:0", TLSHosts: []string{"other.test"},
		Log: slog.New(slog.DiscardHandler)})
	if err == nil {
		second.Shutdown(context.Background())
		t.Fatal("a second node started on the SQLite store the first one serves")
	}
	if !strings.Contains(err.Error(), "another canopy serve") {
		t.Fatalf("refused with %v; want the serve lock's refusal", err)
	}
	after, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("the refused node re-issued the serving node's TLS certificate")
	}
}
