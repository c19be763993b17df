package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

type scimStatusIn struct {
	inDirectory
	SCIMSynchronizationStatus string `param:"SCIMSynchronizationStatus"`
}

type scimStatusOut struct{ SCIMSynchronizationStatus string }

type scimCredentialIn struct {
	inDirectory
	CredentialID string `param:"CredentialId"`
}

type scimCredentialStatusIn struct {
	scimCredentialIn
	NewStatus string `param:"NewStatus"`
}

// scimCredentialOut is a credential as the wire shows it; CredentialSecret
// is set only by CreateSCIMServerCredential (and redacted in its trail).
type scimCredentialOut struct {
	CredentialId     string
	CredentialType   string
	CredentialSecret string `json:",omitempty"`
	Status           string
	CreateTime       string
	ExpireTime       string
	DirectoryId      string
}

type scimCredentialsOut struct {
	SCIMServerCredentials []scimCredentialOut
	TotalCounts           int
}

func toSCIMCredential(c *cloudsso.SCIMCredential) scimCredentialOut {
	return scimCredentialOut{CredentialId: c.ID, CredentialType: c.Type, CredentialSecret: c.Secret, Status: c.Status,
		CreateTime: fmtTime(c.Created), ExpireTime: fmtTime(c.Expires), DirectoryId: c.DirectoryID}
}

func registerSCIM(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Read("GetSCIMSynchronizationStatus"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*scimStatusOut, error) {
			status, err := svc.GetSCIMSynchronizationStatus(c.Tx, c.AccountID(), in.DirectoryID)
			return &scimStatusOut{SCIMSynchronizationStatus: status}, err
		})
	api.Declare(r, sso.Write("SetSCIMSynchronizationStatus").Sensitive(), onDirectory[scimStatusIn],
		func(c *api.Call, in *scimStatusIn) (*api.NoOutput, error) {
			return api.Done(svc.SetSCIMSynchronizationStatus(c.Tx, c.AccountID(), in.DirectoryID, in.SCIMSynchronizationStatus, c.Now))
		})
	api.Declare(r, sso.Write("CreateSCIMServerCredential", "CredentialSecret").Sensitive(), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.Object[scimCredentialOut], error) {
			return api.Reply(api.As("SCIMServerCredential", toSCIMCredential))(svc.CreateSCIMServerCredential(c.Tx, c.AccountID(), in.DirectoryID, c.Now))
		})
	api.Declare(r, sso.Read("ListSCIMServerCredentials"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*scimCredentialsOut, error) {
			all, err := svc.ListSCIMServerCredentials(c.Tx, c.AccountID(), in.DirectoryID)
			if err != nil {
				return nil, err
			}
			out := api.MapAll(all, toSCIMCredential)
			return &scimCredentialsOut{SCIMServerCredentials: out, TotalCounts: len(out)}, nil
		})
	api.Declare(r, sso.Write("UpdateSCIMServerCredentialStatus").Sensitive(), onDirectory[scimCredentialStatusIn],
		func(c *api.Call, in *scimCredentialStatusIn) (*api.Object[scimCredentialOut], error) {
			return api.Reply(api.As("SCIMServerCredential", toSCIMCredential))(svc.UpdateSCIMServerCredentialStatus(c.Tx, c.AccountID(),
				in.DirectoryID, in.CredentialID, in.NewStatus, c.Now))
		})
	api.Declare(r, sso.Write("DeleteSCIMServerCredential").Sensitive(), onDirectory[scimCredentialIn],
		func(c *api.Call, in *scimCredentialIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteSCIMServerCredential(c.Tx, c.AccountID(), in.DirectoryID, in.CredentialID, c.Now))
		})
}
