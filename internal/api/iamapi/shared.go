package iamapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// both declares the actions RAM and IMS have in common: the same name,
// parameters and response, served by one handler under both versions.
var both = api.Products{RAM, IMS}

type changePasswordIn struct {
	OldPassword string `param:"OldPassword,required"`
	NewPassword string `param:"NewPassword,required"`
}

type createMFAIn struct {
	VirtualMFADeviceName string `param:"VirtualMFADeviceName,required"`
}

type createMFAOut struct {
	VirtualMFADevice struct {
		SerialNumber     string
		Base32StringSeed string
		QRCodePNG        string
	}
}

func toCreatedDevice(d *iam.VirtualMFADevice) (out createMFAOut) {
	out.VirtualMFADevice.SerialNumber, out.VirtualMFADevice.Base32StringSeed = d.SerialNumber, d.Seed
	out.VirtualMFADevice.QRCodePNG = d.QRCodePNG
	return out
}

type serialIn struct {
	SerialNumber string `param:"SerialNumber,required"`
}

// GroupNameIn is the input of the calls that name one group and nothing
// else.
type GroupNameIn struct {
	GroupName string `param:"GroupName,required"`
}

// OnGroup is the resource of a call on the group its input names.
func OnGroup(p *model.Principal, in *GroupNameIn) string { return GroupARN(p, in.GroupName) }

// OnMembers is the resource of ListUsersForGroup: the group.
func OnMembers(p *model.Principal, in *GroupMembersIn) string { return GroupARN(p, in.GroupName) }

// Register adds the actions RAM and IMS share, once for both products;
// ramapi and imsapi add the rest of each.
func Register(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[changePasswordIn, api.NoOutput]{
		Spec:        both.Write("ChangePassword", "OldPassword", "NewPassword"),
		Resource:    func(p *model.Principal, _ *changePasswordIn) string { return SelfOrUser(p, "") },
		SelfService: OwnedBy(svc, iam.OwnPassword, func(*changePasswordIn) string { return "" }),
		Handle: func(c *api.Call, in *changePasswordIn) (*api.NoOutput, error) {
			return api.Done(svc.ChangePassword(c.Tx, c.Caller, in.OldPassword, in.NewPassword, c.Now))
		},
	})
	api.Register(r, api.Action[createMFAIn, createMFAOut]{
		Spec: both.Write("CreateVirtualMFADevice"),
		Resource: func(p *model.Principal, in *createMFAIn) string {
			return model.MFAARN(p.AccountID, in.VirtualMFADeviceName)
		},
		SelfService: OwnedBy(svc, iam.OwnMFADevice, func(*createMFAIn) string { return "" }),
		Handle: func(c *api.Call, in *createMFAIn) (*createMFAOut, error) {
			return api.Reply(toCreatedDevice)(svc.CreateVirtualMFADevice(c.Tx, c.AccountID(), in.VirtualMFADeviceName, c.Now))
		},
	})
	// A device is named by its serial number, which is its ARN.
	api.Declare(r, both.Write("DeleteVirtualMFADevice"), func(_ *model.Principal, in *serialIn) string { return in.SerialNumber },
		func(c *api.Call, in *serialIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteVirtualMFADevice(c.Tx, c.AccountID(), in.SerialNumber))
		})
	api.Declare(r, both.Write("DeleteGroup"), OnGroup, func(c *api.Call, in *GroupNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteGroup(c.Tx, c.AccountID(), in.GroupName))
	})
}

// MFADeviceOut is the device of UnbindMFADevice and GetUserMFAInfo.
type MFADeviceOut struct {
	SerialNumber string `json:",omitempty"`
	Type         string `json:",omitempty"`
}

// UnboundDevice is the answer of UnbindMFADevice: the serial number alone.
type UnboundDevice struct{ MFADevice MFADeviceOut }

// ToUnboundDevice shapes the device UnbindMFADevice released.
func ToUnboundDevice(d *iam.MFAInfo) UnboundDevice {
	return UnboundDevice{MFADevice: MFADeviceOut{SerialNumber: d.SerialNumber}}
}
