package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
)

func TestSuccessBodyPutsRequestIDFirst(t *testing.T) {
	body, err := successBody("RID", struct{ A string }{"x"})
	if err != nil || string(body) != `{"RequestId":"RID","A":"x"}` {
		t.Fatalf("%s %v", body, err)
	}
	body, _ = successBody("RID", struct{}{})
	if string(body) != `{"RequestId":"RID"}` {
		t.Fatalf("%s", body)
	}
}

func TestErrorBodyFieldsAreStrings(t *testing.T) {
	e := apperr.New(apperr.KindDenied, "NoPermission", "no")
	e.Denied = &apperr.AccessDenied{AuthAction: "ram:GetUser", NoPermissionType: "ImplicitDeny"}
	var env map[string]any
	if err := json.Unmarshal(errorBody("RID", "ram.aliyuncs.com", e), &env); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
		if _, ok := env[k].(string); !ok {
			t.Errorf("%s is not a string: %v", k, env[k])
		}
	}
	if d, ok := env["AccessDeniedDetail"].(map[string]any); !ok || d["AuthAction"] != "ram:GetUser" {
		t.Errorf("AccessDeniedDetail = %v", env["AccessDeniedDetail"])
	}
	var plain map[string]any
	json.Unmarshal(errorBody("RID", "h", apperr.New(apperr.KindNotFound, "X", "y")), &plain)
	if _, present := plain["AccessDeniedDetail"]; present {
		t.Error("AccessDeniedDetail sent on a non-authorization error")
	}
}

func TestJSONToXMLRepeatsArrayElementsAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	err := jsonToXML(&buf, "ListUsersResponse", []byte(`{"RequestId":"R","Users":{"User":[{"UserName":"a<b"},{"UserName":"c"}]},"IsTruncated":false,"N":3,"Weird key!":null}`))
	want := `<ListUsersResponse><RequestId>R</RequestId><Users><User><UserName>a&lt;b</UserName></User><User><UserName>c</UserName></User></Users><IsTruncated>false</IsTruncated><N>3</N><Weird_key_/></ListUsersResponse>`
	if err != nil || buf.String() != want {
		t.Fatalf("got %s (%v)\nwant %s", buf.String(), err, want)
	}
}
