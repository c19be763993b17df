package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
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
	SerialNumber        string `param:"SerialNumber,required"`
	UserName            string `param:"UserName,required"`
	AuthenticationCode1 string `param:"AuthenticationCode1,required"`
	AuthenticationCode2 string `param:"AuthenticationCode2,required"`
}

type createMFAOut struct {
	VirtualMFADevice struct {
		SerialNumber     string
		Base32StringSeed string
		QRCodePNG        string
	}
}

type mfaDeviceResult struct{ MFADevice mfaDeviceOut }

type listDevicesOut struct {
	VirtualMFADevices struct{ VirtualMFADevice []deviceOut }
}

// mfaSecrets are the parameters of BindMFADevice never written to the
// audit trail: a pair of fresh codes is a live credential for a minute.
var mfaSecrets = []string{"AuthenticationCode1", "AuthenticationCode2"}

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
	api.Register(r, api.Action[listIn, listDevicesOut]{
		Spec:     spec("ListVirtualMFADevices", false),
		Resource: func(p *model.Principal, _ *listIn) string { return allOf(p, "mfa") },
		Handle: func(c *api.Call, _ *listIn) (*listDevicesOut, error) {
			// RAM's ListVirtualMFADevices has no paging: walk every page.
			out := &listDevicesOut{}
			out.VirtualMFADevices.VirtualMFADevice = []deviceOut{}
			req := pageReq("", nil)
			for {
				page, err := svc.ListVirtualMFADevices(c.Tx, c.AccountID(), req)
				if err != nil {
					return nil, err
				}
				out.VirtualMFADevices.VirtualMFADevice = append(out.VirtualMFADevices.VirtualMFADevice, mapAll(page.Items, toDevice)...)
				if !page.IsTruncated {
					return out, nil
				}
				req.Marker = page.Marker
			}
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
		Spec:        spec("BindMFADevice", true, mfaSecrets...),
		Resource:    func(p *model.Principal, in *bindMFAIn) string { return userARN(p, in.UserName) },
		SelfService: ownedBy(svc, iam.OwnMFADevice, func(in *bindMFAIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *bindMFAIn) (*none, error) {
			return done, svc.BindMFADevice(c.Tx, c.AccountID(), in.SerialNumber, in.UserName,
				in.AuthenticationCode1, in.AuthenticationCode2, c.Now)
		},
	})
	api.Register(r, api.Action[userNameIn, mfaDeviceResult]{
		Spec:        spec("UnbindMFADevice", true),
		Resource:    onUser,
		SelfService: ownedBy(svc, iam.OwnMFADevice, func(in *userNameIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *userNameIn) (*mfaDeviceResult, error) {
			d, err := svc.UnbindMFADevice(c.Tx, c.AccountID(), in.UserName, c.Now)
			if err != nil {
				return nil, err
			}
			return &mfaDeviceResult{MFADevice: mfaDeviceOut{SerialNumber: d.SerialNumber}}, nil
		},
	})
	api.Register(r, api.Action[userNameIn, mfaDeviceResult]{
		Spec:        spec("GetUserMFAInfo", false),
		Resource:    onUser,
		SelfService: ownedBy(svc, iam.OwnMFADevice, func(in *userNameIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *userNameIn) (*mfaDeviceResult, error) {
			d, err := svc.GetUserMFAInfo(c.Tx, c.AccountID(), in.UserName)
			if err != nil {
				return nil, err
			}
			return &mfaDeviceResult{MFADevice: mfaDeviceOut{SerialNumber: d.SerialNumber, Type: d.Type}}, nil
		},
	})
}
