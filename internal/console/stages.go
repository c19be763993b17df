package console

// The stages of a RAM user's logon after its password: the forced password
// change, binding a virtual MFA device, a bound device's code.

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/store"
)

// nextStage orders a logon's remaining steps: the password change first,
// then binding a device, or the bound device's code.
func nextStage(changePassword, bindMFA, mfaBound bool) string {
	switch {
	case changePassword:
		return stageChangePassword
	case bindMFA:
		return stageBindMFA
	case mfaBound:
		return stageVerifyMFA
	}
	return stageReady
}

// advance moves a session to its next stage. Finishing the logon opens a
// new session (a new id for the signed-in session) and records the
// ConsoleSignin event.
func (c *Console) advance(w http.ResponseWriter, r *http.Request, a *active, next string) {
	now := c.now()
	s := *a.s
	s.Stage = next
	if next != stageReady {
		if err := c.store.Write(r.Context(), func(tx store.Tx) error {
			return sessions.Update(tx, a.rec, &s, now)
		}); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		redirect(w, r, stageHome(next))
		return
	}
	s.MFASerial = ""
	if err := c.open(w, r, a.acct, &s, a); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	if err := c.recordEvent(r.Context(), c.signInEvent(r, a.acct, *a.principal(), s.LoginAccount, s.MFA, nil, now)); err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	redirect(w, r, "/console/")
}

// stageView shows a stage's page, with an error when a post failed.
func (c *Console) stageView(w http.ResponseWriter, status int, page, title string, a *active, err error, data any) {
	v := &view{Title: title, CSRF: a.s.CSRF, Data: data}
	if err != nil {
		v.Error = shown(err)
	}
	c.render(w, status, page, v)
}

func (c *Console) changePasswordPage(w http.ResponseWriter, r *http.Request, a *active) {
	c.stageView(w, http.StatusOK, "changepassword", "Change your password", a, nil, a.s.UserName)
}

// changePassword is the forced change; the new password must satisfy the
// policy, and the session is tied to the new password afterwards.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, a *active) {
	old, pw, again := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("confirm")
	if pw != again {
		c.stageView(w, http.StatusBadRequest, "changepassword", "Change your password", a,
			codeNewPassword.New("The new password and its confirmation differ."), a.s.UserName)
		return
	}
	now := c.now()
	params := map[string]string{"OldPassword": audit.Redacted, "NewPassword": audit.Redacted}
	var res *iam.UserSignIn
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		state, err := c.iam.ChangePasswordAtSignIn(tx, a.acct, a.s.UserName, old, pw, now)
		if err != nil {
			return err
		}
		a.s.Fingerprint = userFingerprint(state.UserID, state.PasswordChanged)
		// The rest of the logon follows the login profile as it is now.
		res, err = c.iam.SignInUser(tx, a.acct, a.s.UserName, pw, now, clientIP(r))
		if err != nil {
			return err
		}
		if err := tx.Events().Append(c.stepEvent(r, a, "ChangePassword", params, nil, now)); err != nil {
			return err
		}
		return sessions.Update(tx, a.rec, a.s, now)
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		ev := c.stepEvent(r, a, "ChangePassword", params, err, now)
		if rerr := c.recordEvent(r.Context(), ev); rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return
		}
		c.stageView(w, http.StatusBadRequest, "changepassword", "Change your password", a, withRequestID(err, ev.ID), a.s.UserName)
		return
	}
	c.reloadAndAdvance(w, r, a, nextStage(false, res.MustBindMFA, res.MFABound))
}

// reloadAndAdvance rereads the session (its record changed) and advances.
func (c *Console) reloadAndAdvance(w http.ResponseWriter, r *http.Request, a *active, next string) {
	err := c.store.Read(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		a.s, a.rec = s, rec
		return err
	})
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.advance(w, r, a, next)
}

// mfaSetup is the binding page's data.
type mfaSetup struct {
	UserName string
	Secret   string
	QR       template.URL // data: URL of the QR code PNG (ours: trusted)
	Serial   string
}

func (c *Console) bindMFAPage(w http.ResponseWriter, r *http.Request, a *active) {
	setup, err := c.pendingDevice(r, a)
	if err != nil {
		c.fail(w, r, nil, 0, err)
		return
	}
	c.stageView(w, http.StatusOK, "bindmfa", "Bind an MFA device", a, nil, setup)
}

