package app

import (
	"net"
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
