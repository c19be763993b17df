package rdapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
)

// The legacy e-mail flows: CreateCloudAccount and PromoteResourceAccount
// with their resend and cancel (the confirmation itself is a page of the
// app, not an API call).

type createCloudAccountIn struct {
	DisplayName    string `param:"DisplayName"`
	ParentFolderId string `param:"ParentFolderId"`
	Email          string `param:"Email"`
	PayerAccountId string `param:"PayerAccountId"`
}

type promoteResourceAccountIn struct {
	accountIDIn
	Email string `param:"Email"`
}

// recordIn is the input of the calls that name a legacy record.
type recordIn struct {
	RecordId string `param:"RecordId"`
}

// recordAction declares a call on a legacy record: authorized on its
// member's path (resolved from the store), else on account/*.
func recordAction[Out any](r *api.Registry, svc *directory.Service, spec api.Spec, handle func(*api.Call, *recordIn) (*Out, error)) {
	api.Register(r, api.Action[recordIn, Out]{Spec: spec, Handle: handle,
		Resource: func(p *model.Principal, _ *recordIn) string { return accountARN(p.AccountID, "*") },
		ResolveResource: func(c *api.Call, in *recordIn) (string, error) {
			path, err := svc.RecordMemberPath(c.Tx, c.AccountID(), in.RecordId)
			if err != nil || path == "" {
				return "", err
			}
			return accountARN(c.AccountID(), path), nil
		}})
}

func registerLegacy(r *api.Registry, svc *directory.Service) {
	api.Declare(r, rm.Write("CreateCloudAccount"), func(p *model.Principal, _ *createCloudAccountIn) string { return accountARN(p.AccountID, "*") },
		func(c *api.Call, in *createCloudAccountIn) (*api.Object[accountOut], error) {
			return api.Reply(api.As("Account", memberOut))(svc.CreateCloudAccount(c.Tx, c.AccountID(), directory.NewCloudAccount{
				DisplayName: in.DisplayName, ParentFolderID: in.ParentFolderId, Email: in.Email, PayerAccountID: in.PayerAccountId}, c.Now))
		})
	recordAction(r, svc, rm.Write("ResendCreateCloudAccountEmail"), func(c *api.Call, in *recordIn) (*api.Object[accountOut], error) {
		return api.Reply(api.As("Account", memberOut))(svc.ResendCreateCloudAccountEmail(c.Tx, c.AccountID(), in.RecordId, c.Now))
	})
	recordAction(r, svc, rm.Write("CancelCreateCloudAccount"), func(c *api.Call, in *recordIn) (*api.NoOutput, error) {
		return api.Done(svc.CancelCreateCloudAccount(c.Tx, c.AccountID(), in.RecordId, c.Now))
	})
	memberAction(r, svc, rm.Write("PromoteResourceAccount"), func(c *api.Call, in *promoteResourceAccountIn) (*api.Object[accountOut], error) {
		return api.Reply(api.As("Account", memberOut))(svc.PromoteResourceAccount(c.Tx, c.AccountID(), in.AccountId, in.Email, c.Now))
	})
	recordAction(r, svc, rm.Write("ResendPromoteResourceAccountEmail"), func(c *api.Call, in *recordIn) (*api.Object[accountOut], error) {
		return api.Reply(api.As("Account", memberOut))(svc.ResendPromoteResourceAccountEmail(c.Tx, c.AccountID(), in.RecordId, c.Now))
	})
	recordAction(r, svc, rm.Write("CancelPromoteResourceAccount"), func(c *api.Call, in *recordIn) (*api.NoOutput, error) {
		return api.Done(svc.CancelPromoteResourceAccount(c.Tx, c.AccountID(), in.RecordId, c.Now))
	})
}
