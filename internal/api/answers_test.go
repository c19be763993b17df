package api

import (
	"encoding/json"
	"testing"
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
