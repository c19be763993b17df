package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/sts"
)

// The portal's home lists what the user may enter (cloudsso.
// PortalAccessFor: own and group assignments). Access mints a role session
// of the reserved role through sts.AssumeRoleAsFederated (the role's trust
// policy must admit the directory's SAML provider) and enters the
// member's console as it; CLI/SDK credentials shows the same kind of
// session's keys once, when the directory allows it.

// portalHome is the home page's data.
type portalHome struct {
	Directory, Base, UserName string
	Accounts                  []portalAccount
	Credentials               bool // AllowUserToGetCredentials
	Ended                     bool // an entered console session ended
	Devices                   int  // the user's MFA devices
	MayBind                   bool // Bind another MFA device is offered
	Bound                     bool // a device was just bound
}

type portalAccount struct {
	ID, Name string
	Access   []cloudsso.PortalAccess
}

func (c *Console) ssoHomePage(w http.ResponseWriter, r *http.Request, p *portalPage) {
	var access []cloudsso.PortalAccess
	var devices []cloudsso.MFADevice
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		var err error
		if access, err = c.sso.PortalAccessFor(tx, p.d, p.a.s.SSO.UserID); err != nil {
			return err
		}
		devices, err = c.sso.MFADevicesOf(tx, p.d, p.a.s.SSO.UserID)
		return err
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	h := &portalHome{Directory: p.d.Name, Base: ssoBase(p.d.Name), UserName: p.a.s.SSO.UserName,
		Credentials: p.d.Login.AllowUserToGetCredentials, Ended: r.URL.Query().Has("ended"),
		Devices: len(devices), MayBind: mayBindAnother(p.a, len(devices)), Bound: r.URL.Query().Has("bound")}
	for _, pa := range access {
		if n := len(h.Accounts); n == 0 || h.Accounts[n-1].ID != pa.AccountID {
			h.Accounts = append(h.Accounts, portalAccount{ID: pa.AccountID, Name: pa.AccountName})
		}
		last := &h.Accounts[len(h.Accounts)-1]
		last.Access = append(last.Access, pa)
	}
	c.render(w, http.StatusOK, "sso_home", &view{Title: "CloudSSO user portal", CSRF: p.a.s.CSRF, Data: h})
}

// ssoMint issues a session of the reserved role of the chosen assignment
// and records AssumeRoleWithSAML in the management account's and the
// member's trails.
func (c *Console) ssoMint(r *http.Request, p *portalPage, purpose string) (*cloudsso.PortalAccess, *sts.Credentials, error) {
	l := p.a.s.SSO
	account, acID := r.PostFormValue("account"), r.PostFormValue("ac")
	now := c.now()
	var pa *cloudsso.PortalAccess
	var creds *sts.Credentials
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		if purpose == "cli" {
			if err := p.d.CheckCredentialsAllowed(); err != nil {
				return err
			}
		}
		var err error
		if pa, err = c.sso.PortalAccessTo(tx, p.d, l.UserID, account, acID); err != nil {
			return err
		}
		creds, err = c.sts.AssumeRoleAsFederated(tx, sts.FederatedInput{RoleArn: pa.RoleARN, ProviderArn: pa.SAMLProviderARN,
			Recipient: cloudsso.SAMLRecipient, Subject: l.UserID, SessionName: l.UserName, Duration: pa.SessionDuration,
			MFA: p.a.s.MFA, SourceIP: clientIP(r), Secure: r.TLS != nil}, now)
		return err
	})
	params := map[string]string{"AccountId": clipName(account), "AccessConfigurationId": clipName(acID), "Purpose": purpose,
		"RoleSessionName": l.UserName}
	if pa != nil {
		params["RoleArn"], params["SAMLProviderArn"] = pa.RoleARN, pa.SAMLProviderARN
		params["DurationSeconds"] = strconv.Itoa(pa.SessionDuration)
	}
	ev := c.ssoEvent(r, p.d.AccountID, p.d, l.UserName, l.UserID, "AssumeRoleWithSAML", params, p.a.s.MFA, err, now)
	werr := c.store.Write(r.Context(), func(tx store.Tx) error {
		if err := tx.Events().Append(ev); err != nil {
			return err
		}
		if pa == nil || pa.AccountID == p.d.AccountID {
			return nil
		}
		copyIn := c.ssoEvent(r, pa.AccountID, p.d, l.UserName, l.UserID, "AssumeRoleWithSAML", params, p.a.s.MFA, err, now)
		copyIn.ID = ev.ID
		return tx.Events().Append(copyIn)
	})
	if err != nil {
		return nil, nil, withRequestID(err, ev.ID)
	}
	return pa, creds, werr
}

