package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"
	"github.com/chromedp/chromedp"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The Member List's and the member page's Actions: per type and state,
// member deletion (settings, check, confirm, status), binding a resource
// account's phone, switching it to a cloud account, removing a cloud
// account, renaming, and the bulk Move.

// rdActionIDs are the test ids of the type-dependent actions.
var rdActionIDs = []string{"rd-action-switch-resource", "rd-action-remove", "rd-action-switch-cloud", "rd-action-bind-phone", "rd-action-delete"}

// rdActRow is the Member List row of member id.
func rdActRow(t *testing.T, p page, id string) string {
	t.Helper()
	start := strings.Index(p.body, `data-member-id="`+id+`"`)
	if start < 0 {
		t.Fatalf("the Member List has no row for %s:\n%s", id, p.body)
	}
	end := strings.Index(p.body[start:], "</tr>")
	return p.body[start : start+end]
}

// rdActWantActions asserts the type-dependent actions in html are exactly want.
func rdActWantActions(t *testing.T, what, html string, want ...string) {
	t.Helper()
	for _, id := range rdActionIDs {
		has := strings.Contains(html, `data-testid="`+id+`"`)
		wanted := false
		for _, w := range want {
			wanted = wanted || w == id
		}
		if has != wanted {
			t.Errorf("%s: action %s shown=%v, want %v", what, id, has, wanted)
		}
	}
}

// rdActMemberKeyHolder gives member a RAM user holding an AccessKey (the
// abandonable deletion check finds it), through the access role.
func rdActMemberKeyHolder(t *testing.T, w *rdWorld, member string) {
	t.Helper()
	creds := mustAssume(t, w.adminSTS, accessRoleARN(member), "setup").Credentials
	inMember := sessionRAM(t, w.srv, creds)
	ok(t, "CreateUser bob in the member", createUserWith(inMember, "bob"))
	req := ram.CreateCreateAccessKeyRequest()
	req.UserName = "bob"
	_, err := inMember.CreateAccessKey(req)
	ok(t, "CreateAccessKey for bob", err)
}

var rdActCheckStatus = regexp.MustCompile(`data-testid="rd-delete-check-status">([A-Za-z]+)<`)
var rdActDeleteStatus = regexp.MustCompile(`data-testid="rd-delete-status" data-status="([A-Za-z]+)"`)

// rdActPoll gets path until the state re reads from it is final, and
// returns the page and that state (the deletion's jobs run in the
// background).
func rdActPoll(t *testing.T, b *browser, path string, re *regexp.Regexp, final func(string) bool) (page, string) {
	t.Helper()
	var p page
	state := ""
	within(t, 20*time.Second, path+" settles", func() bool {
		p = b.get(path)
		wantStatus(t, p, http.StatusOK)
		m := re.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("%s shows no state:\n%s", path, p.body)
		}
		state = m[1]
		return final(state)
	})
	return p, state
}

// rdActCheckPage waits for the member's deletion check to complete.
func rdActCheckPage(t *testing.T, b *browser, id string) page {
	t.Helper()
	p, _ := rdActPoll(t, b, "/console/rd/members/"+id+"/delete/check", rdActCheckStatus, func(s string) bool { return s == "PreCheckComplete" })
	return p
}

// rdActStatusPage waits for the member's deletion to end.
func rdActStatusPage(t *testing.T, b *browser, id string) (page, string) {
	t.Helper()
	return rdActPoll(t, b, "/console/rd/members/"+id+"/delete/status", rdActDeleteStatus, func(s string) bool { return s != "Checking" && s != "Deleting" })
}

