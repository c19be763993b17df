package app

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
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
