package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/store"
)

type roundResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
	calls    int64
}

// cpuTime is the CPU time (user + system) process pid has used so far,
// from /proc (Linux; 0 elsewhere). CPU per call is what a call costs the
// server whatever else the machine runs, so it is reported beside the
// rates, which a busy machine moves.
func cpuTime(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// hostIdle is the machine's idle time (idle + iowait, all CPUs) and its
// total time so far, in clock ticks, from /proc/stat (Linux; 0 elsewhere).
// A round's idle share shows whether the server was short of CPU or
// waiting (on its disk, say) while the load generator waited on it.
func hostIdle() (idle, total int64) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return idle, total
}

// idleShare is the idle share of the host between two hostIdle readings.
func idleShare(idle0, total0, idle1, total1 int64) float64 {
	if total1 <= total0 {
		return 0
	}
	return float64(idle1-idle0) / float64(total1-total0)
}

func drive(db string, duration time.Duration, rounds, conns int) error {
	data, err := newBenchData(db)
	if err != nil {
		return err
	}
	defer data.remove()
	id, secret := data.root.id, data.root.secret
	bareAddr, bare, err := bareChild()
	if err != nil {
		return err
	}
	defer stopChild(bare)
	canopyAddr, canopy, err := data.canopy()
	if err != nil {
		return err
	}
	defer stopChild(canopy)

	backend := "SQLite"
	if db != "" {
		backend = "PostgreSQL"
	}
	fmt.Printf("canopybench: %d connections, %d rounds x %s per endpoint, store %s\n", conns, rounds, duration, backend)
	fmt.Printf("%-6s %-8s %12s %10s %10s %8s\n", "round", "endpoint", "req/s", "p50", "p99", "errors")
	var ratios, p99Ratios []float64
	var bareRPS, canopyRPS []float64
	// Warm both up (connections, caches) before measuring.
	load(bareAddr, id, secret, conns, time.Second)
	load(canopyAddr, id, secret, conns, time.Second)
	for r := 1; r <= rounds; r++ {
		b := load(bareAddr, id, secret, conns, duration)
		c := load(canopyAddr, id, secret, conns, duration)
		fmt.Printf("%-6d %-8s %12.0f %10s %10s %8d\n", r, "bare", b.rps, b.p50, b.p99, b.errors)
		fmt.Printf("%-6d %-8s %12.0f %10s %10s %8d\n", r, "canopy", c.rps, c.p50, c.p99, c.errors)
		if c.errors > 0 {
			return fmt.Errorf("canopy answered %d requests with an error", c.errors)
		}
		ratios = append(ratios, c.rps/b.rps)
		p99Ratios = append(p99Ratios, float64(c.p99)/float64(b.p99))
		bareRPS, canopyRPS = append(bareRPS, b.rps), append(canopyRPS, c.rps)
	}
	fmt.Printf("\nmedian: bare %.0f req/s, canopy %.0f req/s\n", median(bareRPS), median(canopyRPS))
	fmt.Printf("throughput ratio canopy/bare: %s (goal >= 70%%)\n", spread(ratios, 100, "%.1f%%"))
	fmt.Printf("p99 ratio canopy/bare:        %s (goal <= 1.5x)\n", spread(p99Ratios, 1, "%.2fx"))
	return nil
}

// benchAccount creates the account whose root key signs every request.
func benchAccount(data, db string) (string, string, error) {
	if canopyCLI != "" {
		args := []string{"account", "create", "--data", data, "--email", fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano()),
			"--real-name", "Bench", "--password", "Bench-Passw0rd", "--access-key", "--output", "json"}
		if db != "" {
			args = append(args, "--db", db)
		}
		out, err := exec.Command(canopyCLI, args...).Output()
		if err != nil {
			return "", "", fmt.Errorf("%s account create: %w", canopyCLI, err)
		}
		var created struct{ AccessKeyId, AccessKeySecret string }
		if err := json.Unmarshal(out, &created); err != nil {
			return "", "", err
		}
		return created.AccessKeyId, created.AccessKeySecret, nil
	}
	ctx := context.Background()
	st, ring, err := app.OpenStore(ctx, app.Config{DataDir: data, DB: db})
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	n := accounts.NewAccount{Email: fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano()), RealName: "Bench",
		Password: "Bench-Passw0rd", AccessKey: true}
	hash, err := accounts.HashPassword(n)
	if err != nil {
		return "", "", err
	}
	var created *accounts.Created
	err = st.Write(ctx, func(tx store.Tx) error {
		created, err = accounts.Create(tx, ring, n, hash, time.Now())
		return err
	})
	if err != nil {
		return "", "", err
	}
	return created.Key.Key.ID, created.Key.Secret, nil
}

// load sends signed GetCallerIdentity requests from conns workers for d.
// Every request has a fresh nonce and is signed before the clock starts, so
// the generator's own cost is the same for both endpoints.
func load(addr, id, secret string, conns int, d time.Duration) roundResult {
	return loadURLs(signedBatch(conns, d, func() string { return signedURL(addr, id, secret) }), conns, d)
}

// loadURLs sends pre-signed requests from conns workers for d.
func loadURLs(perWorker [][]string, conns int, d time.Duration) roundResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var done, failed atomic.Int64
	lat := make([][]time.Duration, conns)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for _, u := range perWorker[w] {
				if time.Now().After(deadline) {
					return
				}
				start := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				lat[w] = append(lat[w], time.Since(start))
				done.Add(1)
			}
		}(w)
	}
	began := time.Now()
	wg.Wait()
	elapsed := time.Since(began)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res := roundResult{rps: float64(done.Load()) / elapsed.Seconds(), errors: failed.Load(), calls: done.Load()}
	if len(all) > 0 {
		res.p50, res.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return res
}

// signedBatch pre-signs enough unique requests for every worker: more than
// the fastest rate measured here could use in d.
func signedBatch(conns int, d time.Duration, next func() string) [][]string {
	perWorker := int(d.Seconds()*70000)/conns + 100
	out := make([][]string, conns)
	for w := range out {
		out[w] = make([]string, perWorker)
		for i := range out[w] {
			out[w][i] = next()
		}
	}
	return out
}

func signedURL(addr, id, secret string) string {
	return signedCall(addr, credential{id: id, secret: secret}, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}})
}

// credential signs requests: a long-term key, or STS credentials.
type credential struct{ id, secret, token string }

// signedCall is a V1-signed GET URL for an action with its parameters.
func signedCall(addr string, c credential, call url.Values) string {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	v := url.Values{"Format": {"JSON"},
		"AccessKeyId": {c.id}, "SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureType": {""},
		"SignatureNonce": {hex.EncodeToString(nonce)}, "RegionId": {"cn-hangzhou"},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}}
	for k, vals := range call {
		v[k] = vals
	}
	if c.token != "" {
		v.Set("SecurityToken", c.token)
	}
	params, _ := signature.ParseQuery(v.Encode())
	v.Set("Signature", signature.SignV1(c.secret, http.MethodGet, params))
	return "http://" + addr + "/?" + v.Encode()
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func stopChild(cmd *exec.Cmd) {
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
	}
}
