package e2e

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

var (
	adminPasswordShown = regexp.MustCompile(`data-testid="admin-password">([^<]+)<`)
	adminCSVShown      = regexp.MustCompile(`href="data:text/csv;base64,([^"]+)" download="administrator-credentials.csv"`)
	adminStepShown     = regexp.MustCompile(`data-action="(\w+)" data-status="([^"]+)"`)
)

// stepsOf reads the quick creation's progress list: action -> status.
func stepsOf(p page) map[string]string {
	out := map[string]string{}
	for _, m := range adminStepShown.FindAllStringSubmatch(p.body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestConsoleRAMOverviewAndAccountAdministrator: the Overview shows the
// account's UID, logon URL and counts; the quick creation shows its plan,
// runs CreateUser, CreateLoginProfile and AttachPolicyToUser through the
// invoker as the root, and shows the generated password once (page and
// CSV), never in the trail; the new user must change it and bind MFA.
func TestConsoleRAMOverviewAndAccountAdministrator(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		b := newBrowser(t, w.srv)
		b.signInRoot(w.acct.Email, w.acct.Password)
		domain := w.acct.ID + ".onaliyun.com"
		loginURL := b.base + "/console/ram-signin/" + domain
		wantStatus(t, b.get("/console/ram/overview"), http.StatusOK, `data-testid="ram-account-id">`+w.acct.ID+`<`,
			`data-testid="ram-login-url">`+loginURL+`<`, `data-testid="ram-count-Users">0<`, `data-testid="ram-admin-start"`)

		plan := b.get("/console/ram/overview/administrator")
		wantStatus(t, plan, http.StatusOK, `data-testid="admin-plan-user">administrator@`+domain+`<`,
			`data-testid="admin-plan-policy">AdministratorAccess<`, "Required at next logon", `data-testid="admin-perform"`)
		if strings.Contains(plan.body, `data-testid="admin-password"`) {
			t.Fatal("the plan shows a password before Perform")
		}
		// Perform is a state-changing post: without the token nothing runs.
		wantStatus(t, b.postRaw("/console/ram/overview/administrator", url.Values{}, b.base), http.StatusForbidden, "Forbidden.CSRF")
		get := ram.CreateGetUserRequest()
		get.UserName = "administrator"
		if _, err := w.root.GetUser(get); serverCode(err) != "EntityNotExist.User" {
			t.Fatalf("a refused post created the user: %v", err)
		}

		done := b.post("/console/ram/overview/administrator", url.Values{})
		wantStatus(t, done, http.StatusOK, `data-testid="admin-result"`)
		steps := stepsOf(done)
		if len(steps) != 3 || steps["CreateUser"] != "Done" || steps["CreateLoginProfile"] != "Done" || steps["AttachPolicyToUser"] != "Done" {
			t.Fatalf("progress: %v", steps)
		}
		m := adminPasswordShown.FindStringSubmatch(done.body)
		if m == nil {
			t.Fatalf("no password shown:\n%s", done.body)
		}
		password := html.UnescapeString(m[1])
		csvm := adminCSVShown.FindStringSubmatch(done.body)
		if csvm == nil {
			t.Fatalf("no Download CSV link:\n%s", done.body)
		}
		raw, err := base64.StdEncoding.DecodeString(csvm[1])
		ok(t, "decode the CSV", err)
		if want := "User Logon Name,Password,Login URL\nadministrator@" + domain + "," + password + "," + loginURL + "\n"; string(raw) != want {
			t.Fatalf("CSV:\n%s\nwant:\n%s", raw, want)
		}

		// The API sees what the plan said.
		lp := ram.CreateGetLoginProfileRequest()
		lp.UserName = "administrator"
		prof, err := w.root.GetLoginProfile(lp)
		ok(t, "GetLoginProfile", err)
		if !prof.LoginProfile.PasswordResetRequired || !prof.LoginProfile.MFABindRequired {
			t.Fatalf("login profile %+v: want reset and MFA required", prof.LoginProfile)
		}
		pols := ram.CreateListPoliciesForUserRequest()
		pols.UserName = "administrator"
		attached, err := w.root.ListPoliciesForUser(pols)
		ok(t, "ListPoliciesForUser", err)
		if ps := attached.Policies.Policy; len(ps) != 1 || ps[0].PolicyName != "AdministratorAccess" || ps[0].PolicyType != "System" {
			t.Fatalf("policies of administrator: %+v", ps)
		}

		// Shown once: the Overview and the plan page never show it again.
		again := b.get("/console/ram/overview")
		wantStatus(t, again, http.StatusOK, `data-testid="ram-count-Users">1<`)
		for _, p := range []page{again, b.get("/console/ram/overview/administrator"), b.get("/console/ram/users")} {
			if strings.Contains(p.body, password) || strings.Contains(p.body, m[1]) {
				t.Fatal("the generated password appears on a later page")
			}
		}

		// A second Perform stops at the conflict, with the cloud's code and
		// request id; nothing else runs and no password is made.
		second := b.post("/console/ram/overview/administrator", url.Values{})
		wantStatus(t, second, http.StatusConflict, "EntityAlreadyExists.User", `data-testid="error-request-id"`)
		if s := stepsOf(second); s["CreateUser"] != "Failed" || s["CreateLoginProfile"] != "Not run" || s["AttachPolicyToUser"] != "Not run" {
			t.Fatalf("progress after the conflict: %v", s)
		}
		if strings.Contains(second.body, `data-testid="admin-password"`) {
			t.Fatal("a failed Perform shows a password")
		}

		// The trail: the three calls, the root as operator, console
		// operations, the password nowhere.
		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		for action, n := range map[string]int{"CreateUser": 2, "CreateLoginProfile": 1, "AttachPolicyToUser": 1} {
			evs := lookup(t, trail, "EventName", action, "50", "").Events
			if len(evs) != n {
				t.Fatalf("%s: %d events, want %d", action, len(evs), n)
			}
			for _, ev := range evs {
				id := ev["userIdentity"].(map[string]interface{})
				if ev["eventType"] != "ConsoleOperation" || id["type"] != "root-account" || ev["userAgent"] != "AliyunConsole" {
					t.Fatalf("%s event: %v", action, ev)
				}
			}
		}
		// Event Query's User filter (a LookupEvents key) finds them.
		wantStatus(t, b.get("/console/trail?key=User&value=root"), http.StatusOK, `data-testid="trail-event-name">AttachPolicyToUser<`)
		all := lookup(t, trail, "", "", "50", "")
		rawTrail, _ := json.Marshal(all.Events)
		if strings.Contains(string(rawTrail), password) {
			t.Fatal("the generated password is in the trail")
		}

		// The password works once, and forces the change and the MFA binding.
		admin := newBrowser(t, w.srv)
		if p := admin.ramLogon("administrator@"+domain, password); p.status != http.StatusSeeOther || p.location != "/console/change-password" {
			t.Fatalf("administrator's first logon: %d %s\n%s", p.status, p.location, p.body)
		}
	})
}

