package api

import (
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
)

type tag struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

type sampleInput struct {
	UserName string   `param:"UserName,required"`
	Comments *string  `param:"Comments"`
	Force    *bool    `param:"Force"`
	Max      int      `param:"MaxItems"`
	Limit    *int     `param:"Limit"`
	IDs      []string `param:"ResourceId"`
	Tags     []tag    `param:"Tag"`
}

func bindSample(t *testing.T, m map[string]string) (*sampleInput, error) {
	t.Helper()
	b, err := newBinder(reflect.TypeFor[sampleInput]())
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.bindMap(m)
	if err != nil {
		return nil, err
	}
	return v.(*sampleInput), nil
}

func TestBindTypesListsAndIgnoredExtras(t *testing.T) {
	in, err := bindSample(t, map[string]string{"UserName": "alice", "Comments": "", "Force": "false", "MaxItems": "20",
		"ResourceId.2": "b", "ResourceId.1": "a", "Tag.1.Key": "k", "Tag.1.Value": "v", "AkProxySuffix": "x",
		"Unrelated": "y", "Signature": "s"})
	if err != nil {
		t.Fatal(err)
	}
	if in.UserName != "alice" || in.Comments == nil || *in.Comments != "" || in.Force == nil || *in.Force ||
		in.Max != 20 || !reflect.DeepEqual(in.IDs, []string{"a", "b"}) || !reflect.DeepEqual(in.Tags, []tag{{"k", "v"}}) {
		t.Fatalf("bound %+v", in)
	}
}

func TestBindPlainIntegers(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want int
	}{{"0", 0}, {"5", 5}, {"-5", -5}, {"1000", 1000}, {"2147483647", 2147483647}, {"-2147483648", -2147483648}} {
		in, err := bindSample(t, map[string]string{"UserName": "a", "MaxItems": c.raw, "Limit": c.raw})
		if err != nil {
			t.Fatalf("%q: %v", c.raw, err)
		}
		if in.Max != c.want || in.Limit == nil || *in.Limit != c.want {
			t.Fatalf("%q bound as %d, %v", c.raw, in.Max, in.Limit)
		}
	}
}

func TestBindRefusals(t *testing.T) {
	type refusal struct {
		params map[string]string
		code   string
	}
	cases := map[string]refusal{
		"missing required":   {map[string]string{"MaxItems": "1"}, "MissingParameter.UserName"},
		"empty required":     {map[string]string{"UserName": ""}, "MissingParameter.UserName"},
		"case variant":       {map[string]string{"UserName": "a", "username": "b"}, "InvalidParameter"},
		"bad int":            {map[string]string{"UserName": "a", "MaxItems": "1e3"}, "InvalidParameter.MaxItems"},
		"int overflow":       {map[string]string{"UserName": "a", "MaxItems": "9223372036854775808"}, "InvalidParameter.MaxItems"},
		"bad bool":           {map[string]string{"UserName": "a", "Force": "yes"}, "InvalidParameter.Force"},
		"list gap":           {map[string]string{"UserName": "a", "ResourceId.1": "x", "ResourceId.3": "y"}, "InvalidParameter"},
		"list index zero":    {map[string]string{"UserName": "a", "ResourceId.0": "x"}, "InvalidParameter"},
		"list leading zero":  {map[string]string{"UserName": "a", "ResourceId.01": "x"}, "InvalidParameter"},
		"list without index": {map[string]string{"UserName": "a", "ResourceId": "x"}, "InvalidParameter"},
		"unknown sub-field":  {map[string]string{"UserName": "a", "Tag.1.Colour": "x"}, "InvalidParameter"},
	}
	// Integers are written plainly: no sign '+', spaces or leading zeros,
	// whether the field is an int or an *int.
	for _, raw := range []string{"+5", " 5", "5 ", "05", "00", "-0", "+0", "-05", "5\n", "0x5", "5_0", "", " "} {
		cases["int "+strconv.Quote(raw)] = refusal{map[string]string{"UserName": "a", "MaxItems": raw}, "InvalidParameter.MaxItems"}
		cases["*int "+strconv.Quote(raw)] = refusal{map[string]string{"UserName": "a", "Limit": raw}, "InvalidParameter.Limit"}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := bindSample(t, c.params)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != c.code || e.Kind != apperr.KindInvalid {
				t.Fatalf("got %v; want %s", err, c.code)
			}
		})
	}
}

type sharedParams struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems,required"`
}

type composedInput struct {
	GroupName string `param:"GroupName,required"`
	sharedParams
	Tags []tag `param:"Tag"`
}

// An embedded struct adds its parameters in its place, so two products
// can share a group of parameters.
func TestBindEmbeddedParameterGroups(t *testing.T) {
	b, err := newBinder(reflect.TypeFor[composedInput]())
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.bindMap(map[string]string{"GroupName": "g", "Marker": "m", "MaxItems": "5", "Tag.1.Key": "k"})
	in, _ := v.(*composedInput)
	if err != nil || in.GroupName != "g" || in.Marker != "m" || in.MaxItems == nil || *in.MaxItems != 5 || in.Tags[0].Key != "k" {
		t.Fatalf("bound %+v, %v", in, err)
	}
	if _, err := b.bindMap(map[string]string{"GroupName": "g"}); apperr.As(err).Code != "MissingParameter.MaxItems" {
		t.Errorf("missing embedded required parameter: %v", err)
	}
	var names []string
	for _, f := range b.ordered {
		names = append(names, f.name)
	}
	if !reflect.DeepEqual(names, []string{"GroupName", "Marker", "MaxItems", "Tag"}) {
		t.Errorf("parameters in order %v", names)
	}
	type clash struct {
		sharedParams
		Other string `param:"marker"`
	}
	if _, err := newBinder(reflect.TypeFor[clash]()); err == nil {
		t.Error("a parameter declared twice (ignoring case) was accepted")
	}
}