// ssoAccess enters the member's console as the reserved role, landing on
// the configuration's relay state when it is a console page.
func (c *Console) ssoAccess(w http.ResponseWriter, r *http.Request, p *portalPage) {
	pa, creds, err := c.ssoMint(r, p, "console")
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	opened, err := c.tokens.Open(creds.AccessKeyID, creds.Token, c.now())
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	role := &switchedRole{Principal: opened.Principal, MemberName: pa.AccountName, Back: ssoBase(p.d.Name)}
	entry := &ssoEntry{AccountID: pa.AccountID, AccessConfigurationID: pa.AccessConfigurationID}
	if err := c.ssoUpdate(r, p.a, func(s *session) { s.Role, s.SSO.Entered = role, entry }); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	land := "/console/"
	if strings.HasPrefix(pa.RelayState, "/console/") {
		land = pa.RelayState
	}
	redirect(w, r, land)
}

// portalCredentials is the page that shows a session's keys once.
type portalCredentials struct {
	Base, Account, AccountName, AccessConfiguration string
	AccessKeyID, AccessKeySecret, SecurityToken     string
	Expiration                                      string
}

// ssoCredentials shows STS credentials of the reserved role for the CLI
// and SDKs (never stored: the page is not cached and not shown again).
func (c *Console) ssoCredentials(w http.ResponseWriter, r *http.Request, p *portalPage) {
	pa, creds, err := c.ssoMint(r, p, "cli")
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.render(w, http.StatusOK, "sso_credentials", &view{Title: "CLI/SDK credentials", CSRF: p.a.s.CSRF,
		Data: &portalCredentials{Base: ssoBase(p.d.Name), Account: pa.AccountID, AccountName: pa.AccountName,
			AccessConfiguration: pa.AccessConfigurationName, AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.Secret,
			SecurityToken: creds.Token, Expiration: creds.Expires.UTC().Format(time.RFC3339)}})
}

// anotherDevicePath is the page that binds a further MFA device.
const anotherDevicePath = "mfa-devices/new"

// mayBindAnother says whether the session may bind a further device: the
// user has fewer than the most, and a device's code was checked at this
// logon unless the user has none (a password alone adds no second factor
// to an account that has one).
func mayBindAnother(a *active, devices int) bool {
	return devices < cloudsso.MaxDevicesPerUser && (a.s.MFA || devices == 0)
}

// anotherDevice runs h when the session may bind a further device, and
// sends it home otherwise.
func (c *Console) anotherDevice(h portalHandler) portalHandler {
	return func(w http.ResponseWriter, r *http.Request, p *portalPage) {
		n := 0
		err := c.store.Read(r.Context(), func(tx store.Tx) error {
			ds, err := c.sso.MFADevicesOf(tx, p.d, p.a.s.SSO.UserID)
			n = len(ds)
			return err
		})
		if err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		if !mayBindAnother(p.a, n) {
			redirect(w, r, ssoBase(p.d.Name))
			return
		}
		h(w, r, p)
	}
}

func (c *Console) ssoAnotherDevicePage(w http.ResponseWriter, r *http.Request, p *portalPage) {
	setup, err := c.ssoPendingSetup(r, p)
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.render(w, http.StatusOK, "sso_bindmfa", c.ssoView("Bind another MFA device", p.d, p.a.s.CSRF, nil,
		&ssoForm{UserName: p.a.s.SSO.UserName, Setup: setup, Action: anotherDevicePath}))
}

// ssoAnotherDevice binds a further device (at most MaxDevicesPerUser:
// cloudsso refuses the third).
func (c *Console) ssoAnotherDevice(w http.ResponseWriter, r *http.Request, p *portalPage) {
	if !c.ssoBindPending(w, r, p, anotherDevicePath) {
		return
	}
	if err := c.ssoUpdate(r, p.a, func(s *session) { s.SSO.PendingMFA = nil }); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	redirect(w, r, ssoBase(p.d.Name)+"?bound=1")
}
