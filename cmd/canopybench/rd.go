package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"time"

	"github.com/canopy-iam/canopy/internal/directory"
)

// driveRD measures the Resource Directory at scale on one Canopy server:
// a RAM administrator creates 1,000 folders (depth up to 5) and 10,000
// members through the API, and at 1,000 and 10,000 members the driver
// times CreateResourceAccount, a ListAccounts page of 100 (first and last),
// MoveAccount and ListAncestors, each beside its baseline measured in the
// same run and interleaved with it: the fsync floor of the data disk, a
// raw keyset page of 100 member rows and a raw primary-key read from the
// same store (the driver opens it with the bare driver).
//
// Every figure is given twice: through the API (a signed, authorized,
// audited HTTP call on one keep-alive connection, one call at a time) and
// in the store (the directory's own call in one transaction of the driver's
// process over the same data, no HTTP, no audit).
func driveRD(db string, rounds, perRound, members, folders int) error {
	if members < 1000 || folders < 10 || rounds < 1 || perRound < 2 {
		return fmt.Errorf("-scenario rd needs -members >= 1000 (pages of 100 at a tenth of them), -folders >= 10, -rounds >= 1, -per-round >= 2")
	}
	data, err := os.MkdirTemp("", "canopybench-rd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	rootID, rootSecret, err := benchAccount(data, db)
	if err != nil {
		return err
	}
	limits := directory.Limits{MaxFolders: folders, MaxMembers: members + members/10 + rounds*perRound}
	addr := freeAddr()
	extra := []string{"-data", data, "-rd-max-folders", strconv.Itoa(limits.MaxFolders), "-rd-max-members", strconv.Itoa(limits.MaxMembers)}
	if db != "" {
		extra = append(extra, "-db", db)
	}
	canopy, err := child("canopy", addr, extra...)
	if err != nil {
		return err
	}
	defer func() {
		if canopy != nil {
			stopChild(canopy)
		}
	}()

	api := &rdAPI{addr: addr, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}}
	root := credential{id: rootID, secret: rootSecret}
	if err := api.setup(root); err != nil {
		return err
	}
	local, err := openRDLocal(data, db, api.account, limits)
	if err != nil {
		return err
	}
	defer local.close()
	floor, err := newFsyncFloor(data)
	if err != nil {
		return err
	}
	defer floor.close()
	raw, err := openRaw(data, db, api.account)
	if err != nil {
		return err
	}
	defer raw.close()

	backend := "SQLite"
	if db != "" {
		backend = "PostgreSQL"
	}
	fmt.Printf("canopybench rd: store %s, %d folders, %d members, %d rounds x %d calls per figure\n", backend, folders, members, rounds, perRound)
	start := time.Now()
	tree, err := api.buildTree(folders)
	if err != nil {
		return err
	}
	fmt.Printf("built %d folders (deepest level %d) in %s\n", len(tree.all), len(tree.levels), time.Since(start).Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(7, 8))
	var createRatios, createAPI, createFsync []float64
	created := 0
	grow := func(to int) error {
		began := time.Now()
		const batch = 1000
		for created < to {
			n := min(batch, to-created)
			api.lat, floor.lat = api.lat[:0], floor.lat[:0]
			for i := 0; i < n; i++ {
				if err := floor.once(); err != nil {
					return err
				}
				if _, err := api.createMember(tree.all[rng.IntN(len(tree.all))], fmt.Sprintf("member %05d", created)); err != nil {
					return err
				}
				created++
			}
			c, f := medianDur(api.lat), medianDur(floor.lat)
			createAPI, createFsync = append(createAPI, micros(c)), append(createFsync, micros(f))
			createRatios = append(createRatios, float64(c)/float64(f))
		}
		fmt.Printf("created %d members in %s\n", created, time.Since(began).Round(time.Millisecond))
		return nil
	}
	var report []string
	for _, at := range []int{members / 10, members} {
		if err := grow(at); err != nil {
			return err
		}
		if path := os.Getenv("CANOPYBENCH_DRIVER_CPUPROFILE"); path != "" && at == members {
			// Profile the driver's side of the last measurement (the
			// in-store calls run here): go tool pprof <binary> <path>.
			if f, err := os.Create(path); err == nil {
				pprof.StartCPUProfile(f)
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
		lines, err := measureRD(api, local, raw, floor, tree, rounds, perRound, at)
		if err != nil {
			return err
		}
		// The in-store writes run with the server stopped: two processes
		// writing one SQLite file wait on each other's locks, which is not
		// what a write costs.
		stopChild(canopy)
		canopy = nil
		move, err := measureMoveInStore(local, floor, tree, rounds, perRound)
		if err != nil {
			return err
		}
		report = append(report, lines...)
		report = append(report, move)
		if at == members {
			create, err := measureCreateInStore(local, floor, tree, rounds, perRound)
			if err != nil {
				return err
			}
			report = append(report, create)
			break
		}
		if canopy, err = child("canopy", addr, extra...); err != nil {
			return err
		}
	}
	fmt.Printf("\nCreateResourceAccount through the API, batches of 1,000 while growing to %d members:\n", members)
	fmt.Printf("  per call %s µs, fsync %s µs, ratio %s (aim <= 3x fsync)\n", spread(createAPI, 1, "%.0f"), spread(createFsync, 1, "%.0f"), spread(createRatios, 1, "%.2fx"))
	for _, l := range report {
		fmt.Println(l)
	}
	return nil
}

// measureRD times the read and move calls at the current size, in rounds;
// each round interleaves every call with its baseline.
func measureRD(api *rdAPI, local *rdLocal, raw *rawStore, floor *fsyncFloor, tree *rdTree, rounds, perRound, size int) ([]string, error) {
	keys, err := local.memberKeys()
	if err != nil {
		return nil, err
	}
	if len(keys) != size {
		return nil, fmt.Errorf("the store holds %d members; want %d", len(keys), size)
	}
	lastPage := size / 100
	lateAfter := "" // keyset bound of the last full page
	if lastPage > 1 {
		lateAfter = keys[(lastPage-1)*100-1]
	}
	deep := tree.levels[len(tree.levels)-1][0]
	mover := keys[len(keys)/2]
	dest := tree.moveTargets()
	type figure struct {
		name string
		run  func(i int) error
	}
	figures := []figure{
		{"raw keyset page of 100, first", func(int) error { return raw.page("") }},
		{"raw keyset page of 100, late", func(int) error { return raw.page(lateAfter) }},
		{"raw primary-key read", func(int) error { return raw.pointRead(deep) }},
		{"fsync", func(int) error { return floor.once() }},
		{"store ListAccounts page 1", func(int) error { return local.listPage(1, 100) }},
		{"store ListAccounts last page", func(int) error { return local.listPage(lastPage, 100) }},
		{"store ListAncestors (depth 5)", func(int) error { return local.ancestors(deep) }},
		{"API ListAccounts page 1", func(int) error { return api.listPage(1, 100) }},
		{"API ListAccounts last page", func(int) error { return api.listPage(lastPage, 100) }},
		{"API ListAncestors (depth 5)", func(int) error { return api.ancestors(deep) }},
		{"API MoveAccount", func(i int) error { return api.move(mover, dest[i%2]) }},
	}
	med := map[string][]float64{}
	for r := 0; r < rounds; r++ {
		lat := make([][]time.Duration, len(figures))
		for i := 0; i < perRound; i++ {
			for j, f := range figures {
				t0 := time.Now()
				if err := f.run(i); err != nil {
					return nil, fmt.Errorf("%s: %w", f.name, err)
				}
				lat[j] = append(lat[j], time.Since(t0))
			}
		}
		for j, f := range figures {
			med[f.name] = append(med[f.name], micros(medianDur(lat[j])))
		}
	}
	ratio := func(a, b string) []float64 {
		out := make([]float64, len(med[a]))
		for i := range out {
			out[i] = med[a][i] / med[b][i]
		}
		return out
	}
	lines := []string{fmt.Sprintf("\nat %d members (median of %d rounds x %d calls; min-max of the round medians):", size, rounds, perRound)}
	for _, f := range figures {
		lines = append(lines, fmt.Sprintf("  %-32s %s µs", f.name, spread(med[f.name], 1, "%.0f")))
	}
	rows := []struct{ name, a, b, aim string }{
		{"store ListAccounts page 1 / raw page", "store ListAccounts page 1", "raw keyset page of 100, first", "aim <= 2x"},
		{"store ListAccounts last page / raw page", "store ListAccounts last page", "raw keyset page of 100, late", "aim <= 2x"},
		{"API ListAccounts page 1 / raw page", "API ListAccounts page 1", "raw keyset page of 100, first", "aim <= 2x"},
		{"API ListAccounts last page / raw page", "API ListAccounts last page", "raw keyset page of 100, late", "aim <= 2x"},
		{"store ListAncestors / raw PK read", "store ListAncestors (depth 5)", "raw primary-key read", "aim <= 1.2x"},
		{"API ListAncestors / raw PK read", "API ListAncestors (depth 5)", "raw primary-key read", "aim <= 1.2x"},
		{"API MoveAccount / fsync", "API MoveAccount", "fsync", "for context"},
	}
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("  %-40s %s (%s)", r.name, spread(ratio(r.a, r.b), 1, "%.2fx"), r.aim))
	}
	return lines, nil
}

