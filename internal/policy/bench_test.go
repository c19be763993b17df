// Policy decision benchmark (performance.md §3) against cedar-go.
//
// Run:
//
//	go test -bench . -benchmem -run '^$' ./internal/policy/
//
// Reading the results: every case has a pair of benchmarks with the same
// last path element, e.g. BenchmarkDecision/ours/AllowLate and
// BenchmarkDecision/cedar/AllowLate. Both evaluate the same 50 statements
// (fixture_test.go) and both build their request input inside the loop, as a
// service would (IP parse plus context struct or record). The ratio for a
// case is ours ns/op divided by cedar ns/op; the goal is ≤ 0.1 on every case
// with 0 allocs/op for ours. BenchmarkDecision/ourslinear/* evaluates the 10
// policies one by one without the service index, to show what the index is
// worth. Because the machine is shared and noisy, compare pairs from the same
// run (use -count to repeat) rather than numbers from different runs.
package policy

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

var (
	sinkDecision Decision
	sinkResult   Result
	sinkCedar    cedar.Decision
)

// oursDecide builds the request and decides with the indexed set.
func oursDecide(set *Set, c *fixtureCase) Decision {
	addr, err := netip.ParseAddr(c.sourceIP)
	if err != nil {
		panic(err)
	}
	ctx := Context{SourceIP: addr}
	req := Request{Action: c.action, Resource: c.resource, Context: &ctx}
	return set.Evaluate(&req)
}

// oursLinearDecide applies the union rule policy by policy, without an index.
func oursLinearDecide(ps []*Policy, c *fixtureCase) Decision {
	addr, err := netip.ParseAddr(c.sourceIP)
	if err != nil {
		panic(err)
	}
	ctx := Context{SourceIP: addr}
	req := Request{Action: c.action, Resource: c.resource, Context: &ctx}
	result := ImplicitDeny
	for _, p := range ps {
		switch p.Evaluate(&req) {
		case ExplicitDeny:
			return ExplicitDeny
		case Allow:
			result = Allow
		}
	}
	return result
}

var (
	cedarPrincipal = cedar.NewEntityUID("User", "alice")
	cedarAction    = cedar.NewEntityUID("Action", "call")
	cedarResource  = cedar.NewEntityUID("Resource", "target")
	cedarEntities  = cedar.EntityMap{}
)

// cedarDecide builds the Cedar request and maps Cedar's answer onto ours: a
// Deny with reasons came from a forbid policy (explicit), a Deny without
// reasons is the default (implicit).
func cedarDecide(ps *cedar.PolicySet, c *fixtureCase) (Decision, error) {
	ip, err := types.ParseIPAddr(c.sourceIP)
	if err != nil {
		return ImplicitDeny, err
	}
	req := cedar.Request{
		Principal: cedarPrincipal,
		Action:    cedarAction,
		Resource:  cedarResource,
		Context: cedar.NewRecord(cedar.RecordMap{
			"action":   cedar.String(c.action),
			"resource": cedar.String(c.resource),
			"sourceIp": ip,
		}),
	}
	d, diag := cedar.Authorize(ps, cedarEntities, req)
	if len(diag.Errors) > 0 {
		return ImplicitDeny, fmt.Errorf("cedar: %v", diag.Errors)
	}
	switch {
	case d == cedar.Allow:
		return Allow, nil
	case len(diag.Reasons) > 0:
		return ExplicitDeny, nil
	}
	return ImplicitDeny, nil
}

func fixtureCedarSet(tb testing.TB) *cedar.PolicySet {
	tb.Helper()
	ps, err := cedar.NewPolicySetFromBytes("fixture.cedar", []byte(fixtureCedar()))
	if err != nil {
		tb.Fatalf("cedar fixture: %v\n%s", err, fixtureCedar())
	}
	return ps
}

