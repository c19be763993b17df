package policy

import (
	"errors"
	"strings"
	"testing"
)

// System policy documents of ram.md §3.6 and the trust policy example of
// §3.4; all must parse.
var systemPolicyDocs = map[string]string{
	"AdministratorAccess":       `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"AliyunSTSAssumeRoleAccess": `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}`,
	"AliyunResourceDirectoryReadOnlyAccess": `{"Version":"1","Statement":[{"Effect":"Allow",
		"Action":["resourcemanager:Get*","resourcemanager:List*"],"Resource":"*"}]}`,
	"AliyunResourceDirectoryFullAccess": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"resourcemanager:*","Resource":"*"},
		{"Effect":"Allow","Action":"ram:CreateServiceLinkedRole","Resource":"*"}]}`,
	"AliyunRAMFullAccess":     `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*"}]}`,
	"AliyunRAMReadOnlyAccess": `{"Version":"1","Statement":[{"Effect":"Allow","Action":["ram:Get*","ram:List*"],"Resource":"*"}]}`,
	"ReadOnlyAccess": `{"Version":"1","Statement":[{"Effect":"Allow",
		"Action":["*:Describe*","*:Get*","*:List*","*:Query*"],"Resource":"*"}]}`,
	"AliyunServiceRolePolicyForResourceDirectory": `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"ram:CreateServiceLinkedRole","Resource":"*"},
		{"Effect":"Allow","Action":"ram:DeleteServiceLinkedRole","Resource":"*",
		 "Condition":{"StringEquals":{"ram:ServiceName":"resourcemanager.aliyuncs.com"}}}]}`,
	"FullAliyunAccess": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
}

const exampleTrustPolicy = `{ "Statement": [ { "Action": "sts:AssumeRole", "Effect": "Allow",
                   "Principal": { "RAM": ["acs:ram::123456789012****:root"] } } ],
  "Version": "1" }`

func TestParseSystemPolicies(t *testing.T) {
	for name, doc := range systemPolicyDocs {
		p, err := Parse(doc, Identity)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if p.Document() != doc || p.Kind() != Identity || p.StatementCount() == 0 {
			t.Errorf("%s: accessors wrong: kind %v, %d statements", name, p.Kind(), p.StatementCount())
		}
	}
}

func TestParseTrustExample(t *testing.T) {
	// The documented example masks the account ID with '*'; with a real ID
	// it parses.
	if _, err := Parse(exampleTrustPolicy, Trust); err == nil {
		t.Errorf("masked account ID accepted as a principal")
	}
	doc := strings.ReplaceAll(exampleTrustPolicy, "123456789012****", "1234567890123456")
	p, err := Parse(doc, Trust)
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Action: "sts:AssumeRole"}
	if d := p.TrustsPrincipal(req, Principal{ARN: "acs:ram::1234567890123456:user/bob"}); d != Allow {
		t.Errorf("user of the trusted account: %v", d)
	}
	if d := p.TrustsPrincipal(req, Principal{ARN: "acs:ram::6543210987654321:user/bob"}); d != ImplicitDeny {
		t.Errorf("user of another account: %v", d)
	}
}

