package policy

// The policy decision fixture of performance.md §3: a principal with 10
// attached policies of 5 statements each. Every statement has 2-3 action
// wildcards, one resource wildcard and one IP condition (IpAddress on the 40
// Allow statements, NotIpAddress on the 10 Deny statements). The same
// statements are rendered as RAM documents and as Cedar policies.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const fixtureAccount = "123456789012"

type fixtureStatement struct {
	deny     bool
	actions  []string
	resource string
	cidr     string // IpAddress for Allow, NotIpAddress for Deny
}

type fixtureCase struct {
	name     string
	action   string
	resource string
	sourceIP string
	want     Decision
}

var fixtureCases = []fixtureCase{
	// Only policy 7 statement 3 matches, and every Deny has to be checked.
	{"AllowLate", "ram:GetUser", "acs:ram::" + fixtureAccount + ":user/alice", "10.1.2.3", Allow},
	// The Deny of policy 9 matches; the Allow of policy 2 statement 2 too.
	{"ExplicitDeny", "ram:DeleteUser", "acs:ram::" + fixtureAccount + ":user/admin-root", "10.1.2.3", ExplicitDeny},
	// The AllowLate request from outside 10.0.0.0/8: nothing matches.
	{"ImplicitDeny", "ram:GetUser", "acs:ram::" + fixtureAccount + ":user/alice", "203.0.113.7", ImplicitDeny},
}

// fixtureStatements returns [policy][statement], 0-based: "policy 7,
// statement 3" of the reference is [6][2].
func fixtureStatements() [10][5]fixtureStatement {
	actionSets := [][]string{
		{"ram:Get*", "ram:*Role*"},
		{"ecs:Describe*", "ecs:Start*", "ecs:Stop*"},
		{"ram:List*", "ram:*Policy*"},
		{"oss:Get*", "oss:List*"},
		{"ram:*User*", "ram:Update*", "ram:Create*"},
		{"rds:Describe*", "vpc:Describe*"},
		{"ram:Attach*", "ram:Detach*"},
		{"slb:Describe*", "ecs:*Instance*", "cms:Get*"},
	}
	resourceFor := func(service, name string) string {
		switch service {
		case "ram":
			return "acs:ram::" + fixtureAccount + ":role/" + name
		case "ecs":
			return "acs:ecs:*:" + fixtureAccount + ":instance/" + name
		case "oss":
			return "acs:oss:*:" + fixtureAccount + ":" + name
		}
		return "acs:" + service + ":*:" + fixtureAccount + ":dbinstance/" + name
	}
	denyServices := []string{"ram", "ecs", "oss"}
	var out [10][5]fixtureStatement
	for i := range out {
		for j := range 4 {
			actions := actionSets[(i*4+j)%len(actionSets)]
			service, _, _ := strings.Cut(actions[0], ":")
			out[i][j] = fixtureStatement{
				actions:  actions,
				resource: resourceFor(service, fmt.Sprintf("team%d-*", i)),
				cidr:     "10.0.0.0/8",
			}
		}
		service := denyServices[i%len(denyServices)]
		out[i][4] = fixtureStatement{
			deny:     true,
			actions:  []string{service + ":Delete*", service + ":Detach*"},
			resource: resourceFor(service, "protected-*"),
			cidr:     "192.168.0.0/16",
		}
	}
	out[6][2] = fixtureStatement{
		actions:  []string{"ram:Get*", "ram:List*"},
		resource: "acs:ram::" + fixtureAccount + ":user/al*",
		cidr:     "10.0.0.0/8",
	}
	out[1][1] = fixtureStatement{
		actions:  []string{"ram:Delete*", "ram:Update*"},
		resource: "acs:ram::" + fixtureAccount + ":user/admin-*",
		cidr:     "10.0.0.0/8",
	}
	out[8][4] = fixtureStatement{
		deny:     true,
		actions:  []string{"ram:Delete*", "ram:Remove*"},
		resource: "acs:ram::" + fixtureAccount + ":user/admin-*",
		cidr:     "192.168.0.0/16",
	}
	return out
}

// fixtureDocuments renders the fixture as 10 RAM policy documents.
func fixtureDocuments() []string {
	var docs []string
	for _, policy := range fixtureStatements() {
		var statements []any
		for _, st := range policy {
			effect, operator := "Allow", "IpAddress"
			if st.deny {
				effect, operator = "Deny", "NotIpAddress"
			}
			statements = append(statements, map[string]any{
				"Effect":    effect,
				"Action":    st.actions,
				"Resource":  st.resource,
				"Condition": map[string]any{operator: map[string]any{"acs:SourceIp": st.cidr}},
			})
		}
		doc, err := json.Marshal(map[string]any{"Version": "1", "Statement": statements})
		if err != nil {
			panic(err)
		}
		docs = append(docs, string(doc))
	}
	return docs
}

// fixtureCedar renders the fixture as Cedar, one policy per statement.
// Cedar patterns only know '*', which is all the fixture uses.
func fixtureCedar() string {
	var b strings.Builder
	for _, policy := range fixtureStatements() {
		for _, st := range policy {
			var actions []string
			for _, a := range st.actions {
				actions = append(actions, fmt.Sprintf("context.action like %q", a))
			}
			effect, ip := "permit", fmt.Sprintf("context.sourceIp.isInRange(ip(%q))", st.cidr)
			if st.deny {
				effect, ip = "forbid", "!"+ip
			}
			fmt.Fprintf(&b, "%s (principal, action, resource) when {\n  (%s) &&\n  context.resource like %q &&\n  %s\n};\n",
				effect, strings.Join(actions, " || "), st.resource, ip)
		}
	}
	return b.String()
}

func fixturePolicies(tb testing.TB) []*Policy {
	tb.Helper()
	var ps []*Policy
	for _, doc := range fixtureDocuments() {
		p, err := Parse(doc, Identity)
		if err != nil {
			tb.Fatalf("fixture document rejected: %v\n%s", err, doc)
		}
		ps = append(ps, p)
	}
	return ps
}