// measureMoveInStore times the directory's MoveAccount alone (one durable
// transaction, no HTTP, no audit) beside the fsync floor, interleaved.
func measureMoveInStore(local *rdLocal, floor *fsyncFloor, tree *rdTree, rounds, perRound int) (string, error) {
	keys, err := local.memberKeys()
	if err != nil {
		return "", err
	}
	mover, dest := keys[len(keys)/3], tree.moveTargets()
	var m, f, r []float64
	for round := 0; round < rounds; round++ {
		var ms, fs []time.Duration
		for i := 0; i < perRound; i++ {
			t0 := time.Now()
			if err := floor.once(); err != nil {
				return "", err
			}
			t1 := time.Now()
			if err := local.move(mover, dest[i%2]); err != nil {
				return "", err
			}
			fs, ms = append(fs, t1.Sub(t0)), append(ms, time.Since(t1))
		}
		m, f = append(m, micros(medianDur(ms))), append(f, micros(medianDur(fs)))
		r = append(r, float64(medianDur(ms))/float64(medianDur(fs)))
	}
	return fmt.Sprintf("  %-32s %s µs, fsync %s µs (server stopped)\n  %-40s %s (for context)",
		"store MoveAccount", spread(m, 1, "%.0f"), spread(f, 1, "%.0f"), "store MoveAccount / fsync", spread(r, 1, "%.2fx")), nil
}

