package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"
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

// rdActCheckPage polls the check page until the check completes.
func rdActCheckPage(t *testing.T, b *browser, id string) page {
	t.Helper()
	var p page
	within(t, 20*time.Second, "the deletion check completes", func() bool {
		p = b.get("/console/rd/members/" + id + "/delete/check")
		wantStatus(t, p, http.StatusOK)
		m := rdActCheckStatus.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("the check page shows no status:\n%s", p.body)
		}
		return m[1] == "PreCheckComplete"
	})
	return p
}

// rdActStatusPage polls the status page until the deletion ends.
func rdActStatusPage(t *testing.T, b *browser, id string) (page, string) {
	t.Helper()
	var p page
	status := ""
	within(t, 20*time.Second, "the deletion ends", func() bool {
		p = b.get("/console/rd/members/" + id + "/delete/status")
		wantStatus(t, p, http.StatusOK)
		m := rdActDeleteStatus.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("the status page shows no status:\n%s", p.body)
		}
		status = m[1]
		return status != "Checking" && status != "Deleting"
	})
	return p, status
}

// TestConsoleRDMemberActions walks every action at the HTTP level, on
// the pages' own forms, and checks the result through the SDK.
func TestConsoleRDMemberActions(t *testing.T) {
	w := newRDWorld(t)
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
