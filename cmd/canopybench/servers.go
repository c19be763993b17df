package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/directory"
)

// bareBody is about the size and shape of a GetCallerIdentity answer.
var bareBody = []byte(`{"RequestId":"9B34724D-54B0-4A51-B34D-4512372FE1BE","IdentityType":"Account","AccountId":"1234567890123456","Arn":"acs:ram::1234567890123456:root","PrincipalId":"1234567890123456","UserId":"1234567890123456"}`)

// serveBare is the baseline: net/http returning a fixed JSON body.
func serveBare(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Write(bareBody)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	waitForSignal()
	return srv.Close()
}

// serveCanopy is the real server, built exactly as `canopy serve` builds it.
func serveCanopy(addr, data, db string, limits directory.Limits) error {
	app.TuneGC() // as canopy serve does
	a, err := app.New(context.Background(), app.Config{Addr: addr, DataDir: data, DB: db, Directory: limits,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go a.Serve(ln)
	if path := os.Getenv("CANOPYBENCH_CPUPROFILE"); path != "" {
		// Profile the server side of a run: go tool pprof <binary> <path>.
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	waitForSignal()
	if path := os.Getenv("CANOPYBENCH_ALLOCPROFILE"); path != "" {
		// Every allocation of the run, sampled: go tool pprof -sample_index=alloc_objects (or alloc_space).
		if f, err := os.Create(path); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return a.Shutdown(ctx)
}
