package api

import (
	"encoding/json"
	"testing"

	"github.com/canopy-iam/canopy/internal/model"
)

func TestAnswersKeepTheCloudsWrappingAndOrder(t *testing.T) {
	type rec struct{ Name string }
	type page struct {
		IsTruncated bool
		Marker      string `json:",omitempty"`
	}
	for _, c := range []struct {
		v    any
		want string
	}{
		{As("User", func(s string) rec { return rec{s} })("tom"), `{"User":{"Name":"tom"}}`},
		{ListOf("Users", "User", []rec{{"a"}, {"b"}}, page{true, "m"}), `{"IsTruncated":true,"Marker":"m","Users":{"User":[{"Name":"a"},{"Name":"b"}]}}`},
		{ListOf("Users", "User", []rec{}, page{}), `{"IsTruncated":false,"Users":{"User":[]}}`},
		{Listed("Keys", "Key", func(s *string) rec { return rec{*s} })(nil), `{"Keys":{"Key":[]}}`},
		{ListOf("Keys", "Key", []rec{{"<&>"}}, struct{}{}), `{"Keys":{"Key":[{"Name":"\u003c\u0026\u003e"}]}}`},
	} {
		got, err := json.Marshal(c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("got %s, %v; want %s", got, err, c.want)
		}
	}
}

// A stateless action answers from its caller alone: declaring one that
// names a resource, writes or needs a permission is refused at start.
func TestStatelessActionsAreRefusedUnlessPublicReadsOfNothing(t *testing.T) {
	p := &Product{Code: "X", Version: "2000-01-01", Host: "x", Prefix: "x"}
	for name, a := range map[string]Action[struct{}, struct{}]{
		"NotPublic": {Spec: Spec{Name: "NotPublic", Stateless: true}},
		"Writes":    {Spec: Spec{Name: "Writes", Public: true, Write: true, Stateless: true}},
		"Resource": {Spec: Spec{Name: "Resource", Public: true, Stateless: true},
			Resource: func(*model.Principal, *struct{}) string { return "acs:ram::1:user/x" }},
	} {
		a.Products, a.Handle = []*Product{p}, func(*Call, *struct{}) (*struct{}, error) { return nil, nil }
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s registered as stateless", name)
				}
			}()
			Register(NewRegistry(), a)
		}()
	}
}