func TestParseValid(t *testing.T) {
	valid := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"single statement object", Identity, `{"Version":"1","Statement":{"Effect":"Deny","Action":"ram:*","Resource":"*"}}`},
		{"sid", Identity, `{"Version":"1","Statement":[{"Sid":"x","Effect":"Allow","Action":"ram:Get*","Resource":"*"}]}`},
		{"not action not resource", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","NotAction":["ram:*"],"NotResource":["acs:ram::1:user/*"]}]}`},
		{"wildcard service", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"r?m:Get*","Resource":"*"}]}`},
		{"all condition operators", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
			"StringEquals":{"a:b":"x"},"StringNotEquals":{"a:b":["x","y"]},"StringEqualsIgnoreCase":{"a:b":"x"},
			"StringNotEqualsIgnoreCase":{"a:b":"x"},"StringLike":{"a:b":"x*"},"StringNotLike":{"a:b":"?"},
			"NumericEquals":{"a:n":1},"NumericNotEquals":{"a:n":"2"},"NumericLessThan":{"a:n":-1.5},
			"NumericLessThanEquals":{"a:n":1e3},"NumericGreaterThan":{"a:n":"0"},"NumericGreaterThanEquals":{"a:n":[1,2]},
			"DateEquals":{"acs:CurrentTime":"2019-08-12T17:00:00+08:00"},"DateNotEquals":{"acs:CurrentTime":"2019-08-12"},
			"DateLessThan":{"acs:CurrentTime":"2019-08-12T17:00Z"},"DateLessThanEquals":{"acs:CurrentTime":"2019-08-12T17:00:00.123456789Z"},
			"DateGreaterThan":{"acs:CurrentTime":"2019-08-12T17:00:00-05:30"},"DateGreaterThanEquals":{"a:d":"2020-02-29"},
			"Bool":{"acs:SecureTransport":true,"acs:MFAPresent":"false"},
			"IpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.1.1","2001:db8::/32"]},"NotIpAddress":{"acs:SourceIp":"10.1.2.3/8"},
			"StringEqualsIfExists":{"a:b":"x"},"NotIpAddressIfExists":{"a:ip":"::1"},"BoolIfExists":{"a:flag":true}}}]}`},
		{"key case", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"ACS:SOURCEIP":"10.0.0.0/8"}}}]}`},
		{"tag key", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"acs:ResourceTag/Cost Center":"x"}}}]}`},
		{"trust star", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"*"}]}`},
		{"trust kinds", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{
			"RAM":["*","acs:ram::1:root","acs:ram::1:user/alice","acs:ram::1:role/Admin"],
			"Service":["ecs.aliyuncs.com","*"],"Federated":"acs:ram::1:saml-provider/okta"}}]}`},
		{"trust condition", Trust, `{"Version":"1","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::1:root"},
			"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`},
		{"whitespace", Identity, " \n{\"Version\" : \"1\" , \"Statement\" : [ { \"Effect\" : \"Allow\" , \"Action\" : \"*\" , \"Resource\" : \"*\" } ] }\n "},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.doc, tc.kind); err != nil {
				t.Errorf("rejected: %v", err)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	const st = `"Effect":"Allow","Action":"*","Resource":"*"`
	wrap := func(statement string) string { return `{"Version":"1","Statement":[{` + statement + `}]}` }
	cond := func(c string) string { return wrap(st + `,"Condition":` + c) }
	trust := func(principal string) string {
		return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":` + principal + `}]}`
	}
	invalid := []struct {
		name    string
		kind    Kind
		doc     string
		message string // a fragment the error must contain
	}{
		{"not json", Identity, `{"Version":"1",`, "invalid JSON"},
		{"empty", Identity, ``, "invalid JSON"},
		{"array root", Identity, `[]`, "must be a JSON object"},
		{"trailing data", Identity, wrap(st) + `{}`, "after the top-level"},
		{"invalid utf8", Identity, wrap("\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"acs:\xff\""), "UTF-8"},
		{"no version", Identity, `{"Statement":[{` + st + `}]}`, "Version is required"},
		{"version 2", Identity, `{"Version":"2","Statement":[{` + st + `}]}`, `Version must be the string "1"`},
		{"version number", Identity, `{"Version":1,"Statement":[{` + st + `}]}`, `Version must be the string "1"`},
		{"no statement", Identity, `{"Version":"1"}`, "Statement is required"},
		{"empty statement list", Identity, `{"Version":"1","Statement":[]}`, "must not be an empty array"},
		{"statement string", Identity, `{"Version":"1","Statement":"x"}`, "must be an object or an array"},
		{"statement element not object", Identity, `{"Version":"1","Statement":[1]}`, "Statement[0] must be an object"},
		{"unknown top key", Identity, `{"Version":"1","Id":"x","Statement":[{` + st + `}]}`, `unknown top-level key "Id"`},
		{"duplicate top key", Identity, `{"Version":"1","Version":"1","Statement":[{` + st + `}]}`, `duplicate key "Version"`},
		{"duplicate statement key", Identity, wrap(st + `,"Effect":"Deny"`), `duplicate key "Effect"`},
		{"duplicate condition key", Identity, cond(`{"StringEquals":{"a:b":"x","a:b":"y"}}`), `duplicate key "a:b"`},
		{"unknown statement key", Identity, wrap(st + `,"Foo":1`), `unknown key "Foo"`},
		{"lowercase key", Identity, wrap(`"effect":"Allow","Action":"*","Resource":"*"`), `unknown key "effect"`},
		{"no effect", Identity, wrap(`"Action":"*","Resource":"*"`), "Statement[0].Effect is required"},
		{"effect case", Identity, wrap(`"Effect":"allow","Action":"*","Resource":"*"`), `Statement[0].Effect must be "Allow" or "Deny"`},
		{"effect type", Identity, wrap(`"Effect":true,"Action":"*","Resource":"*"`), `Statement[0].Effect must be "Allow" or "Deny"`},
		{"no action", Identity, wrap(`"Effect":"Allow","Resource":"*"`), "exactly one of Action and NotAction"},
		{"action and notaction", Identity, wrap(st + `,"NotAction":"*"`), "exactly one of Action and NotAction"},
		{"empty action list", Identity, wrap(`"Effect":"Allow","Action":[],"Resource":"*"`), "Statement[0].Action must not be an empty array"},
		{"empty action", Identity, wrap(`"Effect":"Allow","Action":"","Resource":"*"`), "must not be an empty string"},
		{"action number", Identity, wrap(`"Effect":"Allow","Action":[1],"Resource":"*"`), "Statement[0].Action[0] must be a string"},
		{"action object", Identity, wrap(`"Effect":"Allow","Action":{},"Resource":"*"`), "must be a string or an array"},
		{"action no colon", Identity, wrap(`"Effect":"Allow","Action":"GetUser","Resource":"*"`), `"<service>:<action>"`},
		{"action empty name", Identity, wrap(`"Effect":"Allow","Action":"ram:","Resource":"*"`), `"<service>:<action>"`},
		{"action space", Identity, wrap(`"Effect":"Allow","Action":["ram:Get*","ram:Get User"],"Resource":"*"`), "Statement[0].Action[1]"},
		{"no resource", Identity, wrap(`"Effect":"Allow","Action":"*"`), "exactly one of Resource and NotResource"},
		{"resource and notresource", Identity, wrap(st + `,"NotResource":"*"`), "exactly one of Resource and NotResource"},
		{"resource not arn", Identity, wrap(`"Effect":"Allow","Action":"*","Resource":"user/alice"`), `must be "*" or start with "acs:"`},
		{"resource control char", Identity, wrap(`"Effect":"Allow","Action":"*","Resource":"acs:\u0001"`), "control character"},
		{"principal in identity", Identity, wrap(st + `,"Principal":"*"`), "only allowed in trust policies"},
		{"resource in trust", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Principal":"*"}]}`, "not allowed in trust policies"},
		{"no principal in trust", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "Principal is required"},
		{"principal string", Trust, trust(`"acs:ram::1:root"`), `must be "*" or an object`},
		{"principal empty", Trust, trust(`{}`), "must not be empty"},
		{"principal unknown type", Trust, trust(`{"AWS":"*"}`), `unknown principal type "AWS"`},
		{"principal empty list", Trust, trust(`{"RAM":[]}`), "must not be an empty array"},
		{"principal bad arn", Trust, trust(`{"RAM":"acs:ram::1:group/x"}`), "RAM principal"},
		{"principal wildcard name", Trust, trust(`{"RAM":"acs:ram::1:user/*"}`), "RAM principal"},
		{"principal bad service", Trust, trust(`{"Service":"ecs aliyuncs"}`), "service principal"},
		{"principal bad federated", Trust, trust(`{"Federated":"acs:ram::1:user/x"}`), "federated principal"},
		{"condition not object", Identity, cond(`[]`), "Condition must be an object"},
		{"condition empty", Identity, cond(`{}`), "Condition must not be empty"},
		{"unknown operator", Identity, cond(`{"StringMatches":{"a:b":"x"}}`), `unknown condition operator "StringMatches"`},
		{"operator case", Identity, cond(`{"stringequals":{"a:b":"x"}}`), "unknown condition operator"},
		{"double ifexists", Identity, cond(`{"BoolIfExistsIfExists":{"a:b":true}}`), "unknown condition operator"},
		{"operator block empty", Identity, cond(`{"StringEquals":{}}`), "must not be empty"},
		{"operator block array", Identity, cond(`{"StringEquals":["x"]}`), "must be an object of condition keys"},
		{"key without service", Identity, cond(`{"StringEquals":{"SourceIp":"x"}}`), `"<service>:<name>"`},
		{"key with space", Identity, cond(`{"StringEquals":{"a:b c":"x"}}`), `"<service>:<name>"`},
		{"empty value list", Identity, cond(`{"StringEquals":{"a:b":[]}}`), "must not be an empty array"},
		{"empty value", Identity, cond(`{"StringEquals":{"a:b":""}}`), "must not be an empty string"},
		{"null value", Identity, cond(`{"StringEquals":{"a:b":null}}`), "must be a string, number or boolean"},
		{"nested value", Identity, cond(`{"StringEquals":{"a:b":[["x"]]}}`), "must be a string, number or boolean"},
		{"object value", Identity, cond(`{"StringEquals":{"a:b":{}}}`), "must be a string, number or boolean"},
		{"bad cidr", Identity, cond(`{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}`), "IP address or CIDR"},
		{"bad ip", Identity, cond(`{"IpAddress":{"acs:SourceIp":["10.0.0.1","10.0.0.256"]}}`), `IpAddress["acs:SourceIp"][1]`},
		{"zoned ip", Identity, cond(`{"IpAddress":{"acs:SourceIp":"fe80::1%eth0"}}`), "IP address or CIDR"},
		{"ip number", Identity, cond(`{"IpAddress":{"a:ip":10}}`), "IP address or CIDR"},
		{"bad date", Identity, cond(`{"DateLessThan":{"acs:CurrentTime":"2019-02-30"}}`), "ISO-8601"},
		{"date without zone", Identity, cond(`{"DateLessThan":{"acs:CurrentTime":"2019-08-12T17:00:00"}}`), "ISO-8601"},
		{"date bad hour", Identity, cond(`{"DateLessThan":{"acs:CurrentTime":"2019-08-12T24:00:00Z"}}`), "ISO-8601"},
		{"date bad offset", Identity, cond(`{"DateLessThan":{"acs:CurrentTime":"2019-08-12T12:00:00+0800"}}`), "ISO-8601"},
		{"date number", Identity, cond(`{"DateLessThan":{"a:d":1565600000}}`), "ISO-8601"},
		{"bad number", Identity, cond(`{"NumericLessThan":{"a:n":"ten"}}`), "needs a number"},
		{"hex number", Identity, cond(`{"NumericLessThan":{"a:n":"0x10"}}`), "needs a number"},
		{"infinite number", Identity, cond(`{"NumericLessThan":{"a:n":1e400}}`), "needs a number"},
		{"bool number", Identity, cond(`{"NumericLessThan":{"a:n":true}}`), "needs a number"},
		{"bad bool", Identity, cond(`{"Bool":{"acs:SecureTransport":"yes"}}`), "Bool needs true or false"},
		{"bool case", Identity, cond(`{"Bool":{"acs:SecureTransport":"TRUE"}}`), "Bool needs true or false"},
		{"bool number", Identity, cond(`{"Bool":{"acs:SecureTransport":1}}`), "Bool needs true or false"},
		{"typed key wrong family", Identity, cond(`{"StringEquals":{"acs:SourceIp":"10.0.0.1"}}`), "is used with IP operators"},
		{"time key wrong family", Identity, cond(`{"NumericLessThan":{"acs:CurrentTime":1}}`), "is used with Date operators"},
		{"sid empty", Identity, wrap(st + `,"Sid":""`), "Sid must be a non-empty string"},
		{"too deep", Identity, `{"Version":"1","Statement":[{` + st + `,"Condition":{"StringEquals":{"a:b":[[[[[["x"]]]]]]}}}]}`, "nested deeper"},
		{"nesting bomb", Identity, strings.Repeat("[", 100000), "nested deeper"},
		{"too many statements", Identity, `{"Version":"1","Statement":[` + strings.Repeat(`{`+st+`},`, MaxStatements) + `{` + st + `}]}`, "at most 1000"},
		{"unknown kind", Kind(9), wrap(st), "unsupported policy kind"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.doc, tc.kind)
			if err == nil {
				t.Fatalf("accepted (%d statements)", p.StatementCount())
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
			}
			if !strings.Contains(se.Msg, tc.message) {
				t.Errorf("message %q does not mention %q", se.Msg, tc.message)
			}
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic on a bad document")
		}
	}()
	MustParse(`{}`, Identity)
}

func TestNormalizeConditionKey(t *testing.T) {
	for in, want := range map[string]string{
		"acs:SourceIp":               "acs:sourceip",
		"ram:ServiceName":            "ram:servicename",
		"acs:ResourceTag/CostCenter": "acs:resourcetag/CostCenter",
		"ACS:RequestTag/a/B":         "acs:requesttag/a/B",
	} {
		if got := NormalizeConditionKey(in); got != want {
			t.Errorf("NormalizeConditionKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	cases := map[string]string{ // input -> instant in UTC, "" when invalid
		"2019-08-12":                      "2019-08-12T00:00:00Z",
		"2019-08-12T17:00:00+08:00":       "2019-08-12T09:00:00Z",
		"2019-08-12T17:00Z":               "2019-08-12T17:00:00Z",
		"2019-08-12T17:00:00.5-01:30":     "2019-08-12T18:30:00.5Z",
		"2019-08-12T17:00:00.123456789Z":  "2019-08-12T17:00:00.123456789Z",
		"2020-02-29":                      "2020-02-29T00:00:00Z",
		"1900-02-29":                      "",
		"2019-13-01":                      "",
		"2019-08-12T17:00:00.Z":           "",
		"2019-08-12T17:00:00.1234567890Z": "",
		"2019-08-12T17:60:00Z":            "",
		"2019-08-12t17:00:00Z":            "",
		"2019-08-12T17:00:00+24:00":       "",
		"2019-8-12":                       "",
		"":                                "",
	}
	for in, want := range cases {
		got, ok := parseDate(in)
		switch {
		case want == "" && ok:
			t.Errorf("parseDate(%q) accepted as %v", in, got)
		case want != "" && (!ok || got.UTC().Format("2006-01-02T15:04:05.999999999Z07:00") != want):
			t.Errorf("parseDate(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
}
