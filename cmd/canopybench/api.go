package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// driveAPI measures, beside the bare handler and in interleaved rounds,
// root GetCallerIdentity, a RAM user's GetUser (authorized by a read-only
// policy, so it reads the user and decides) and its ListUsers returning a
// page of 100 of the account's 150 users.
func driveAPI(db string, duration time.Duration, rounds, conns int, only string) error {
	data, err := newBenchData(db)
	if err != nil {
		return err
	}
	defer data.remove()
	root := data.root
	bareAddr, bare, err := bareChild()
	if err != nil {
		return err
	}
	defer stopChild(bare)
	addr, canopy, err := data.canopy()
	if err != nil {
		return err
	}
	defer stopChild(canopy)
	user, err := apiSetup(addr, root)
	if err != nil {
		return err
	}
	ram := func(action string, kv ...string) url.Values {
		v := url.Values{"Action": {action}, "Version": {"2015-05-01"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	identity := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}}
	cases := []apiCase{
		// The bare handler gets the same signed URLs, which it ignores.
		{"bare", func() string { return signedCall(bareAddr, root, identity) }},
		{"Identity", func() string { return signedCall(addr, root, identity) }},
		{"GetUser", func() string { return signedCall(addr, user, ram("GetUser", "UserName", "bench")) }},
		{"ListUsers", func() string { return signedCall(addr, user, ram("ListUsers", "MaxItems", "100")) }},
	}
	if only != "" {
		chosen := strings.Split(only, ",")
		cases = slices.DeleteFunc(cases, func(c apiCase) bool { return c.name != "bare" && !slices.Contains(chosen, c.name) })
	}
	fmt.Printf("canopybench api: %d connections, %d rounds x %s per call, store %s\n", conns, rounds, duration, storeName(db))
	// cpu/call is the server's; driver/call the load generator's, which
	// shares the machine; idle is the host's idle share in the round.
	fmt.Printf("%-6s %-10s %12s %10s %10s %8s %10s %12s %6s\n", "round", "call", "req/s", "p50", "p99", "errors", "cpu/call",
		"driver/call", "idle")
	for _, c := range cases { // warm up connections and caches
		loadURLs(signedBatch(conns, time.Second, c.next), conns, time.Second)
	}
	rps, p99, cpu := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	for r := 1; r <= rounds; r++ {
		var bareRes roundResult
		for _, c := range cases {
			pid := canopy.Process.Pid
			if c.name == "bare" {
				pid = bare.Process.Pid
			}
			urls := signedBatch(conns, duration, c.next)
			before, driverBefore := cpuTime(pid), cpuTime(os.Getpid())
			idle0, total0 := hostIdle()
			res := loadURLs(urls, conns, duration)
			idle1, total1 := hostIdle()
			calls := float64(max(res.calls, 1))
			perCall := float64(cpuTime(pid)-before) / float64(time.Microsecond) / calls
			driverPerCall := float64(cpuTime(os.Getpid())-driverBefore) / float64(time.Microsecond) / calls
			cpu[c.name] = append(cpu[c.name], perCall)
			fmt.Printf("%-6d %-10s %12.0f %10s %10s %8d %8.1fµs %10.1fµs %5.1f%%\n", r, c.name, res.rps, res.p50, res.p99,
				res.errors, perCall, driverPerCall, 100*idleShare(idle0, total0, idle1, total1))
			if res.errors > 0 {
				return fmt.Errorf("%s answered %d requests with an error", c.name, res.errors)
			}
			if c.name == "bare" {
				bareRes = res
				continue
			}
			rps[c.name] = append(rps[c.name], res.rps/bareRes.rps)
			p99[c.name] = append(p99[c.name], float64(res.p99)/float64(bareRes.p99))
		}
	}
	fmt.Println()
	fmt.Printf("bare server CPU per call: %s\n", spread(cpu["bare"], 1, "%.1fµs"))
	for _, c := range []struct{ name, goal string }{{"Identity", ">= 70%, p99 <= 1.5x"}, {"GetUser", ">= 65%"}, {"ListUsers", ">= 25%"}} {
		if len(rps[c.name]) == 0 {
			continue
		}
		fmt.Printf("%-9s / bare: %s, p99 %s (goal %s); server CPU per call %s\n", c.name, spread(rps[c.name], 100, "%.1f%%"),
			spread(p99[c.name], 1, "%.2fx"), c.goal, spread(cpu[c.name], 1, "%.1fµs"))
	}
	return nil
}

// apiCase is one measured call: next signs the URL of its next request.
type apiCase struct {
	name string
	next func() string
}

func storeName(db string) string {
	if db != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// apiCall sends one signed call and decodes its JSON answer.
func apiCall(addr string, c credential, v url.Values) (map[string]any, error) {
	resp, err := http.Get(signedCall(addr, c, v))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %d %s", v.Get("Action"), resp.StatusCode, body)
	}
	var out map[string]any
	return out, json.Unmarshal(body, &out)
}

// apiSetup creates 150 users, one of them "bench" with a read-only policy
// and an AccessKey, which it returns.
func apiSetup(addr string, root credential) (credential, error) {
	ram := func(kv ...string) url.Values {
		v := url.Values{"Version": {"2015-05-01"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	steps := []url.Values{
		ram("Action", "CreateUser", "UserName", "bench"),
		ram("Action", "AttachPolicyToUser", "UserName", "bench", "PolicyType", "System", "PolicyName", "AliyunRAMReadOnlyAccess"),
	}
	for i := range 149 {
		steps = append(steps, ram("Action", "CreateUser", "UserName", fmt.Sprintf("user-%03d", i), "DisplayName", fmt.Sprintf("User %d", i),
			"Email", fmt.Sprintf("user-%03d@example.com", i), "Comments", "created by canopybench"))
	}
	for _, s := range steps {
		if _, err := apiCall(addr, root, s); err != nil {
			return credential{}, err
		}
	}
	key, err := apiCall(addr, root, ram("Action", "CreateAccessKey", "UserName", "bench"))
	if err != nil {
		return credential{}, err
	}
	k := key["AccessKey"].(map[string]any)
	return credential{id: k["AccessKeyId"].(string), secret: k["AccessKeySecret"].(string)}, nil
}
