package cloudsso

import (
	"crypto/subtle"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/canopy-iam/canopy/internal/store"
)

// The portal's MFA: binding a TOTP device (no API binds one) with two
// consecutive codes, as RAM does, and the code asked at later sign-ins.
// Every code works once: a device remembers the last step it accepted.

const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// PendingMFA is a device being bound: its secret (sealed while it waits
// in the portal session) and the otpauth URL the QR code shows.
type PendingMFA struct {
	Secret string
	URL    string
}

// NewPendingMFA draws a TOTP secret for user u of d.
func NewPendingMFA(d *Directory, u *User) (*PendingMFA, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: mfaIssuer(d), AccountName: u.Name,
		Period: totpPeriod, Digits: totpDigits, SecretSize: 20, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	return &PendingMFA{Secret: key.Secret(), URL: key.URL()}, nil
}

func mfaIssuer(d *Directory) string { return "Canopy CloudSSO " + d.Name }

// PendingMFAURL is the otpauth URL of a pending secret (shown again).
func PendingMFAURL(d *Directory, userName, secret string) string {
	v := url.Values{"secret": {secret}, "issuer": {mfaIssuer(d)}, "period": {"30"}, "digits": {"6"}, "algorithm": {"SHA1"}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + mfaIssuer(d) + ":" + userName, RawQuery: v.Encode()}
	return u.String()
}

func pendingAAD(d *Directory, userID string) []byte {
	return []byte("cloudsso-pending-mfa/" + d.ID + "/" + userID)
}

// SealPendingMFA seals a pending secret for the user's portal session.
func (s *Service) SealPendingMFA(d *Directory, userID, secret string) []byte {
	return s.ring.Seal([]byte(secret), pendingAAD(d, userID))
}

// OpenPendingMFA opens what SealPendingMFA sealed for the same user.
func (s *Service) OpenPendingMFA(d *Directory, userID string, sealed []byte) (string, error) {
	b, err := s.ring.Open(sealed, pendingAAD(d, userID))
	return string(b), err
}

func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

func codeIs(secret string, step int64, code string) bool {
	want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
	return err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1
}

func checkCode(code string) error {
	if len(code) != 6 {
		return codeWrongMFACode.New("An MFA code is 6 digits.")
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return codeWrongMFACode.New("An MFA code is 6 digits.")
		}
	}
	return nil
}

// consecutiveStep is the step of code2 when code1 and code2 are the codes
// of two consecutive steps, code2 the current one or the one before.
func consecutiveStep(secret, code1, code2 string, now time.Time) (int64, bool) {
	cur := totpStep(now)
	for _, last := range []int64{cur, cur - 1} {
		if codeIs(secret, last-1, code1) && codeIs(secret, last, code2) {
			return last, true
		}
	}
	return 0, false
}

// BindPortalMFA binds the pending secret as a new device of the user when
// code1 and code2 are two consecutive codes of it (at most
// MaxDevicesPerUser devices).
func (s *Service) BindPortalMFA(tx store.Tx, d *Directory, userID, secret, code1, code2 string, now time.Time) (*MFADevice, error) {
	for _, c := range []string{code1, code2} {
		if err := checkCode(c); err != nil {
			return nil, err
		}
	}
	step, ok := consecutiveStep(secret, code1, code2, now)
	if !ok {
		return nil, codeWrongMFACode.New("The two codes are not two consecutive codes of this device: type the current code, wait for the next one and type it too.")
	}
	dev, err := s.AddMFADevice(tx, d, userID, "TOTP-"+now.UTC().Format("20060102150405"), secret, now)
	if err != nil {
		return nil, err
	}
	rec, err := mfaDevices.Records(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, userID, dev.ID), Limit: 1})
	if err != nil || len(rec) == 0 {
		return dev, err
	}
	dev.LastUsedStep = step
	return dev, mfaDevices.Update(tx, rec[0], dev, now)
}

// VerifyPortalMFA accepts the current code (or one step either side) of
// any of the user's devices, once.
func (s *Service) VerifyPortalMFA(tx store.Tx, d *Directory, userID, code string, now time.Time) error {
	if err := checkCode(code); err != nil {
		return err
	}
	recs, err := mfaDevices.Records(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, userID, "")})
	if err != nil {
		return err
	}
	cur := totpStep(now)
	for _, rec := range recs {
		dev := new(MFADevice)
		if err := mfaDevices.Decode(rec, dev); err != nil {
			return err
		}
		secret, err := s.MFASecret(dev)
		if err != nil {
			return err
		}
		for _, step := range []int64{cur, cur - 1, cur + 1} {
			if step > dev.LastUsedStep && codeIs(secret, step, code) {
				dev.LastUsedStep = step
				return mfaDevices.Update(tx, rec, dev, now)
			}
		}
	}
	return codeWrongMFACode.New("The MFA code is wrong or was used already; wait for the next code.")
}
