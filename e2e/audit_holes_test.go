package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
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
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking (a folded segment)
		}
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

// settledDirBytes is dirBytes once it stops changing: the audit log's
// segments are created at the first event after a start (preallocated,
// 8 MiB in tests) and deleted once folded, each at a moment that depends
// on the machine's load, so a single reading can land between the two.
func settledDirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	last := dirBytes(t, dir)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		time.Sleep(400 * time.Millisecond) // two fold intervals
		n := dirBytes(t, dir)
		if n == last {
			return n
		}
		last = n
	}
	t.Fatalf("the data directory %s keeps changing size", dir)
	return 0
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
	// One small refused call first: it opens this node's segment.
	if status, body := postForm(t, srv.Endpoint, "Action=GetUser&Version=2015-05-01", "UserName=x"); status != http.StatusBadRequest {
		t.Fatalf("unsigned request: %d %s", status, body)
	}
	before := settledDirBytes(t, srv.DataDir)
	big := "UserName=" + strings.Repeat("x", 900<<10)
	for i := 0; i < 40; i++ {
		status, body := postForm(t, srv.Endpoint, "Action=GetUser&Version=2015-05-01", big)
		if status != http.StatusBadRequest {
			t.Fatalf("unsigned request %d: %d %s", i, status, body)
		}
	}
	if grown := settledDirBytes(t, srv.DataDir) - before; grown > 1<<20 {
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

// Hole 5: a full disk answered 500 InternalError "unknown error". The
// store is capped at its current size (SQLite's own page cap, which fails
// a growing transaction with SQLITE_FULL exactly as a full disk does):
// calls that must write answer the retryable 503 ServiceUnavailable naming
// storage, nothing is half-written, the cause is logged once, and raising
// the cap (space freed) serves again with no restart.
func TestFullStorageAnswers503AndRecovers(t *testing.T) {
	var log lockedBuffer
	w := newRAMWorld(t, canopytest.WithLog(&log))
	w.createUser(t, "before")
	st, isSQLite := w.srv.App.Store.(*sqlstore.Store)
	if !isSQLite || st.Dialect() != sqlstore.DialectSQLite {
		t.Fatalf("store %T is not SQLite", w.srv.App.Store)
	}
	if err := st.SetMaxSize(context.Background(), 1); err != nil { // never below the current size
		t.Fatal(err)
	}
	comments := strings.Repeat("c", 128) // RAM's longest Comments
	var full *sdkerrors.ServerError
	var failed string
	for i := 0; i < 2000 && full == nil; i++ {
		req := ram.CreateCreateUserRequest()
		req.UserName, req.Comments = fmt.Sprintf("filler-%d", i), comments
		_, err := w.root.CreateUser(req)
		if err != nil {
			full = wantServerError(t, err, "ServiceUnavailable", http.StatusServiceUnavailable)
			failed = req.UserName
		}
	}
	if full == nil {
		t.Fatal("2000 users fitted in a store capped at its size")
	}
	if !strings.Contains(full.Message(), "storage") {
		t.Errorf("the 503 does not name storage: %q", full.Message())
	}
	// Every further write answers 503 too, never 500. Reads are served:
	// their events go to the node's preallocated audit segment log, which
	// needs no new space; folding them into the store waits for space.
	for i := 0; i < 5; i++ {
		req := ram.CreateCreateUserRequest()
		req.UserName, req.Comments = fmt.Sprintf("more-%d", i), comments
		_, err := w.root.CreateUser(req)
		wantServerError(t, err, "ServiceUnavailable", http.StatusServiceUnavailable)
	}
	readsServed := 0
	for i := 0; i < 50; i++ {
		_, err := w.root.GetUser(getUser("before"))
		if err != nil {
			t.Fatalf("read %d while the store is full: %v", i, err)
		}
		readsServed++
	}
	if n := strings.Count(log.String(), "storage is full"); n != 1 {
		t.Errorf("the full store was logged %d times; want once", n)
	}

	if err := st.SetMaxSize(context.Background(), 0); err != nil { // space is freed
		t.Fatal(err)
	}
	_, err := w.root.GetUser(getUser(failed))
	wantServerError(t, err, "EntityNotExist.User", http.StatusNotFound) // nothing half-written
	w.createUser(t, failed)
	if _, err := w.root.GetUser(getUser("before")); err != nil {
		t.Fatalf("a read after recovery: %v", err)
	}
	if !strings.Contains(log.String(), "storage accepts writes again") {
		t.Error("the recovery was not logged")
	}
	t.Logf("%d of 50 reads were served while the store was full", readsServed)
}

func getUser(name string) *ram.GetUserRequest {
	req := ram.CreateGetUserRequest()
	req.UserName = name
	return req
}

// Failed authentication is limited per source address: past its budget an
// address is refused with the cloud's Throttling (400) before its request
// is read, even when signed well, until it has earned a failure back; the
// refusals are counted, and logged within a budget, never stored.
func TestFailedAuthenticationIsThrottledPerAddress(t *testing.T) {
	var log lockedBuffer
	srv := canopytest.Start(t, canopytest.WithLog(&log), canopytest.WithConfig(func(c *app.Config) {
		c.AuthFailBurst, c.AuthFailPerMinute = 5, 60 // one more failure a second
	}))
	acct := srv.CreateAccount(t)
	client := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	unsigned := func() (int, string) {
		status, body, _ := get(t, "http://"+srv.Endpoint+"/?Action=GetCallerIdentity&Version=2015-04-01")
		var e struct{ Code string }
		json.Unmarshal(body, &e)
		return status, e.Code
	}
	for i := 0; i < 5; i++ {
		if status, code := unsigned(); status != http.StatusBadRequest || code != "IncompleteSignature" {
			t.Fatalf("failure %d: %d %s", i+1, status, code)
		}
	}
	if status, code := unsigned(); status != http.StatusBadRequest || code != "Throttling" {
		t.Fatalf("the sixth failure in a row answered %d %s; want 400 Throttling", status, code)
	}
	_, err := client.GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	wantServerError(t, err, "Throttling", http.StatusBadRequest)
	// darabonba (V3) reads the same code.
	v3, err := openapi.NewClient(&openapi.Config{AccessKeyId: ptr(acct.AccessKeyID), AccessKeySecret: ptr(acct.AccessKeySecret),
		Endpoint: ptr(srv.Endpoint), Protocol: ptr("HTTP")})
	if err != nil {
		t.Fatal(err)
	}
	params := &openapi.Params{Action: ptr("GetCallerIdentity"), Version: ptr("2015-04-01"), Protocol: ptr("HTTP"),
		Method: ptr("POST"), AuthType: ptr("AK"), Style: ptr("RPC"), Pathname: ptr("/"), ReqBodyType: ptr("formData"), BodyType: ptr("json")}
	_, err = v3.CallApi(params, &openapi.OpenApiRequest{}, &dara.RuntimeOptions{})
	wantDaraError(t, err, "Throttling", http.StatusBadRequest)

	time.Sleep(1100 * time.Millisecond) // one failure earned back: enough to be served
	if _, err := client.GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
		t.Fatalf("a signed call after the wait: %v", err)
	}
	if srv.App.Unattributed() < 7 {
		t.Errorf("%d unattributed refusals counted; want at least 7", srv.App.Unattributed())
	}
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	for _, e := range lookup(t, trail, "", "", "50", "").Events {
		if e["errorCode"] == "Throttling" || e["errorCode"] == "IncompleteSignature" {
			t.Errorf("an unattributed refusal reached the account's trail: %v", e)
		}
	}
	if !strings.Contains(log.String(), `"unattributedTotal"`) {
		t.Error("no log line counts the unattributed refusals")
	}
}

