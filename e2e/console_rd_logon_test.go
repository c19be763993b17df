package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// giveConsolePassword lets an existing RAM user of w's account log on.
func (w *ramWorld) giveConsolePassword(t *testing.T, name, password string) string {
	t.Helper()
	req := ram.CreateCreateLoginProfileRequest()
	req.UserName, req.Password = name, password
	_, err := w.root.CreateLoginProfile(req)
	ok(t, "CreateLoginProfile "+name, err)
	return name + "@" + w.acct.ID + ".onaliyun.com"
}

// memberWithUser is a resource member of w's directory holding one RAM
// user, alice, created through the access role (as the SDK would).
func memberWithUser(t *testing.T, w *rdWorld, display, prefix string) resourcemanager.Account {
	t.Helper()
	member := createResourceAccount(t, w.admin, w.directory.RootFolderId, display, prefix)
	creds := mustAssume(t, w.adminSTS, accessRoleARN(member.AccountId), "setup").Credentials
	ok(t, "CreateUser alice in the member", createUserWith(sessionRAM(t, w.srv, creds), "alice"))
	return member
}

func wantIdentity(t *testing.T, p page, name, account string) {
	t.Helper()
	wantStatus(t, p, http.StatusOK, `data-testid="identity-name">`+name+`<`, `data-testid="identity-account">`+account+`<`)
}

// TestConsoleLogOnToMember: the Actions column's Log On switches the
// administrator's console session to the member's access role (STS
// AssumeRole through the invoker: the banner names role, session and
// member); the RAM Users page then lists the member's users and the
// member's trail names the assumed role; Switch back restores the
// administrator. The management root and a user without sts:AssumeRole
// get STS's refusals; a token-less post changes nothing; the role session
// ends at its expiry (back to the logon identity) and with the signed-in
// user's password (signed out).
func TestConsoleLogOnToMember(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		logon := w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd")
		member := memberWithUser(t, w, "Prod", "prod")
		b := newBrowser(t, w.srv)
		b.signedInRAM(logon, "Rd-Admin-Passw0rd")
		wantStatus(t, b.get("/console/rd/members"), http.StatusOK, `data-testid="rd-member-logon"`)
		wantStatus(t, b.postRaw("/console/rd/members/"+member.AccountId+"/logon", url.Values{}, b.base), http.StatusForbidden, "Forbidden.CSRF")
		wantIdentity(t, b.get("/console/"), "rd-admin", w.acct.ID)

		p := b.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{})
		if p.status != http.StatusSeeOther || p.location != "/console/" {
			t.Fatalf("Log On: %d %s\n%s", p.status, p.location, p.body)
		}
		home := b.follow(p)
		wantIdentity(t, home, "ResourceDirectoryAccountAccessRole/rd-admin", member.AccountId)
		wantStatus(t, home, http.StatusOK, `data-testid="role-banner"`, `data-testid="role-name">ResourceDirectoryAccountAccessRole<`,
			`data-testid="role-session">rd-admin<`, `data-testid="role-member">Prod<`, `data-testid="role-account">`+member.AccountId+`<`)
		users := b.get("/console/ram/users")
		wantStatus(t, users, http.StatusOK, `alice@`+member.AccountId+`.onaliyun.com`)
		if strings.Contains(users.body, "rd-admin@") {
			t.Fatal("after Log On the Users page still lists the management account's users")
		}
		// No second Log On from inside a member.
		wantStatus(t, b.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{}), http.StatusConflict, "OperationConflict.RoleSessionActive")

		// The member's trail: AssumeRole by rd-admin, and the Users page's
		// ListUsers as the assumed role, from the console.
		creds := mustAssume(t, w.adminSTS, accessRoleARN(member.AccountId), "auditor").Credentials
		trail := sessionTrail(t, w.srv, creds)
		var asRole bool
		for _, ev := range lookup(t, trail, "EventName", "ListUsers", "50", "").Events {
			id, _ := ev["userIdentity"].(map[string]interface{})
			if ev["eventType"] == "ConsoleOperation" && id["type"] == "assumed-role" && id["userName"] == "ResourceDirectoryAccountAccessRole:rd-admin" {
				asRole = true
			}
		}
		if !asRole {
			t.Fatal("the member's trail has no console ListUsers by the assumed role rd-admin")
		}
		var assumed bool
		for _, ev := range lookup(t, trail, "EventName", "AssumeRole", "50", "").Events {
			id, _ := ev["userIdentity"].(map[string]interface{})
			if ev["eventType"] == "ConsoleOperation" && id["userName"] == "rd-admin" {
				assumed = true
			}
		}
		if !assumed {
			t.Fatal("the member's trail has no console AssumeRole by rd-admin")
		}

		back := b.post("/console/switch-back", url.Values{})
		if back.status != http.StatusSeeOther || back.location != "/console/rd/members/"+member.AccountId {
			t.Fatalf("Switch back: %d %s", back.status, back.location)
		}
		wantIdentity(t, b.follow(back), "rd-admin", w.acct.ID)
		if strings.Contains(b.get("/console/").body, `data-testid="role-banner"`) {
			t.Fatal("the banner stays after Switch back")
		}
		wantStatus(t, b.get("/console/rd/members"), http.StatusOK, `data-testid="rd-member-id">`+member.AccountId+`<`)

		// The role session ends at its expiry (an hour by default): the
		// person is back to their own identity, still signed in.
		b.follow(b.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{}))
		for i := 0; i < 3; i++ {
			w.srv.Advance(21 * time.Minute)
			b.get("/console/")
		}
		after := b.get("/console/")
		wantIdentity(t, after, "rd-admin", w.acct.ID)
		if strings.Contains(after.body, `data-testid="role-banner"`) {
			t.Fatal("an expired role session still shows its banner")
		}

		// A password change of the signed-in user ends the whole session,
		// role included.
		b.follow(b.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{}))
		wantIdentity(t, b.get("/console/"), "ResourceDirectoryAccountAccessRole/rd-admin", member.AccountId)
		upd := ram.CreateUpdateLoginProfileRequest()
		upd.UserName, upd.Password = "rd-admin", "Rd-Admin-Passw0rd-2"
		_, err := w.root.UpdateLoginProfile(upd)
		ok(t, "UpdateLoginProfile", err)
		if p := b.get("/console/ram/users"); p.status != http.StatusSeeOther || p.location != "/console/signin" {
			t.Fatalf("after the password change: %d %s", p.status, p.location)
		}
	})
}

