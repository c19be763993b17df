package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Log On to a member: the signed-in person's console session acts as a
// session of the member's ResourceDirectoryAccountAccessRole. The role
// session is issued by the STS AssumeRole action through the invoker,
// with the signed-in identity as caller, so the caller's sts:AssumeRole
// permission, the role's trust policy, STS's refusal of root callers and
// the session's duration are STS's own rules, and the AssumeRole event is
// in both trails. The console keeps the opened principal (never the
// session's secret) in its session record; Switch back forgets it.
//
// The role session lives inside the console session: it ends with it
// (sign-out, timeouts, and the signed-in identity's password change,
// deletion or disabling, which stillValid checks on every request),
// at the STS session's own expiry, and when the member account is gone.

const stsVersion = "2015-04-01"

// accessRoleName is the role the directory creates in every member.
const accessRoleName = "ResourceDirectoryAccountAccessRole"

// switchedRole is the role session a console session acts as.
type switchedRole struct {
	Principal model.Principal
	// Member names the account as the directory showed it, for the banner.
	MemberName string
	// Back is where Switch back returns (the member's detail page).
	Back string
}

// roleView is the banner's text.
type roleView struct {
	Role, Session, Account, Member, Ends string
}

func (c *Console) switchRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /console/rd/members/{id}/logon", c.readyPost(c.logOnToMember))
	m.HandleFunc("GET /console/switch-role", c.ready(c.switchRolePage))
	m.HandleFunc("POST /console/switch-role", c.readyPost(c.switchRole))
	m.HandleFunc("POST /console/switch-back", c.readyPost(c.switchBack))
}

// logOnToMember is the Actions column's Log On. The member is read first
// as the signed-in identity (GetAccount: it must be a member of the
// caller's directory), then AssumeRole runs as that identity.
func (c *Console) logOnToMember(w http.ResponseWriter, r *http.Request, a *active) {
	if c.refuseChaining(w, r, a) {
		return
	}
	member, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	c.assumeInto(w, r, a, member.ID, accessRoleName, &switchedRole{MemberName: member.DisplayName,
		Back: "/console/rd/members/" + url.PathEscape(member.ID)})
}

// refuseChaining answers a Log On or Switch Role made while already acting
// as a role: the console does not chain role sessions.
func (c *Console) refuseChaining(w http.ResponseWriter, r *http.Request, a *active) bool {
	if a.s.Role == nil {
		return false
	}
	c.fail(w, r, a, http.StatusConflict, codeAlreadySwitched.New("You are acting as %s in account %s. Switch back to your own identity before switching to another role.",
		a.s.Role.Principal.Session.RoleName, a.s.Role.Principal.AccountID))
	return true
}

// assumeInto runs STS AssumeRole as the signed-in identity for the role
// roleName of account accountID, and makes the console session act as the
// role session it returns. role carries the banner's member name and the
// page Switch back returns to.
func (c *Console) assumeInto(w http.ResponseWriter, r *http.Request, a *active, accountID, roleName string, role *switchedRole) {
	session := a.s.UserName
	if a.s.Kind == model.Root {
		session = "root" // STS refuses a root caller, with its explanation
	}
	creds, err := c.call(r, a, stsVersion, "AssumeRole", map[string]string{
		"RoleArn": model.RoleARN(accountID, roleName), "RoleSessionName": session})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	cr, _ := creds["Credentials"].(map[string]any)
	opened, err := c.tokens.Open(str(cr["AccessKeyId"]), str(cr["SecurityToken"]), c.now())
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	role.Principal = opened.Principal
	if err := c.setRole(r.Context(), a, role); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/")
}

// switchBack returns the session to the signed-in identity.
func (c *Console) switchBack(w http.ResponseWriter, r *http.Request, a *active) {
	back := "/console/"
	if a.s.Role != nil {
		back = a.s.Role.Back
	}
	if err := c.setRole(r.Context(), a, nil); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, back)
}

// setRole stores the session's role (nil: none).
func (c *Console) setRole(ctx context.Context, a *active, role *switchedRole) error {
	now := c.now()
	err := c.store.Write(ctx, func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		s.Role = role
		if role != nil {
			s.Recent = rememberRole(s.Recent, recentRole{Account: role.Principal.AccountID, Label: role.MemberName, Role: role.Principal.Session.RoleName})
		}
		a.s, a.rec = s, rec
		return sessions.Update(tx, rec, s, now)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNoSession
	}
	return err
}

// roleAlive says whether a session's role may still be used: before the
// STS session's expiry, while the member account lives.
func roleAlive(tx store.Tx, role *switchedRole, now time.Time) (bool, error) {
	if role.Principal.Session == nil || !now.Before(role.Principal.Session.Expires) {
		return false, nil
	}
	acct, err := tx.Accounts().Get(role.Principal.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return accounts.Live(acct), nil
}

// dropEndedRole returns a session whose role session ended to the
// signed-in identity (the person is not signed out: their own session
// still holds).
func (c *Console) dropEndedRole(ctx context.Context, a *active, now time.Time) error {
	if a.s.Role == nil {
		return nil
	}
	alive := false
	err := c.store.Read(ctx, func(tx store.Tx) error {
		var err error
		alive, err = roleAlive(tx, a.s.Role, now)
		if alive && err == nil && a.s.SSO != nil {
			alive, err = c.ssoEntryAlive(tx, a) // the assignment and the reserved role still there
		}
		return err
	})
	if err != nil || alive {
		return err
	}
	a.roleEnded = true
	return c.setRole(ctx, a, nil)
}

// roleBanner is the banner's view of a switched session.
func roleBanner(a *active) *roleView {
	role := a.s.Role
	if role == nil {
		return nil
	}
	p := role.Principal
	return &roleView{Role: p.Session.RoleName, Session: p.Session.SessionName, Account: p.AccountID, Member: role.MemberName,
		Ends: p.Session.Expires.UTC().Format(time.RFC3339)}
}
