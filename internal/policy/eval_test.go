package policy

import (
	"net/netip"
	"testing"
	"time"
)

func allowWith(condition string) string {
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + condition + `}]}`
}

func TestEvaluateActionsAndResources(t *testing.T) {
	doc := `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":["ram:Get*","ecs:Describe*"],"Resource":"acs:ram::1:user/*"},
		{"Effect":"Allow","NotAction":"ram:*","Resource":"acs:ecs:*:1:instance/i-?"},
		{"Effect":"Deny","Action":"ram:GetUser","NotResource":["acs:ram::1:user/a*","acs:ram::1:user/b*"]}]}`
	p := mustParseTest(t, doc, Identity)
	set := NewSet(p)
	cases := []struct {
		action, resource string
		want             Decision
	}{
		{"ram:GetUser", "acs:ram::1:user/alice", Allow},
		{"RAM:getuser", "acs:ram::1:user/alice", Allow},              // actions ignore case
		{"ram:GetUser", "acs:ram::1:USER/alice", ExplicitDeny},       // resources do not; NotResource then matches
		{"ram:GetUser", "acs:ram::1:user/carol", ExplicitDeny},       // NotResource
		{"ram:GetRole", "acs:ram::1:user/carol", Allow},              // the Deny names GetUser only
		{"ram:ListUsers", "acs:ram::1:user/alice", ImplicitDeny},     // no Allow
		{"ecs:DescribeInstances", "acs:ecs:*:1:instance/i-1", Allow}, // NotAction ram:*
		{"ecs:DescribeInstances", "acs:ecs:*:1:instance/i-12", ImplicitDeny},
		{"ram:GetUser", "acs:ecs:*:1:instance/i-1", ExplicitDeny},
		{"ramx:GetUser", "acs:ram::1:user/alice", ImplicitDeny},
		{"", "acs:ecs:*:1:instance/i-1", Allow}, // NotAction admits even an empty action
	}
	for _, c := range cases {
		req := &Request{Action: c.action, Resource: c.resource}
		if got := p.Evaluate(req); got != c.want {
			t.Errorf("Policy.Evaluate(%s on %s) = %v, want %v", c.action, c.resource, got, c.want)
		}
		if got := set.Evaluate(req); got != c.want {
			t.Errorf("Set.Evaluate(%s on %s) = %v, want %v", c.action, c.resource, got, c.want)
		}
	}
}

