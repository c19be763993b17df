package e2e

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// dirBytes is the size of everything under dir (the database, its WAL).
func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dataHolds reports whether any file under dir contains needle: what the
// store keeps, whatever table or WAL frame it is in.
func dataHolds(t *testing.T, dir string, needle []byte) bool {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, needle) {
			found = true
		}
		return nil
	})
	return found
}

func postForm(t *testing.T, endpoint, query string, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post("http://"+endpoint+"/?"+query, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// signedForm is a V1-signed POST form body holding every parameter.
func signedForm(t *testing.T, id, secret string, extra url.Values) string {
	t.Helper()
	v := url.Values{"Format": {"JSON"}, "AccessKeyId": {id}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"}, "SignatureNonce": {nonce(t)}, "Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}}
	for k, vals := range extra {
		v[k] = vals
	}
	params, err := signature.ParseQuery(v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	v.Set("Signature", signature.SignV1(secret, http.MethodPost, params))
	return v.Encode()
}

// Hole 1: an unsigned request carries nobody's identity; storing it in
// full let forty ~900 KB requests grow the data directory by 36 MB.
func TestUnsignedRequestsDoNotFillTheDisk(t *testing.T) {
	srv := canopytest.Start(t)
	srv.CreateAccount(t)
	srv.Stop(t) // settle the WAL, then measure from a restart
	srv = canopytest.Start(t, canopytest.WithStore(srv.DataDir, ""))
	before := dirBytes(t, srv.DataDir)
	big := "UserName=" + strings.Repeat("x", 900<<10)
	for i := 0; i < 40; i++ {
		status, body := postForm(t, srv.Endpoint, "Action=GetUser&Version=2015-05-01", big)
		if status != http.StatusBadRequest {
			t.Fatalf("unsigned request %d: %d %s", i, status, body)
		}
	}
	if grown := dirBytes(t, srv.DataDir) - before; grown > 1<<20 {
		t.Fatalf("forty unsigned requests grew the data directory by %d bytes", grown)
	}
}

// Every stored event is bounded: a signed caller's 900 KB parameter is
// kept truncated, with a flag saying so.
func TestEventParametersAreBounded(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	v := url.Values{"Action": {"GetUser"}, "Version": {"2015-05-01"}, "Comments": {strings.Repeat("c", 900<<10)},
		"UserName": {"nobody"}}
	// A POST body: the URL of a GET could not carry 900 KB.
	status, body := postForm(t, srv.Endpoint, "", signedForm(t, acct.AccessKeyID, acct.AccessKeySecret, v))
	if status != http.StatusNotFound {
		t.Fatalf("GetUser: %d %.300s", status, body)
	}
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	ev := lookup(t, trail, "EventName", "GetUser", "1", "").Events[0]
	params, _ := ev["requestParameters"].(map[string]any)
	comments, _ := params["Comments"].(string)
	if len(comments) == 0 || len(comments) > 16<<10 || ev["requestParametersTruncated"] != true || params["UserName"] != "nobody" {
		raw, _ := json.Marshal(ev)
		t.Fatalf("event not bounded and flagged (%d bytes of Comments): %.400s", len(comments), raw)
	}
}

// Hole 2: the diagnostic of a SignatureDoesNotMatch holds every parameter
// the server signed; the caller may see it, the trail must not keep it.
func TestSignatureDiagnosticLeavesNoSecretInTheTrail(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	const secret = "Hunter2-Sup3r-Secret-Pw"
	v := url.Values{"Action": {"ChangePassword"}, "Version": {"2015-05-01"}, "OldPassword": {secret}, "NewPassword": {secret + "-new"}}
	status, body, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, "wrong-secret", v, time.Now()))
	if status != http.StatusBadRequest || !strings.Contains(string(body), "SignatureDoesNotMatch") ||
		!strings.Contains(string(body), "server string to sign is:") {
		t.Fatalf("mismatch answer: %d %s", status, body)
	}
	srv.Stop(t) // everything the trail holds is now in the files
	if dataHolds(t, srv.DataDir, []byte(secret)) || dataHolds(t, srv.DataDir, []byte("Hunter2-Sup3r")) {
		t.Fatal("the data directory holds the password of a refused request")
	}
}

