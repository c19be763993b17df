package iam

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// MFA limits and names.
const (
	MaxVirtualMFADevices = 5000
	// MaxUnboundSelfServiceDevices is how many unbound devices a RAM user
	// may hold that it created through self-service (the security
	// preference, not a policy, allowing it): enough to bind one, not
	// enough to exhaust the account's quota.
	MaxUnboundSelfServiceDevices = 1
	// MFATypeVirtual is GetUserMFAInfo's Type of a TOTP device.
	MFATypeVirtual = "VMFA"
	// mfaIssuer names the service in authenticator apps.
	mfaIssuer  = "Canopy"
	qrCodeSize = 200 // pixels
)

// mfaDeviceRecord is a virtual MFA device. The TOTP seed is sealed with the
// keyring (bound to the account and device) and never stored in clear.
type mfaDeviceRecord struct {
	Name       string
	SealedSeed []byte
	Created    time.Time
	// CreatedBy is the id of the RAM user that created the device ("" when
	// the root user or a role session did).
	CreatedBy string    `json:",omitempty"`
	UserID    string    `json:",omitempty"` // set while bound
	Bound     time.Time `json:",omitzero"`
	// LastUsedStep outlives a binding: codes used to bind (or sign in)
	// must not bind the device again after an unbind.
	LastUsedStep int64 `json:",omitempty"`
}

// mfaBinding is stored under the user id: it finds a user's device and
// remembers the last TOTP step used, so a code is never accepted twice.
type mfaBinding struct {
	DeviceName   string
	Bound        time.Time
	LastUsedStep int64
}

// VirtualMFADevice is a device as the API shows it. Seed and QRCodePNG are
// set only by CreateVirtualMFADevice; User only while the device is bound.
type VirtualMFADevice struct {
	SerialNumber string
	Seed         string // Base32StringSeed
	QRCodePNG    string // base64 PNG of the otpauth:// URL
	User         *User
	Activated    time.Time
}

// ref is the device record's ref: its creator while it is unbound, so the
// self-service cap counts a user's unbound devices with one index lookup.
func (d *mfaDeviceRecord) ref() string {
	if d.UserID != "" {
		return ""
	}
	return d.CreatedBy
}