func TestConditionSemantics(t *testing.T) {
	noon := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	full := &Context{
		SourceIP:        netip.MustParseAddr("10.1.2.3"),
		CurrentTime:     noon,
		SecureTransport: true,
		PrincipalARN:    "acs:ram::1:user/alice",
		AccessID:        "LTAI4GFTgcR8m8cZ",
		Extra: []KeyValues{
			{Key: "test:tags", Values: []string{"red", "green"}},
			{Key: "test:n", Values: []string{"5"}},
			{Key: "test:tags", Values: []string{"blue"}}, // same key again: union of values
			{Key: "test:none", Values: nil},              // no values: absent
			{Key: "acs:resourcetag/Env", Values: []string{"prod"}},
		},
	}
	cases := []struct {
		name      string
		condition string
		ctx       *Context
		want      bool
	}{
		{"ip in range", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, full, true},
		{"ip single address", `{"IpAddress":{"acs:SourceIp":"10.1.2.3"}}`, full, true},
		{"ip out of range", `{"IpAddress":{"acs:SourceIp":["192.168.0.0/16","10.1.2.4"]}}`, full, false},
		{"mapped ip", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, &Context{SourceIP: netip.MustParseAddr("::ffff:10.9.9.9")}, true},
		{"mapped cidr", `{"IpAddress":{"acs:SourceIp":"::ffff:10.0.0.0/104"}}`, full, true},
		{"not ip", `{"NotIpAddress":{"acs:SourceIp":"192.168.0.0/16"}}`, full, true},
		{"absent ip", `{"IpAddress":{"acs:SourceIp":"0.0.0.0/0"}}`, &Context{}, false},
		{"absent ip negated", `{"NotIpAddress":{"acs:SourceIp":"0.0.0.0/0"}}`, &Context{}, true},
		{"absent ip if exists", `{"IpAddressIfExists":{"acs:SourceIp":"192.168.0.0/16"}}`, &Context{}, true},
		{"present ip if exists", `{"IpAddressIfExists":{"acs:SourceIp":"192.168.0.0/16"}}`, full, false},
		{"nil context", `{"StringEquals":{"test:tags":"red"}}`, nil, false},
		{"nil context negated", `{"StringNotEquals":{"test:tags":"red"}}`, nil, true},
		{"nil context bool", `{"Bool":{"acs:SecureTransport":"false"}}`, nil, false},
		{"multi value any", `{"StringEquals":{"test:tags":["blue","black"]}}`, full, true},
		{"multi value negated", `{"StringNotEquals":{"test:tags":["black","green"]}}`, full, false},
		{"multi value negated none", `{"StringNotEquals":{"test:tags":["black","white"]}}`, full, true},
		{"key case", `{"StringEquals":{"TEST:Tags":"red"}}`, full, true},
		{"tag key case kept", `{"StringEquals":{"ACS:ResourceTag/Env":"prod"}}`, full, true},
		{"tag key case differs", `{"StringEquals":{"acs:ResourceTag/env":"prod"}}`, full, false},
		{"empty value list is absent", `{"StringEquals":{"test:none":"x"}}`, full, false},
		{"ignore case", `{"StringEqualsIgnoreCase":{"acs:PrincipalARN":"ACS:RAM::1:USER/ALICE"}}`, full, true},
		{"equals is case sensitive", `{"StringEquals":{"acs:PrincipalARN":"acs:ram::1:user/Alice"}}`, full, false},
		{"like", `{"StringLike":{"acs:AccessId":"LTAI*"}}`, full, true},
		{"not like", `{"StringNotLike":{"acs:AccessId":"STS.*"}}`, full, true},
		{"and across keys", `{"StringEquals":{"test:tags":"red","test:n":"6"}}`, full, false},
		{"and across operators", `{"StringEquals":{"test:tags":"red"},"NumericLessThan":{"test:n":6}}`, full, true},
		{"numeric", `{"NumericGreaterThanEquals":{"test:n":"5"}}`, full, true},
		{"numeric malformed request value", `{"NumericEquals":{"test:tags":1}}`, full, false},
		{"numeric not equals malformed", `{"NumericNotEquals":{"test:tags":1}}`, full, true},
		{"date offset", `{"DateEquals":{"acs:CurrentTime":"2024-06-01T20:00:00+08:00"}}`, full, true},
		{"date less", `{"DateLessThan":{"acs:CurrentTime":"2024-06-01T12:00:01Z"}}`, full, true},
		{"date less equal boundary", `{"DateLessThanEquals":{"acs:CurrentTime":"2024-06-01T12:00:00Z"}}`, full, true},
		{"date greater", `{"DateGreaterThan":{"acs:CurrentTime":"2024-06-01"}}`, full, true},
		{"date absent", `{"DateGreaterThan":{"acs:CurrentTime":"2024-06-01"}}`, &Context{}, false},
		{"bool", `{"Bool":{"acs:SecureTransport":true}}`, full, true},
		{"bool false present", `{"Bool":{"acs:MFAPresent":"false"}}`, full, true},
		{"bool both", `{"Bool":{"acs:MFAPresent":[true,false]}}`, full, true},
		{"service name", `{"StringEquals":{"ram:ServiceName":"resourcemanager.aliyuncs.com"}}`,
			&Context{Extra: []KeyValues{{Key: "ram:servicename", Values: []string{"resourcemanager.aliyuncs.com"}}}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParseTest(t, allowWith(c.condition), Identity)
			want := ImplicitDeny
			if c.want {
				want = Allow
			}
			req := &Request{Action: "ram:GetUser", Resource: "acs:ram::1:user/alice", Context: c.ctx}
			if got := p.Evaluate(req); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
			if ref := refEvaluate([]string{p.Document()}, req); ref != want {
				t.Errorf("the reference evaluator says %v, want %v", ref, want)
			}
		})
	}
}

