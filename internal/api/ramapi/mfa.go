package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

type bindMFAIn struct {
	SerialNumber        string `param:"SerialNumber,required"`
	UserName            string `param:"UserName,required"`
	AuthenticationCode1 string `param:"AuthenticationCode1,required"`
	AuthenticationCode2 string `param:"AuthenticationCode2,required"`
}

func (in *bindMFAIn) user() string { return in.UserName }

// deviceOut is one RAM ListVirtualMFADevices entry.
type deviceOut = iamapi.DeviceOut[deviceUserOut]

type deviceUserOut struct {
	UserId      string
	UserName    string
	DisplayName string
}

// mfaSecrets are the parameters of BindMFADevice never written to the
// audit trail: a pair of fresh codes is a live credential for a minute.
var mfaSecrets = []string{"AuthenticationCode1", "AuthenticationCode2"}

func toDevice(d *iam.VirtualMFADevice) deviceOut {
	return iamapi.Device(d, func(u *iam.User) deviceUserOut {
		return deviceUserOut{UserId: u.ID, UserName: u.Name, DisplayName: u.DisplayName}
	})
}

var asMFAInfo = api.As("MFADevice", func(d *iam.MFAInfo) iamapi.MFADeviceOut {
	return iamapi.MFADeviceOut{SerialNumber: d.SerialNumber, Type: d.Type}
})

// CreateVirtualMFADevice and DeleteVirtualMFADevice are in iamapi: RAM and
// IMS share them.
func registerMFA(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Read("ListVirtualMFADevices"), iamapi.AllOf[iamapi.ListIn]("mfa"),
		func(c *api.Call, _ *iamapi.ListIn) (*api.List[deviceOut], error) {
			// RAM's ListVirtualMFADevices has no paging: walk every page.
			var devices []iam.VirtualMFADevice
			var req iam.PageRequest
			for {
				page, err := svc.ListVirtualMFADevices(c.Tx, c.AccountID(), req)
				if err != nil {
					return nil, err
				}
				devices = append(devices, page.Items...)
				if !page.IsTruncated {
					return api.Reply(api.Listed("VirtualMFADevices", "VirtualMFADevice", toDevice))(devices, nil)
				}
				req.Marker = page.Marker
			}
		})
	own := iam.OwnMFADevice
	selfService(r, svc, own, ram.Write("BindMFADevice", mfaSecrets...).Sensitive(), (*bindMFAIn).user,
		func(c *api.Call, in *bindMFAIn) (*api.NoOutput, error) {
			return api.Done(svc.BindMFADevice(c.Tx, c.AccountID(), in.SerialNumber, in.UserName,
				in.AuthenticationCode1, in.AuthenticationCode2, c.Now))
		})
	selfService(r, svc, own, ram.Write("UnbindMFADevice").Sensitive(), (*userNameIn).user,
		func(c *api.Call, in *userNameIn) (*api.Object[iamapi.MFADeviceOut], error) {
			return api.Reply(iamapi.AsUnbound)(svc.UnbindMFADevice(c.Tx, c.AccountID(), in.UserName, c.Now))
		})
	selfService(r, svc, own, ram.Read("GetUserMFAInfo"), (*userNameIn).user,
		func(c *api.Call, in *userNameIn) (*api.Object[iamapi.MFADeviceOut], error) {
			return api.Reply(asMFAInfo)(svc.GetUserMFAInfo(c.Tx, c.AccountID(), in.UserName))
		})
}
