package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// lockedBuffer is a log sink the server writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Every request leaves one structured log line saying who called what and
// how it ended, so a user can see why a call failed; no secret is in it.
func TestEveryRequestIsLoggedWithoutSecrets(t *testing.T) {
	var log lockedBuffer
	srv := canopytest.Start(t, canopytest.WithLog(&log))
	acct := srv.CreateAccount(t)
	root := srv.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	create := ram.CreateCreateUserRequest()
	create.UserName = "logan"
	resp, err := root.CreateUser(create)
	ok(t, "CreateUser", err)
	profile := ram.CreateCreateLoginProfileRequest()
	profile.UserName, profile.Password = "logan", "Secret-Passw0rd-In-Log?"
	_, err = root.CreateLoginProfile(profile)
	ok(t, "CreateLoginProfile", err)
	get := ram.CreateGetUserRequest()
	get.UserName = "nobody"
	_, err = root.GetUser(get)
	wantServerError(t, err, "EntityNotExist.User", 404)

	text := log.String()
	for _, secret := range []string{"Secret-Passw0rd-In-Log?", acct.AccessKeySecret} {
		if strings.Contains(text, secret) {
			t.Fatalf("the log holds a secret: %s", text)
		}
	}
	lines := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if line["msg"] == "request" {
			lines[line["action"].(string)] = line
		}
	}
	arn := "acs:ram::" + acct.ID + ":root"
	for action, want := range map[string]struct {
		status float64
		code   string
	}{"CreateUser": {200, ""}, "CreateLoginProfile": {200, ""}, "GetUser": {404, "EntityNotExist.User"}} {
		line := lines[action]
		if line == nil {
			t.Fatalf("no request line for %s in %s", action, text)
		}
		if line["status"] != want.status || line["code"] != want.code || line["caller"] != arn ||
			line["accessKeyId"] != acct.AccessKeyID || line["version"] != "2015-05-01" ||
			line["requestId"] == "" || line["latency"] == nil {
			t.Errorf("%s line = %v", action, line)
		}
	}
	if lines["CreateUser"]["requestId"] != resp.RequestId {
		t.Errorf("CreateUser logged request id %v; the answer said %s", lines["CreateUser"]["requestId"], resp.RequestId)
	}
}
