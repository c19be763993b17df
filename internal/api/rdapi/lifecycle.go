package rdapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
)

type enableIn struct {
	EnableMode          string `param:"EnableMode"`
	MAName              string `param:"MAName"`
	MASecureMobilePhone string `param:"MASecureMobilePhone"`
	VerificationCode    string `param:"VerificationCode"`
}

// directoryOut is the ResourceDirectory object; Get adds the statuses and
// the legal entity.
type directoryOut struct {
	ResourceDirectoryId  string
	RootFolderId         string
	MasterAccountId      string
	MasterAccountName    string
	CreateTime           string
	ControlPolicyStatus  string `json:",omitempty"`
	ScpStatus            string `json:",omitempty"`
	MemberDeletionStatus string `json:",omitempty"`
	IdentityInformation  string `json:",omitempty"`
}

func toDirectory(d *directory.Directory) directoryOut {
	return directoryOut{ResourceDirectoryId: d.ID, RootFolderId: d.RootFolderID, MasterAccountId: d.MasterAccountID,
		MasterAccountName: d.MasterAccountName, CreateTime: fmtTime(d.Created)}
}

func toDirectoryView(v *directory.View) directoryOut {
	out := toDirectory(&v.Directory)
	out.ControlPolicyStatus, out.ScpStatus = directory.Disabled, directory.Disabled
	out.MemberDeletionStatus, out.IdentityInformation = v.MemberDeletion, v.IdentityInformation
	return out
}

var asDirectory = api.As("ResourceDirectory", toDirectory)

func registerLifecycle(r *api.Registry, svc *directory.Service) {
	api.Declare(r, rm.Write("EnableResourceDirectory", "VerificationCode"), anything[enableIn],
		func(c *api.Call, in *enableIn) (*api.Object[directoryOut], error) {
			d, err := svc.EnableDirectory(c.Tx, c.AccountID(), directory.EnableRequest{
				Mode: in.EnableMode, MAName: in.MAName, MASecureMobilePhone: in.MASecureMobilePhone,
				VerificationCode: in.VerificationCode}, c.Now)
			if err == nil {
				c.AlsoAuditIn(d.MasterAccountID) // a new management account's trail starts with its creation
			}
			return api.Reply(asDirectory)(d, err)
		})
	api.Declare(r, rm.Write("InitResourceDirectory"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*api.Object[directoryOut], error) {
			return api.Reply(asDirectory)(svc.Enable(c.Tx, c.AccountID(), c.Now))
		})
	api.Declare(r, rm.Read("GetResourceDirectory"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*api.Object[directoryOut], error) {
			return api.Reply(api.As("ResourceDirectory", toDirectoryView))(svc.Get(c.Tx, c.AccountID()))
		})
	api.Declare(r, rm.Write("DestroyResourceDirectory"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*api.NoOutput, error) {
			return api.Done(svc.Destroy(c.Tx, c.AccountID()))
		})
}
