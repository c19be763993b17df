package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// BenchmarkConsoleUsersPage measures the console's Users page (session
// check, ListUsers and GetAccountSummary through the invoker, the
// template) against its baseline in the same run: the SDK's signed
// ListUsers of the same page. It reports console-ns/op, sdk-ns/op and
// their ratio (x-sdk), the two interleaved so both see the same machine.
//
//	go test ./e2e -run '^$' -bench ConsoleUsersPage -count 3
func BenchmarkConsoleUsersPage(b *testing.B) {
	srv := canopytest.Start(b)
	acct := srv.CreateAccount(b)
	root := srv.RAMClient(b, acct.AccessKeyID, acct.AccessKeySecret)
	for i := 0; i < 20; i++ {
		req := ram.CreateCreateUserRequest()
		req.UserName = "user-" + strconv.Itoa(i)
		if _, err := root.CreateUser(req); err != nil {
			b.Fatal(err)
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + srv.Endpoint
	get := func(path string) (int, string) {
		resp, err := client.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	_, page := get("/console/signin")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on the sign-in page")
	}
	form := url.Values{"csrf": {m[1]}, "account": {acct.Email}, "password": {acct.Password}}
	req, _ := http.NewRequest(http.MethodPost, base+"/console/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", err, resp)
	}
	resp.Body.Close()
	list := ram.CreateListUsersRequest()
	list.MaxItems = "20"
	var consoleTime, sdkTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if status, body := get("/console/ram/users"); status != http.StatusOK || strings.Count(body, `data-testid="user-row"`) != 20 {
			b.Fatalf("users page: %d", status)
		}
		consoleTime += time.Since(start)
		start = time.Now()
		if _, err := root.ListUsers(list); err != nil {
			b.Fatal(err)
		}
		sdkTime += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(consoleTime.Nanoseconds())/float64(b.N), "console-ns/op")
	b.ReportMetric(float64(sdkTime.Nanoseconds())/float64(b.N), "sdk-ns/op")
	b.ReportMetric(float64(consoleTime)/float64(sdkTime), "x-sdk")
}