// TestConsoleRDMemberActions walks every action at the HTTP level, on
// the pages' own forms, and checks the result through the SDK, on SQLite
// and PostgreSQL.
func TestConsoleRDMemberActions(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		doomed := createResourceAccount(t, w.admin, "", "Doomed", "doomed")
		payer := createResourceAccount(t, w.admin, "", "Payer", "payer")
		paid := resourcemanager.CreateCreateResourceAccountRequest()
		paid.DisplayName, paid.AccountNamePrefix, paid.PayerAccountId = "Paid", "paid", payer.AccountId
		_, err := w.admin.CreateResourceAccount(paid)
		ok(t, "CreateResourceAccount paid by Payer", err)
		guest := joinedCloudAccount(t, w)
		rdActMemberKeyHolder(t, w, doomed.AccountId)

		b := newBrowser(t, w.srv)
		b.signedInRAM(w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd"), "Rd-Admin-Passw0rd")

		// The link set per type and state; Delete explains itself while
		// deletion is off.
		list := b.get("/console/rd/members")
		wantStatus(t, list, http.StatusOK, `data-testid="rd-bulk-move-form"`)
		rdActWantActions(t, "resource member", rdActRow(t, list, doomed.AccountId), "rd-action-switch-cloud", "rd-action-bind-phone", "rd-action-delete")
		rdActWantActions(t, "cloud member", rdActRow(t, list, guest.acct.ID), "rd-action-switch-resource", "rd-action-remove")
		if !strings.Contains(rdActRow(t, list, doomed.AccountId), `data-testid="rd-action-delete-off"`) {
			t.Fatal("with deletion off, Delete does not say why")
		}
		detail := b.get("/console/rd/members/" + guest.acct.ID)
		rdActWantActions(t, "cloud member's page", detail.body, "rd-action-remove")
		wantStatus(t, detail, http.StatusOK, `data-testid="rd-switch-type"`, `data-testid="rd-rename-form"`)
		wantStatus(t, b.get("/console/rd/members/"+doomed.AccountId+"/delete"), http.StatusOK, `data-testid="rd-delete-disabled"`, "Settings")

		// Settings > Member Deletion.
		wantStatus(t, b.get("/console/rd/settings"), http.StatusOK, `data-testid="rd-deletion-status">Disabled<`)
		wantStatus(t, b.postRaw("/console/rd/settings/deletion", url.Values{"status": {"Enabled"}}, b.base), http.StatusForbidden, "Forbidden.CSRF")
		wantStatus(t, b.post("/console/rd/settings/deletion", url.Values{"status": {"Maybe"}}), http.StatusBadRequest, "error-request-id")
		wantStatus(t, b.follow(b.post("/console/rd/settings/deletion", url.Values{"status": {"Enabled"}})), http.StatusOK,
			`data-testid="rd-deletion-status">Enabled<`, "Member deletion is now Enabled.")
		if strings.Contains(rdActRow(t, b.get("/console/rd/members"), doomed.AccountId), `rd-action-delete-off`) {
			t.Fatal("Delete still says deletion is off")
		}

		// Delete: the dialog names the member; the check finds bob's key.
		wantStatus(t, b.get("/console/rd/members/"+doomed.AccountId+"/delete"), http.StatusOK,
			`data-testid="rd-delete-target">Doomed<`, "cannot be undone", `data-testid="rd-delete-start"`)
		if p := b.post("/console/rd/members/"+doomed.AccountId+"/delete/check", nil); p.status != http.StatusSeeOther {
			t.Fatalf("start the check: %d\n%s", p.status, p.body)
		}
		check := rdActCheckPage(t, b, doomed.AccountId)
		wantStatus(t, check, http.StatusOK, `data-check-id="PAYER_FOR_MEMBERS" data-passed="true"`, `data-check-id="RAM_USER_ACCESS_KEYS" data-passed="false"`,
			`data-check-id="RAM_ROLES" data-passed="true"`, `data-testid="rd-delete-abandon-RAM_USER_ACCESS_KEYS"`, `&#34;bob&#34;`)
		if strings.Contains(check.body, `data-testid="rd-delete-blocked"`) {
			t.Fatal("an abandonable failure blocks the deletion")
		}
		// Confirmed without abandoning it, the deletion's own check fails.
		b.post("/console/rd/members/"+doomed.AccountId+"/delete", url.Values{"confirm": {"yes"}})
		failed, status := rdActStatusPage(t, b, doomed.AccountId)
		if status != "CheckFailed" || !strings.Contains(failed.body, `data-testid="rd-delete-fail-reason"`) {
			t.Fatalf("deletion without abandoning: %s\n%s", status, failed.body)
		}
		// Abandoning it, it succeeds and the member is gone.
		b.post("/console/rd/members/"+doomed.AccountId+"/delete/check", nil)
		rdActCheckPage(t, b, doomed.AccountId)
		b.post("/console/rd/members/"+doomed.AccountId+"/delete", url.Values{"confirm": {"yes"}, "abandon": {"RAM_USER_ACCESS_KEYS"}})
		done, status := rdActStatusPage(t, b, doomed.AccountId)
		if status != "Success" || !strings.Contains(done.body, `data-testid="rd-delete-success"`) {
			t.Fatalf("deletion abandoning the check: %s\n%s", status, done.body)
		}
		if strings.Contains(b.get("/console/rd/members").body, doomed.AccountId) || strings.Contains(b.get("/console/rd").body, doomed.AccountId) {
			t.Fatal("the deleted member is still listed")
		}
		if err := getAccountErr(w.admin, doomed.AccountId); serverCode(err) != "EntityNotExists.Account" {
			t.Fatalf("GetAccount of the deleted member: %v", err)
		}

		// A blocking failure: no checkbox, the button is disabled, and a
		// forged confirmation gets the directory's refusal.
		b.post("/console/rd/members/"+payer.AccountId+"/delete/check", nil)
		blocked := rdActCheckPage(t, b, payer.AccountId)
		wantStatus(t, blocked, http.StatusOK, `data-check-id="PAYER_FOR_MEMBERS" data-passed="false"`, `data-testid="rd-delete-blocked"`, `disabled data-testid="rd-delete-ok"`)
		if strings.Contains(blocked.body, "rd-delete-abandon-PAYER_FOR_MEMBERS") {
			t.Fatal("a blocking check is offered as abandonable")
		}
		wantStatus(t, b.post("/console/rd/members/"+payer.AccountId+"/delete", url.Values{"confirm": {"yes"}, "abandon": {"PAYER_FOR_MEMBERS"}}),
			http.StatusBadRequest, "InvalidParameter.AbandonableCheckId")
		wantStatus(t, b.post("/console/rd/members/"+payer.AccountId+"/delete", url.Values{"confirm": {"yes"}}), http.StatusConflict, "NotSupport.HasPayerAccount")

		// Without a security phone the switch to a cloud account is refused
		// with the directory's precondition.
		wantStatus(t, b.post("/console/rd/members/"+payer.AccountId+"/upgrade", url.Values{"risk": {"yes"}}), http.StatusConflict, "MissingSecurityInfo", "bind one first")

		// Bind a phone: a wrong code shows the cloud's error above the form,
		// which keeps the number; the code from the outbox binds it.
		phonePath := "/console/rd/members/" + payer.AccountId + "/phone"
		wantStatus(t, b.get(phonePath), http.StatusOK, `data-testid="rd-phone-target">Payer<`)
		sent := b.post(phonePath, url.Values{"step": {"send"}, "phone": {memberPhone}})
		wantStatus(t, sent, http.StatusOK, `data-testid="rd-phone-expires"`, "A verification code was sent to "+memberPhone)
		code := waitCode(t, w.srv, memberPhone, 1)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		wantStatus(t, b.post(phonePath, url.Values{"step": {"bind"}, "phone": {memberPhone}, "code": {wrong}}), http.StatusConflict,
			"Invalid.VerificationCode", `data-testid="error-request-id"`, `value="`+memberPhone+`"`)
		wantStatus(t, b.post(phonePath, url.Values{"step": {"send"}, "phone": {memberPhone}}), http.StatusConflict, "LimitExceeded.Frequency")
		wantStatus(t, b.follow(b.post(phonePath, url.Values{"step": {"bind"}, "phone": {memberPhone}, "code": {code}})), http.StatusOK,
			"The security mobile phone "+memberPhone+" is bound")
		if got := storedAccount(t, w.srv, payer.AccountId).Mobile; got != memberPhone {
			t.Fatalf("the member's phone is %q", got)
		}

		// Switch to a cloud account: the box must be ticked.
		upPath := "/console/rd/members/" + payer.AccountId + "/upgrade"
		wantStatus(t, b.get(upPath), http.StatusOK, `data-testid="rd-upgrade-risk"`, `data-testid="rd-upgrade-target">Payer<`)
		wantStatus(t, b.post(upPath, url.Values{}), http.StatusBadRequest, "InvalidParameter.RiskNotAccepted")
		wantStatus(t, b.follow(b.post(upPath, url.Values{"risk": {"yes"}})), http.StatusOK, `data-testid="rd-member-type">CloudAccount<`, "is now a cloud account")
		if a := getAccount(t, w.admin, payer.AccountId); a.Type != "CloudAccount" {
			t.Fatalf("the SDK sees type %s", a.Type)
		}

		// Rename.
		renamed := b.follow(b.post("/console/rd/members/"+guest.acct.ID+"/rename", url.Values{"display_name": {"Guest Renamed"}}))
		wantStatus(t, renamed, http.StatusOK, `data-testid="rd-member-display">Guest Renamed<`)
		wantStatus(t, b.post("/console/rd/members/"+guest.acct.ID+"/rename", url.Values{"display_name": {strings.Repeat("x", 1<<16-100)}}), http.StatusBadRequest, "error-code")

		// Remove: a confirmation naming the cloud account, then gone.
		rmPath := "/console/rd/members/" + guest.acct.ID + "/remove"
		wantStatus(t, b.get(rmPath), http.StatusOK, `data-testid="confirm-question"`, "Guest Renamed ("+guest.acct.ID+")")
		wantStatus(t, b.post(rmPath, url.Values{}), http.StatusOK, `data-testid="confirm-ok"`)
		if err := getAccountErr(w.admin, guest.acct.ID); err != nil {
			t.Fatalf("the member is gone before the confirmation: %v", err)
		}
		wantStatus(t, b.follow(b.post(rmPath, url.Values{"confirm": {"yes"}})), http.StatusOK, "was removed from the resource directory")
		if err := getAccountErr(w.admin, guest.acct.ID); serverCode(err) != "EntityNotExists.Account" {
			t.Fatalf("GetAccount of the removed member: %v", err)
		}

		// Bulk Move: two members and another directory's, each reported.
		other := newRDWorldOn(t, w.srv)
		theirs := createResourceAccount(t, other.rootRD, "", "Theirs", "theirs")
		one := createResourceAccount(t, w.admin, "", "One", "one")
		two := createResourceAccount(t, w.admin, "", "Two", "two")
		target := createFolder(t, w.admin, w.directory.RootFolderId, "Target")
		b.get("/console/rd/members")
		moved := b.post("/console/rd/members/move", url.Values{"member": {one.AccountId, two.AccountId, theirs.AccountId}, "folder": {target.FolderId}})
		wantStatus(t, moved, http.StatusOK, `data-testid="rd-bulk-moved">2<`, `data-testid="rd-bulk-failed">1<`, "EntityNotExists.Account")
		for _, id := range []string{one.AccountId, two.AccountId} {
			if a := getAccount(t, w.admin, id); a.FolderId != target.FolderId {
				t.Fatalf("member %s is in %s after the bulk Move", id, a.FolderId)
			}
		}
		if a := getAccount(t, other.rootRD, theirs.AccountId); a.FolderId != other.directory.RootFolderId {
			t.Fatalf("another directory's member moved to %s", a.FolderId)
		}
		wantStatus(t, b.post("/console/rd/members/move", url.Values{"folder": {target.FolderId}}), http.StatusBadRequest, "Select at least one member")

		// Twenty identical confirmations racing: one deletion is accepted,
		// the others are refused with the directory's conflict, none fails.
		racer := createResourceAccount(t, w.admin, "", "Racer", "racer")
		b.post("/console/rd/members/"+racer.AccountId+"/delete/check", nil)
		rdActCheckPage(t, b, racer.AccountId)
		form := url.Values{"csrf": {b.csrf}, "confirm": {"yes"}}.Encode()
		statuses := make(chan int, 20)
		for range 20 {
			go func() {
				req, _ := http.NewRequest(http.MethodPost, b.base+"/console/rd/members/"+racer.AccountId+"/delete", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", b.base)
				resp, err := b.client.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		accepted := 0
		for range 20 {
			switch st := <-statuses; st {
			case http.StatusSeeOther:
				accepted++
			case http.StatusConflict:
			default:
				t.Errorf("a racing confirmation answered %d", st)
			}
		}
		if accepted != 1 {
			t.Fatalf("%d racing confirmations were accepted, want 1", accepted)
		}
		if _, status := rdActStatusPage(t, b, racer.AccountId); status != "Success" {
			t.Fatalf("the raced deletion ended %s", status)
		}

		// Each write is in the trail as a console operation of rd-admin.
		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		for _, action := range []string{"SetMemberDeletionPermission", "CheckAccountDelete", "DeleteAccount", "SendVerificationCodeForBindSecureMobilePhone",
			"BindSecureMobilePhone", "UpdateAccount", "RemoveCloudAccount", "MoveAccount"} {
			fromConsole := 0
			for _, ev := range lookup(t, trail, "EventName", action, "50", "").Events {
				id, _ := ev["userIdentity"].(map[string]interface{})
				if code, _ := ev["errorCode"].(string); ev["eventType"] == "ConsoleOperation" && id["userName"] == "rd-admin" && code == "" {
					fromConsole++
				}
			}
			if fromConsole == 0 {
				t.Errorf("no successful console %s by rd-admin in the trail", action)
			}
		}
	})
}

// TestConsoleRDActionRefusals: the management root, a RAM user without
// policies, an explicit Deny, a member account, a post without the token
// and another directory's member each get the cloud's error on the
// page, never a 5xx, and change nothing.
func TestConsoleRDActionRefusals(t *testing.T) {
	w := newRDWorld(t)
	member := createResourceAccount(t, w.admin, "", "Kept", "kept")
	_, err := setMemberDeletion(w.rootRD, "Enabled")
	ok(t, "SetMemberDeletionPermission", err)
	paths := []string{"/delete/check", "/delete", "/phone", "/upgrade", "/rename", "/remove"}
	forms := url.Values{"confirm": {"yes"}, "risk": {"yes"}, "step": {"send"}, "phone": {memberPhone}, "display_name": {"Hijacked"}}
	wantRefused := func(t *testing.T, b *browser, id string, status int, code string) {
		t.Helper()
		for _, p := range paths {
			got := b.post("/console/rd/members/"+id+p, forms)
			if (status != 0 && got.status != status) || got.status < 400 || got.status >= 500 || !strings.Contains(got.body, code) || !strings.Contains(got.body, `data-testid="error-request-id"`) {
				t.Errorf("POST %s: %d, want %d %s:\n%s", p, got.status, status, code, got.body)
			}
		}
	}

	// The management root: deletion is refused with the explanation, up
	// front in the dialog and on a forged post.
	root := newBrowser(t, w.srv)
	root.signInRoot(w.acct.Email, w.acct.Password)
	refused := root.get("/console/rd/members/" + member.AccountId + "/delete")
	wantStatus(t, refused, http.StatusConflict, "CallerIdentityError.DeleteAccount", "RAM user", `data-testid="rd-delete-target">Kept<`)
	if strings.Contains(refused.body, `data-testid="rd-delete-start"`) {
		t.Fatal("the root is offered the check")
	}
	wantStatus(t, root.post("/console/rd/members/"+member.AccountId+"/delete/check", nil), http.StatusConflict, "CallerIdentityError.DeleteAccount")
	wantStatus(t, root.get("/console/rd/members/"+member.AccountId+"/upgrade"), http.StatusConflict, "CallerIdentityError")
	// ... but may turn deletion off and on (the cloud allows it).
	wantStatus(t, root.follow(root.post("/console/rd/settings/deletion", url.Values{"status": {"Disabled"}})), http.StatusOK, "Member deletion is now Disabled.")
	root.post("/console/rd/settings/deletion", url.Values{"status": {"Enabled"}})

	// A RAM user without policies.
	w.consoleUser(t, "nobody", "Nobody-Passw0rd-1", false, false)
	nobody := newBrowser(t, w.srv)
	nobody.signedInRAM("nobody@"+w.acct.ID+".onaliyun.com", "Nobody-Passw0rd-1")
	wantStatus(t, nobody.get("/console/rd/settings"), http.StatusForbidden, "NoPermission")
	wantStatus(t, nobody.post("/console/rd/settings/deletion", url.Values{"status": {"Disabled"}}), http.StatusForbidden, "NoPermission")
	wantRefused(t, nobody, member.AccountId, http.StatusForbidden, "NoPermission")
	wantStatus(t, nobody.post("/console/rd/members/move", url.Values{"member": {member.AccountId}, "folder": {w.directory.RootFolderId}}),
		http.StatusOK, `data-testid="rd-bulk-failed">1<`, "NoPermission")

	// Full access with an explicit Deny on the deletion and the move.
	w.consoleUser(t, "denied", "Denied-Passw0rd-1", false, false)
	w.attachToUser(t, "denied", "System", "AliyunResourceDirectoryFullAccess")
	w.createPolicy(t, "deny-delete-move", `{"Version":"1","Statement":[{"Effect":"Deny","Action":["resourcemanager:CheckAccountDelete","resourcemanager:DeleteAccount","resourcemanager:MoveAccount"],"Resource":"*"}]}`)
	w.attachToUser(t, "denied", "Custom", "deny-delete-move")
	denied := newBrowser(t, w.srv)
	denied.signedInRAM("denied@"+w.acct.ID+".onaliyun.com", "Denied-Passw0rd-1")
	wantStatus(t, denied.get("/console/rd/members/"+member.AccountId+"/delete"), http.StatusOK, `data-testid="rd-delete-start"`)
	wantStatus(t, denied.post("/console/rd/members/"+member.AccountId+"/delete/check", nil), http.StatusForbidden, "NoPermission")
	wantStatus(t, denied.post("/console/rd/members/"+member.AccountId+"/delete", url.Values{"confirm": {"yes"}}), http.StatusForbidden, "NoPermission")
	wantStatus(t, denied.post("/console/rd/members/move", url.Values{"member": {member.AccountId}, "folder": {w.directory.RootFolderId}}),
		http.StatusOK, `data-testid="rd-bulk-failed">1<`, "NoPermission")

	// A post without the token.
	admin := newBrowser(t, w.srv)
	admin.signedInRAM(w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd"), "Rd-Admin-Passw0rd")
	for _, p := range paths {
		if got := admin.postRaw("/console/rd/members/"+member.AccountId+p, forms, admin.base); got.status != http.StatusForbidden || !strings.Contains(got.body, "Forbidden.CSRF") {
			t.Errorf("POST %s without the token: %d", p, got.status)
		}
	}
	if got := admin.postRaw("/console/rd/members/move", url.Values{"member": {member.AccountId}, "folder": {w.directory.RootFolderId}}, admin.base); got.status != http.StatusForbidden {
		t.Errorf("bulk Move without the token: %d", got.status)
	}

	// Another directory's member, and a forged id.
	other := newRDWorldOn(t, w.srv)
	theirs := createResourceAccount(t, other.rootRD, "", "Theirs", "theirs")
	admin.get("/console/rd/members")
	for _, id := range []string{theirs.AccountId, "123", "not-a-number"} {
		for _, p := range append(paths, "/delete/status") {
			got := admin.post("/console/rd/members/"+id+p, forms)
			if p == "/delete/status" {
				got = admin.get("/console/rd/members/" + id + p)
			}
			if got.status < 400 || got.status >= 500 || !strings.Contains(got.body, `data-testid="error-code"`) {
				t.Errorf("%s%s: %d\n%s", id, p, got.status, got.body)
			}
		}
	}
	if a := getAccount(t, other.rootRD, theirs.AccountId); a.DisplayName != "Theirs" {
		t.Fatalf("another directory's member was renamed to %q", a.DisplayName)
	}

	// A member account's own console: it manages no directory.
	guest := joinedCloudAccount(t, w)
	in := newBrowser(t, w.srv)
	in.signInRoot(guest.acct.Email, guest.acct.Password)
	// It reads its directory's setting; only the management account changes it.
	wantStatus(t, in.get("/console/rd/settings"), http.StatusOK, `data-testid="rd-deletion-readonly"`)
	wantRefused(t, in, member.AccountId, 0, "error-code")
	if p := in.post("/console/rd/settings/deletion", url.Values{"status": {"Disabled"}}); p.status < 400 || p.status >= 500 {
		t.Fatalf("a member turning deletion off: %d\n%s", p.status, p.body)
	}
	if a := getAccount(t, w.admin, member.AccountId); a.DisplayName != "Kept" {
		t.Fatalf("the member was renamed to %q", a.DisplayName)
	}
	rd, err := w.admin.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
	ok(t, "GetResourceDirectory", err)
	if rd.ResourceDirectory.MemberDeletionStatus != "Enabled" {
		t.Fatalf("deletion is %s after the refusals", rd.ResourceDirectory.MemberDeletionStatus)
	}
}

// rdActRowSel selects a control in member id's Member List row.
func rdActRowSel(id, testID string) chromedp.CSS {
	return chromedp.CSS(`tr[data-member-id="` + id + `"] [data-testid="` + testID + `"]`)
}

// rdActPress follows a link from the keyboard: focus, then Enter (a click
// at the link's position can land on the sticky bulk bar instead).
func rdActPress(sel chromedp.CSS) chromedp.Action[chromedp.Void] {
	return loads(chromedp.Steps(chromedp.Focus(sel), chromedp.KeyEvent("\r")))
}

// rdActShownActions are the type-dependent actions the page shows, per
// member row (or for the detail page, under "").
func rdActShownActions(t *testing.T, ctx context.Context) map[string][]string {
	t.Helper()
	return value(t, ctx, "read the actions", chromedp.Evaluate[map[string][]string](`(() => {
		const out = {};
		document.querySelectorAll('[data-testid="rd-member-actions"]').forEach(cell => {
			const row = cell.closest('tr');
			out[row ? row.dataset.memberId : ""] = [...cell.querySelectorAll('a[data-testid]')].map(a => a.dataset.testid);
		});
		return out;
	})()`))
}

// TestBrowserRDMemberActions: the Actions in Chromium. A RAM
// administrator enables member deletion in Settings, creates a resource
// member, deletes it through the dialog (abandoning the check on its RAM
// user's key) to Success, and no longer finds it in the list or the tree;
// binds a phone to another member with the code from the outbox and
// switches it to a cloud account (the risk box gates OK, ticked from the
// keyboard); renames and removes a cloud member; moves two members at
// once. The management root is refused the deletion with the
// explanation. The Member List stays readable on a phone's width.
func TestBrowserRDMemberActions(t *testing.T) {
	w := newRDWorld(t)
	logon := w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd")
	guest := joinedCloudAccount(t, w)
	one := createResourceAccount(t, w.admin, "", "One", "one")
	two := createResourceAccount(t, w.admin, "", "Two", "two")
	target := createFolder(t, w.admin, w.directory.RootFolderId, "Target")
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	ramSignInBrowser(t, ctx, base, logon, "Rd-Admin-Passw0rd")

	run(t, ctx, "Settings > Member Deletion", chromedp.Navigate(base+"/console/rd/members"), chromedp.WaitVisible(tid("rd-settings-link")),
		clickLoads(tid("rd-settings-link")), chromedp.WaitVisible(tid("rd-deletion-settings")))
	if got := textOf(t, ctx, tid("rd-deletion-status")); got != "Disabled" {
		t.Fatalf("member deletion starts %q", got)
	}
	run(t, ctx, "enable member deletion", clickLoads(tid("rd-deletion-enable")), chromedp.WaitVisible(tid("notice")))
	if got := textOf(t, ctx, tid("rd-deletion-status")); got != "Enabled" {
		t.Fatalf("after enabling, member deletion is %q", got)
	}
	screenshot(t, ctx, "rd-settings-deletion.png")

	run(t, ctx, "create a resource member", chromedp.Navigate(base+"/console/rd/members/new"), chromedp.WaitVisible(tid("rd-create-member-form")),
		chromedp.SendKeys(tid("rd-member-display-name"), "Doomed"),
		chromedp.SendKeys(tid("rd-member-prefix"), "doomed"),
		clickLoads(tid("rd-member-create")), chromedp.WaitVisible(tid("rd-member-detail")))
	doomed := textOf(t, ctx, tid("rd-member-id"))
	rdActMemberKeyHolder(t, w, doomed)

	// The page-level check: each row's actions follow its type.
	run(t, ctx, "Member List", chromedp.Navigate(base+"/console/rd/members"), chromedp.WaitVisible(tid("rd-members-table")))
	resource := "rd-action-switch-cloud,rd-action-bind-phone,rd-action-delete"
	shown := rdActShownActions(t, ctx)
	for id, want := range map[string]string{doomed: resource, one.AccountId: resource, two.AccountId: resource,
		guest.acct.ID: "rd-action-switch-resource,rd-action-remove"} {
		if got := strings.Join(shown[id], ","); got != want {
			t.Errorf("member %s shows actions %s, want %s", id, got, want)
		}
	}
	screenshot(t, ctx, "rd-member-actions.png")

	run(t, ctx, "Delete", rdActPress(rdActRowSel(doomed, "rd-action-delete")), chromedp.WaitVisible(tid("rd-delete-dialog")))
	if got := textOf(t, ctx, tid("rd-delete-target")); got != "Doomed" {
		t.Fatalf("the dialog names %q", got)
	}
	screenshot(t, ctx, "rd-delete-dialog.png")
	run(t, ctx, "check the member", clickLoads(tid("rd-delete-start")), chromedp.WaitVisible(tid("rd-delete-checks")))
	verdicts := value(t, ctx, "verdicts", chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('[data-testid="rd-delete-check-item"]')].map(li => [li.dataset.checkId, li.dataset.passed]))`))
	if verdicts["PAYER_FOR_MEMBERS"] != "true" || verdicts["RAM_ROLES"] != "true" || verdicts["RAM_USER_ACCESS_KEYS"] != "false" {
		t.Fatalf("check verdicts %v", verdicts)
	}
	run(t, ctx, "abandon the key check", loaded(), chromedp.Click(tid("rd-delete-abandon-RAM_USER_ACCESS_KEYS")))
	screenshot(t, ctx, "rd-delete-check.png")
	run(t, ctx, "confirm", clickLoads(tid("rd-delete-ok")), chromedp.WaitVisible(tid("rd-delete-status-view")))
	waitText(t, ctx, "rd-delete-status", "Success")
	if got := textOf(t, ctx, tid("rd-delete-target")); got != "Doomed" {
		t.Fatalf("the status page names %q", got)
	}
	screenshot(t, ctx, "rd-delete-success.png")
	run(t, ctx, "back to the list", clickLoads(tid("rd-delete-back")), chromedp.WaitVisible(tid("rd-members-table")))
	ids := value(t, ctx, "listed ids", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="rd-member-id"]')].map(e => e.textContent)`))
	if strings.Contains(strings.Join(ids, ","), doomed) || len(ids) != 3 {
		t.Fatalf("after the deletion the list shows %v", ids)
	}
	run(t, ctx, "Organization view", chromedp.Navigate(base+"/console/rd"), chromedp.WaitVisible(tid("rd-tree")))
	if body := textOf(t, ctx, tid("rd-folder")); strings.Contains(body, doomed) || strings.Contains(body, "Doomed") {
		t.Fatal("the deleted member is still in the tree's Root folder")
	}

	// Bind a phone to One, then switch it to a cloud account.
	run(t, ctx, "Bind Mobile Phone Number", chromedp.Navigate(base+"/console/rd/members/"+one.AccountId), chromedp.WaitVisible(tid("rd-member-detail")),
		clickLoads(tid("rd-action-bind-phone")), chromedp.WaitVisible(tid("rd-phone-dialog")),
		chromedp.SendKeys(tid("rd-phone-number"), memberPhone),
		clickLoads(tid("rd-phone-send")), chromedp.WaitVisible(tid("rd-phone-expires")))
	run(t, ctx, "enter the code", chromedp.SendKeys(tid("rd-phone-code"), waitCode(t, w.srv, memberPhone, 1)))
	screenshot(t, ctx, "rd-bind-phone.png")
	run(t, ctx, "OK", clickLoads(tid("rd-phone-ok")), chromedp.WaitVisible(tid("rd-member-detail")))
	waitText(t, ctx, "notice", "The security mobile phone "+memberPhone+" is bound to the member.")
	run(t, ctx, "Switch to Cloud Account", clickLoads(tid("rd-action-switch-cloud")), chromedp.WaitVisible(tid("rd-upgrade-dialog")))
	gated := `document.querySelector('[data-testid="rd-upgrade-ok"]').disabled`
	if !value(t, ctx, "OK gated", chromedp.Evaluate[bool](gated)) {
		t.Fatal("OK is enabled before the risk box is ticked")
	}
	run(t, ctx, "tick the box from the keyboard", chromedp.Focus(tid("rd-upgrade-risk")), chromedp.KeyEvent(" "))
	if value(t, ctx, "OK enabled", chromedp.Evaluate[bool](gated)) {
		t.Fatal("OK stays disabled after the risk box is ticked")
	}
	screenshot(t, ctx, "rd-upgrade-dialog.png")
	run(t, ctx, "OK", clickLoads(tid("rd-upgrade-ok")), chromedp.WaitVisible(tid("notice")))
	if got := textOf(t, ctx, tid("rd-member-type")); got != "CloudAccount" {
		t.Fatalf("after the switch One is %q", got)
	}
	if got := rdActShownActions(t, ctx)[""]; strings.Join(got, ",") != "rd-switch-type,rd-action-remove" {
		t.Fatalf("One, a cloud account now, offers %v", got)
	}

	// Rename the guest, then remove it.
	run(t, ctx, "rename", chromedp.Navigate(base+"/console/rd/members/"+guest.acct.ID), chromedp.WaitVisible(tid("rd-rename-form")),
		chromedp.Clear(tid("rd-rename-name")), chromedp.SendKeys(tid("rd-rename-name"), "Partner"),
		clickLoads(tid("rd-rename")), chromedp.WaitVisible(tid("notice")))
	if got := textOf(t, ctx, tid("rd-member-display")); got != "Partner" {
		t.Fatalf("after the rename: %q", got)
	}
	run(t, ctx, "Remove", clickLoads(tid("rd-action-remove")), chromedp.WaitVisible(tid("confirm-dialog")))
	if q := textOf(t, ctx, tid("confirm-question")); !strings.Contains(q, "Partner ("+guest.acct.ID+")") {
		t.Fatalf("the confirmation does not name the member: %q", q)
	}
	screenshot(t, ctx, "rd-remove-confirm.png")
	run(t, ctx, "confirm", clickLoads(tid("confirm-ok")), chromedp.WaitVisible(tid("notice")))
	if err := getAccountErr(w.admin, guest.acct.ID); serverCode(err) != "EntityNotExists.Account" {
		t.Fatalf("the removed member: %v", err)
	}

	// Move One and Two together.
	run(t, ctx, "select two members", chromedp.WaitVisible(tid("rd-members-table")),
		chromedp.Click(rdActRowSel(one.AccountId, "rd-member-select")), chromedp.Click(rdActRowSel(two.AccountId, "rd-member-select")),
		chromedp.SetValue(tid("rd-bulk-move-folder"), target.FolderId))
	screenshot(t, ctx, "rd-bulk-move.png")
	run(t, ctx, "Move", clickLoads(tid("rd-bulk-move")), chromedp.WaitVisible(tid("rd-bulk-results")))
	if moved, failed := textOf(t, ctx, tid("rd-bulk-moved")), textOf(t, ctx, tid("rd-bulk-failed")); moved != "2" || failed != "0" {
		t.Fatalf("bulk Move: %s moved, %s failed", moved, failed)
	}
	for _, id := range []string{one.AccountId, two.AccountId} {
		if a := getAccount(t, w.admin, id); a.FolderId != target.FolderId {
			t.Fatalf("member %s is in %s", id, a.FolderId)
		}
	}

	// On a phone's width the list scrolls inside its frame, not the page.
	run(t, ctx, "narrow", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/console/rd/members"), chromedp.WaitVisible(tid("rd-members-table")))
	if wide := value(t, ctx, "page width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the Member List is wider than a phone's screen")
	}
	run(t, ctx, "scroll to the table", chromedp.ScrollIntoView(tid("rd-members-table")))
	screenshot(t, ctx, "rd-members-narrow.png")
	run(t, ctx, "wide again", chromedp.EmulateViewport(1280, 860))
	signOutBrowser(t, ctx)

	run(t, ctx, "the management root", chromedp.Navigate(base+"/console/signin"), chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email),
		chromedp.SendKeys(tid("signin-password"), w.acct.Password), clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")), chromedp.Navigate(base+"/console/rd/members"), chromedp.WaitVisible(tid("rd-members-table")),
		rdActPress(rdActRowSel(two.AccountId, "rd-action-delete")), chromedp.WaitVisible(tid("error-code")))
	if got := textOf(t, ctx, tid("error-code")); got != "CallerIdentityError.DeleteAccount" {
		t.Fatalf("the management root: %q", got)
	}
	if msg := textOf(t, ctx, tid("error-message")); !strings.Contains(msg, "RAM user") {
		t.Fatalf("the refusal does not say what to use: %q", msg)
	}
	if n := value(t, ctx, "no check button", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="rd-delete-start"]').length`)); n != 0 {
		t.Fatal("the root is offered the check")
	}
	screenshot(t, ctx, "rd-delete-root-refused.png")
}