// TestConsoleRAMOverviewNeedsPermissions: a RAM user without a policy sees
// the cloud's refusal (code, message, request id) on the Overview and on
// Perform, and creates nothing.
func TestConsoleRAMOverviewNeedsPermissions(t *testing.T) {
	w := newRAMWorld(t)
	w.consoleUser(t, "nopol", "Nopol-Passw0rd-1", false, false)
	b := newBrowser(t, w.srv)
	b.follow(b.ramLogon("nopol@"+w.acct.ID, "Nopol-Passw0rd-1"))
	wantStatus(t, b.get("/console/ram/overview"), http.StatusForbidden, "NoPermission", `data-testid="error-message"`, `data-testid="error-request-id"`)
	b.get("/console/ram/overview/administrator")
	refused := b.post("/console/ram/overview/administrator", url.Values{})
	wantStatus(t, refused, http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	if s := stepsOf(refused); s["CreateUser"] != "Failed" || s["CreateLoginProfile"] != "Not run" {
		t.Fatalf("progress: %v", s)
	}
	get := ram.CreateGetUserRequest()
	get.UserName = "administrator"
	if _, err := w.root.GetUser(get); serverCode(err) != "EntityNotExist.User" {
		t.Fatalf("a refused Perform created the user: %v", err)
	}
}

// TestConsoleAccountAdministratorRacing: twenty Perform posts at once make
// one administrator: one answer shows a password, the rest the conflict.
func TestConsoleAccountAdministratorRacing(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	b.get("/console/ram/overview/administrator")
	form := url.Values{"csrf": {b.csrf}}.Encode()
	const n = 20
	statuses := make(chan int, n)
	bodies := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, b.base+"/console/ram/overview/administrator", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", b.base)
			resp, err := b.client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
			bodies <- string(body)
		}()
	}
	wg.Wait()
	close(statuses)
	close(bodies)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	passwords := 0
	for body := range bodies {
		if strings.Contains(body, `data-testid="admin-password"`) {
			passwords++
		}
	}
	if count[http.StatusOK] != 1 || count[http.StatusConflict] != n-1 || passwords != 1 {
		t.Fatalf("statuses %v, %d passwords shown: want one success and %d conflicts", count, passwords, n-1)
	}
	pols := ram.CreateListPoliciesForUserRequest()
	pols.UserName = "administrator"
	attached, err := w.root.ListPoliciesForUser(pols)
	ok(t, "ListPoliciesForUser", err)
	if len(attached.Policies.Policy) != 1 {
		t.Fatalf("administrator has %d policies", len(attached.Policies.Policy))
	}
}
