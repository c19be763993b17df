package iamapi_test

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/api/imsapi"
	"github.com/canopy-iam/canopy/internal/api/ramapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

const account = "1234567890123456"

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

// sampleParams fills every parameter an action of either product may need.
var sampleParams = map[string]string{
	"UserName": "alice", "UserPrincipalName": "alice@" + account + ".onaliyun.com", "GroupName": "devs",
	"RoleName": "ops", "PolicyName": "p1", "PolicyType": "Custom", "VirtualMFADeviceName": "phone",
	"SerialNumber": "acs:ram::" + account + ":mfa/phone", "UserAccessKeyId": "LTAIx", "Status": "Active",
	"VersionId": "v1", "PolicyDocument": "{}", "AssumeRolePolicyDocument": "{}", "AccountAlias": "corp",
	"DefaultDomainName": "corp.onaliyun.com", "DisplayName": "Alice",
	"AuthenticationCode1": "123456", "AuthenticationCode2": "654321", "OldPassword": "a", "NewPassword": "b", "Password": "c",
}

// namesIMSUser are the IMS actions authorized on the user they name.
var namesIMSUser = map[string]bool{"CreateUser": true, "GetUser": true, "UpdateUser": true, "DeleteUser": true,
	"CreateLoginProfile": true, "GetLoginProfile": true, "UpdateLoginProfile": true, "DeleteLoginProfile": true,
	"CreateAccessKey": true, "UpdateAccessKey": true, "DeleteAccessKey": true, "ListAccessKeys": true,
	"GetAccessKeyLastUsed": true, "BindMFADevice": true, "UnbindMFADevice": true, "GetUserMFAInfo": true,
	"DisableVirtualMFA": true, "ListGroupsForUser": true}

// wantSecrets are the parameters that must never reach the audit trail.
var wantSecrets = map[string][]string{
	"CreateLoginProfile": {"Password"},
	"UpdateLoginProfile": {"Password"},
	"ChangePassword":     {"OldPassword", "NewPassword"},
	"BindMFADevice":      {"AuthenticationCode1", "AuthenticationCode2"},
}

// sensitiveActions create or remove credentials or change who may do what;
// their events carry eventAttributes.SensitiveAction (plus every
// AttachPolicyTo* and DetachPolicyFrom*).
var sensitiveActions = map[string]bool{"CreateAccessKey": true, "UpdateAccessKey": true, "DeleteAccessKey": true,
	"CreateLoginProfile": true, "UpdateLoginProfile": true, "DeleteLoginProfile": true, "ChangePassword": true,
	"CreatePolicyVersion": true, "SetDefaultPolicyVersion": true, "DeletePolicy": true, "DeletePolicyVersion": true,
	"CreateRole": true, "UpdateRole": true, "DeleteRole": true, "DeleteUser": true, "BindMFADevice": true,
	"UnbindMFADevice": true, "DeleteVirtualMFADevice": true, "DisableVirtualMFA": true, "SetSecurityPreference": true,
	"SetPasswordPolicy": true, "AddUserToGroup": true, "RemoveUserFromGroup": true}

func isSensitive(name string) bool {
	return sensitiveActions[name] || strings.HasPrefix(name, "AttachPolicyTo") || strings.HasPrefix(name, "DetachPolicyFrom")
}

// RAM serves every action of its SDK and IMS a subset of its own; each
// needs ram:<Name>, names a resource in the caller's account (an IMS call
// that names a user, that user) and declares its secrets.
func TestRegistryCoversTheSDKsAndDeclaresEveryAction(t *testing.T) {
	r := api.NewRegistry()
	svc := iam.New(nil)
	iamapi.Register(r, svc)
	ramapi.Register(r, svc)
	imsapi.Register(r, svc)
	caller := &model.Principal{Kind: model.RAMUser, AccountID: account, UserName: "me"}
	got := map[string][]string{}
	for _, s := range r.Specs() {
		got[s.Product] = append(got[s.Product], s.Name)
		if p := r.Product(s.Version); p == nil || p.Code != s.Product || s.RAMAction != "ram:"+s.Name {
			t.Errorf("%s %s: spec %+v", s.Product, s.Name, s)
		}
		res, err := r.ResourceFor(s.Version, s.Name, caller, sampleParams)
		if err != nil {
			t.Errorf("%s %s: %v", s.Product, s.Name, err)
			continue
		}
		if !strings.HasPrefix(res, "acs:ram:") || !strings.Contains(res, account) {
			t.Errorf("%s %s: resource %q is not a RAM name in the caller's account", s.Product, s.Name, res)
		}
		if s.Product == "Ims" && namesIMSUser[s.Name] && res != model.UserARN(account, "alice") {
			t.Errorf("IMS %s: resource %q; want the named user", s.Name, res)
		}
		if s.Sensitive != isSensitive(s.Name) {
			t.Errorf("%s %s: sensitive %v; want %v", s.Product, s.Name, s.Sensitive, isSensitive(s.Name))
		}
		for _, secret := range wantSecrets[s.Name] {
			if !slices.Contains(s.Secrets, secret) {
				t.Errorf("%s %s does not declare %s secret", s.Product, s.Name, secret)
			}
		}
	}
	if want := sdkActions(&ram.Client{}); !slices.Equal(got["Ram"], want) {
		t.Errorf("registered %d RAM actions:\n%v\nthe SDK has %d:\n%v", len(got["Ram"]), got["Ram"], len(want), want)
	}
	imsSDK := sdkActions(&ims.Client{})
	for _, name := range got["Ims"] {
		if !slices.Contains(imsSDK, name) {
			t.Errorf("%s is not an action of the IMS SDK", name)
		}
	}
	if len(got["Ims"]) != 39 || len(got) != 2 {
		t.Errorf("registered %d IMS actions and products %v; want 39 IMS actions, RAM and IMS only", len(got["Ims"]), got)
	}
}
