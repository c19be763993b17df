package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestConsoleSwitchRoleByName: the avatar menu's Switch Role takes the
// target account by alias, default domain or UID and a role name, and the
// console then acts as that role (STS AssumeRole as the signed-in user);
// the role appears in the recently used list. Unknown accounts, roles that
// do not exist, chaining and token-less posts are refused.
func TestConsoleSwitchRoleByName(t *testing.T) {
	w := newRDWorld(t)
	logon := w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd")
	member := memberWithUser(t, w, "Prod", "prod")
	creds := mustAssume(t, w.adminSTS, accessRoleARN(member.AccountId), "setup").Credentials
	alias := ram.CreateSetAccountAliasRequest()
	alias.AccountAlias = "prod-alias"
	_, err := sessionRAM(t, w.srv, creds).SetAccountAlias(alias)
	ok(t, "SetAccountAlias in the member", err)

	b := newBrowser(t, w.srv)
	b.signedInRAM(logon, "Rd-Admin-Passw0rd")
	wantStatus(t, b.get("/console/switch-role"), http.StatusOK, `data-testid="switch-role-form"`, `data-testid="recent-roles-empty"`)
	form := url.Values{"account": {"prod-alias.onaliyun.com"}, "role": {"ResourceDirectoryAccountAccessRole"}}
	wantStatus(t, b.postRaw("/console/switch-role", form, b.base), http.StatusForbidden, "Forbidden.CSRF")

	for _, named := range []string{member.AccountId, "prod-alias.onaliyun.com", "Prod-Alias"} {
		form.Set("account", named)
		p := b.post("/console/switch-role", form)
		if p.status != http.StatusSeeOther || p.location != "/console/" {
			t.Fatalf("Switch Role to %s: %d %s\n%s", named, p.status, p.location, p.body)
		}
		home := b.follow(p)
		wantIdentity(t, home, "ResourceDirectoryAccountAccessRole/rd-admin", member.AccountId)
		wantStatus(t, home, http.StatusOK, `data-testid="role-banner"`, `data-testid="role-account">`+member.AccountId+`<`)
		wantStatus(t, b.get("/console/ram/users"), http.StatusOK, "alice@prod-alias.onaliyun.com")
		// No chaining from inside the role.
		wantStatus(t, b.post("/console/switch-role", form), http.StatusConflict, "OperationConflict.RoleSessionActive")
		back := b.post("/console/switch-back", url.Values{})
		if back.status != http.StatusSeeOther || back.location != "/console/switch-role" {
			t.Fatalf("Switch back: %d %s", back.status, back.location)
		}
		wantIdentity(t, b.follow(back), "rd-admin", w.acct.ID)
	}
	recent := b.get("/console/switch-role")
	wantStatus(t, recent, http.StatusOK, `data-testid="recent-roles"`, "ResourceDirectoryAccountAccessRole in prod-alias ("+member.AccountId+")")
	if n := strings.Count(recent.body, `data-testid="recent-role"`); n != 1 {
		t.Fatalf("one role used three ways is listed %d times:\n%s", n, recent.body)
	}

	form.Set("account", "no-such-alias")
	wantStatus(t, b.post("/console/switch-role", form), http.StatusNotFound, "EntityNotExist.Account")
	form.Set("account", member.AccountId)
	form.Set("role", "NoSuchRole")
	if p := b.post("/console/switch-role", form); p.status < 400 || p.status >= 500 || !strings.Contains(p.body, "EntityNotExist.Role") {
		t.Fatalf("a role that does not exist: %d\n%s", p.status, p.body)
	}
	form.Set("role", "")
	wantStatus(t, b.post("/console/switch-role", form), http.StatusBadRequest, "InvalidParameter")
	wantIdentity(t, b.get("/console/"), "rd-admin", w.acct.ID)
}
