package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
)

func TestSuccessBodyPutsRequestIDFirst(t *testing.T) {
	body, err := successBody(nil, "RID", struct{ A string }{"x"})
	if err != nil || string(body) != `{"RequestId":"RID","A":"x"}` {
		t.Fatalf("%s %v", body, err)
	}
	body, _ = successBody(nil, "RID", struct{}{})
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

// The answers' own encoder must write what encoding/json wrote through
// them before successBody took the shortcut.
func TestSuccessBodyOfAnswersEqualsEncodingJSON(t *testing.T) {
	type rec struct {
		Name string
		Tags []string `json:",omitempty"`
	}
	type page struct {
		IsTruncated bool
		Marker      string `json:",omitempty"`
	}
	items := []rec{{"a", nil}, {"<&>\u2028é", []string{"x"}}}
	for _, out := range []any{
		&Object[rec]{name: "User", Value: rec{"tom", nil}},
		&Object[struct{}]{name: "Empty"},
		new(NoOutput),
		ptr(ListOf("Users", "User", items, page{true, "m"})),
		ptr(ListOf("Users", "User", []rec{}, page{})),
		ptr(ListOf("Users", "User", []rec(nil), nil)),
		ptr(ListOf("Keys", "Key", items, struct{}{})),
	} {
		got, err := successBody(nil, "RID", out)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := json.Marshal(out)
		var want []byte
		if len(plain) > 2 {
			want = append([]byte(`{"RequestId":"RID",`), plain[1:]...)
		} else {
			want = []byte(`{"RequestId":"RID"}`)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	if _, err := successBody(nil, "RID", (*List[rec])(nil)); err == nil {
		t.Error("a nil answer encoded without an error")
	}
}

func ptr[T any](v T) *T { return &v }

// TestAnswerHeadQuotesAnyRequestID: our ids are copied as they are, any
// other is quoted as JSON.
func TestAnswerHeadQuotesAnyRequestID(t *testing.T) {
	for _, id := range []string{"9B34724D-54B0-4A51-B34D-4512372FE1BE", `a"b\c`, "é\u2028<", ""} {
		want, _ := json.Marshal(id)
		if got := string(answerHead([]byte("x"), id)); got != `x{"RequestId":`+string(want) {
			t.Errorf("%q: %s; want %s", id, got, want)
		}
	}
}