func TestEnginesAgree(t *testing.T) {
	policies := fixturePolicies(t)
	set := NewSet(policies...)
	cedarSet := fixtureCedarSet(t)
	if n := len(cedarSet.Map()); n != 50 {
		t.Fatalf("cedar fixture has %d policies, want 50", n)
	}
	for i := range fixtureCases {
		c := &fixtureCases[i]
		ours := oursDecide(set, c)
		linear := oursLinearDecide(policies, c)
		theirs, err := cedarDecide(cedarSet, c)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ref := refEvaluate(fixtureDocuments(), &Request{Action: c.action, Resource: c.resource,
			Context: &Context{SourceIP: netip.MustParseAddr(c.sourceIP)}})
		if ours != c.want || linear != c.want || theirs != c.want || ref != c.want {
			t.Errorf("%s: ours %v, ours linear %v, cedar %v, reference %v; want %v", c.name, ours, linear, theirs, ref, c.want)
		}
	}
}

// TestFixtureShape checks the fixture is what performance.md describes, so
// the benchmark keeps measuring the documented workload.
func TestFixtureShape(t *testing.T) {
	denies := 0
	for _, policy := range fixtureStatements() {
		for _, st := range policy {
			if st.deny {
				denies++
			}
			if len(st.actions) < 2 || len(st.actions) > 3 {
				t.Errorf("statement with %d actions", len(st.actions))
			}
		}
	}
	if denies != 10 {
		t.Errorf("%d Deny statements, want 10", denies)
	}
	// AllowLate must be decided by policy 7 statement 3 alone.
	docs := fixtureDocuments()
	allowLate := &fixtureCases[0]
	req := &Request{Action: allowLate.action, Resource: allowLate.resource,
		Context: &Context{SourceIP: netip.MustParseAddr(allowLate.sourceIP)}}
	for i, doc := range docs {
		want := ImplicitDeny
		if i == 6 {
			want = Allow
		}
		if got := refEvaluate([]string{doc}, req); got != want {
			t.Errorf("AllowLate against policy %d alone: %v, want %v", i+1, got, want)
		}
	}
}

func BenchmarkDecision(b *testing.B) {
	policies := fixturePolicies(b)
	set := NewSet(policies...)
	cedarSet := fixtureCedarSet(b)
	b.Run("ours", func(b *testing.B) {
		for i := range fixtureCases {
			c := &fixtureCases[i]
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sinkDecision = oursDecide(set, c)
				}
			})
		}
	})
	b.Run("ourslinear", func(b *testing.B) {
		for i := range fixtureCases {
			c := &fixtureCases[i]
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sinkDecision = oursLinearDecide(policies, c)
				}
			})
		}
	})
	b.Run("cedar", func(b *testing.B) {
		for i := range fixtureCases {
			c := &fixtureCases[i]
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					d, err := cedarDecide(cedarSet, c)
					if err != nil {
						b.Fatal(err)
					}
					sinkDecision = d
				}
			})
		}
	})
}

// BenchmarkAuthorize is the full decision a RAM request of a role session in
// a Resource Directory member makes: control policy, session policy, identity.
func BenchmarkAuthorize(b *testing.B) {
	set := NewSet(fixturePolicies(b)...)
	guardrails := []Layer{
		{Type: LayerControl, Set: NewSet(MustParse(systemPolicyDocs["FullAliyunAccess"], Identity))},
		{Type: LayerSession, Set: NewSet(MustParse(systemPolicyDocs["AliyunRAMFullAccess"], Identity))},
	}
	identity := Layer{Type: LayerIdentityBased, Set: set}
	for i := range fixtureCases {
		c := &fixtureCases[i]
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				addr, _ := netip.ParseAddr(c.sourceIP)
				ctx := Context{SourceIP: addr}
				req := Request{Action: c.action, Resource: c.resource, Context: &ctx}
				sinkResult = Authorize(&req, guardrails, identity)
			}
		})
	}
}

// BenchmarkCompile measures parsing and compiling the fixture's 10 documents
// into a Set: the cost a cache keyed by policy version saves.
func BenchmarkCompile(b *testing.B) {
	docs := fixtureDocuments()
	b.ReportAllocs()
	for b.Loop() {
		ps := make([]*Policy, len(docs))
		for i, doc := range docs {
			p, err := Parse(doc, Identity)
			if err != nil {
				b.Fatal(err)
			}
			ps[i] = p
		}
		if NewSet(ps...) == nil {
			b.Fatal("nil set")
		}
	}
}
