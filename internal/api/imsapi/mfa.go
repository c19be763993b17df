package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type bindMFAIn struct {
	UserPrincipalName   string `param:"UserPrincipalName,required"`
	SerialNumber        string `param:"SerialNumber"`
	Type                string `param:"Type"`
	AuthenticationCode1 string `param:"AuthenticationCode1"`
	AuthenticationCode2 string `param:"AuthenticationCode2"`
}

func (in bindMFAIn) user() userRef { return userRef{upn: in.UserPrincipalName} }

func (d domain) devices(p iam.Page[iam.VirtualMFADevice]) api.List[deviceOut] {
	device := func(v *iam.VirtualMFADevice) deviceOut { return toDevice(v, string(d)) }
	return iamapi.Paged("VirtualMFADevices", "VirtualMFADevice", device)(p)
}

// mfaInfoOut answers "no device" with IsMFAEnable=false, not an error.
type mfaInfoOut struct {
	IsMFAEnable bool
	MFADevice   iamapi.MFADeviceOut
}

// CreateVirtualMFADevice and DeleteVirtualMFADevice are in iamapi: RAM and
// IMS share them.
func registerMFA(r *api.Registry, svc *iam.Service) {
	// IMS lists at most 100 MFA devices per page.
	api.Declare(r, ims.Read("ListVirtualMFADevices"), iamapi.AllOf[iamapi.ListIn]("mfa"),
		func(c *api.Call, in *iamapi.ListIn) (*api.List[deviceOut], error) {
			page := iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems, Default: 100, Max: 100}
			return inDomain(c, svc, domain.devices)(svc.ListVirtualMFADevices(c.Tx, c.AccountID(), page))
		})
	api.Register(r, api.Action[bindMFAIn, api.NoOutput]{
		Spec:     ims.Write("BindMFADevice", "AuthenticationCode1", "AuthenticationCode2").Sensitive(),
		Resource: onUser[bindMFAIn], SelfService: ownedBy[bindMFAIn](svc, iam.OwnMFADevice),
		Handle: func(c *api.Call, in *bindMFAIn) (*api.NoOutput, error) {
			// The parameters are checked before the user is looked up.
			if in.Type != "" && in.Type != iam.MFATypeVirtual {
				return nil, codeInvalidMFAType.New(
					"Only virtual MFA devices (Type=%s) can be bound here; got %q.", iam.MFATypeVirtual, in.Type)
			}
			for _, p := range []struct{ name, v string }{{"SerialNumber", in.SerialNumber},
				{"AuthenticationCode1", in.AuthenticationCode1}, {"AuthenticationCode2", in.AuthenticationCode2}} {
				if p.v == "" {
					return nil, apperr.MissingParameter(p.name)
				}
			}
			name, err := in.user().name(c, svc)
			if err != nil {
				return nil, err
			}
			return api.Done(svc.BindMFADevice(c.Tx, c.AccountID(), in.SerialNumber, name,
				in.AuthenticationCode1, in.AuthenticationCode2, c.Now))
		},
	})
	selfService(r, svc, iam.OwnMFADevice, ims.Write("UnbindMFADevice").Sensitive(),
		func(c *api.Call, _ *upnIn, name string) (*api.Object[iamapi.MFADeviceOut], error) {
			return api.Reply(iamapi.AsUnbound)(svc.UnbindMFADevice(c.Tx, c.AccountID(), name, c.Now))
		})
	selfService(r, svc, iam.OwnMFADevice, ims.Read("GetUserMFAInfo"),
		func(c *api.Call, _ *ownerIn, name string) (*mfaInfoOut, error) {
			if name == "" {
				if c.Caller.Kind != model.RAMUser {
					return nil, apperr.MissingParameter("UserPrincipalName")
				}
				name = c.Caller.UserName
			}
			out := &mfaInfoOut{}
			d, err := svc.GetUserMFAInfo(c.Tx, c.AccountID(), name)
			if iam.IsNoMFADevice(err) {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			out.IsMFAEnable, out.MFADevice = true, iamapi.MFADeviceOut{SerialNumber: d.SerialNumber, Type: d.Type}
			return out, nil
		})
	userAction(r, svc, ims.Write("DisableVirtualMFA").Sensitive(), func(c *api.Call, _ *upnIn, name string) (*api.NoOutput, error) {
		return api.Done(svc.DisableVirtualMFA(c.Tx, c.AccountID(), name, c.Now))
	})
}