// pendingDevice creates the device to bind on the first visit and shows
// its secret (again, on a reload) while it is unbound.
func (c *Console) pendingDevice(r *http.Request, a *active) (*mfaSetup, error) {
	now := c.now()
	var seed, otpURL string
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		if s.MFASerial == "" {
			d, err := c.iam.StartMFABinding(tx, a.principal(), now)
			if err != nil {
				return err
			}
			s.MFASerial = d.SerialNumber
			if err := sessions.Update(tx, rec, s, now); err != nil {
				return err
			}
			name := d.SerialNumber[strings.LastIndex(d.SerialNumber, "/")+1:]
			ev := c.stepEvent(r, a, "CreateVirtualMFADevice", map[string]string{"VirtualMFADeviceName": name}, nil, now)
			if err := tx.Events().Append(ev); err != nil {
				return err
			}
		}
		a.s = s
		seed, otpURL, err = c.iam.PendingMFASecret(tx, a.acct, s.MFASerial)
		return err
	})
	if err != nil {
		return nil, err
	}
	qr, err := qrDataURL(otpURL)
	if err != nil {
		return nil, err
	}
	return &mfaSetup{UserName: a.s.UserName, Secret: seed, Serial: a.s.MFASerial, QR: qr}, nil
}

// qrDataURL is the data: URL of an otpauth URL's QR code (PNG).
func qrDataURL(otpURL string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(otpURL)
	if err != nil {
		return "", err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return "", err
	}
	png, err := encodePNG(img)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// bindMFA binds the device with two consecutive codes.
func (c *Console) bindMFA(w http.ResponseWriter, r *http.Request, a *active) {
	now := c.now()
	params := map[string]string{"SerialNumber": a.s.MFASerial, "UserName": a.s.UserName}
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		if err := c.iam.BindMFADevice(tx, a.acct, a.s.MFASerial, a.s.UserName,
			strings.TrimSpace(r.PostFormValue("code1")), strings.TrimSpace(r.PostFormValue("code2")), now); err != nil {
			return err
		}
		return tx.Events().Append(c.stepEvent(r, a, "BindMFADevice", params, nil, now))
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		ev := c.stepEvent(r, a, "BindMFADevice", params, err, now)
		if rerr := c.recordEvent(r.Context(), ev); rerr != nil {
			c.fail(w, r, nil, 0, rerr)
			return
		}
		err = withRequestID(err, ev.ID)
		setup, serr := c.pendingDevice(r, a)
		if serr != nil {
			c.fail(w, r, nil, 0, serr)
			return
		}
		c.stageView(w, http.StatusBadRequest, "bindmfa", "Bind an MFA device", a, err, setup)
		return
	}
	a.s.MFA = true
	c.advance(w, r, a, stageReady)
}

func (c *Console) verifyMFAPage(w http.ResponseWriter, r *http.Request, a *active) {
	c.stageView(w, http.StatusOK, "verifymfa", "MFA verification", a, nil, a.s.UserName)
}

// verifyMFA checks the bound device's code; each code works once
// (iam.VerifyMFACode remembers the last step used). A wrong code is a
// failed sign-in in the trail.
func (c *Console) verifyMFA(w http.ResponseWriter, r *http.Request, a *active) {
	if c.throttled(w, r) {
		return
	}
	now := c.now()
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		return c.iam.VerifyMFACode(tx, a.acct, a.s.UserName, strings.TrimSpace(r.PostFormValue("code")), now)
	})
	if err != nil {
		if apperr.As(err).Kind == apperr.KindInternal {
			c.fail(w, r, nil, 0, err)
			return
		}
		var refusal error = codeWrongMFA.New("The MFA code is wrong or was used already; wait for the next code.")
		ev := c.signInEvent(r, a.acct, *a.principal(), a.s.LoginAccount, true, refusal, now)
		if err := c.signInRefused(r, ev); err != nil {
			c.fail(w, r, nil, 0, err)
			return
		}
		refusal = withRequestID(refusal, ev.ID)
		if c.countMFAFailure(r, a, now) {
			c.render(w, http.StatusForbidden, "ramsignin", &view{Title: "RAM user logon", CSRF: preToken(w, r),
				Error: shown(codeWrongMFA.New("Too many wrong MFA codes: log on again.")), Data: &signInForm{Logon: a.s.LoginAccount}})
			return
		}
		c.stageView(w, http.StatusForbidden, "verifymfa", "MFA verification", a, refusal, a.s.UserName)
		return
	}
	a.s.MFA = true
	c.advance(w, r, a, stageReady)
}

// countMFAFailure records a wrong code on the session and ends the session
// at maxMFAFailures; it reports whether it ended it.
func (c *Console) countMFAFailure(r *http.Request, a *active, now time.Time) bool {
	ended := false
	err := c.store.Write(r.Context(), func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		s.MFAFailures++
		if s.MFAFailures >= maxMFAFailures {
			ended = true
			return sessions.Delete(tx, a.acct, a.key)
		}
		return sessions.Update(tx, rec, s, now)
	})
	if err != nil {
		c.log.Warn("counting a wrong MFA code failed", "err", err)
		c.end(r.Context(), a)
		return true
	}
	return ended
}
