package signature

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseQueryDecodes(t *testing.T) {
	cases := []struct {
		raw  string
		want Params
	}{
		{"", nil},
		{"&&", nil},
		{"b=2&a=1", Params{{"a", "1"}, {"b", "2"}}},
		{"SignatureType=&Action=X", Params{{"Action", "X"}, {"SignatureType", ""}}},
		{"flag", Params{{"flag", ""}}},
		{"a=1&&b=2&", Params{{"a", "1"}, {"b", "2"}}},
		{"a=x+y%20z", Params{{"a", "x y z"}}},
		{"a=%2B%2a%7e%7E~", Params{{"a", "+*~~~"}}},
		{"a=b=c", Params{{"a", "b=c"}}},
		{"a;b=1", Params{{"a;b", "1"}}},
		{"Name=%E5%BC%A0%E4%B8%89+%C3%A9", Params{{"Name", "张三 é"}}},
		{"k%2Fx=1&k.x=2", Params{{"k.x", "2"}, {"k/x", "1"}}},
		{"v=line1%0Aline2%09tab", Params{{"v", "line1\nline2\ttab"}}},
		{"%F0%9F%98%80=smile", Params{{"😀", "smile"}}},
	}
	for _, c := range cases {
		got, err := ParseQuery(c.raw)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", c.raw, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseQuery(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
}

func TestParseQueryRejects(t *testing.T) {
	many := strings.Repeat("a=1&", MaxParameters) + "b=2" // names repeat, but the count check comes first
	var distinct strings.Builder
	for i := 0; i <= MaxParameters; i++ {
		distinct.WriteString("k")
		distinct.WriteString(strings.Repeat("x", i%7))
		distinct.WriteString(string(rune('a' + i%26)))
		distinct.WriteString(strings.Repeat("y", i/26))
		distinct.WriteString("=1&")
	}
	cases := []struct {
		name string
		raw  string
		want error
	}{
		{"duplicate", "a=1&b=2&a=3", ErrDuplicateParameter},
		{"duplicate empty values", "a&a=", ErrDuplicateParameter},
		{"duplicate after decoding", "a%41=1&aA=2", ErrDuplicateParameter},
		{"bad hex", "a=%zz", ErrMalformedEncoding},
		{"bad hex in key", "%g1=1", ErrMalformedEncoding},
		{"truncated escape", "a=%4", ErrMalformedEncoding},
		{"lone percent", "a=%", ErrMalformedEncoding},
		{"half escape at end of key", "a%=1", ErrMalformedEncoding},
		{"lone latin-1 byte", "a=%e9", ErrInvalidUTF8},
		{"raw invalid byte", "a=\xff", ErrInvalidUTF8},
		{"overlong slash", "a=%C0%AF", ErrInvalidUTF8},
		{"overlong NUL", "a=%C0%80", ErrInvalidUTF8},
		{"encoded surrogate", "a=%ED%A0%80", ErrInvalidUTF8},
		{"truncated sequence", "a=%E5%BC", ErrInvalidUTF8},
		{"invalid utf8 key", "%e9=1", ErrInvalidUTF8},
		{"NUL in key", "a%00=1", ErrControlCharacter},
		{"NUL in value", "a=x%00", ErrControlCharacter},
		{"CR in key", "a%0D=1", ErrControlCharacter},
		{"LF in key", "a%0A=1", ErrControlCharacter},
		{"DEL in key", "a%7F=1", ErrControlCharacter},
		{"C1 in key", "a%C2%85=1", ErrControlCharacter},
		{"empty key", "=1", ErrEmptyKey},
		{"empty key no value", "a=1&=", ErrEmptyKey},
		{"too many", many, ErrTooManyParameters},
		{"too many distinct", distinct.String(), ErrTooManyParameters},
	}
	for _, c := range cases {
		got, err := ParseQuery(c.raw)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: ParseQuery(%.40q) = %v, %v; want %v", c.name, c.raw, got, err, c.want)
		}
		if got != nil {
			t.Errorf("%s: non-nil Params with an error", c.name)
		}
	}
}

