package console

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/store"
)

// The CloudSSO user portal at /sso/<DirectoryName>/ uses the console's
// sessions: the same cookie, CSRF token, fresh id at sign-in, idle and
// absolute timeouts and per-request check (stillValid). A portal session
// is kept in the directory's management account and has no console
// identity of its own: until its user enters a member (Access), the
// console's pages send it back to the portal (web.go's atStage); after, it
// acts as the role session, and every request re-checks the user, the
// assignment and the reserved role.

// SSOPrefix is where the portal is served.
const SSOPrefix = "/sso/"

// ssoLogon is what a portal session knows of its user.
type ssoLogon struct {
	DirectoryID   string
	DirectoryName string // the URL's name (each request reads the current one: a rename keeps the session)
	UserID        string
	UserName      string
	// MFARequired and MFABound are the sign-in's MFA state, for the stages
	// after the password change.
	MFARequired bool `json:",omitempty"`
	MFABound    bool `json:",omitempty"`
	// PendingMFA is the sealed secret of the device being bound.
	PendingMFA []byte `json:",omitempty"`
	// Entered is the assignment the session's role came from.
	Entered *ssoEntry `json:",omitempty"`
}

// ssoEntry names an (account, access configuration) pair entered.
type ssoEntry struct {
	AccountID             string
	AccessConfigurationID string
}

// ssoBase is the portal's path for a directory name.
func ssoBase(name string) string { return SSOPrefix + url.PathEscape(name) + "/" }

// ssoHome is where a portal session belongs (its stage's page).
func ssoHome(a *active) string {
	base := ssoBase(a.s.SSO.DirectoryName)
	if a.s.Stage != stageReady {
		return base + a.s.Stage
	}
	return base
}

// ssoReturn is where a portal session without a role goes from a console
// page: the portal, saying so when the member's console session it had
// entered has ended.
func ssoReturn(a *active) string {
	if a.roleEnded {
		return ssoBase(a.s.SSO.DirectoryName) + "?ended=1"
	}
	return ssoHome(a)
}

// ssoStillValid is stillValid for a portal session: its directory and
// user exist, the user is Enabled, and its password is the one it signed
// in with (an admin reset ends it).
func (c *Console) ssoStillValid(tx store.Tx, acct string, s *session) (bool, error) {
	d, u, fingerprint, err := c.sso.PortalUser(tx, acct, s.SSO.DirectoryID, s.SSO.UserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.SSO.DirectoryName = d.Name // renamed meanwhile: this request's redirects use the new URL
	return u.Status == cloudsso.Enabled && fingerprint == s.Fingerprint, nil
}

// ssoEntryAlive says whether a portal session's role may still be used:
// the access is still assigned and provisioned, and the reserved role is
// the one the session was issued for (not deleted, not recreated).
func (c *Console) ssoEntryAlive(tx store.Tx, a *active) (bool, error) {
	e := a.s.SSO.Entered
	if e == nil {
		return false, nil
	}
	d, err := c.sso.Directory(tx, a.acct, a.s.SSO.DirectoryID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	pa, err := c.sso.PortalAccessTo(tx, d, a.s.SSO.UserID, e.AccountID, e.AccessConfigurationID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	role, err := c.iam.FindRole(tx, e.AccountID, cloudsso.ReservedRoleName(pa.AccessConfigurationName))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return role.ID == a.s.Role.Principal.Session.RoleID, nil
}

// portalPage is a portal request's context.
type portalPage struct {
	d *cloudsso.Directory
	a *active // nil on the sign-in pages without a session of this portal
}

type portalHandler func(w http.ResponseWriter, r *http.Request, p *portalPage)

// directoryNamed resolves the URL's directory (404 when none).
func (c *Console) directoryNamed(w http.ResponseWriter, r *http.Request) *cloudsso.Directory {
	var d *cloudsso.Directory
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		var err error
		d, err = c.sso.DirectoryByName(tx, r.PathValue("dir"))
		return err
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return nil
	}
	return d
}

// portalSession is the request's session if it belongs to this portal.
func (c *Console) portalSession(r *http.Request, d *cloudsso.Directory) (*active, error) {
	a, err := c.load(r)
	if errors.Is(err, errNoSession) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if a.s.SSO == nil || a.s.SSO.DirectoryID != d.ID {
		return nil, nil
	}
	return a, nil
}

// atPortalStage serves a page of a portal session at stage; anyone else
// goes to the portal's sign-in page (or the stage it must finish).
func (c *Console) atPortalStage(stage string, post bool, h portalHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := c.directoryNamed(w, r)
		if d == nil {
			return
		}
		a, err := c.portalSession(r, d)
		if err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		if a == nil {
			redirect(w, r, ssoBase(d.Name)+"login")
			return
		}
		a.s.SSO.DirectoryName = d.Name // the URL as it is now
		if a.s.Stage != stage {
			redirect(w, r, ssoHome(a))
			return
		}
		if post && (!sameOrigin(r) || !tokenEqual(r.PostFormValue("csrf"), a.s.CSRF)) {
			c.fail(w, r, nil, http.StatusForbidden, csrfRefused())
			return
		}
		h(w, r, &portalPage{d: d, a: a})
	}
}

// ssoUpdate rewrites the portal session's record after change.
func (c *Console) ssoUpdate(r *http.Request, a *active, change func(s *session)) error {
	now := c.now()
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		change(s)
		a.s, a.rec = s, rec
		return sessions.Update(tx, rec, s, now)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNoSession
	}
	return err
}

// portalEnds is when a new portal session ends.
func portalEnds(now time.Time) time.Time { return now.Add(cloudsso.PortalSessionDuration) }
