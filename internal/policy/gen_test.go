package policy

// Random generation of documents and requests for the differential and
// property tests. Values are drawn from small pools that overlap on purpose,
// so that matches, near misses, absent keys and malformed request values all
// occur often.

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("policy.seed", 0, "seed for the randomized tests (0: a fixed seed plus a time-based one)")

// forEachSeed runs fn with the fixed seed 1 and a fresh time-based seed, or
// only with -policy.seed when given. The seed is in the subtest name so a
// failure can be replayed.
func forEachSeed(t *testing.T, fn func(t *testing.T, g *gen)) {
	seeds := []uint64{1, uint64(time.Now().UnixNano())}
	if *seedFlag != 0 {
		seeds = []uint64{*seedFlag}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("replay with: go test ./internal/policy/ -run '%s' -policy.seed=%d", t.Name(), seed)
				}
			}()
			fn(t, &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))})
		})
	}
}

// iterations scales a case count down under -short.
func iterations(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

type gen struct{ r *rand.Rand }

func (g *gen) chance(p float64) bool              { return g.r.Float64() < p }
func (g *gen) pick(xs []string) string            { return xs[g.r.IntN(len(xs))] }
func (g *gen) between(lo, hi int) int             { return lo + g.r.IntN(hi-lo+1) }
func (g *gen) pickAny(xs []any) any               { return xs[g.r.IntN(len(xs))] }
func (g *gen) shuffle(n int, swap func(i, j int)) { g.r.Shuffle(n, swap) }

var (
	genServices = []string{"ram", "ecs", "sts", "oss", "resourcemanager"}
	genAPIs     = []string{"GetUser", "ListUsers", "CreateUser", "DeleteUser", "GetRole", "AssumeRole",
		"DescribeInstances", "ListPolicies", "AttachPolicyToUser", "UpdateRole"}
	genResources = []string{
		"acs:ram::1111:user/alice", "acs:ram::1111:user/Alice", "acs:ram::1111:user/admin-root",
		"acs:ram::2222:role/team3-dev", "acs:ram::2222:role/team3-prod", "acs:ram::1111:role/ecsadmin",
		"acs:ecs:cn-hangzhou:1111:instance/i-abc123", "acs:oss:*:1111:bucket/data",
		"acs:ram::1111:policy/ReadOnly", "acs:ram::1111:user/日本語", "acs:ram::1111:user/a?b*c",
	}
	genCIDRs  = []string{"10.0.0.0/8", "10.1.2.3", "192.168.0.0/16", "203.0.113.0/24", "2001:db8::/32", "0.0.0.0/0", "::/0", "10.1.2.0/24"}
	genDates  = []string{"2024-01-01", "2024-06-01T12:00:00Z", "2024-06-01T20:00:00+08:00", "2024-06-01T12:00Z", "2024-06-01T12:00:00.5Z", "2023-12-31T23:59:59-01:00"}
	genNumber = []string{"1", "2.5", "-3", "10", "1e2", "0"}
	genTexts  = []string{"alice", "Alice", "ALICE", "acs:ram::1111:user/alice", "acs:ram::1111:user/*", "a*", "*e", "A?ice",
		"日本*", "日?語", "1", "true", "10.1.2.3", "LTAI*", "STS.*", "resourcemanager.aliyuncs.com", "*"}
	// genExtraValues is shared by every Context.Extra key so each operator
	// family sees well-formed and malformed values.
	genExtraValues = []string{"1", "2.5", "-3", "10", "1e2", "abc", "true", "false", "True", "10.1.2.3",
		"192.168.1.1", "::ffff:10.1.2.3", "2024-06-01T12:00:00Z", "2024-01-01", "2024-06-01T20:00:00+08:00",
		"alice", "Alice", "ALICE", "a?c", "", "日本語", "resourcemanager.aliyuncs.com"}
	genSourceIPs = []string{"", "10.1.2.3", "192.168.1.1", "203.0.113.7", "::ffff:10.1.2.3", "2001:db8::5"}
	genTimes     = []string{"", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00.5Z", "2023-12-31T23:59:59Z",
		"2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", "2025-01-01T00:00:00Z"}
	genARNs      = []string{"", "acs:ram::1111:user/alice", "acs:ram::1111:user/Alice", "acs:ram::2222:role/team3-dev"}
	genAccessIDs = []string{"", "LTAI4GFTgcR8m8cZ", "STS.NUgYrLnoC37mZZ"}
)

// condKey describes a condition key: spellings to use in documents, the
// operator families it accepts and where its request value lives.
type condKey struct {
	spellings []string
	families  []string
}

var genCondKeys = []condKey{
	{[]string{"acs:SourceIp", "ACS:SOURCEIP", "acs:sourceip"}, []string{"Ip"}},
	{[]string{"acs:CurrentTime", "acs:currenttime"}, []string{"Date"}},
	{[]string{"acs:SecureTransport"}, []string{"Bool"}},
	{[]string{"acs:MFAPresent", "acs:mfapresent"}, []string{"Bool"}},
	{[]string{"acs:PrincipalARN"}, []string{"String"}},
	{[]string{"acs:AccessId"}, []string{"String"}},
	{[]string{"test:Str", "test:str"}, []string{"String", "Numeric", "Date", "Bool", "Ip"}},
	{[]string{"test:num"}, []string{"Numeric", "String"}},
	{[]string{"test:date"}, []string{"Date"}},
	{[]string{"test:ip"}, []string{"Ip"}},
	{[]string{"test:bool"}, []string{"Bool"}},
	{[]string{"acs:ResourceTag/Env", "ACS:resourcetag/Env", "acs:ResourceTag/env"}, []string{"String"}},
}

// genExtraKeys are the Context.Extra keys requests may carry, normalized.
var genExtraKeys = []string{"test:str", "test:num", "test:date", "test:ip", "test:bool", "acs:resourcetag/Env", "acs:resourcetag/env"}

var genOperators = map[string][]string{
	"String":  {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"},
	"Numeric": {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"},
	"Date":    {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"},
	"Bool":    {"Bool"},
	"Ip":      {"IpAddress", "NotIpAddress"},
}

// wildcard turns s into a pattern that often, but not always, still matches
// s or a neighbour of s.
func (g *gen) wildcard(s string) string {
	units := refUnits(s)
	n := len(units)
	switch g.r.IntN(8) {
	case 0, 1:
		return s
	case 2:
		return "*"
	case 3:
		return strings.Join(units[:g.r.IntN(n+1)], "") + "*"
	case 4:
		return "*" + strings.Join(units[g.r.IntN(n+1):], "")
	case 5:
		a := g.r.IntN(n + 1)
		b := a + g.r.IntN(n-a+1)
		return strings.Join(units[:a], "") + "*" + strings.Join(units[b:], "")
	}
	var out strings.Builder
	for _, u := range units {
		switch {
		case g.chance(0.15):
			out.WriteString("?")
		case g.chance(0.1):
			out.WriteString("*")
		case g.chance(0.05):
			out.WriteString(u + "*")
		default:
			out.WriteString(u)
		}
	}
	if out.Len() == 0 {
		return "*"
	}
	return out.String()
}

func (g *gen) randomCase(s string) string {
	switch g.r.IntN(4) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return strings.ToLower(s)
	case 2:
		b := []byte(s)
		for i := range b {
			if g.chance(0.5) {
				b[i] = lowerByte(b[i])
			} else if 'a' <= b[i] && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
		return string(b)
	}
	return s
}

func (g *gen) actionPattern() string {
	if g.chance(0.05) {
		return "*"
	}
	service := g.pick(genServices)
	if g.chance(0.15) {
		service = g.wildcard(service)
	}
	return g.randomCase(service + ":" + g.wildcard(g.pick(genAPIs)))
}

func (g *gen) resourcePattern() string {
	if g.chance(0.05) {
		return "*"
	}
	return "acs:" + g.wildcard(strings.TrimPrefix(g.pick(genResources), "acs:"))
}

// list returns 1-3 generated strings, as a bare string or an array.
func (g *gen) list(item func() string) any {
	n := g.between(1, 3)
	if n == 1 && g.chance(0.5) {
		return item()
	}
	out := make([]any, n)
	for i := range out {
		out[i] = item()
	}
	return out
}

func (g *gen) listedValue(family string) any {
	switch family {
	case "String":
		if g.chance(0.1) {
			return json.Number(g.pick(genNumber))
		}
		if g.chance(0.05) {
			return g.chance(0.5)
		}
		return g.pick(genTexts)
	case "Numeric":
		if g.chance(0.5) {
			return json.Number(g.pick(genNumber))
		}
		return g.pick(genNumber)
	case "Date":
		return g.pick(genDates)
	case "Bool":
		return g.pickAny([]any{true, false, "true", "false"})
	case "Ip":
		return g.pick(genCIDRs)
	}
	panic("unknown family " + family)
}

func (g *gen) conditionBlock() map[string]any {
	block := map[string]any{}
	for range g.between(1, 3) {
		key := genCondKeys[g.r.IntN(len(genCondKeys))]
		family := g.pick(key.families)
		op := g.pick(genOperators[family])
		if g.chance(0.25) {
			op += "IfExists"
		}
		keys, _ := block[op].(map[string]any)
		if keys == nil {
			keys = map[string]any{}
			block[op] = keys
		}
		n := g.between(1, 3)
		if n == 1 && g.chance(0.5) {
			keys[g.pick(key.spellings)] = g.listedValue(family)
			continue
		}
		values := make([]any, n)
		for i := range values {
			values[i] = g.listedValue(family)
		}
		keys[g.pick(key.spellings)] = values
	}
	return block
}

var (
	genRAMPrincipals = []string{"*", "acs:ram::1111:root", "acs:ram::2222:root", "acs:ram::1111:user/alice",
		"acs:ram::1111:user/Alice", "acs:ram::1111:role/EcsAdmin", "acs:ram::2222:role/team3-dev"}
	genServicePrincipals   = []string{"ecs.aliyuncs.com", "ECS.aliyuncs.com", "resourcemanager.aliyuncs.com", "*"}
	genFederatedPrincipals = []string{"acs:ram::1111:saml-provider/okta", "acs:ram::1111:oidc-provider/gh"}
	genCallers             = []Principal{
		{ARN: "acs:ram::1111:user/alice"}, {AccountID: "1111", ARN: "acs:ram::1111:user/alice"},
		{ARN: "acs:ram::1111:user/ALICE"}, {ARN: "acs:ram::1111:assumed-role/ecsadmin/s1"},
		{ARN: "acs:ram::1111:role/EcsAdmin/s1"}, {ARN: "acs:ram::1111:role/EcsAdmin"},
		{ARN: "acs:ram::2222:role/team3-dev"}, {AccountID: "2222"}, {ARN: "acs:ram::3333:root"},
		{Service: "ecs.aliyuncs.com"}, {Service: "Ecs.Aliyuncs.com", AccountID: "1111"},
		{Federated: "acs:ram::1111:saml-provider/okta"}, {}, {ARN: "garbage"},
		{AccountID: "1111", ARN: "acs:ram::2222:user/alice"}, {ARN: "acs:ram::1111:user/alice/x"},
	}
)

func (g *gen) principal() any {
	if g.chance(0.1) {
		return "*"
	}
	p := map[string]any{}
	for len(p) == 0 {
		if g.chance(0.7) {
			p["RAM"] = g.list(func() string { return g.pick(genRAMPrincipals) })
		}
		if g.chance(0.3) {
			p["Service"] = g.list(func() string { return g.pick(genServicePrincipals) })
		}
		if g.chance(0.2) {
			p["Federated"] = g.list(func() string { return g.pick(genFederatedPrincipals) })
		}
	}
	return p
}

// statement returns a random statement of the given kind. deny forces the
// effect when not nil.
func (g *gen) statement(kind Kind) map[string]any {
	st := map[string]any{"Effect": "Allow"}
	if g.chance(0.3) {
		st["Effect"] = "Deny"
	}
	actionKey := "Action"
	if g.chance(0.2) {
		actionKey = "NotAction"
	}
	if kind == Trust {
		st[actionKey] = g.list(func() string {
			if g.chance(0.6) {
				return g.randomCase("sts:AssumeRole")
			}
			return g.actionPattern()
		})
		st["Principal"] = g.principal()
	} else {
		st[actionKey] = g.list(g.actionPattern)
		resourceKey := "Resource"
		if g.chance(0.2) {
			resourceKey = "NotResource"
		}
		st[resourceKey] = g.list(g.resourcePattern)
	}
	if g.chance(0.5) {
		st["Condition"] = g.conditionBlock()
	}
	if g.chance(0.1) {
		st["Sid"] = "s1"
	}
	return st
}

func (g *gen) statements(kind Kind) []any {
	sts := make([]any, g.between(1, 5))
	for i := range sts {
		sts[i] = g.statement(kind)
	}
	return sts
}

// document renders statements as a policy document.
func (g *gen) document(sts []any) string {
	var body any = sts
	if len(sts) == 1 && g.chance(0.5) {
		body = sts[0]
	}
	doc, err := json.Marshal(map[string]any{"Version": "1", "Statement": body})
	if err != nil {
		panic(err)
	}
	return string(doc)
}

// policies returns n random documents with their parsed forms.
func (g *gen) policies(t *testing.T, kind Kind, n int) ([]string, []*Policy) {
	t.Helper()
	docs := make([]string, n)
	ps := make([]*Policy, n)
	for i := range docs {
		docs[i] = g.document(g.statements(kind))
		ps[i] = mustParseTest(t, docs[i], kind)
	}
	return docs, ps
}

func mustParseTest(t *testing.T, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("generated document rejected: %v\n%s", err, doc)
	}
	return p
}

func (g *gen) requestAction() string {
	switch {
	case g.chance(0.03):
		return ""
	case g.chance(0.03):
		return "ram"
	case g.chance(0.03):
		return "ram:Get:User"
	}
	return g.randomCase(g.pick(genServices) + ":" + g.pick(genAPIs))
}

func (g *gen) request() *Request {
	req := &Request{Action: g.requestAction(), Resource: g.pick(genResources)}
	if g.chance(0.05) {
		req.Resource = ""
	}
	if g.chance(0.1) {
		return req // no context at all
	}
	ctx := &Context{
		SecureTransport: g.chance(0.5),
		MFAPresent:      g.chance(0.5),
		PrincipalARN:    g.pick(genARNs),
		AccessID:        g.pick(genAccessIDs),
	}
	if s := g.pick(genSourceIPs); s != "" {
		ctx.SourceIP = netip.MustParseAddr(s)
	}
	if s := g.pick(genTimes); s != "" {
		ctx.CurrentTime, _ = time.Parse(time.RFC3339Nano, s)
	}
	for _, key := range genExtraKeys {
		for g.chance(0.4) {
			values := make([]string, g.between(0, 3))
			for i := range values {
				values[i] = g.pick(genExtraValues)
			}
			ctx.Extra = append(ctx.Extra, KeyValues{Key: key, Values: values})
		}
	}
	req.Context = ctx
	return req
}

func describeRequest(req *Request) string {
	if req.Context == nil {
		return fmt.Sprintf("%+v", *req)
	}
	return fmt.Sprintf("{Action:%q Resource:%q Context:%+v}", req.Action, req.Resource, *req.Context)
}
