package audit

import (
	"bytes"
	"encoding/json"
	"testing"
)

// requestParameters encode exactly what encoding/json decodes back to the
// same map, whatever the bytes. (Not byte for byte what encoding/json
// writes: \b and \f are written \u0008 and \u000c, as stored records have
// always had them.)
func FuzzParamListRoundTrip(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\n\t\r\b\f", "é€😀", "\xff\xfe", "\u2028\u2029", "<a&b>"} {
		f.Add(s, s+"v")
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		m := map[string]string{k: v, "Other": k}
		raw, err := json.Marshal(map[string]any{"p": sortedParams(m)})
		if err != nil {
			t.Fatal(err)
		}
		var back struct{ P map[string]string }
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		want := map[string]string{}
		for k, v := range m { // what encoding/json itself keeps of invalid UTF-8
			var kk, vv string
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(v)
			json.Unmarshal(kb, &kk)
			json.Unmarshal(vb, &vv)
			want[kk] = vv
		}
		if len(back.P) != len(want) {
			t.Fatalf("%q decoded to %q; want %q", raw, back.P, want)
		}
		for k, v := range want {
			if back.P[k] != v {
				t.Fatalf("%q decoded to %q; want %q", raw, back.P, want)
			}
		}
	})
}

// appendString writes what encoding/json writes, byte for byte, except \b
// and \f, which stored records have always had as \u0008 and \u000c.
func FuzzAppendStringAsEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\n\t\r\b\f", "é€😀", "\xff\xfe", "\u2028\u2029",
		"<a&b>", "a\xe2\x80", "\xe2\x80\xa8x", `\b\f`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		for i := 0; i < len(raw); i++ {
			if raw[i] != '\\' {
				want = append(want, raw[i])
				continue
			}
			switch raw[i+1] {
			case 'b':
				want = append(want, `\u0008`...)
			case 'f':
				want = append(want, `\u000c`...)
			default:
				want = append(want, raw[i], raw[i+1])
			}
			i++
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
