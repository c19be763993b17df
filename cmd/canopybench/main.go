// Command canopybench measures signed, audited GetCallerIdentity calls per
// second against a real Canopy server, beside a bare net/http handler that
// returns a similar JSON body, in one run on this machine, and prints the
// ratios. Both servers run as child processes (like wrk, the load generator
// is a separate process); the endpoints are measured in interleaved rounds
// and the ratio is the median of the per-round ratios.
//
//	go run ./cmd/canopybench [-duration 5s] [-rounds 3] [-connections 64] [-db postgres://...]
//	go run ./cmd/canopybench -scenario sts
//	go run ./cmd/canopybench -scenario rd [-members 10000] [-folders 1000] [-rounds 5] [-per-round 200]
//	    [-scenario identity|api|lookup|sts] [-events 100000] [-canopy-bin other-build]
//
// -canopy-bin runs the Canopy child from another build of canopybench (for
// example one built from an older commit), so two builds are measured by
// the same driver: run it once per build, interleaved.
//
// CANOPYBENCH_CPUPROFILE=file writes the Canopy child's CPU profile of the
// run, CANOPYBENCH_ALLOCPROFILE=file its allocations (sampled; read them with
// go tool pprof -sample_index=alloc_objects).
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"time"

	"github.com/canopy-iam/canopy/internal/directory"
)

func main() {
	role := flag.String("role", "driver", "internal: driver | bare | canopy")
	addr := flag.String("addr", "", "internal: listen address of a child server")
	data := flag.String("data", "", "internal: data directory of the canopy child")
	db := flag.String("db", "", "PostgreSQL URL to benchmark instead of SQLite")
	duration := flag.Duration("duration", 5*time.Second, "length of one measured round per endpoint")
	rounds := flag.Int("rounds", 3, "interleaved rounds per endpoint")
	conns := flag.Int("connections", 64, "concurrent keep-alive connections")
	scenario := flag.String("scenario", "identity", "identity: root GetCallerIdentity vs a bare handler; api: GetCallerIdentity, a RAM user's GetUser and ListUsers (page of 100) vs a bare handler; "+
		"lookup: LookupEvents filtered vs unfiltered over -events events; sts: temporary credentials vs AccessKeys, and AssumeRole; "+
		"rd: Resource Directory calls at 1/10 and all of -members, beside fsync and raw reads")
	calls := flag.String("calls", "", "api: the calls to measure beside the bare handler, comma-separated (Identity,GetUser,ListUsers; default all), e.g. to profile one")
	events := flag.Int("events", 100000, "lookup: events in the account")
	flag.StringVar(&canopyBin, "canopy-bin", "", "run the Canopy child from this canopybench binary instead of this one")
	flag.StringVar(&canopyCLI, "canopy-cli", "", "create the benchmark account with this canopy binary (of the -canopy-bin build: an older build refuses a newer schema)")
	members := flag.Int("members", 10000, "rd: members to create")
	folders := flag.Int("folders", 1000, "rd: folders to create, depth up to 5")
	perRound := flag.Int("per-round", 200, "rd: calls per figure in one round")
	rdFolders := flag.Int("rd-max-folders", 0, "internal: the canopy child's folder quota")
	rdMembers := flag.Int("rd-max-members", 0, "internal: the canopy child's member quota")
	flag.Parse()
	var err error
	switch *role {
	case "bare":
		err = serveBare(*addr)
	case "canopy":
		err = serveCanopy(*addr, *data, *db, directory.Limits{MaxFolders: *rdFolders, MaxMembers: *rdMembers})
	default:
		switch *scenario {
		case "sts":
			err = driveSTS(*db, *duration, *rounds, *conns)
		case "rd":
			err = driveRD(*db, *rounds, *perRound, *members, *folders)
		case "api":
			err = driveAPI(*db, *duration, *rounds, *conns, *calls)
		case "lookup":
			err = driveLookup(*db, *duration, *rounds, *conns, *events)
		default:
			err = drive(*db, *duration, *rounds, *conns)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "canopybench:", err)
		os.Exit(1)
	}
}

// canopyBin, when set, is the binary that serves the canopy role;
// canopyCLI, the canopy binary of the same build, creates the account.
var canopyBin, canopyCLI string

// child starts this binary in another role and waits until it answers.
func child(role, addr string, extra ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if role == "canopy" && canopyBin != "" {
		self = canopyBin
	}
	cmd := exec.Command(self, append([]string{"-role", role, "-addr", addr}, extra...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return cmd, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("%s server did not start", role)
}

// waitForSignal keeps a child server up until it is told to stop.
func waitForSignal() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
}

// spread is "median (min–max)" of xs, scaled.
func spread(xs []float64, scale float64, format string) string {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return "-"
	}
	f := func(x float64) string { return fmt.Sprintf(format, x*scale) }
	return f(median(s)) + " (" + f(s[0]) + "–" + f(s[len(s)-1]) + ")"
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
