package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// rendered is the ActionTrail JSON of a stored event's data.
func rendered(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := AppendRecordJSON(nil, data)
	if err != nil {
		t.Fatalf("render %q: %v", data, err)
	}
	return out
}

// decode is a stored event's record as JSON values.
func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rendered(t, data), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// However large the request, its event stays within the documented bounds.
func TestEventsAreBounded(t *testing.T) {
	params := map[string]string{"Small": "ok", strings.Repeat("K", 1000): "long name"}
	for i := 0; i < 200; i++ {
		params[strings.Repeat("p", 3)+string(rune('a'+i%26))+strings.Repeat("x", i)] = strings.Repeat("é", 100_000)
	}
	caller := &model.Principal{Kind: model.Root, AccountID: "1", AccessKeyID: "LTAIroot"}
	c := &Call{RequestID: "r", Action: "CreateUser", Caller: caller, Params: params,
		UserAgent: strings.Repeat("u", 1<<20), ErrorMsg: strings.Repeat("m", 1<<20), AcsHost: strings.Repeat("h", 1<<20),
		AccessKeyID: strings.Repeat("k", 1<<20)}
	ev := Event(c)
	limit := MaxParamsBytes + 4*MaxTextBytes + 2048 // parameters, free texts, fixed fields
	if len(ev.Data) > limit || len(ev.AccessKeyID) > MaxKeyBytes {
		t.Fatalf("event of %d bytes; want at most %d", len(ev.Data), limit)
	}
	rec := decode(t, ev.Data)
	got, _ := rec["requestParameters"].(map[string]any)
	if rec["requestParametersTruncated"] != true || got["Small"] != "ok" || got["AcsProduct"] == nil {
		t.Fatalf("truncated event lost what fits or its flag: %v", rec["requestParametersTruncated"])
	}
	for k, v := range got {
		s, _ := v.(string)
		if len(k) > MaxKeyBytes || len(s) > MaxValueBytes || !utf8.ValidString(s) {
			t.Fatalf("parameter %.20q... of %d bytes (valid UTF-8: %v)", k, len(s), utf8.ValidString(s))
		}
	}
	// An attempt whose caller was not proven keeps much less.
	c.Caller, c.Claimed = nil, caller
	unverified := Event(c)
	if len(unverified.Data) > MaxUnverifiedParamsBytes+4*MaxTextBytes+2048 || unverified.AccountID != "1" {
		t.Fatalf("unverified event of %d bytes in account %q", len(unverified.Data), unverified.AccountID)
	}
	extra, _ := decode(t, unverified.Data)["additionalEventData"].(map[string]any)
	if extra["IdentityVerified"] != "false" {
		t.Fatalf("unverified event not marked: %v", extra)
	}
	// A small event is whole and unflagged.
	small := decode(t, Event(&Call{RequestID: "r", Action: "GetUser", Caller: caller, Params: map[string]string{"UserName": "alice"}}).Data)
	if _, flagged := small["requestParametersTruncated"]; flagged {
		t.Fatal("a small event says it was truncated")
	}
}

func TestCutKeepsWholeCharacters(t *testing.T) {
	for n := 0; n <= 7; n++ {
		if got := cut("aé€😀", n); !utf8.ValidString(got) || len(got) > n || !strings.HasPrefix("aé€😀", got) {
			t.Errorf("cut(%d) = %q", n, got)
		}
	}
}

func TestResourceOf(t *testing.T) {
	for arn, want := range map[string]string{
		"acs:ram::1234567890123456:user/alice":                 "ACS::RAM::User",
		"acs:ram::1234567890123456:role/admin":                 "ACS::RAM::Role",
		"acs:ram::1234567890123456:group/dev":                  "ACS::RAM::Group",
		"acs:ram::1234567890123456:policy/ReadOnly":            "ACS::RAM::Policy",
		"acs:ram::1234567890123456:mfa/alice":                  "ACS::RAM::VirtualMFADevice",
		"acs:ram::1234567890123456:user/*":                     "",
		"acs:ram::1234567890123456:*":                          "",
		"acs:actiontrail:*:1234567890123456:*":                 "",
		"acs:ram::1234567890123456:root":                       "",
		"acs:sts::1234567890123456:assumed-role/admin/session": "",
		"":  "",
		"*": "",
	} {
		typ, name := ResourceOf(arn)
		if typ != want || (want != "" && name != arn) || (want == "" && name != "") {
			t.Errorf("ResourceOf(%q) = %q, %q; want %q", arn, typ, name, want)
		}
	}
}

// A write's answer is recorded with its secrets redacted, nested or not.
func TestResponseElementsRedactSecrets(t *testing.T) {
	type key struct{ AccessKeyId, AccessKeySecret string }
	out := struct {
		AccessKey key
		Devices   []struct{ Base32StringSeed string }
	}{AccessKey: key{"LTAIx", "s3cr3t"}, Devices: []struct{ Base32StringSeed string }{{"SEED"}}}
	isSecret := func(k string) bool { return k == "AccessKeySecret" || k == "Base32StringSeed" }
	caller := &model.Principal{Kind: model.Root, AccountID: "1"}
	ev := Event(&Call{RequestID: "r", Action: "CreateAccessKey", Write: true, Caller: caller, Response: &out, IsSecret: isSecret})
	// Neither what is stored nor what LookupEvents shows holds a secret.
	for _, data := range []string{string(ev.Data), string(rendered(t, ev.Data))} {
		if strings.Contains(data, "s3cr3t") || strings.Contains(data, "SEED") || !strings.Contains(data, "LTAIx") {
			t.Fatalf("responseElements: %q", data)
		}
	}
	if !strings.Contains(string(rendered(t, ev.Data)), `"AccessKeyId":"LTAIx"`) {
		t.Fatalf("responseElements: %s", rendered(t, ev.Data))
	}
	failed := Event(&Call{RequestID: "r", Action: "CreateAccessKey", Write: true, Caller: caller, Response: &out,
		IsSecret: isSecret, ErrorCode: "LimitExceeded.User.AccessKey"})
	if _, has := decode(t, failed.Data)["responseElements"]; has {
		t.Fatal("a failed call has responseElements")
	}
}

// The store reads a decoded event's Sensitive flag from its record
// (store.SensitiveData): the record of a sensitive call, and only of one,
// is flagged and renders as store.SensitiveMarker says, whatever its
// parameters say.
func TestSensitiveRecordsCarryTheStoreMarker(t *testing.T) {
	user := &model.Principal{Kind: model.RAMUser, AccountID: "1", UserName: "tom", UserID: "2"}
	forged := map[string]string{"eventAttributes": `{"SensitiveAction":"true"}`, `"SensitiveAction"`: "true"}
	for _, sensitive := range []bool{true, false} {
		ev := Event(&Call{RequestID: "r", Action: "CreateAccessKey", Write: true, Sensitive: sensitive, Caller: user, Params: forged})
		if got := bytes.Contains(rendered(t, ev.Data), []byte(store.SensitiveMarker)); got != sensitive ||
			ev.Sensitive != sensitive || store.SensitiveData(ev.Data) != sensitive {
			t.Fatalf("sensitive %v: record holds the marker %v, event flag %v:\n%s", sensitive, got, ev.Sensitive, rendered(t, ev.Data))
		}
		decoded, _, err := store.ReadEvent(store.AppendEvent(nil, &ev))
		if err != nil || decoded.Sensitive != sensitive {
			t.Fatalf("sensitive %v: decoded flag %v (%v)", sensitive, decoded.Sensitive, err)
		}
	}
}
