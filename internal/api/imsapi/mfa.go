package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type createMFAIn struct {
	VirtualMFADeviceName string `param:"VirtualMFADeviceName,required"`
	selfService          bool   // the SelfService check allowed the call: iam caps it
}

type serialIn struct {
	SerialNumber string `param:"SerialNumber,required"`
}

type bindMFAIn struct {
	UserPrincipalName   string `param:"UserPrincipalName,required"`
	SerialNumber        string `param:"SerialNumber"`
	Type                string `param:"Type"`
	AuthenticationCode1 string `param:"AuthenticationCode1"`
	AuthenticationCode2 string `param:"AuthenticationCode2"`
}

type mfaListIn struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems"`
}

type createMFAOut struct {
	VirtualMFADevice struct {
		SerialNumber     string
		Base32StringSeed string
		QRCodePNG        string
	}
}

type listDevicesOut struct {
	pageOut
	VirtualMFADevices struct{ VirtualMFADevice []deviceOut }
}

type unbindOut struct {
	MFADevice struct{ SerialNumber string }
}

type mfaInfoOut struct {
	IsMFAEnable bool
	MFADevice   struct {
		SerialNumber string `json:",omitempty"`
		Type         string `json:",omitempty"`
	}
}

// IMS lists at most 100 MFA devices per page.
const maxDevicePage = 100

func registerMFA(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[createMFAIn, createMFAOut]{
		Spec: spec("CreateVirtualMFADevice", true),
		SelfService: func(c *api.Call, in *createMFAIn) (bool, error) {
			ok, err := svc.AllowsSelfService(c.Tx, c.Caller, "", iam.NewOwnMFADevice)
			in.selfService = ok
			return ok, err
		},
		Resource: func(p *model.Principal, in *createMFAIn) string {
			return model.MFAARN(p.AccountID, in.VirtualMFADeviceName)
		},
		Handle: func(c *api.Call, in *createMFAIn) (*createMFAOut, error) {
			d, err := svc.CreateVirtualMFADevice(c.Tx, c.Caller, in.VirtualMFADeviceName, in.selfService, c.Now)
			if err != nil {
				return nil, err
			}
			out := &createMFAOut{}
			out.VirtualMFADevice.SerialNumber, out.VirtualMFADevice.Base32StringSeed = d.SerialNumber, d.Seed
			out.VirtualMFADevice.QRCodePNG = d.QRCodePNG
			return out, nil
		},
	})
	api.Register(r, api.Action[mfaListIn, listDevicesOut]{
		Spec:     spec("ListVirtualMFADevices", false),
		Resource: func(p *model.Principal, _ *mfaListIn) string { return allOf(p, "mfa") },
		Handle: func(c *api.Call, in *mfaListIn) (*listDevicesOut, error) {
			domain, err := svc.DefaultDomain(c.Tx, c.AccountID())
			if err != nil {
				return nil, err
			}
			page, err := svc.ListVirtualMFADevices(c.Tx, c.AccountID(), pageReq(in.Marker, in.MaxItems, maxDevicePage, maxDevicePage))
			if err != nil {
				return nil, err
			}
			out := &listDevicesOut{pageOut: pageInfo(page)}
			out.VirtualMFADevices.VirtualMFADevice = mapAll(page.Items, func(d *iam.VirtualMFADevice) deviceOut {
				return toDevice(d, domain)
			})
			return out, nil
		},
	})
	api.Register(r, api.Action[serialIn, none]{
		Spec:     spec("DeleteVirtualMFADevice", true),
		Resource: func(_ *model.Principal, in *serialIn) string { return in.SerialNumber },
		Handle: func(c *api.Call, in *serialIn) (*none, error) {
			return done, svc.DeleteVirtualMFADevice(c.Tx, c.AccountID(), in.SerialNumber)
		},
	})
	api.Register(r, api.Action[bindMFAIn, none]{
		Spec:        spec("BindMFADevice", true, "AuthenticationCode1", "AuthenticationCode2"),
		Resource:    func(p *model.Principal, in *bindMFAIn) string { return userResource(p, in.UserPrincipalName, "") },
		SelfService: ownedBy(svc, iam.OwnMFADevice, func(in *bindMFAIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *bindMFAIn) (*none, error) {
			if in.Type != "" && in.Type != iam.MFATypeVirtual {
				return nil, apperr.BadRequest("InvalidParameter.Type", "Only virtual MFA devices (Type=%s) can be bound here; got %q.", iam.MFATypeVirtual, in.Type)
			}
			for _, p := range []struct{ name, v string }{{"SerialNumber", in.SerialNumber},
				{"AuthenticationCode1", in.AuthenticationCode1}, {"AuthenticationCode2", in.AuthenticationCode2}} {
				if p.v == "" {
					return nil, missing(p.name)
				}
			}
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.BindMFADevice(c.Tx, c.AccountID(), in.SerialNumber, name,
				in.AuthenticationCode1, in.AuthenticationCode2, c.Now)
		},
	})
	api.Register(r, api.Action[upnIn, unbindOut]{
		Spec:        spec("UnbindMFADevice", true),
		Resource:    onUPN,
		SelfService: ownedBy(svc, iam.OwnMFADevice, func(in *upnIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *upnIn) (*unbindOut, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			d, err := svc.UnbindMFADevice(c.Tx, c.AccountID(), name, c.Now)
			if err != nil {
				return nil, err
			}
			out := &unbindOut{}
			out.MFADevice.SerialNumber = d.SerialNumber
			return out, nil
		},
	})
	api.Register(r, api.Action[ownerIn, mfaInfoOut]{
		Spec:        spec("GetUserMFAInfo", false),
		Resource:    onOwner,
		SelfService: ownedBy(svc, iam.OwnMFADevice, func(in *ownerIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *ownerIn) (*mfaInfoOut, error) {
			name, err := userName(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			if name == "" {
				if c.Caller.Kind != model.RAMUser {
					return nil, missing("UserPrincipalName")
				}
				name = c.Caller.UserName
			}
			// IMS answers "no device" with IsMFAEnable=false, not an error.
			out := &mfaInfoOut{}
			d, err := svc.GetUserMFAInfo(c.Tx, c.AccountID(), name)
			if err != nil && apperr.As(err).Code == "EntityNotExist.User.MFADevice" {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			out.IsMFAEnable = true
			out.MFADevice.SerialNumber, out.MFADevice.Type = d.SerialNumber, d.Type
			return out, nil
		},
	})
	api.Register(r, api.Action[upnIn, none]{
		Spec:     spec("DisableVirtualMFA", true),
		Resource: onUPN,
		Handle: func(c *api.Call, in *upnIn) (*none, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.DisableVirtualMFA(c.Tx, c.AccountID(), name, c.Now)
		},
	})
}
