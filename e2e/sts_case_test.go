package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// A Deny on sts:AssumeRole for a role of another account is not dodged by
// spelling the role's name in another case: the role is found whatever
// the case, so the Deny must apply whatever the case.
func TestAssumeRoleDenyOnCrossAccountRoleIgnoresCase(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	b.createRole(t, "admin", trustDoc(rootARN(a.acct.ID)), 0)
	alice := a.assumer(t, "alice")
	a.createPolicy(t, "no-b-admin", statementDocOn("Deny", "sts:AssumeRole", roleARN(b.acct.ID, "admin")))
	a.attachToUser(t, "alice", "Custom", "no-b-admin")
	wantExplicitDeny := func(spelling string) {
		t.Helper()
		_, err := assumeRole(alice, roleARN(b.acct.ID, spelling), "s1")
		se := wantServerError(t, err, "NoPermission", http.StatusForbidden)
		if !strings.Contains(se.Message(), "ExplicitDeny by AccountLevelIdentityBasedPolicy") {
			t.Errorf("role/%s: refused with %q; want the caller's explicit Deny", spelling, se.Message())
		}
	}
	for _, spelling := range []string{"admin", "ADMIN", "Admin", "aDmin"} {
		wantExplicitDeny(spelling)
	}
}