// measureCreateInStore times the directory's CreateResourceAccount alone:
// one durable transaction (member, account, names, membership, role and
// its attachment) without HTTP or audit, beside the fsync floor.
func measureCreateInStore(local *rdLocal, floor *fsyncFloor, tree *rdTree, rounds, perRound int) (string, error) {
	var c, f, r []float64
	n := 0
	for round := 0; round < rounds; round++ {
		var cs, fs []time.Duration
		for i := 0; i < perRound; i++ {
			t0 := time.Now()
			if err := floor.once(); err != nil {
				return "", err
			}
			t1 := time.Now()
			if err := local.create(tree.all[n%len(tree.all)], fmt.Sprintf("in-store %05d", n)); err != nil {
				return "", err
			}
			t2 := time.Now()
			n++
			fs, cs = append(fs, t1.Sub(t0)), append(cs, t2.Sub(t1))
		}
		c, f = append(c, micros(medianDur(cs))), append(f, micros(medianDur(fs)))
		r = append(r, float64(medianDur(cs))/float64(medianDur(fs)))
	}
	return fmt.Sprintf("\nCreateResourceAccount in the store (no HTTP, no audit, server stopped), %d rounds x %d:\n  per call %s µs, fsync %s µs, ratio %s",
		rounds, perRound, spread(c, 1, "%.0f"), spread(f, 1, "%.0f"), spread(r, 1, "%.2fx")), nil
}

// spread formats the median and the min-max of xs.
func medianDur(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
