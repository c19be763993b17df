package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// compactSamples are stored events of every shape a record takes: a
// session, parameters, a response, a refusal, a sensitive write, a
// truncated attempt.
func compactSamples() [][]byte {
	user := &model.Principal{Kind: model.RAMUser, AccountID: "1", UserName: "tom", UserID: "2", AccessKeyID: "LTAIuser"}
	session := &model.Principal{Kind: model.AssumedRole, AccountID: "3", AccessKeyID: "STS.x",
		Session: &model.Session{RoleName: "admin", RoleID: "4", SessionName: "s", Issued: time.Unix(1e9, 0),
			Source: model.SourceIdentity{Type: "ram-user", AccountID: "1", PrincipalID: "2", ARN: "acs:ram::1:user/tom"}}}
	var out [][]byte
	for _, c := range []*Call{
		{RequestID: "r1", Time: time.Unix(1.7e9, 0), Action: "GetCallerIdentity", Caller: session, Scheme: "https"},
		{RequestID: "r2", Action: "CreateUser", Write: true, Sensitive: true, Caller: user, Resource: "acs:ram::1:user/bob",
			Params: map[string]string{"UserName": "bob", "Comments": "é\"<"}, Response: map[string]any{"User": map[string]any{"UserName": "bob"}}},
		{RequestID: "r3", Action: "DeleteUser", Caller: user, ErrorCode: "NoPermission", ErrorMsg: "denied",
			Denied: &apperr.AccessDenied{AuthAction: "ram:DeleteUser", NoPermissionType: "ImplicitDeny"}},
		{RequestID: "r4", Action: "GetUser", Claimed: user, ErrorCode: "SignatureDoesNotMatch",
			Params: map[string]string{"Big": string(make([]byte, MaxUnverifiedValueBytes+1))}},
		{},
	} {
		out = append(out, Event(c).Data)
	}
	return out
}

// A cut or damaged compact record is refused or rendered as valid JSON;
// it never panics, and a record cut short is always refused.
func TestCompactRecordSurvivesDamage(t *testing.T) {
	for _, data := range compactSamples() {
		if _, err := AppendRecordJSON(nil, data); err != nil {
			t.Fatalf("whole record %q: %v", data, err)
		}
		for n := 1; n < len(data); n++ {
			if out, err := AppendRecordJSON(nil, data[:n]); !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("record cut to %d of %d bytes: %v, rendered %s", n, len(data), err, out)
			}
		}
		for i := 1; i < len(data); i++ {
			for _, b := range []byte{0, 1, 0x7f, 0x80, 0xff, data[i] ^ 0x20} {
				damaged := append([]byte(nil), data...)
				damaged[i] = b
				out, err := AppendRecordJSON(nil, damaged)
				if err == nil && !json.Valid(out) {
					t.Fatalf("byte %d set to %#x: rendered invalid JSON %q", i, b, out)
				}
			}
		}
	}
}

// A flag this release does not write makes the record corrupt, not a
// record rendered without what the flag announced.
func TestCompactRecordRefusesUnknownFlags(t *testing.T) {
	for _, data := range compactSamples() {
		for bit := 1; bit <= 0x80; bit <<= 1 {
			if byte(bit)&compactFlags != 0 {
				continue
			}
			damaged := append([]byte(nil), data...)
			damaged[1] |= byte(bit)
			if _, err := AppendRecordJSON(nil, damaged); !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("flag %#x: %v", bit, err)
			}
		}
	}
}

// Every string field of a record is carried by the compact form: texts()
// is a hand-kept list, and a field missing from it would be dropped from
// every stored event without a word. Each field gets its own value, and
// the decoded record must hold them all.
func TestCompactRecordCarriesEveryString(t *testing.T) {
	var rec record
	rec.UserIdentity.SessionContext = &sessionContext{issued: 1.5e9}
	rec.unixTime = 1.7e9
	rec.sensitive, rec.EventAttributes = true, sensitiveAttributes
	rec.RequestParameters = paramList{{"K", "V"}}
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("field-%d", n))
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Field(i)
				if !f.CanSet() { // resources' unexported names
					f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
				}
				fill(f)
			}
		case reflect.Pointer:
			if !v.IsNil() {
				fill(v.Elem())
			}
		}
	}
	fill(reflect.ValueOf(&rec).Elem())
	rec.formatTimes() // the times are carried as numbers and written from them
	var got record
	if err := got.readCompact(rec.appendCompact(nil)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rec) {
		t.Fatalf("decoded record differs:\n got %+v\nwant %+v", got, rec)
	}
}

