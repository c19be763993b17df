package policy

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// fuzzRequests are evaluated against every document the fuzzer gets through
// Parse; they touch every typed key and a few Extra keys.
var fuzzRequests = func() []*Request {
	ctx := &Context{
		SourceIP:        netip.MustParseAddr("10.1.2.3"),
		CurrentTime:     time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
		SecureTransport: true,
		PrincipalARN:    "acs:ram::1111:user/alice",
		AccessID:        "LTAI4GFTgcR8m8cZ",
		Extra: []KeyValues{
			{Key: "ram:servicename", Values: []string{"resourcemanager.aliyuncs.com"}},
			{Key: "a:b", Values: []string{"x", "1", "true", "2024-06-01", "10.0.0.1"}},
			{Key: "sts:externalid", Values: []string{"abc"}},
		},
	}
	return []*Request{
		{Action: "ram:GetUser", Resource: "acs:ram::1111:user/alice", Context: ctx},
		{Action: "sts:AssumeRole", Resource: "acs:ram::1111:role/admin", Context: ctx},
		{Action: "ecs:DescribeInstances", Resource: "acs:ecs:cn-hangzhou:1111:instance/i-1"},
		{Action: "", Resource: "", Context: &Context{}},
	}
}()

var fuzzCallers = []Principal{
	{ARN: "acs:ram::1111:user/alice"},
	{ARN: "acs:ram::1111:assumed-role/admin/s"},
	{Service: "ecs.aliyuncs.com"},
	{AccountID: "2222"},
}

// FuzzParse: Parse never panics, fails only with *SyntaxError, and whatever
// it accepts evaluates without panicking and the same way as the reference.
func FuzzParse(f *testing.F) {
	for _, doc := range systemPolicyDocs {
		f.Add(doc)
	}
	f.Add(strings.ReplaceAll(exampleTrustPolicy, "123456789012****", "1111"))
	f.Add(`{"Version":"1","Statement":{"Effect":"Deny","NotAction":["ram:*","sts:Get?"],"NotResource":"acs:ram::1111:user/*"}}`)
	f.Add(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"IpAddress":{"acs:SourceIp":["10.0.0.0/8","::1"]},"DateLessThanIfExists":{"acs:CurrentTime":"2024-06-01T20:00:00+08:00"},
		"Bool":{"acs:SecureTransport":true},"StringNotLike":{"a:b":["x*","?"]},"NumericGreaterThan":{"a:b":0.5}}}]}`)
	f.Add(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1111:root","acs:ram::1111:role/Admin"],"Service":"ecs.aliyuncs.com"},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`)
	f.Add(`{"Version":"1","Version":"1"}`)
	f.Add(`[[[[[[[[[[[[`)
	f.Add(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} x`)
	f.Add("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"acs:\xff\"}]}")
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 4*MaxDocumentLength {
			return
		}
		for _, kind := range []Kind{Identity, Trust} {
			p, err := Parse(doc, kind)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Msg == "" {
					t.Fatalf("error is not a *SyntaxError with a message: %#v", err)
				}
				continue
			}
			if p.Document() != doc || p.Kind() != kind || p.StatementCount() == 0 {
				t.Fatalf("accessors disagree with the input")
			}
			set := NewSet(p)
			for _, req := range fuzzRequests {
				ours := p.Evaluate(req)
				if set.Evaluate(req) != ours {
					t.Fatalf("Set and Policy disagree on %s", describeRequest(req))
				}
				Authorize(req, []Layer{{Type: LayerControl, Set: set}}, Layer{Type: LayerIdentityBased, Set: set})
				if kind == Identity {
					if want := refEvaluate([]string{doc}, req); ours != want {
						t.Fatalf("Evaluate = %v, reference = %v on %s", ours, want, describeRequest(req))
					}
				}
				for _, caller := range fuzzCallers {
					got := p.TrustsPrincipal(req, caller)
					if kind == Trust {
						if want := refTrusts(doc, req, caller); got != want {
							t.Fatalf("TrustsPrincipal(%+v) = %v, reference = %v on %s", caller, got, want, describeRequest(req))
						}
					}
				}
			}
		}
	})
}
