package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// rdConsoleAdmin is a RAM user of w's account with console access and the
// two policies the cloud's guides give a Resource Directory administrator.
func rdConsoleAdmin(t *testing.T, w *ramWorld, name, password string) string {
	t.Helper()
	w.consoleUser(t, name, password, false, false)
	w.attachToUser(t, name, "System", "AliyunResourceDirectoryFullAccess")
	w.attachToUser(t, name, "System", "AliyunSTSAssumeRoleAccess")
	return name + "@" + w.acct.ID + ".onaliyun.com"
}

// signedInRAM logs a RAM user on through both steps and lands on the home.
func (b *browser) signedInRAM(logon, password string) {
	b.t.Helper()
	p := b.ramLogon(logon, password)
	if p.status != http.StatusSeeOther || p.location != "/console/" {
		b.t.Fatalf("logon of %s: %d %s\n%s", logon, p.status, p.location, p.body)
	}
	b.follow(p)
}

// TestConsoleResourceDirectoryPages: a RAM administrator of a fresh
// account enables the directory, builds folders, renames and deletes
// one, creates a resource member in a folder, finds it in the Member
// List, moves it; every step is the API's action (the SDK sees the
// result, the trail names the administrator), the API's refusals show
// with their codes, and posts need the CSRF token.
func TestConsoleResourceDirectoryPages(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		logon := rdConsoleAdmin(t, w, "rd-admin", "Rd-Admin-Passw0rd")
		b := newBrowser(t, w.srv)
		b.signedInRAM(logon, "Rd-Admin-Passw0rd")

		// Before the directory exists, the page offers to enable it.
		wantStatus(t, b.get("/console/rd"), http.StatusOK, `data-testid="rd-enable"`)
		if p := b.get("/console/rd/members"); p.status != http.StatusSeeOther || p.location != "/console/rd" {
			t.Fatalf("Member List without a directory: %d %s", p.status, p.location)
		}
		// A post without the token changes nothing.
		wantStatus(t, b.postRaw("/console/rd/enable", url.Values{}, b.base), http.StatusForbidden, "Forbidden.CSRF")
		wantStatus(t, b.get("/console/rd"), http.StatusOK, `data-testid="rd-enable"`)

		p := b.post("/console/rd/enable", url.Values{})
		if p.status != http.StatusSeeOther {
			t.Fatalf("enable: %d\n%s", p.status, p.body)
		}
		overview := b.follow(p)
		wantStatus(t, overview, http.StatusOK, "The resource directory is enabled.", `data-testid="rd-tree"`)
		rootRD := w.srv.RDClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		got, err := rootRD.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		ok(t, "GetResourceDirectory", err)
		rd := got.ResourceDirectory
		wantStatus(t, overview, http.StatusOK, rd.ResourceDirectoryId, rd.RootFolderId)
		// Enabling twice is the API's conflict, shown with its code.
		wantStatus(t, b.post("/console/rd/enable", url.Values{}), http.StatusConflict, "EntityAlreadyExists.ResourceDirectory", "error-request-id")

		// Two folders, one inside the other.
		prod := b.follow(b.post("/console/rd/folders", url.Values{"parent": {rd.RootFolderId}, "name": {"Production"}}))
		wantStatus(t, prod, http.StatusOK, "The folder Production was created.")
		prodID := shownValue(t, prod, "rd-folder-id")
		apps := b.follow(b.post("/console/rd/folders", url.Values{"parent": {prodID}, "name": {"Apps"}}))
		appsID := shownValue(t, apps, "rd-folder-id")
		wantStatus(t, apps, http.StatusOK, "Production ("+prodID+")", `data-testid="rd-folder-empty"`, `data-testid="rd-delete-folder"`)
		lreq := resourcemanager.CreateListFoldersForParentRequest()
		lreq.ParentFolderId = prodID
		listed, err := rootRD.ListFoldersForParent(lreq)
		ok(t, "ListFoldersForParent", err)
		if len(listed.Folders.Folder) != 1 || listed.Folders.Folder[0].FolderId != appsID {
			t.Fatalf("the SDK sees %+v under Production, want Apps %s", listed.Folders.Folder, appsID)
		}
		// A sibling with the same name is the directory's refusal.
		wantStatus(t, b.post("/console/rd/folders", url.Values{"parent": {prodID}, "name": {"Apps"}}), http.StatusBadRequest, "InvalidParameter.Folder.Name.AlreadyUsed")
		renamed := b.follow(b.post("/console/rd/folders/rename", url.Values{"folder": {appsID}, "name": {"Applications"}}))
		wantStatus(t, renamed, http.StatusOK, "The folder was renamed to Applications.", `data-testid="rd-folder-name">Applications<`)
		// A non-empty folder has no Delete button, and the directory refuses it.
		wantStatus(t, b.get("/console/rd?folder="+prodID), http.StatusOK)
		if strings.Contains(b.get("/console/rd?folder="+prodID).body, `data-testid="rd-delete-folder"`) {
			t.Fatal("a folder with a subfolder offers Delete")
		}
		confirm := b.post("/console/rd/folders/delete", url.Values{"folder": {prodID}})
		wantStatus(t, confirm, http.StatusOK, `data-testid="confirm-dialog"`, `&#34;Production&#34;`)
		wantStatus(t, b.post("/console/rd/folders/delete", url.Values{"folder": {prodID}, "confirm": {"yes"}}), http.StatusConflict, "error-code")

		// Create Member Account opened from the folder preselects it.
		form := b.get("/console/rd/members/new?folder=" + appsID)
		wantStatus(t, form, http.StatusOK, `<option value="`+appsID+`" selected>`)
		created := b.post("/console/rd/members", url.Values{"display_name": {"Shop"}, "prefix": {"shop"}, "folder": {appsID}})
		if created.status != http.StatusSeeOther {
			t.Fatalf("create member: %d\n%s", created.status, created.body)
		}
		detail := b.follow(created)
		memberID := shownValue(t, detail, "rd-member-id")
		wantStatus(t, detail, http.StatusOK, "The member Shop was created.", "ResourceAccount", "shop@"+strings.ToLower(rd.ResourceDirectoryId)+".aliyunid.com",
			"Production ("+prodID+") / Applications ("+appsID+") / "+memberID)
		acct := getAccount(t, rootRD, memberID)
		if acct.FolderId != appsID || acct.Type != "ResourceAccount" || acct.DisplayName != "Shop" {
			t.Fatalf("the SDK sees %+v", acct)
		}
		// The display name is unique in the directory; a bad prefix names its rule.
		wantStatus(t, b.post("/console/rd/members", url.Values{"display_name": {"Shop"}, "prefix": {"shop2"}, "folder": {appsID}}), http.StatusConflict, "error-code")
		wantStatus(t, b.post("/console/rd/members", url.Values{"display_name": {"Bad"}, "prefix": {"-x"}, "folder": {appsID}}), http.StatusBadRequest, "AccountNamePrefix")

		// Move it to Root; the detail page and the SDK agree.
		moved := b.follow(b.post("/console/rd/members/"+memberID+"/move", url.Values{"folder": {rd.RootFolderId}}))
		wantStatus(t, moved, http.StatusOK, "The member was moved", `data-testid="rd-member-folder">Root<`)
		if a := getAccount(t, rootRD, memberID); a.FolderId != rd.RootFolderId {
			t.Fatalf("after the move the member is in %s", a.FolderId)
		}
		// The emptied folder is deleted after a confirmation naming it.
		wantStatus(t, b.post("/console/rd/folders/delete", url.Values{"folder": {appsID}}), http.StatusOK, `&#34;Applications&#34;`)
		gone := b.follow(b.post("/console/rd/folders/delete", url.Values{"folder": {appsID}, "confirm": {"yes"}}))
		wantStatus(t, gone, http.StatusOK, "The folder Applications was deleted.", `data-testid="rd-folder-id">`+prodID+`<`)

		// Member List: total, paging, search.
		for i := 1; i <= 11; i++ {
			createResourceAccount(t, rootRD, rd.RootFolderId, fmt.Sprintf("Team %02d", i), fmt.Sprintf("team%02d", i))
		}
		first := b.get("/console/rd/members?size=10")
		wantStatus(t, first, http.StatusOK, `data-testid="rd-members-total">12<`, `data-testid="rd-members-next"`)
		if n := strings.Count(first.body, `data-testid="rd-member-row"`); n != 10 {
			t.Fatalf("first page shows %d members, want 10", n)
		}
		second := b.get("/console/rd/members?page=2&size=10")
		if n := strings.Count(second.body, `data-testid="rd-member-row"`); n != 2 || !strings.Contains(second.body, `data-testid="rd-members-prev"`) {
			t.Fatalf("second page shows %d members:\n%s", n, second.body)
		}
		found := b.get("/console/rd/members?search=team+1")
		if n := strings.Count(found.body, `data-testid="rd-member-row"`); n != 2 || !strings.Contains(found.body, "Team 10") || !strings.Contains(found.body, "Team 11") {
			t.Fatalf("search shows %d members:\n%s", n, found.body)
		}
		wantStatus(t, b.get("/console/rd/members?search=nobody"), http.StatusOK, `data-testid="rd-members-empty"`)

		// The trail names the administrator on the console's writes.
		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		evs := lookup(t, trail, "EventName", "CreateResourceAccount", "50", "").Events
		var fromConsole int
		for _, ev := range evs {
			id, _ := ev["userIdentity"].(map[string]interface{})
			if code, _ := ev["errorCode"].(string); ev["eventType"] == "ConsoleOperation" && id["userName"] == "rd-admin" && code == "" {
				fromConsole++
			}
		}
		if fromConsole != 1 {
			t.Fatalf("%d successful console CreateResourceAccount events by rd-admin, want 1 (of %d events)", fromConsole, len(evs))
		}
	})
}