// eventsOf returns the account's events of one action, newest first.
func eventsOf(t *testing.T, trail *actiontrail.Client, action string) []map[string]any {
	t.Helper()
	return lookup(t, trail, "EventName", action, "50", "").Events
}

// The event record carries what ActionTrail's does: the gateway's common
// request fields, the recipient, the resource the call acted on (also for
// root, and for a refusal), a write's answer with its secrets redacted,
// and the scheme.
func TestEventsRecordWhatTheCallDidAndToWhat(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "Administrator")
	arn := "acs:ram::" + w.acct.ID + ":user/Administrator"
	key := ram.CreateCreateAccessKeyRequest()
	key.UserName = "administrator" // another spelling: the event names the stored one
	created, err := w.root.CreateAccessKey(key)
	ok(t, "CreateAccessKey", err)
	reader, _ := w.userClient(t, "reader")
	get := ram.CreateGetUserRequest()
	get.UserName = "Administrator"
	_, err = reader.GetUser(get)
	wantServerError(t, err, "NoPermission", http.StatusForbidden)

	trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	create := eventsOf(t, trail, "CreateUser")
	var createAdmin map[string]any
	for _, e := range create {
		if e["resourceName"] == arn {
			createAdmin = e
		}
	}
	if createAdmin == nil {
		t.Fatalf("no CreateUser event names %s: %v", arn, create)
	}
	params, _ := createAdmin["requestParameters"].(map[string]any)
	if params["AcsHost"] != w.srv.Endpoint || params["AcsProduct"] != "Ram" || params["RegionId"] != canopytest.Region ||
		params["RequestId"] != createAdmin["requestId"] || params["HostId"] != "ram.aliyuncs.com" ||
		params["UserName"] != "Administrator" {
		t.Errorf("requestParameters lack the gateway's fields: %v", params)
	}
	refs, _ := createAdmin["referencedResources"].(map[string]any)
	users, _ := refs["ACS::RAM::User"].([]any)
	extra, _ := createAdmin["additionalEventData"].(map[string]any)
	answer, _ := createAdmin["responseElements"].(map[string]any)
	user, _ := answer["User"].(map[string]any)
	if createAdmin["recipientAccountId"] != w.acct.ID || createAdmin["resourceType"] != "ACS::RAM::User" ||
		len(users) != 1 || users[0] != arn || extra["Scheme"] != "http" || user["UserName"] != "Administrator" {
		t.Errorf("CreateUser event: %v", createAdmin)
	}

	var keyEvent map[string]any
	for _, e := range eventsOf(t, trail, "CreateAccessKey") {
		if e["resourceName"] == arn {
			keyEvent = e
		}
	}
	raw, _ := json.Marshal(keyEvent)
	answer, _ = keyEvent["responseElements"].(map[string]any)
	ak, _ := answer["AccessKey"].(map[string]any)
	if strings.Contains(string(raw), created.AccessKey.AccessKeySecret) || ak["AccessKeySecret"] != "******" ||
		ak["AccessKeyId"] != created.AccessKey.AccessKeyId || keyEvent["resourceName"] != arn {
		t.Errorf("CreateAccessKey event: %s", raw)
	}
	// A new credential is a sensitive action; a new user is not.
	attrs, _ := keyEvent["eventAttributes"].(map[string]any)
	if attrs["SensitiveAction"] != "true" || createAdmin["eventAttributes"] != nil {
		t.Errorf("SensitiveAction: CreateAccessKey %v, CreateUser %v", keyEvent["eventAttributes"], createAdmin["eventAttributes"])
	}

	// An MFA device's seed (and its QR code) is as secret as a key's.
	mfa := ram.CreateCreateVirtualMFADeviceRequest()
	mfa.VirtualMFADeviceName = "admin-phone"
	device, err := w.root.CreateVirtualMFADevice(mfa)
	ok(t, "CreateVirtualMFADevice", err)
	mfaEvent := eventsOf(t, trail, "CreateVirtualMFADevice")[0]
	raw, _ = json.Marshal(mfaEvent)
	answer, _ = mfaEvent["responseElements"].(map[string]any)
	dev, _ := answer["VirtualMFADevice"].(map[string]any)
	if strings.Contains(string(raw), device.VirtualMFADevice.Base32StringSeed) || dev["Base32StringSeed"] != "******" ||
		dev["QRCodePNG"] != "******" || dev["SerialNumber"] != device.VirtualMFADevice.SerialNumber {
		t.Errorf("CreateVirtualMFADevice event: %.600s", raw)
	}

	denied := eventsOf(t, trail, "GetUser")[0]
	if denied["errorCode"] != "NoPermission" || denied["resourceName"] != arn || denied["responseElements"] != nil {
		t.Errorf("refused GetUser event: %v", denied)
	}
	// Reads record no answer.
	if _, err := w.root.GetUser(get); err != nil {
		t.Fatal(err)
	}
	read := eventsOf(t, trail, "GetUser")[0]
	if read["responseElements"] != nil || read["resourceName"] != arn {
		t.Errorf("GetUser by root: %v", read)
	}
}