func TestParamErrorNamesTheParameter(t *testing.T) {
	_, err := ParseQuery("Action=A&UserName=x&UserName=y")
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Key != "UserName" || !strings.Contains(err.Error(), `"UserName"`) {
		t.Fatalf("got %v", err)
	}
	_, err = ParseQuery("Comments=%zz")
	if !errors.As(err, &pe) || pe.Key != "Comments" {
		t.Fatalf("got %v", err)
	}
	_, err = ParseQuery(strings.Repeat("k", 1000) + "=1&" + strings.Repeat("k", 1000) + "=2")
	if len(err.Error()) > 200 {
		t.Fatalf("message not bounded: %d bytes", len(err.Error()))
	}
}

func TestParseFormDoesNotAliasBody(t *testing.T) {
	body := []byte("RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr&RoleSessionName=s")
	p, err := ParseForm(body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = 'X'
	}
	if v, _ := p.Get("RoleSessionName"); v != "s" {
		t.Fatalf("value changed with the body: %q", v)
	}
	if v, _ := p.Get("RoleArn"); v != "acs:ram::1:role/r" {
		t.Fatalf("RoleArn = %q", v)
	}
}

func TestGet(t *testing.T) {
	p, err := ParseQuery("c=3&a=1&e=5&b=2&d=&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17&r=18")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range p {
		if v, ok := p.Get(kv.Key); !ok || v != kv.Value {
			t.Errorf("Get(%q) = %q, %v", kv.Key, v, ok)
		}
	}
	for _, missing := range []string{"", "0", "aa", "z", "D", "d "} {
		if v, ok := p.Get(missing); ok {
			t.Errorf("Get(%q) found %q", missing, v)
		}
	}
	if v, ok := p.Get("d"); !ok || v != "" {
		t.Errorf("empty value: %q %v", v, ok)
	}
	if allocs := testing.AllocsPerRun(100, func() { p.Get("k") }); allocs != 0 {
		t.Errorf("Get allocates %v", allocs)
	}
}

func TestMerge(t *testing.T) {
	q, _ := ParseQuery("Action=A&Zeta=z&Mid=m")
	f, _ := ParseForm([]byte("RoleArn=r&Beta=b&Zz=1"))
	got, err := Merge(q, f)
	if err != nil {
		t.Fatal(err)
	}
	want := Params{{"Action", "A"}, {"Beta", "b"}, {"Mid", "m"}, {"RoleArn", "r"}, {"Zeta", "z"}, {"Zz", "1"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Merge = %q", got)
	}
	if got, _ := Merge(q, nil); !reflect.DeepEqual(got, q) {
		t.Fatalf("Merge(q, nil) = %q", got)
	}
	if got, _ := Merge(nil, f); !reflect.DeepEqual(got, f) {
		t.Fatalf("Merge(nil, f) = %q", got)
	}
	dup, _ := ParseForm([]byte("Signature=x"))
	q2, _ := ParseQuery("Action=A&Signature=y")
	if _, err := Merge(q2, dup); !errors.Is(err, ErrDuplicateParameter) || !strings.Contains(err.Error(), "Signature") {
		t.Fatalf("query/form conflict: %v", err)
	}
	big := make(Params, MaxParameters)
	for i := range big {
		big[i].Key = strings.Repeat("a", i+1)
	}
	if _, err := Merge(big, Params{{"b", ""}}); !errors.Is(err, ErrTooManyParameters) {
		t.Fatalf("merged size: %v", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	p := Params{{"Tag.1.Key", "a b"}, {"k/x", "*~+=&%"}, {"z", ""}, {"é", "张三"}}
	enc := p.Encode()
	if enc != "Tag.1.Key=a%20b&k%2Fx=%2A~%2B%3D%26%25&z=&%C3%A9=%E5%BC%A0%E4%B8%89" {
		t.Fatalf("Encode = %s", enc)
	}
	back, err := ParseQuery(enc)
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip = %q, %v", back, err)
	}
}

func TestPercentEncode(t *testing.T) {
	cases := map[string]string{
		"":                     "",
		"AZaz09-_.~":           "AZaz09-_.~",
		"a b":                  "a%20b",
		"a*b":                  "a%2Ab",
		"a+b":                  "a%2Bb",
		"/=&%":                 "%2F%3D%26%25",
		"2016-02-23T12:46:24Z": "2016-02-23T12%3A46%3A24Z",
		"é":                    "%C3%A9",
		"\x00\xff":             "%00%FF",
	}
	for in, want := range cases {
		if got := PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
		if got, want := string(appendDoublyEncoded(nil, in)), PercentEncode(PercentEncode(in)); got != want {
			t.Errorf("appendDoublyEncoded(%q) = %q, want %q", in, got, want)
		}
	}
}