// creatorID is the id a device records as its creator: the calling RAM
// user's; "" for the root user and role sessions.
func creatorID(tx store.Tx, caller *model.Principal) (string, error) {
	if caller.Kind != model.RAMUser {
		return "", nil
	}
	if caller.UserID != "" {
		return caller.UserID, nil
	}
	u, _, err := userRecord(tx, caller.AccountID, caller.UserName)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// unboundCreatedBy counts the unbound devices a user created.
func unboundCreatedBy(tx store.Tx, accountID, userID string) (int, error) {
	return mfaDevices.Count(tx, store.Query{AccountID: accountID, Ref: userID})
}

func selfServiceCapReached() error {
	return limitExceeded("VirtualMFADevice", "You already have %d unbound virtual MFA device(s) you created yourself; bind or delete it before creating another.", MaxUnboundSelfServiceDevices)
}

func seedAAD(accountID, deviceName string) []byte {
	return []byte("mfa-seed\x00" + accountID + "\x00" + lookupKey(deviceName))
}

// CreateVirtualMFADevice creates an unbound device with a fresh 160-bit
// seed; the seed and its QR code are shown here only. A RAM user caller is
// recorded as the device's creator. selfService says the call was allowed
// by the security preference rather than by a policy (authorization has
// already let any Deny win): then the caller may not hold more than
// MaxUnboundSelfServiceDevices unbound devices it created
// (LimitExceeded.VirtualMFADevice), checked here, in the write transaction,
// so concurrent calls cannot slip past it.
func (s *Service) CreateVirtualMFADevice(tx store.Tx, caller *model.Principal, name string, selfService bool, now time.Time) (*VirtualMFADevice, error) {
	if err := checkName("VirtualMFADeviceName", name, mfaNameRule); err != nil {
		return nil, err
	}
	accountID := caller.AccountID
	creator, err := creatorID(tx, caller)
	if err != nil {
		return nil, err
	}
	if selfService && creator != "" {
		n, err := unboundCreatedBy(tx, accountID, creator)
		if err != nil {
			return nil, err
		}
		if n >= MaxUnboundSelfServiceDevices {
			return nil, selfServiceCapReached()
		}
	}
	n, err := mfaDevices.Count(tx, store.Query{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	if n >= MaxVirtualMFADevices {
		return nil, limitExceeded("VirtualMFADevice", "The account already has %d virtual MFA devices, the maximum.", MaxVirtualMFADevices)
	}
	domain, err := s.DefaultDomain(tx, accountID)
	if err != nil {
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: mfaIssuer, AccountName: name + "@" + domain,
		Period: totpPeriod, Digits: totpDigits, SecretSize: seedBytes, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return nil, err
	}
	img, err := key.Image(qrCodeSize, qrCodeSize)
	if err != nil {
		return nil, err
	}
	var qr bytes.Buffer
	if err := png.Encode(&qr, img); err != nil {
		return nil, err
	}
	d := mfaDeviceRecord{Name: name, SealedSeed: s.ring.Seal([]byte(key.Secret()), seedAAD(accountID, name)),
		Created: now, CreatedBy: creator}
	if err := mfaDevices.Insert(tx, accountID, lookupKey(name), d.ref(), &d, now); err != nil {
		if isConflict(err) {
			return nil, alreadyExists("VirtualMFADevice", "The virtual MFA device %q already exists (names are unique regardless of case).", name)
		}
		return nil, err
	}
	return &VirtualMFADevice{SerialNumber: model.MFAARN(accountID, name), Seed: key.Secret(),
		QRCodePNG: base64.StdEncoding.EncodeToString(qr.Bytes())}, nil
}

// deviceBySerial finds a device of the caller's account by serial number.
// A serial of another account is reported as missing: it reveals nothing.
func deviceBySerial(tx store.Tx, accountID, serial string) (*mfaDeviceRecord, store.Record, error) {
	owner, name, ok := model.ParseMFAARN(serial)
	if !ok {
		return nil, store.Record{}, invalid("SerialNumber", "Format", "The parameter SerialNumber must look like acs:ram::<account id>:mfa/<device name>.")
	}
	missing := notExist("VirtualMFADevice", "The virtual MFA device %q does not exist.", serial)
	if owner != accountID || checkName("SerialNumber", name, mfaNameRule) != nil {
		return nil, store.Record{}, missing
	}
	d, rec, err := mfaDevices.Get(tx, accountID, lookupKey(name))
	if isNotFound(err) {
		return nil, rec, missing
	}
	if err != nil {
		return nil, rec, err
	}
	return d, rec, nil
}

func (s *Service) openSeed(accountID string, d *mfaDeviceRecord) (string, error) {
	seed, err := s.ring.Open(d.SealedSeed, seedAAD(accountID, d.Name))
	return string(seed), err
}

// BindMFADevice binds a device to a user after checking two consecutive
// codes from it, which proves the user's authenticator holds the seed.
func (s *Service) BindMFADevice(tx store.Tx, accountID, serial, userName, code1, code2 string, now time.Time) error {
	if err := checkCodeFormat(code1); err != nil {
		return err
	}
	if err := checkCodeFormat(code2); err != nil {
		return err
	}
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return err
	}
	d, rec, err := deviceBySerial(tx, accountID, serial)
	if err != nil {
		return err
	}
	if d.UserID != "" {
		return alreadyExists("VirtualMFADevice.User", "The virtual MFA device %q is already bound to a user.", serial)
	}
	if exists, err := mfaBindings.Exists(tx, accountID, u.ID); err != nil {
		return err
	} else if exists {
		return alreadyExists("User.MFADevice", "The user %q already has an MFA device bound.", userName)
	}
	seed, err := s.openSeed(accountID, d)
	if err != nil {
		return err
	}
	step, ok, err := matchConsecutive(seed, code1, code2, now, d.LastUsedStep)
	if err != nil {
		return err
	}
	if !ok {
		return codeMFACodeFailed.New("The authentication codes are not two consecutive codes of the device %q at the current time.", serial)
	}
	d.UserID, d.Bound, d.LastUsedStep = u.ID, now, step
	if err := mfaDevices.UpdateRef(tx, rec, d.ref(), d, now); err != nil {
		return err
	}
	return mfaBindings.Insert(tx, accountID, u.ID, "", &mfaBinding{DeviceName: d.Name, Bound: now, LastUsedStep: step}, now)
}

// userBinding returns a user's binding and device.
func userBinding(tx store.Tx, accountID string, u *User) (*mfaBinding, store.Record, error) {
	b, rec, err := mfaBindings.Get(tx, accountID, u.ID)
	if isNotFound(err) {
		return nil, rec, notExist("User.MFADevice", "The user %q has no MFA device bound.", u.Name)
	}
	return b, rec, err
}

// MFAInfo is the device bound to a user.
type MFAInfo struct {
	SerialNumber string
	Type         string
}

// GetUserMFAInfo returns the device bound to a user.
func (s *Service) GetUserMFAInfo(tx store.Tx, accountID, userName string) (*MFAInfo, error) {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return nil, err
	}
	b, _, err := userBinding(tx, accountID, u)
	if err != nil {
		return nil, err
	}
	return &MFAInfo{SerialNumber: model.MFAARN(accountID, b.DeviceName), Type: MFATypeVirtual}, nil
}

// UnbindMFADevice unbinds a user's device and returns it (the device stays,
// unbound, until DeleteVirtualMFADevice).
func (s *Service) UnbindMFADevice(tx store.Tx, accountID, userName string, now time.Time) (*MFAInfo, error) {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return nil, err
	}
	b, _, err := userBinding(tx, accountID, u)
	if err != nil {
		return nil, err
	}
	if err := mfaBindings.Delete(tx, accountID, u.ID); err != nil {
		return nil, err
	}
	d, rec, err := mfaDevices.Get(tx, accountID, lookupKey(b.DeviceName))
	switch {
	case err == nil:
		d.UserID, d.Bound = "", time.Time{}
		d.LastUsedStep = max(d.LastUsedStep, b.LastUsedStep)
		if err := mfaDevices.UpdateRef(tx, rec, d.ref(), d, now); err != nil {
			return nil, err
		}
	case !isNotFound(err):
		return nil, err
	}
	return &MFAInfo{SerialNumber: model.MFAARN(accountID, b.DeviceName), Type: MFATypeVirtual}, nil
}

