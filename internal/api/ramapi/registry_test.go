package ramapi

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// sdkActions lists the actions of an SDK client: the methods M that come
// with an MWithChan variant.
func sdkActions(client any) []string {
	t := reflect.TypeOf(client)
	var out []string
	for i := 0; i < t.NumMethod(); i++ {
		name := t.Method(i).Name
		if _, ok := t.MethodByName(name + "WithChan"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// sampleParams fills every parameter an action may need.
var sampleParams = map[string]string{
	"UserName": "alice", "GroupName": "devs", "RoleName": "ops", "PolicyName": "p1", "PolicyType": "Custom",
	"VirtualMFADeviceName": "phone", "SerialNumber": "acs:ram::1234567890123456:mfa/phone", "UserAccessKeyId": "LTAIx",
	"Status": "Active", "VersionId": "v1", "PolicyDocument": "{}", "AssumeRolePolicyDocument": "{}",
	"AccountAlias": "corp", "AuthenticationCode1": "123456", "AuthenticationCode2": "654321",
	"OldPassword": "a", "NewPassword": "b", "Password": "c",
}

// wantSecrets are the parameters that must never reach the audit trail.
var wantSecrets = map[string][]string{
	"CreateLoginProfile": {"Password"},
	"UpdateLoginProfile": {"Password"},
	"ChangePassword":     {"OldPassword", "NewPassword"},
	"BindMFADevice":      {"AuthenticationCode1", "AuthenticationCode2"},
}

func TestRegistryCoversTheSDKAndDeclaresEveryAction(t *testing.T) {
	r := api.NewRegistry()
	Register(r, iam.New(nil))
	var got []string
	caller := &model.Principal{Kind: model.RAMUser, AccountID: "1234567890123456", UserName: "me"}
	for _, s := range r.Specs() {
		got = append(got, s.Name)
		if s.Product != "Ram" || s.Version != "2015-05-01" || s.RAMAction != "ram:"+s.Name {
			t.Errorf("%s: spec %+v", s.Name, s)
		}
		res, err := r.ResourceFor(s.Version, s.Name, caller, sampleParams)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		if !strings.HasPrefix(res, "acs:ram:") || !strings.Contains(res, caller.AccountID) {
			t.Errorf("%s: resource %q is not a RAM name in the caller's account", s.Name, res)
		}
		for _, secret := range wantSecrets[s.Name] {
			if !contains(s.Secrets, secret) {
				t.Errorf("%s does not declare %s secret", s.Name, secret)
			}
		}
	}
	want := sdkActions(&ram.Client{})
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("registered %d actions:\n%v\nthe SDK has %d:\n%v", len(got), got, len(want), want)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
