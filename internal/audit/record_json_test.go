package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/model"
)

// The hand-written encoder writes, byte for byte, what encoding/json
// writes for the same record, whatever the call.
func TestRecordEncodingEqualsEncodingJSON(t *testing.T) {
	root := &model.Principal{Kind: model.Root, AccountID: "1", AccessKeyID: "LTAIroot"}
	user := &model.Principal{Kind: model.RAMUser, AccountID: "1", UserName: "tom<&>", UserID: "2", AccessKeyID: "LTAIuser"}
	session := &model.Principal{Kind: model.AssumedRole, AccountID: "3", AccessKeyID: "STS.x", MFAPresent: true,
		Session: &model.Session{RoleName: "admin", RoleID: "4", SessionName: "s", Issued: time.Unix(1e9, 0),
			Source: model.SourceIdentity{Type: "ram-user", AccountID: "1", PrincipalID: "2", ARN: "acs:ram::1:user/tom"}}}
	weird := "quote\" back\\slash \x00\x1f\n\t\r é€😀 \xff\xfe \u2028\u2029 <a&b>"
	// A session whose names and identities need escaping, as encoding/json
	// escapes them.
	oddSession := &model.Principal{Kind: model.AssumedRole, AccountID: "3", AccessKeyID: "STS.y",
		Session: &model.Session{RoleName: "role<" + weird, RoleID: weird, SessionName: weird, Issued: time.Unix(2e9, 0),
			Source: model.SourceIdentity{Type: weird, AccountID: "1&", PrincipalID: weird, ARN: "acs:ram::1:user/" + weird}}}
	calls := []*Call{
		{RequestID: "r1", Time: time.Unix(1e9, 5), Action: "GetCallerIdentity", Caller: root, Product: "Sts",
			Version: "2015-04-01", Host: "sts.aliyuncs.com", Scheme: "http", SourceIP: "127.0.0.1", UserAgent: "sdk"},
		{RequestID: "r2", Action: "GetUser", Caller: user, Params: map[string]string{"UserName": weird, weird: "v"},
			Resource: "acs:ram::1:user/tom", Scheme: "https", Region: "cn-shanghai", AcsHost: weird},
		{RequestID: "r3", Action: "CreateUser", Write: true, Sensitive: true, Caller: session, Resource: "acs:ram::3:user/*",
			Response: struct {
				User struct{ UserName, Password string }
			}{}, IsSecret: func(k string) bool { return k == "Password" },
			Recipient: "9", EventType: "ConsoleOperation", UserAgent: weird},
		{RequestID: "r4", Action: "GetUser", Claimed: user, AccessKeyID: weird, ErrorCode: "SignatureDoesNotMatch", ErrorMsg: weird,
			Params: map[string]string{"Big": strings.Repeat("x", MaxUnverifiedValueBytes+1)}},
		{RequestID: "r5", Action: "DeleteUser", Caller: user, ErrorCode: "NoPermission", ErrorMsg: "denied",
			Denied: &apperr.AccessDenied{AuthAction: "ram:DeleteUser", NoPermissionType: "ImplicitDeny"}},
		{RequestID: "r6", Action: "X", Denied: (*apperr.AccessDenied)(nil)},
		{RequestID: "r7", Action: "GetCallerIdentity", Caller: oddSession, Scheme: "https"},
		{},
	}
	for _, c := range calls {
		var rec record
		ev := build(c, &rec)
		rec.formatTimes()
		want, err := json.Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("request %q:\ngot  %s\nwant %s", c.RequestID, got, want)
		}
		// requestParameters, a sorted list, are what encoding/json writes
		// for the map they stand for.
		params := map[string]string{}
		for _, p := range rec.RequestParameters {
			params[p.Key] = p.Value
		}
		if want, _ := json.Marshal(params); !bytes.Equal(rec.RequestParameters.appendJSON(nil), want) ||
			len(params) != len(rec.RequestParameters) {
			t.Errorf("request %q: requestParameters %s; want %s", c.RequestID, rec.RequestParameters.appendJSON(nil), want)
		}
		// What Event stores renders as the same JSON.
		if full := Event(c); !bytes.Equal(rendered(t, full.Data), want) || full.AccountID != ev.AccountID {
			t.Errorf("request %q: Event's record renders as %s", c.RequestID, rendered(t, full.Data))
		}
	}
}

// BenchmarkRecordEncoding: the hand-written encoder against encoding/json
// on the same records, interleaved; x-encoding-json is the ratio of their
// times (below 1: the hand-written one is faster).
func BenchmarkRecordEncoding(b *testing.B) {
	root := &model.Principal{Kind: model.Root, AccountID: "1234567890123456", AccessKeyID: "LTAI5tRootKeyForBenchmark"}
	session := &model.Principal{Kind: model.AssumedRole, AccountID: "1234567890123456", AccessKeyID: "STS.NUbenchmark",
		Session: &model.Session{RoleName: "deployer", RoleID: "312345678901234567", SessionName: "ci", Issued: time.Unix(1.7e9, 0),
			Source: model.SourceIdentity{Type: "ram-user", AccountID: "1234567890123456", PrincipalID: "212345678901234567",
				ARN: "acs:ram::1234567890123456:user/ci"}}}
	for _, c := range []struct {
		name   string
		caller *model.Principal
	}{{"root", root}, {"session", session}} {
		b.Run(c.name, func(b *testing.B) {
			call := &Call{RequestID: "5A6B8C1D-0000-4000-8000-000000000000", Time: time.Unix(1.7e9, 0), Product: "Sts",
				Version: "2015-04-01", Action: "GetCallerIdentity", Host: "sts.aliyuncs.com", Scheme: "https",
				SourceIP: "192.0.2.10", UserAgent: "AlibabaCloud (linux; amd64) Go/1.26 Core/1.63", Caller: c.caller}
			var rec record
			build(call, &rec)
			rec.formatTimes()
			buf := make([]byte, 0, 4096)
			var hand, reflect time.Duration
			for b.Loop() {
				t0 := time.Now()
				buf = rec.appendJSON(buf[:0])
				t1 := time.Now()
				if _, err := json.Marshal(&rec); err != nil {
					b.Fatal(err)
				}
				hand, reflect = hand+t1.Sub(t0), reflect+time.Since(t1)
			}
			b.ReportMetric(float64(hand)/float64(reflect), "x-encoding-json")
			b.ReportMetric(float64(hand.Nanoseconds())/float64(b.N), "hand-ns")
		})
	}
}