// TestConsoleResourceDirectoryRefusals: a RAM user without the policies
// gets the API's permission error (not the Enable page, nor an empty
// tree); another directory's folder and member are not found; a member
// account's own administrator sees the directory's refusal.
func TestConsoleResourceDirectoryRefusals(t *testing.T) {
	w := newRDWorld(t)
	w.consoleUser(t, "nobody", "Nobody-Passw0rd-1", false, false)
	b := newBrowser(t, w.srv)
	b.signedInRAM("nobody@"+w.acct.ID+".onaliyun.com", "Nobody-Passw0rd-1")
	wantStatus(t, b.get("/console/rd"), http.StatusForbidden, "NoPermission")
	wantStatus(t, b.get("/console/rd/members"), http.StatusForbidden, "NoPermission")
	wantStatus(t, b.post("/console/rd/folders", url.Values{"parent": {w.directory.RootFolderId}, "name": {"X"}}), http.StatusForbidden, "NoPermission")

	other := newRDWorldOn(t, w.srv)
	otherFolder := createFolder(t, other.rootRD, other.directory.RootFolderId, "Theirs")
	otherMember := createResourceAccount(t, other.rootRD, other.directory.RootFolderId, "Theirs", "theirs")
	root := newBrowser(t, w.srv)
	root.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, root.get("/console/rd"), http.StatusOK, w.directory.ResourceDirectoryId)
	if p := root.get("/console/rd?folder=" + otherFolder.FolderId); p.status < 400 || p.status >= 500 {
		t.Fatalf("another directory's folder: %d\n%s", p.status, p.body)
	}
	if p := root.get("/console/rd/members/" + otherMember.AccountId); p.status < 400 || p.status >= 500 {
		t.Fatalf("another directory's member: %d\n%s", p.status, p.body)
	}
	if p := root.post("/console/rd/members/"+otherMember.AccountId+"/move", url.Values{"folder": {w.directory.RootFolderId}}); p.status < 400 || p.status >= 500 {
		t.Fatalf("moving another directory's member: %d\n%s", p.status, p.body)
	}
	if a := getAccount(t, other.rootRD, otherMember.AccountId); a.FolderId != other.directory.RootFolderId {
		t.Fatalf("another directory's member moved to %s", a.FolderId)
	}
	// A 1 MB folder name is a 4xx, never a 5xx.
	if p := root.post("/console/rd/folders", url.Values{"parent": {w.directory.RootFolderId}, "name": {strings.Repeat("x", 1<<20)}}); p.status < 400 || p.status >= 500 {
		t.Fatalf("a 1 MB name: %d", p.status)
	}
}
