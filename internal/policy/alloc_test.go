package policy

// Zero-allocation guarantees of the decision path, on the benchmark fixture
// and on every condition operator family.

import (
	"net/netip"
	"testing"
	"time"
)

func TestDecisionDoesNotAllocate(t *testing.T) {
	set := NewSet(fixturePolicies(t)...)
	guardrails := []Layer{
		{Type: LayerControl, Set: NewSet(MustParse(systemPolicyDocs["FullAliyunAccess"], Identity))},
		{Type: LayerSession, Set: set},
	}
	for i := range fixtureCases {
		c := &fixtureCases[i]
		if a := testing.AllocsPerRun(200, func() { sinkDecision = oursDecide(set, c) }); a != 0 {
			t.Errorf("Set.Evaluate %s: %v allocs per decision", c.name, a)
		}
		a := testing.AllocsPerRun(200, func() {
			addr, _ := netip.ParseAddr(c.sourceIP)
			ctx := Context{SourceIP: addr, Extra: []KeyValues{{Key: "ram:servicename", Values: []string{"x"}}}}
			req := Request{Action: c.action, Resource: c.resource, Context: &ctx}
			sinkResult = Authorize(&req, guardrails, Layer{Type: LayerIdentityBased, Set: set})
		})
		if a != 0 {
			t.Errorf("Authorize %s: %v allocs per decision", c.name, a)
		}
	}
}

// TestConditionsDoNotAllocate covers every operator family on typed and
// Context.Extra keys with well-formed request values.
func TestConditionsDoNotAllocate(t *testing.T) {
	p := MustParse(allowWith(`{
		"IpAddress":{"acs:SourceIp":"10.0.0.0/8","a:ip":["192.168.0.0/16","10.0.0.0/8"]},
		"DateLessThan":{"acs:CurrentTime":"2030-01-01T00:00:00+08:00","a:date":"2030-01-01"},
		"NumericGreaterThan":{"a:n":"1.5"},"Bool":{"acs:SecureTransport":true,"a:flag":"true"},
		"StringLike":{"acs:PrincipalARN":"acs:ram::*:user/a?ice","a:s":"x*z"},
		"StringEqualsIgnoreCase":{"acs:AccessId":"ltai123"},"StringNotEqualsIfExists":{"a:absent":"q"}}`), Identity)
	set := NewSet(p)
	extra := []KeyValues{
		{Key: "a:ip", Values: []string{"10.9.8.7"}}, {Key: "a:date", Values: []string{"2024-06-01T12:00:00+08:00"}},
		{Key: "a:n", Values: []string{"2", "3e1"}}, {Key: "a:flag", Values: []string{"true"}}, {Key: "a:s", Values: []string{"xyz"}},
	}
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	a := testing.AllocsPerRun(200, func() {
		addr, _ := netip.ParseAddr("10.1.2.3")
		ctx := Context{SourceIP: addr, CurrentTime: now, SecureTransport: true,
			PrincipalARN: "acs:ram::1:user/alice", AccessID: "LTAI123", Extra: extra}
		req := Request{Action: "ram:GetUser", Resource: "acs:ram::1:user/alice", Context: &ctx}
		sinkDecision = set.Evaluate(&req)
	})
	if sinkDecision != Allow {
		t.Fatalf("decision %v, want Allow", sinkDecision)
	}
	if a != 0 {
		t.Errorf("%v allocs per decision", a)
	}
}
