package console

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// An administrator binds a virtual MFA device for another RAM user from
// the user's page, as the real console's "Enable MFA": CreateVirtualMFADevice,
// then BindMFADevice with two consecutive codes, both through the invoker.
// The device's secret is shown on the binding page only; a failed attempt
// shows the same secret again (the page posts it back: it is the
// administrator's own page, and a tampered value only spoils its own
// display, never the device).

// adminMFAPage is the binding page's data.
type adminMFAPage struct {
	User   string
	Serial string
	Secret string
	QR     template.URL // data: URL of the device's QR code PNG
	QRData string       // the PNG, base64, posted back with a retry
}

// mfaDeviceNameFor names a new device after the user, made unique by the
// time: device names allow no '_' and at most 64 characters.
func mfaDeviceNameFor(user string, unix int64) string {
	base := strings.ReplaceAll(user, "_", "-")
	if len(base) > 56 {
		base = base[:56]
	}
	return base + "-" + strconv.FormatInt(unix, 36)
}

// qrURL is the data: URL of a base64 PNG, or "" when png is not base64
// (a posted-back value is re-encoded, never echoed).
func qrURL(png string) (template.URL, string) {
	raw, err := base64.StdEncoding.DecodeString(png)
	if err != nil || len(raw) == 0 {
		return "", ""
	}
	clean := base64.StdEncoding.EncodeToString(raw)
	return template.URL("data:image/png;base64," + clean), clean
}

// createUserMFA creates the device and shows its secret with the code form.
func (c *Console) createUserMFA(w http.ResponseWriter, r *http.Request, a *active) {
	name, _ := c.userName(w, r, a)
	out, err := c.call(r, a, ramVersion, "CreateVirtualMFADevice", map[string]string{
		"VirtualMFADeviceName": mfaDeviceNameFor(name, c.now().Unix())})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	dev, _ := out["VirtualMFADevice"].(map[string]any)
	page := &adminMFAPage{User: name, Serial: str(dev["SerialNumber"]), Secret: str(dev["Base32StringSeed"])}
	page.QR, page.QRData = qrURL(str(dev["QRCodePNG"]))
	c.renderUserMFA(w, http.StatusOK, a, page, nil)
}

// bindUserMFA binds the created device to the user with two codes.
func (c *Console) bindUserMFA(w http.ResponseWriter, r *http.Request, a *active) {
	name, _ := c.userName(w, r, a)
	page := &adminMFAPage{User: name, Serial: r.PostFormValue("serial"), Secret: r.PostFormValue("secret")}
	page.QR, page.QRData = qrURL(r.PostFormValue("qr"))
	_, err := c.call(r, a, ramVersion, "BindMFADevice", map[string]string{"UserName": name, "SerialNumber": page.Serial,
		"AuthenticationCode1": strings.TrimSpace(r.PostFormValue("code1")), "AuthenticationCode2": strings.TrimSpace(r.PostFormValue("code2"))})
	if err != nil {
		c.renderUserMFA(w, 0, a, page, err)
		return
	}
	redirect(w, r, doneAt(name, "mfa-bound", name))
}

// renderUserMFA shows the binding page, with err above the form when a
// bind was refused (status 0: the error's own status).
func (c *Console) renderUserMFA(w http.ResponseWriter, status int, a *active, page *adminMFAPage, err error) {
	v := usersCrumbs(a, "Enable MFA", crumb{Label: page.User, Href: userHome(page.User)}, crumb{Label: "Enable MFA"})
	if err != nil {
		v.Error, status = shown(err), statusOf(err)
	}
	v.Data = page
	c.render(w, status, "ram_usermfa", v)
}
