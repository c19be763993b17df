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

type serialIn struct {
	SerialNumber string `param:"SerialNumber,required"`
}

type newDeviceOut struct{ SerialNumber, Base32StringSeed, QRCodePNG string }

func toNewDevice(d *iam.VirtualMFADevice) newDeviceOut {
	return newDeviceOut{SerialNumber: d.SerialNumber, Base32StringSeed: d.Seed, QRCodePNG: d.QRCodePNG}
}

// Register adds the actions RAM and IMS share, once for both products;
// ramapi and imsapi add the rest of each.
func Register(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[changePasswordIn, api.NoOutput]{
		Spec:        both.Write("ChangePassword", "OldPassword", "NewPassword").Sensitive(),
		Resource:    func(p *model.Principal, _ *changePasswordIn) string { return SelfOrUser(p, "") },
		SelfService: OwnedBy(svc, iam.OwnPassword, func(*changePasswordIn) string { return "" }),
		Handle: func(c *api.Call, in *changePasswordIn) (*api.NoOutput, error) {
			return api.Done(svc.ChangePassword(c.Tx, c.Caller, in.OldPassword, in.NewPassword, c.Now))
		},
	})
	api.Register(r, api.Action[createMFAIn, api.Object[newDeviceOut]]{
		Spec: both.Write("CreateVirtualMFADevice"),
		Resource: func(p *model.Principal, in *createMFAIn) string {
			return model.MFAARN(p.AccountID, in.VirtualMFADeviceName)
		},
		SelfService: OwnedBy(svc, iam.OwnMFADevice, func(*createMFAIn) string { return "" }),
		Handle: func(c *api.Call, in *createMFAIn) (*api.Object[newDeviceOut], error) {
			d, err := svc.CreateVirtualMFADevice(c.Tx, c.Caller, in.VirtualMFADeviceName, c.SelfService, c.Now)
			return api.Reply(api.As("VirtualMFADevice", toNewDevice))(d, err)
		},
	})
	// A device is named by its serial number, which is its ARN.
	api.Declare(r, both.Write("DeleteVirtualMFADevice").Sensitive(), func(_ *model.Principal, in *serialIn) string { return in.SerialNumber },
		func(c *api.Call, in *serialIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteVirtualMFADevice(c.Tx, c.AccountID(), in.SerialNumber))
		})
	api.Declare(r, both.Write("DeleteGroup"), OnGroup, func(c *api.Call, in *GroupNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteGroup(c.Tx, c.AccountID(), in.GroupName))
	})
}

// RegisterGroupReads adds GetGroup and ListGroups to products that show a
// group as shape does: the same calls in RAM and IMS, but IMS shows a
// DisplayName that RAM does not.
func RegisterGroupReads[G any](r *api.Registry, svc *iam.Service, products api.Products, shape func(*iam.Group) G) {
	api.Declare(r, products.Read("GetGroup").Remembered(), OnGroup, func(c *api.Call, in *GroupNameIn) (*api.Object[G], error) {
		return api.Reply(api.As("Group", shape))(svc.GetGroup(c.Tx, c.AccountID(), in.GroupName))
	})
	api.Declare(r, products.Read("ListGroups").Remembered(), AllOf[ListIn]("group"), func(c *api.Call, in *ListIn) (*api.List[G], error) {
		return api.Reply(Paged("Groups", "Group", shape))(svc.ListGroups(c.Tx, c.AccountID(), in.Page()))
	})
}

// Shapes both products answer with.

// UserDetails are the fields of a user both products show after its id
// and name (RAM names it by UserName, IMS by UserPrincipalName).
type UserDetails struct {
	DisplayName   string
	Email         string
	MobilePhone   string
	Comments      string
	CreateDate    string
	UpdateDate    string
	LastLoginDate string `json:",omitempty"`
}

// DetailsOf shapes a user's details.
func DetailsOf(u *iam.User) UserDetails {
	return UserDetails{DisplayName: u.DisplayName, Email: u.Email, MobilePhone: u.MobilePhone, Comments: u.Comments,
		CreateDate: iam.FormatTime(u.Created), UpdateDate: iam.FormatTime(u.Updated), LastLoginDate: iam.FormatTime(u.LastLogin)}
}

// MFADeviceOut is the device of UnbindMFADevice and GetUserMFAInfo.
type MFADeviceOut struct {
	SerialNumber string `json:",omitempty"`
	Type         string `json:",omitempty"`
}

// AsUnbound is UnbindMFADevice's answer: the released device's serial
// number alone.
var AsUnbound = api.As("MFADevice", func(d *iam.MFAInfo) MFADeviceOut { return MFADeviceOut{SerialNumber: d.SerialNumber} })

// LastUsedOut says when a key was last used ("" for never). IMS documents
// a ServiceName too, which Canopy does not record and the cloud leaves out.
type LastUsedOut struct{ LastUsedDate string }

// AsLastUsed is GetAccessKeyLastUsed's answer.
var AsLastUsed = api.As("AccessKeyLastUsed", func(k *iam.AccessKey) LastUsedOut {
	return LastUsedOut{iam.FormatTime(k.LastUsed)}
})

// DeviceOut is one ListVirtualMFADevices entry; U is the product's shape
// of the device's user. A bound device names its user and when it was
// bound; an unbound one is just its SerialNumber: no empty User object, no
// ActivateDate.
type DeviceOut[U any] struct {
	SerialNumber string
	ActivateDate string `json:",omitempty"`
	User         *U     `json:",omitempty"`
}

// Device shapes a device, with user shaping its bound user.
func Device[U any](d *iam.VirtualMFADevice, user func(*iam.User) U) DeviceOut[U] {
	out := DeviceOut[U]{SerialNumber: d.SerialNumber}
	if d.User != nil {
		out.ActivateDate = iam.FormatTime(d.Activated)
		u := user(d.User)
		out.User = &u
	}
	return out
}
