package imsapi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

const account = "1234567890123456"

var sampleParams = map[string]string{
	"UserPrincipalName": "alice@" + account + ".onaliyun.com", "GroupName": "devs",
	"VirtualMFADeviceName": "phone", "SerialNumber": "acs:ram::" + account + ":mfa/phone", "UserAccessKeyId": "LTAIx",
	"Status": "Active", "DefaultDomainName": "corp.onaliyun.com", "DisplayName": "Alice",
	"OldPassword": "a", "NewPassword": "b",
}

// namesUser are the actions authorized on the user they name.
var namesUser = map[string]bool{"CreateUser": true, "GetUser": true, "UpdateUser": true, "DeleteUser": true,
	"CreateLoginProfile": true, "GetLoginProfile": true, "UpdateLoginProfile": true, "DeleteLoginProfile": true,
	"CreateAccessKey": true, "UpdateAccessKey": true, "DeleteAccessKey": true, "ListAccessKeys": true,
	"GetAccessKeyLastUsed": true, "BindMFADevice": true, "UnbindMFADevice": true, "GetUserMFAInfo": true,
	"DisableVirtualMFA": true, "ListGroupsForUser": true}

var wantSecrets = map[string][]string{
	"CreateLoginProfile": {"Password"},
	"UpdateLoginProfile": {"Password"},
	"ChangePassword":     {"OldPassword", "NewPassword"},
	"BindMFADevice":      {"AuthenticationCode1", "AuthenticationCode2"},
}

// Every IMS action is a real SDK action, needs ram:<Name> and names a
// resource in the caller's account; a named user is the resource.
func TestRegistryDeclaresEveryAction(t *testing.T) {
	r := api.NewRegistry()
	Register(r, iam.New(nil))
	sdk := reflect.TypeOf(&ims.Client{})
	caller := &model.Principal{Kind: model.RAMUser, AccountID: account, UserName: "me"}
	specs := r.Specs()
	if len(specs) < 35 {
		t.Fatalf("only %d IMS actions registered", len(specs))
	}
	for _, s := range specs {
		if _, ok := sdk.MethodByName(s.Name + "WithChan"); !ok {
			t.Errorf("%s is not an action of the IMS SDK", s.Name)
		}
		if s.Product != "Ims" || s.Version != "2019-08-15" || s.RAMAction != "ram:"+s.Name {
			t.Errorf("%s: spec %+v", s.Name, s)
		}
		res, err := r.ResourceFor(s.Version, s.Name, caller, sampleParams)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		if !strings.HasPrefix(res, "acs:ram:") || !strings.Contains(res, account) {
			t.Errorf("%s: resource %q is not a RAM name in the caller's account", s.Name, res)
		}
		if namesUser[s.Name] && res != model.UserARN(account, "alice") {
			t.Errorf("%s: resource %q; want the named user", s.Name, res)
		}
		for _, secret := range wantSecrets[s.Name] {
			found := false
			for _, d := range s.Secrets {
				found = found || d == secret
			}
			if !found {
				t.Errorf("%s does not declare %s secret", s.Name, secret)
			}
		}
	}
}
