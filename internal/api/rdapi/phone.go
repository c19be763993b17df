package rdapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
)

// The SMS verification flows: binding a resource account's security phone
// (authorized on the member), and the code for enabling a directory with a
// new management account (directory-wide).

type sendBindCodeIn struct {
	accountIDIn
	SecureMobilePhone string `param:"SecureMobilePhone"`
}

type bindMobileIn struct {
	accountIDIn
	SecureMobilePhone string `param:"SecureMobilePhone"`
	VerificationCode  string `param:"VerificationCode"`
}

type sendEnableCodeIn struct {
	SecureMobilePhone string `param:"SecureMobilePhone"`
}

// expirationOut is the answer of SendVerificationCodeForBindSecureMobilePhone.
type expirationOut struct {
	ExpirationDate string
}

func registerPhone(r *api.Registry, svc *directory.Service) {
	memberAction(r, svc, rm.Write("SendVerificationCodeForBindSecureMobilePhone"),
		func(c *api.Call, in *sendBindCodeIn) (*expirationOut, error) {
			expires, err := svc.SendBindMobileCode(c.Tx, c.Caller, in.AccountId, in.SecureMobilePhone, c.Now)
			if err != nil {
				return nil, err
			}
			return &expirationOut{ExpirationDate: fmtTime(expires)}, nil
		})
	memberAction(r, svc, rm.Write("BindSecureMobilePhone", "VerificationCode"),
		func(c *api.Call, in *bindMobileIn) (*api.NoOutput, error) {
			return api.Done(svc.BindSecureMobilePhone(c.Tx, c.Caller, in.AccountId, in.SecureMobilePhone, in.VerificationCode, c.Now))
		})
	api.Declare(r, rm.Write("SendVerificationCodeForEnableRD"), anything[sendEnableCodeIn],
		func(c *api.Call, in *sendEnableCodeIn) (*api.NoOutput, error) {
			_, err := svc.SendEnableCode(c.Tx, c.AccountID(), in.SecureMobilePhone, c.Now)
			return api.Done(err)
		})
}
