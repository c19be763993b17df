package app

import (
	"os"
	"runtime/debug"
)

// ServeGCPercent is the garbage collector's target a serving process
// uses unless GOGC says otherwise. A signed call allocates a few KiB
// (parameters, principal, event, answer) over a live heap of a few tens of
// MiB, so at Go's default of 100 the collector ran several times a second
// under load and took 15-20% of the server's CPU; at 400 the server
// uses about a quarter less CPU per call for about twice the resident
// memory (canopybench -scenario api: ~55 MB -> ~130 MB; BENCHMARKS.md).
const ServeGCPercent = 400

// TuneGC sets the serving process's GC target, unless the GOGC
// environment variable already chose one. Only the binary's serve path
// calls it: it is process-wide.
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(ServeGCPercent)
	}
}
