package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// driveSTS measures temporary credentials on one Canopy server: signed
// GetUser and GetCallerIdentity with a RAM user's AccessKey against the
// same calls with STS credentials of a role, and AssumeRole itself, in
// interleaved rounds.
func driveSTS(db string, duration time.Duration, rounds, conns int) error {
	data, err := newBenchData(db)
	if err != nil {
		return err
	}
	defer data.remove()
	addr, canopy, err := data.canopy()
	if err != nil {
		return err
	}
	defer stopChild(canopy)
	user, session, roleArn, err := stsSetup(addr, data.root)
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
	n := 0
	cases := []struct {
		name string
		next func() string
	}{
		{"GetUser/key", func() string { return signedCall(addr, user, ram("GetUser", "UserName", "bench")) }},
		{"GetUser/sts", func() string { return signedCall(addr, session, ram("GetUser", "UserName", "bench")) }},
		{"Identity/key", func() string { return signedCall(addr, user, identity) }},
		{"Identity/sts", func() string { return signedCall(addr, session, identity) }},
		{"AssumeRole", func() string {
			n++
			return signedCall(addr, user, url.Values{"Action": {"AssumeRole"}, "Version": {"2015-04-01"},
				"RoleArn": {roleArn}, "RoleSessionName": {fmt.Sprintf("s-%d", n)}})
		}},
	}
	fmt.Printf("canopybench sts: %d connections, %d rounds x %s per call\n", conns, rounds, duration)
	fmt.Printf("%-6s %-13s %12s %10s %10s %8s\n", "round", "call", "req/s", "p50", "p99", "errors")
	rps := map[string][]float64{}
	for r := 1; r <= rounds; r++ {
		for _, c := range cases {
			res := loadURLs(signedBatch(conns, duration, c.next), conns, duration)
			fmt.Printf("%-6d %-13s %12.0f %10s %10s %8d\n", r, c.name, res.rps, res.p50, res.p99, res.errors)
			if res.errors > 0 {
				return fmt.Errorf("%s answered %d requests with an error", c.name, res.errors)
			}
			rps[c.name] = append(rps[c.name], res.rps)
		}
	}
	ratio := func(a, b string) float64 {
		var rs []float64
		for i := range rps[a] {
			rs = append(rs, rps[a][i]/rps[b][i])
		}
		return median(rs)
	}
	fmt.Printf("\nGetUser with STS credentials / with a user's AccessKey: %.1f%% (goal >= 90%%)\n", 100*ratio("GetUser/sts", "GetUser/key"))
	fmt.Printf("GetCallerIdentity with STS credentials / with an AccessKey: %.1f%% (goal >= 90%%)\n", 100*ratio("Identity/sts", "Identity/key"))
	fmt.Printf("AssumeRole / signed GetUser with an AccessKey: %.1f%% (goal >= 50%%)\n", 100*ratio("AssumeRole", "GetUser/key"))
	return nil
}

// stsSetup creates, through the API, a RAM user allowed to read RAM and
// assume roles, a role with read access that trusts the account, and a
// session of that role.
func stsSetup(addr string, root credential) (user, session credential, roleArn string, err error) {
	call := func(c credential, v url.Values) (map[string]any, error) {
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
	ram := func(kv ...string) url.Values {
		v := url.Values{"Version": {"2015-05-01"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	who, err := call(root, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}})
	if err != nil {
		return user, session, "", err
	}
	account := who["AccountId"].(string)
	steps := []url.Values{
		ram("Action", "CreateUser", "UserName", "bench"),
		ram("Action", "AttachPolicyToUser", "UserName", "bench", "PolicyType", "System", "PolicyName", "AliyunSTSAssumeRoleAccess"),
		ram("Action", "AttachPolicyToUser", "UserName", "bench", "PolicyType", "System", "PolicyName", "AliyunRAMReadOnlyAccess"),
		ram("Action", "CreateRole", "RoleName", "bench-role", "MaxSessionDuration", "43200", "AssumeRolePolicyDocument",
			`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::`+account+`:root"]}}]}`),
		ram("Action", "AttachPolicyToRole", "RoleName", "bench-role", "PolicyType", "System", "PolicyName", "AliyunRAMReadOnlyAccess"),
	}
	for _, s := range steps {
		if _, err := call(root, s); err != nil {
			return user, session, "", err
		}
	}
	key, err := call(root, ram("Action", "CreateAccessKey", "UserName", "bench"))
	if err != nil {
		return user, session, "", err
	}
	k := key["AccessKey"].(map[string]any)
	user = credential{id: k["AccessKeyId"].(string), secret: k["AccessKeySecret"].(string)}
	roleArn = "acs:ram::" + account + ":role/bench-role"
	assumed, err := call(user, url.Values{"Action": {"AssumeRole"}, "Version": {"2015-04-01"}, "RoleArn": {roleArn},
		"RoleSessionName": {"bench"}, "DurationSeconds": {"43200"}})
	if err != nil {
		return user, session, "", err
	}
	c := assumed["Credentials"].(map[string]any)
	session = credential{id: c["AccessKeyId"].(string), secret: c["AccessKeySecret"].(string), token: c["SecurityToken"].(string)}
	return user, session, roleArn, nil
}
