package iam

import (
	"net/netip"
	"testing"

	"github.com/canopy-iam/canopy/internal/policy"
)

func TestSystemCatalogueParses(t *testing.T) {
	required := []string{"AdministratorAccess", "ReadOnlyAccess", "AliyunRAMFullAccess", "AliyunRAMReadOnlyAccess",
		"AliyunSTSAssumeRoleAccess", "AliyunResourceDirectoryFullAccess", "AliyunResourceDirectoryReadOnlyAccess",
		"AliyunActionTrailFullAccess", "AliyunActionTrailReadOnlyAccess"}
	for _, name := range required {
		if _, ok := findSystemPolicy(name); !ok {
			t.Errorf("system policy %s missing", name)
		}
	}
	for i, sp := range systemCatalogue {
		if _, err := policy.Parse(sp.Document, policy.Identity); err != nil {
			t.Errorf("%s does not parse: %v", sp.Name, err)
		}
		if len(sp.Document) > MaxPolicyDocumentLength {
			t.Errorf("%s is longer than a custom policy may be", sp.Name)
		}
		if i > 0 && lookupKey(systemCatalogue[i-1].Name) >= lookupKey(sp.Name) {
			t.Errorf("catalogue not sorted at %s", sp.Name)
		}
	}
	// Found in any case, like every name, with the catalogue's spelling.
	if sp, ok := findSystemPolicy("administratoraccess"); !ok || sp.Name != "AdministratorAccess" {
		t.Errorf("findSystemPolicy(administratoraccess) = %+v, %v", sp, ok)
	}
	if _, ok := findSystemPolicy("AdministratorAccessX"); ok {
		t.Error("findSystemPolicy found a name that is not in the catalogue")
	}
}

// The catalogue's documents mean what their names say.
func TestSystemCatalogueSemantics(t *testing.T) {
	cases := []struct {
		policy, action string
		allow          bool
	}{
		{"AdministratorAccess", "ecs:DeleteInstance", true},
		{"ReadOnlyAccess", "ram:ListUsers", true},
		{"ReadOnlyAccess", "ecs:DescribeInstances", true},
		{"ReadOnlyAccess", "actiontrail:LookupEvents", true},
		{"ReadOnlyAccess", "ram:CreateUser", false},
		{"ReadOnlyAccess", "resourcemanager:CheckAccountDelete", false},
		{"AliyunRAMReadOnlyAccess", "ram:GetUser", true},
		{"AliyunRAMReadOnlyAccess", "ram:DeleteUser", false},
		{"AliyunRAMFullAccess", "ram:DeleteUser", true},
		{"AliyunRAMFullAccess", "sts:AssumeRole", false},
		{"AliyunSTSAssumeRoleAccess", "sts:AssumeRole", true},
		{"AliyunResourceDirectoryFullAccess", "resourcemanager:CreateFolder", true},
		{"AliyunResourceDirectoryReadOnlyAccess", "resourcemanager:CreateFolder", false},
		{"AliyunResourceDirectoryReadOnlyAccess", "resourcemanager:ListAccounts", true},
		{"AliyunActionTrailReadOnlyAccess", "actiontrail:LookupEvents", true},
		{"AliyunActionTrailReadOnlyAccess", "actiontrail:DeleteTrail", false},
		{"AliyunActionTrailFullAccess", "actiontrail:DeleteTrail", true},
	}
	for _, c := range cases {
		sp, _ := findSystemPolicy(c.policy)
		p := policy.MustParse(sp.Document, policy.Identity)
		req := policy.Request{Action: c.action, Resource: "acs:ram::1:user/x",
			Context: &policy.Context{SourceIP: netip.MustParseAddr("127.0.0.1")}}
		if got := p.Evaluate(&req) == policy.Allow; got != c.allow {
			t.Errorf("%s allows %s = %v; want %v", c.policy, c.action, got, c.allow)
		}
	}
}