// A key id is no secret: however many addresses try it, its owner's trail
// keeps a bounded number of failed attempts (the rest are counted). A V3
// attempt, which names its key in a header, is attributed as well.
func TestFailedAttemptsOnAKeyAreBudgeted(t *testing.T) {
	srv := canopytest.Start(t, canopytest.WithConfig(func(c *app.Config) {
		c.AuthFailBurst = -1 // only the per-key budget applies
		c.KeyAttemptBurst, c.KeyAttemptsPerHour = 3, 1
	}))
	acct := srv.CreateAccount(t)
	status, body := v3Post(t, srv.Endpoint, acct.AccessKeyID, "wrong-secret", "GetCallerIdentity", "2015-04-01",
		"application/x-www-form-urlencoded", nil, true)
	assertErrorBody(t, status, body, "SignatureDoesNotMatch", http.StatusBadRequest)
	for i := 0; i < 9; i++ {
		v := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}}
		if status, _, _ := get(t, signedURL(t, srv.Endpoint, acct.AccessKeyID, "wrong-secret", v, time.Now())); status != http.StatusBadRequest {
			t.Fatalf("attempt %d answered %d", i, status)
		}
	}
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	kept := 0
	for _, e := range lookup(t, trail, "EventAccessKeyId", acct.AccessKeyID, "50", "").Events {
		if e["errorCode"] == "SignatureDoesNotMatch" {
			kept++
			if identity, _ := e["userIdentity"].(map[string]any); identity["accessKeyId"] != acct.AccessKeyID {
				t.Errorf("attempt recorded without its key: %v", identity)
			}
		}
	}
	if kept != 3 || srv.App.Unattributed() < 7 {
		t.Fatalf("the owner's trail kept %d of 10 attempts (want 3); %d counted", kept, srv.App.Unattributed())
	}
}