// DisableVirtualMFA (IMS) unbinds a user's device and deletes it.
func (s *Service) DisableVirtualMFA(tx store.Tx, accountID, userName string, now time.Time) error {
	info, err := s.UnbindMFADevice(tx, accountID, userName, now)
	if err != nil {
		return err
	}
	return s.DeleteVirtualMFADevice(tx, accountID, info.SerialNumber)
}

// DeleteVirtualMFADevice deletes a device that is not bound.
func (s *Service) DeleteVirtualMFADevice(tx store.Tx, accountID, serial string) error {
	d, rec, err := deviceBySerial(tx, accountID, serial)
	if err != nil {
		return err
	}
	if d.UserID != "" {
		return deleteConflict("VirtualMFADevice.User", "The virtual MFA device %q is bound to a user; unbind it first.", serial)
	}
	return mfaDevices.Delete(tx, accountID, rec.Key)
}

// ListVirtualMFADevices pages through the account's devices by name.
func (s *Service) ListVirtualMFADevices(tx store.Tx, accountID string, req PageRequest) (Page[VirtualMFADevice], error) {
	ds, end, err := listPage(s, tx, mfaDevices, store.Query{AccountID: accountID}, req, nil)
	if err != nil {
		return Page[VirtualMFADevice]{}, err
	}
	out := make([]VirtualMFADevice, len(ds))
	for i, d := range ds {
		out[i] = VirtualMFADevice{SerialNumber: model.MFAARN(accountID, d.Name), Activated: d.Bound}
		if d.UserID != "" {
			if out[i].User, err = userByID(tx, accountID, d.UserID); err != nil {
				return Page[VirtualMFADevice]{}, err
			}
		}
	}
	return pageOf(out, end), nil
}

// VerifyMFACode checks one code from a user's bound device (console
// sign-in) and consumes it: the same code, or an older one, never works
// again. It needs a write transaction.
func (s *Service) VerifyMFACode(tx store.Tx, accountID, userName, code string, now time.Time) error {
	if err := checkCodeFormat(code); err != nil {
		return err
	}
	u, _, err := userRecord(tx, accountID, userName)
	if err != nil {
		return err
	}
	b, brec, err := userBinding(tx, accountID, u)
	if err != nil {
		return err
	}
	d, _, err := mfaDevices.Get(tx, accountID, lookupKey(b.DeviceName))
	if err != nil {
		return err
	}
	seed, err := s.openSeed(accountID, d)
	if err != nil {
		return err
	}
	step, ok, err := matchSingle(seed, code, now, b.LastUsedStep)
	if err != nil {
		return err
	}
	if !ok {
		return codeMFACodeFailed.New("The authentication code is not valid for the MFA device of the user %q.", userName)
	}
	b.LastUsedStep = step
	return mfaBindings.Update(tx, brec, b, now)
}