func TestTrustsPrincipal(t *testing.T) {
	doc := `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1111:root","acs:ram::2222:user/bob","acs:ram::2222:role/Deployer"]}},
		{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs.aliyuncs.com"}},
		{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":{"Federated":"acs:ram::1111:saml-provider/okta"}},
		{"Effect":"Deny","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::1111:root"},"Condition":{"Bool":{"acs:MFAPresent":"false"}}}]}`
	p := mustParseTest(t, doc, Trust)
	withMFA := &Request{Action: "sts:AssumeRole", Context: &Context{MFAPresent: true}}
	cases := []struct {
		name   string
		req    *Request
		caller Principal
		want   Decision
	}{
		{"account root admits its user", withMFA, Principal{ARN: "acs:ram::1111:user/alice"}, Allow},
		{"account from AccountID", withMFA, Principal{AccountID: "1111", ARN: "acs:ram::1111:role/x"}, Allow},
		{"deny without MFA", &Request{Action: "sts:AssumeRole", Context: &Context{}}, Principal{ARN: "acs:ram::1111:user/alice"}, ExplicitDeny},
		{"specific user", withMFA, Principal{ARN: "acs:ram::2222:user/bob"}, Allow},
		{"user name case", withMFA, Principal{ARN: "acs:ram::2222:user/Bob"}, ImplicitDeny},
		{"other user", withMFA, Principal{ARN: "acs:ram::2222:user/carol"}, ImplicitDeny},
		{"role name case", withMFA, Principal{ARN: "acs:ram::2222:role/deployer"}, Allow},
		{"role session", withMFA, Principal{ARN: "acs:ram::2222:assumed-role/DEPLOYER/ci"}, Allow},
		{"role session alt form", withMFA, Principal{ARN: "acs:ram::2222:role/Deployer/ci"}, Allow},
		{"same role other account", withMFA, Principal{ARN: "acs:ram::3333:role/Deployer"}, ImplicitDeny},
		{"service", withMFA, Principal{Service: "ECS.aliyuncs.com"}, Allow},
		{"service with account is not RAM", withMFA, Principal{Service: "oss.aliyuncs.com", AccountID: "1111"}, ImplicitDeny},
		{"wrong action", &Request{Action: "sts:AssumeRoleWithSAML"}, Principal{ARN: "acs:ram::2222:user/bob"}, ImplicitDeny},
		{"federated", &Request{Action: "sts:AssumeRoleWithSAML"}, Principal{Federated: "acs:ram::1111:saml-provider/okta"}, Allow},
		{"nobody", withMFA, Principal{}, ImplicitDeny},
	}
	for _, c := range cases {
		if got := p.TrustsPrincipal(c.req, c.caller); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	identity := mustParseTest(t, systemPolicyDocs["AliyunSTSAssumeRoleAccess"], Identity)
	if d := identity.TrustsPrincipal(withMFA, Principal{ARN: "acs:ram::1111:user/alice"}); d != ImplicitDeny {
		t.Errorf("an identity policy used as a trust policy gave %v", d)
	}
	if d := p.Evaluate(withMFA); d != ImplicitDeny {
		t.Errorf("a trust policy used as an identity policy gave %v", d)
	}
	if d := NewSet(p).Evaluate(withMFA); d != ImplicitDeny {
		t.Errorf("a set holding a trust policy gave %v", d)
	}
}

func TestAuthorizeLayers(t *testing.T) {
	allowAll := NewSet(MustParse(systemPolicyDocs["AdministratorAccess"], Identity))
	ramOnly := NewSet(MustParse(systemPolicyDocs["AliyunRAMFullAccess"], Identity))
	denyDelete := NewSet(MustParse(`{"Version":"1","Statement":[{"Effect":"Deny","Action":"ram:Delete*","Resource":"*"}]}`, Identity))
	control := func(s *Set) Layer { return Layer{Type: LayerControl, Set: s} }
	session := func(s *Set) Layer { return Layer{Type: LayerSession, Set: s} }
	identity := func(s *Set) Layer { return Layer{Type: LayerIdentityBased, Set: s} }
	deleteUser := &Request{Action: "ram:DeleteUser", Resource: "acs:ram::1:user/x"}
	runInstances := &Request{Action: "ecs:RunInstances", Resource: "acs:ecs:*:1:instance/x"}
	cases := []struct {
		name       string
		req        *Request
		guardrails []Layer
		identity   Layer
		want       Result
	}{
		{"identity allows", deleteUser, nil, identity(allowAll), Result{Decision: Allow, Layer: IdentityLayer, Statement: StatementRef{0, 0}}},
		{"identity silent", deleteUser, nil, identity(nil), Result{ImplicitDeny, LayerIdentityBased, IdentityLayer, noStatement}},
		{"identity denies", deleteUser, nil, identity(denyDelete), Result{ExplicitDeny, LayerIdentityBased, IdentityLayer, StatementRef{0, 0}}},
		{"guardrails allow", deleteUser, []Layer{control(allowAll), session(ramOnly)}, identity(allowAll), Result{Decision: Allow, Layer: IdentityLayer, Statement: StatementRef{0, 0}}},
		{"session narrows", runInstances, []Layer{control(allowAll), session(ramOnly)}, identity(allowAll), Result{ImplicitDeny, LayerSession, 1, noStatement}},
		{"first silent guardrail reported", runInstances, []Layer{control(ramOnly), session(ramOnly)}, identity(allowAll), Result{ImplicitDeny, LayerControl, 0, noStatement}},
		{"explicit deny beats earlier implicit", deleteUser, []Layer{control(NewSet()), session(denyDelete)}, identity(allowAll), Result{ExplicitDeny, LayerSession, 1, StatementRef{0, 0}}},
		{"identity deny beats guardrail implicit", deleteUser, []Layer{control(NewSet())}, identity(denyDelete), Result{ExplicitDeny, LayerIdentityBased, IdentityLayer, StatementRef{0, 0}}},
		{"guardrail deny first", deleteUser, []Layer{control(denyDelete)}, identity(denyDelete), Result{ExplicitDeny, LayerControl, 0, StatementRef{0, 0}}},
		{"guardrails grant nothing", deleteUser, []Layer{control(allowAll)}, identity(nil), Result{ImplicitDeny, LayerIdentityBased, IdentityLayer, noStatement}},
	}
	for _, c := range cases {
		if got := Authorize(c.req, c.guardrails, c.identity); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestDecideNamesTheStatement(t *testing.T) {
	readOnly := MustParse(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"},{"Effect":"Allow","Action":"ram:Get*","Resource":"*"}]}`, Identity)
	guard := MustParse(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"acs:ram::1:user/boss"}]}`, Identity)
	set := NewSet(readOnly, guard)
	cases := []struct {
		action, resource string
		want             Decision
		ref              StatementRef
	}{
		{"ram:GetUser", "acs:ram::1:user/x", Allow, StatementRef{0, 1}},
		{"ecs:DescribeInstances", "*", Allow, StatementRef{0, 0}},
		{"ram:GetUser", "acs:ram::1:user/boss", ExplicitDeny, StatementRef{1, 1}},
		{"oss:GetObject", "*", ImplicitDeny, noStatement},
	}
	for _, c := range cases {
		d, ref := set.Decide(&Request{Action: c.action, Resource: c.resource})
		if d != c.want || ref != c.ref {
			t.Errorf("%s on %s: got %v %+v, want %v %+v", c.action, c.resource, d, ref, c.want, c.ref)
		}
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{Allow: "Allow", ImplicitDeny: "ImplicitDeny", ExplicitDeny: "ExplicitDeny", 7: "Decision(invalid)"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q, want %q", d, d.String(), want)
		}
	}
	var zero Decision
	if zero != ImplicitDeny {
		t.Error("the zero Decision must fail closed")
	}
}