// TestConsoleLogOnRefusals: the management root is refused with STS's
// explanation; a RAM user with AliyunResourceDirectoryFullAccess but no
// sts:AssumeRole gets NoPermission; neither is switched; a member of
// another directory is not found; deleting the signed-in user ends its
// switched session.
func TestConsoleLogOnRefusals(t *testing.T) {
	w := newRDWorld(t)
	member := memberWithUser(t, w, "Prod", "prod")
	root := newBrowser(t, w.srv)
	root.signInRoot(w.acct.Email, w.acct.Password)
	refused := root.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{})
	wantStatus(t, refused, http.StatusForbidden, "NoPermission", "root", "RAM user")
	wantIdentity(t, root.get("/console/"), "root", w.acct.ID)

	w.createUser(t, "no-sts")
	w.attachToUser(t, "no-sts", "System", "AliyunResourceDirectoryFullAccess")
	b := newBrowser(t, w.srv)
	b.signedInRAM(w.giveConsolePassword(t, "no-sts", "No-Sts-Passw0rd-1"), "No-Sts-Passw0rd-1")
	wantStatus(t, b.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{}), http.StatusForbidden, "NoPermission")
	wantIdentity(t, b.get("/console/"), "no-sts", w.acct.ID)

	other := newRDWorldOn(t, w.srv)
	theirs := createResourceAccount(t, other.rootRD, other.directory.RootFolderId, "Theirs", "theirs")
	admin := newBrowser(t, w.srv)
	admin.signedInRAM(w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd"), "Rd-Admin-Passw0rd")
	if p := admin.post("/console/rd/members/"+theirs.AccountId+"/logon", url.Values{}); p.status < 400 || p.status >= 500 {
		t.Fatalf("Log On to another directory's member: %d\n%s", p.status, p.body)
	}
	wantIdentity(t, admin.get("/console/"), "rd-admin", w.acct.ID)

	// Deleting the signed-in user ends its switched session.
	admin.follow(admin.post("/console/rd/members/"+member.AccountId+"/logon", url.Values{}))
	wantIdentity(t, admin.get("/console/"), "ResourceDirectoryAccountAccessRole/rd-admin", member.AccountId)
	del := ram.CreateDeleteLoginProfileRequest()
	del.UserName = "rd-admin"
	_, err := w.root.DeleteLoginProfile(del)
	ok(t, "DeleteLoginProfile", err)
	if p := admin.get("/console/"); p.status != http.StatusSeeOther || p.location != "/console/signin" {
		t.Fatalf("after the login profile's deletion: %d %s", p.status, p.location)
	}
}
