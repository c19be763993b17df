package iam

import (
	"sort"
	"strings"
	"time"
)

// systemPolicy is one read-only policy every account can attach. The
// catalogue lives in code: system policies have no rows, one version (v1)
// and cannot be changed.
type systemPolicy struct {
	Name        string
	Description string
	Document    string
}

// systemVersion is the only version of every system policy.
const systemVersion = "v1"

// catalogueDate is the CreateDate/UpdateDate shown for system policies (the
// real dates are not published; any fixed date keeps listings stable).
var catalogueDate = time.Date(2015, 4, 28, 16, 12, 31, 0, time.UTC)

// The documents follow ram.md §3.6. AdministratorAccess,
// AliyunSTSAssumeRoleAccess, AliyunResourceDirectoryReadOnlyAccess and
// AliyunServiceRolePolicyForResourceDirectory are the published documents;
// the others are the obvious reading of their names (the cloud's exact
// action lists are not published):
//   - ReadOnlyAccess allows the read-like API families of every service:
//     Get*, BatchGet*, List*, Describe*, Query* and Lookup* (ActionTrail's
//     LookupEvents). Check* is left out because some Check calls start work
//     (resourcemanager:CheckAccountDelete).
//   - AliyunResourceDirectoryFullAccess adds to resourcemanager:* the one RAM
//     call the Resource Directory console needs, CreateServiceLinkedRole,
//     limited to the Resource Directory service.
var systemCatalogue = sortedCatalogue([]systemPolicy{
	{
		Name:        "AdministratorAccess",
		Description: "Provides full access to Alibaba Cloud services and resources.",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	},
	{
		Name:        "ReadOnlyAccess",
		Description: "Provides read-only access to Alibaba Cloud services and resources.",
		Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":["*:Get*","*:BatchGet*","*:List*",` +
			`"*:Describe*","*:Query*","*:Lookup*"],"Resource":"*"}]}`,
	},
	{
		Name:        "AliyunRAMFullAccess",
		Description: "Provides full access to Resource Access Management (RAM).",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*"}]}`,
	},
	{
		Name:        "AliyunRAMReadOnlyAccess",
		Description: "Provides read-only access to Resource Access Management (RAM).",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":["ram:Get*","ram:List*"],"Resource":"*"}]}`,
	},
	{
		Name:        "AliyunSTSAssumeRoleAccess",
		Description: "Provides permission to call the AssumeRole operation of Security Token Service (STS).",
		Document:    `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}`,
	},
	{
		Name:        "AliyunResourceDirectoryFullAccess",
		Description: "Provides full access to Resource Directory.",
		Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"resourcemanager:*","Resource":"*"},` +
			`{"Effect":"Allow","Action":"ram:CreateServiceLinkedRole","Resource":"*",` +
			`"Condition":{"StringEquals":{"ram:ServiceName":"resourcemanager.aliyuncs.com"}}}]}`,
	},
	{
		Name:        "AliyunResourceDirectoryReadOnlyAccess",
		Description: "Provides read-only access to Resource Directory.",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":["resourcemanager:Get*","resourcemanager:List*"],"Resource":"*"}]}`,
	},
	{
		Name:        "AliyunActionTrailFullAccess",
		Description: "Provides full access to ActionTrail.",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":"actiontrail:*","Resource":"*"}]}`,
	},
	{
		Name:        "AliyunActionTrailReadOnlyAccess",
		Description: "Provides read-only access to ActionTrail.",
		Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":["actiontrail:Describe*","actiontrail:Get*",` +
			`"actiontrail:List*","actiontrail:LookupEvents"],"Resource":"*"}]}`,
	},
	{
		Name:        "AliyunCloudSSOFullAccess",
		Description: "Provides full access to CloudSSO.",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":"cloudsso:*","Resource":"*"}]}`,
	},
	{
		Name:        "AliyunCloudSSOReadOnlyAccess",
		Description: "Provides read-only access to CloudSSO.",
		Document:    `{"Version":"1","Statement":[{"Effect":"Allow","Action":["cloudsso:Get*","cloudsso:List*"],"Resource":"*"}]}`,
	},
	{
		Name:        "AliyunServiceRolePolicyForResourceDirectory",
		Description: "The policy of the service-linked role of Resource Directory.",
		Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:CreateServiceLinkedRole","Resource":"*"},` +
			`{"Effect":"Allow","Action":"ram:DeleteServiceLinkedRole","Resource":"*",` +
			`"Condition":{"StringEquals":{"ram:ServiceName":"resourcemanager.aliyuncs.com"}}}]}`,
	},
})

// sortedCatalogue orders the catalogue by lookup key, the order of
// ListPolicies (custom policies are ordered the same way).
func sortedCatalogue(ps []systemPolicy) []systemPolicy {
	sort.Slice(ps, func(i, j int) bool { return lookupKey(ps[i].Name) < lookupKey(ps[j].Name) })
	return ps
}

// findSystemPolicy finds a system policy by name, ignoring case, like
// every lookup by name.
func findSystemPolicy(name string) (*systemPolicy, bool) {
	key := lookupKey(name)
	i := sort.Search(len(systemCatalogue), func(i int) bool { return lookupKey(systemCatalogue[i].Name) >= key })
	if i < len(systemCatalogue) && lookupKey(systemCatalogue[i].Name) == key {
		return &systemCatalogue[i], true
	}
	return nil, false
}

// systemPoliciesAfter returns the catalogue entries whose key is after
// the given one (paging).
func systemPoliciesAfter(after string) []systemPolicy {
	i := sort.Search(len(systemCatalogue), func(i int) bool { return strings.Compare(lookupKey(systemCatalogue[i].Name), after) > 0 })
	return systemCatalogue[i:]
}
