package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/store"
)

// The avatar menu's Switch Role: the person names an account (its alias,
// default domain or UID) and a role there, and the console acts as a
// session of that role, as Log On does for a member's access role. STS
// decides everything (the caller's sts:AssumeRole permission, the role's
// trust policy, the refusal of root callers).

// maxRecentRoles bounds the avatar menu's list of recently used roles.
const maxRecentRoles = 5

// recentRole is one entry of the recently used roles, kept in the console
// session (it ends with it).
type recentRole struct {
	Account string
	Label   string // what the banner called the account
	Role    string
}

// rememberRole puts r first in recent, once, keeping at most maxRecentRoles.
func rememberRole(recent []recentRole, r recentRole) []recentRole {
	out := []recentRole{r}
	for _, old := range recent {
		if len(out) == maxRecentRoles {
			break
		}
		if old.Account != r.Account || old.Role != r.Role {
			out = append(out, old)
		}
	}
	return out
}

func (c *Console) switchRolePage(w http.ResponseWriter, r *http.Request, a *active) {
	v := shell(a, "Switch Role", "switch-role", crumb{Label: "Switch Role"})
	v.Data = map[string]any{"Recent": a.s.Recent, "Account": r.URL.Query().Get("account"), "Role": r.URL.Query().Get("role")}
	c.render(w, http.StatusOK, "switchrole", v)
}

// switchRole resolves the named account and assumes the role there.
func (c *Console) switchRole(w http.ResponseWriter, r *http.Request, a *active) {
	if c.refuseChaining(w, r, a) {
		return
	}
	named := strings.ToLower(strings.TrimSpace(r.PostFormValue("account")))
	roleName := strings.TrimSpace(r.PostFormValue("role"))
	if named == "" || roleName == "" {
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Enter the account (its alias, default domain or UID) and the role name."))
		return
	}
	var accountID string
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		var err error
		accountID, err = c.iam.AccountByAlias(tx, strings.TrimSuffix(named, iam.DomainSuffix))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, a, http.StatusNotFound, codeNoAccount.New("No account has the alias, default domain or UID %q.", named))
		return
	}
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	c.assumeInto(w, r, a, accountID, roleName, &switchedRole{MemberName: named, Back: "/console/switch-role"})
}
