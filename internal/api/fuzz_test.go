package api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/signature"
)

// FuzzBind: any parameter set binds or is refused with a 4xx, never a
// panic.
func FuzzBind(f *testing.F) {
	for _, seed := range []string{"UserName=a&MaxItems=5", "ResourceId.1=x&ResourceId.3=y", "Tag.1.Key=k&Tag.1.Value=v",
		"username=a&UserName=b", "Force=yes", "MaxItems=99999999999999999999", "Tag.0.Key=x", "ResourceId.01=x"} {
		f.Add(seed)
	}
	b, err := newBinder(reflect.TypeFor[sampleInput]())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query string) {
		params, err := signature.ParseQuery(query)
		if err != nil {
			return
		}
		if _, err := b.bind(params); err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.KindInvalid || e.Code == "" || e.Message == "" {
				t.Fatalf("refusal is not a clear 400: %#v", err)
			}
		}
	})
}

// FuzzJSONToXML: any JSON object renders as well-formed XML.
func FuzzJSONToXML(f *testing.F) {
	for _, seed := range []string{`{"A":"x"}`, `{"L":{"I":[{"N":1},{"N":2}]}}`, `{"-bad key":"<&>","9":null,"é":true}`, `{"E":[]}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var probe map[string]any
		if json.Unmarshal([]byte(doc), &probe) != nil {
			return
		}
		var buf bytes.Buffer
		if err := jsonToXML(&buf, "R", []byte(doc)); err != nil {
			return
		}
		dec := xml.NewDecoder(&buf)
		for {
			_, err := dec.Token()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("malformed XML for %s: %v\n%s", doc, err, buf.String())
			}
		}
	})
}