// Hole 3: someone trying an account's AccessKey with the wrong secret (or
// a stale timestamp) shows in that account's trail, redacted.
func TestFailedAttemptsOnAKnownKeyReachItsOwnersTrail(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	other := srv.CreateAccount(t)
	const secret = "Hunter2-Sup3r-Secret-Pw"
	v := url.Values{"Action": {"ChangePassword"}, "Version": {"2015-05-01"}, "OldPassword": {secret}, "NewPassword": {secret}}
	status, _, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, "wrong-secret", v, time.Now()))
	if status != http.StatusBadRequest {
		t.Fatalf("wrong secret answered %d", status)
	}
	stale := url.Values{"Action": {"ListUsers"}, "Version": {"2015-05-01"}}
	status, _, _ = get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret, stale, time.Now().Add(-time.Hour)))
	if status != http.StatusBadRequest {
		t.Fatalf("stale timestamp answered %d", status)
	}
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	events := lookup(t, trail, "EventAccessKeyId", acct.AccessKeyID, "50", "").Events
	byCode := map[string]map[string]any{}
	for _, e := range events {
		code, _ := e["errorCode"].(string)
		byCode[code] = e
	}
	mismatch := byCode["SignatureDoesNotMatch"]
	if mismatch == nil || byCode["InvalidTimeStamp.Expired"] == nil {
		t.Fatalf("the owner's trail lacks the failed attempts: %v", byCode)
	}
	raw, _ := json.Marshal(mismatch)
	params, _ := mismatch["requestParameters"].(map[string]any)
	identity, _ := mismatch["userIdentity"].(map[string]any)
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), "string to sign") ||
		params["OldPassword"] != "******" || mismatch["eventName"] != "ChangePassword" ||
		identity["accessKeyId"] != acct.AccessKeyID || mismatch["recipientAccountId"] != acct.ID {
		t.Fatalf("failed attempt recorded as %s", raw)
	}
	otherTrail := srv.TrailClient(t, other.AccessKeyID, other.AccessKeySecret)
	if got := lookup(t, otherTrail, "EventAccessKeyId", acct.AccessKeyID, "", "").Events; len(got) != 0 {
		t.Fatalf("another account sees %d attempts on this key", len(got))
	}
}

// Hole 4: LookupEvents with a well-formed time the store cannot hold as
// nanoseconds (before 1678, after 2262) answered 500.
func TestLookupEventsTakesAnyWellFormedTime(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	lookup(t, trail, "", "", "", "") // one event to find
	for _, c := range []struct{ start, end string }{
		{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"},
		{"1677-09-21T00:12:43Z", "2262-04-11T23:47:16Z"},
		{"1000-01-01T00:00:00Z", ""},
		{"", "3000-01-01T00:00:00Z"},
		{"1600-01-01T00:00:00Z", "1601-01-01T00:00:00Z"},
		{"2300-01-01T00:00:00Z", "2400-01-01T00:00:00Z"},
	} {
		req := actiontrail.CreateLookupEventsRequest()
		req.StartTime, req.EndTime = c.start, c.end
		resp, err := trail.LookupEvents(req)
		if err != nil {
			t.Fatalf("StartTime %q EndTime %q: %v", c.start, c.end, err)
		}
		if c.start == "0001-01-01T00:00:00Z" && len(resp.Events) == 0 {
			t.Errorf("the widest range found nothing")
		}
	}
	req := actiontrail.CreateLookupEventsRequest()
	req.StartTime, req.EndTime = "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"
	_, err := trail.LookupEvents(req)
	wantServerError(t, err, "InvalidParameterCombination", http.StatusBadRequest)
}

var _ = ram.CreateGetUserRequest