// A record of an earlier release (JSON) is shown as it was stored.
func TestJSONRecordsRenderAsStored(t *testing.T) {
	old := []byte(`{"eventId":"r","eventTime":"2026-01-01T00:00:00Z"}`)
	if out, err := AppendRecordJSON([]byte("x"), old); err != nil || string(out) != "x"+string(old) {
		t.Fatalf("%s, %v", out, err)
	}
}

// The compact form is what keeps a call cheap: it stays smaller than the
// JSON it stands for.
func TestCompactRecordIsSmallerThanItsJSON(t *testing.T) {
	for _, data := range compactSamples() {
		if out := rendered(t, data); len(data) >= len(out) {
			t.Errorf("compact record of %d bytes for %d bytes of JSON", len(data), len(out))
		}
		// Grown once, to about its size: the bound is loose only by the
		// times' varints.
		if cap(data) > len(data)+2*binary.MaxVarintLen64 {
			t.Errorf("compact record of %d bytes holds %d", len(data), cap(data))
		}
	}
}

func FuzzAppendRecordJSON(f *testing.F) {
	for _, data := range compactSamples() {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if out, err := AppendRecordJSON(nil, data); err == nil && len(data) > 0 && data[0] == store.CompactRecord && !json.Valid(out) {
			t.Fatalf("rendered invalid JSON %q", out)
		}
	})
}

// BenchmarkEventRecord: what a call pays for its event's data, the compact
// form (Event) against rendering the JSON as Event did before, interleaved;
// x-json is the ratio of their times (below 1: compact is cheaper).
func BenchmarkEventRecord(b *testing.B) {
	root := &model.Principal{Kind: model.Root, AccountID: "1234567890123456", AccessKeyID: "LTAI5tRootKeyForBenchmark"}
	user := &model.Principal{Kind: model.RAMUser, AccountID: "1234567890123456", UserName: "alice", UserID: "212345678901234567",
		AccessKeyID: "LTAI5tUserKeyForBenchmark"}
	for _, c := range []struct {
		name   string
		caller *model.Principal
		params []Param
	}{{"GetCallerIdentity", root, nil}, {"GetUser", user, []Param{{"UserName", "alice"}}}} {
		b.Run(c.name, func(b *testing.B) {
			call := func() *Call {
				return &Call{RequestID: "5A6B8C1D-0000-4000-8000-000000000000", Time: time.Unix(1.7e9, 0), Product: "Ram",
					Version: "2015-05-01", Action: c.name, Host: "ram.aliyuncs.com", Scheme: "https", SourceIP: "192.0.2.10",
					UserAgent: "AlibabaCloud (linux; amd64) Go/1.26 Core/1.63", Caller: c.caller, Resource: "acs:ram::1234567890123456:user/alice",
					SortedParams: append(make([]Param, 0, len(c.params)+MaxGatewayFields), c.params...)}
			}
			var compact, rendered time.Duration
			buf := make([]byte, 0, 2048) // Event's pooled buffer, before
			for b.Loop() {
				t0 := time.Now()
				Event(call())
				t1 := time.Now()
				var rec record
				build(call(), &rec)
				rec.formatTimes()
				buf = rec.appendJSON(buf[:0])
				_ = append(make([]byte, 0, len(buf)), buf...)
				compact, rendered = compact+t1.Sub(t0), rendered+time.Since(t1)
			}
			b.ReportMetric(float64(compact)/float64(rendered), "x-json")
			b.ReportMetric(float64(compact.Nanoseconds())/float64(b.N), "compact-ns")
			b.ReportMetric(float64(rendered.Nanoseconds())/float64(b.N), "json-ns")
		})
	}
}
