package rdapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
)

type setDeletionPermissionIn struct {
	Status string `param:"Status"`
}

type deletionPermissionOut struct {
	MemberDeletionStatus string
	ManagementAccountId  string
	ResourceDirectoryId  string
}

type deleteAccountIn struct {
	accountIDIn
	// AbandonableCheckId is a JSON array as a string; the classic SDK
	// sends "null" when it is not set.
	AbandonableCheckId string `param:"AbandonableCheckId"`
}

type deleteAccountOut struct {
	DeletionType string
}

type checkOut struct {
	CheckId     string
	CheckName   string
	Description string
}

// checkResultOut is AccountDeletionCheckResultInfo; its lists are plain
// arrays.
type checkResultOut struct {
	Status            string
	AllowDelete       string
	NotAllowReason    []checkOut
	AbandonableChecks []checkOut
}

type failReasonOut struct {
	Name        string
	Description string
}

// deletionStatusOut is RdAccountDeletionStatus; FailReasonList is a plain
// array.
type deletionStatusOut struct {
	Status         string
	AccountId      string
	CreateTime     string
	DeletionTime   string
	DeletionType   string
	FailReasonList []failReasonOut
}

func checksOut(in []directory.CheckResult) []checkOut {
	return api.MapAll(in, func(c *directory.CheckResult) checkOut {
		return checkOut{CheckId: c.ID, CheckName: c.Name, Description: c.Description}
	})
}

func toCheckResult(c *directory.DeletionCheck) checkResultOut {
	return checkResultOut{Status: c.Status, AllowDelete: c.AllowDelete(), NotAllowReason: checksOut(c.NotAllowed),
		AbandonableChecks: checksOut(c.Abandonable)}
}

func toDeletionStatus(accountID string) func(*directory.DeletionRun) deletionStatusOut {
	return func(r *directory.DeletionRun) deletionStatusOut {
		return deletionStatusOut{Status: r.Status, AccountId: accountID, CreateTime: fmtTime(r.Created),
			DeletionTime: fmtTime(r.Deleted), DeletionType: r.Type,
			FailReasonList: api.MapAll(r.FailReasons, func(f *directory.FailReason) failReasonOut {
				return failReasonOut{Name: f.Name, Description: f.Description}
			})}
	}
}

// deletionAction declares a deletion call on one member, authorized on the
// member's path like memberAction, and still on it once the member is
// deleted (its deletion record kept the path).
func deletionAction[In interface{ accountID() string }, Out any](r *api.Registry, svc *directory.Service, spec api.Spec,
	handle func(*api.Call, *In) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Handle: handle,
		Resource: func(p *model.Principal, in *In) string { return accountARN(p.AccountID, (*in).accountID()) },
		ResolveResource: func(c *api.Call, in *In) (string, error) {
			path, err := svc.DeletionPath(c.Tx, c.AccountID(), (*in).accountID())
			if err != nil || path == "" {
				return "", err
			}
			return accountARN(c.AccountID(), path), nil
		}})
}

func registerDeletion(r *api.Registry, svc *directory.Service) {
	api.Declare(r, rm.Write("SetMemberDeletionPermission"), anything[setDeletionPermissionIn],
		func(c *api.Call, in *setDeletionPermissionIn) (*deletionPermissionOut, error) {
			return api.Reply(func(d *directory.Directory) deletionPermissionOut {
				return deletionPermissionOut{MemberDeletionStatus: d.MemberDeletion, ManagementAccountId: d.MasterAccountID, ResourceDirectoryId: d.ID}
			})(svc.SetMemberDeletionPermission(c.Tx, c.AccountID(), in.Status, c.Now))
		})
	deletionAction(r, svc, rm.Write("CheckAccountDelete"), func(c *api.Call, in *accountIDIn) (*api.NoOutput, error) {
		return api.Done(svc.CheckAccountDelete(c.Tx, c.Caller, in.AccountId, c.Now))
	})
	deletionAction(r, svc, rm.Read("GetAccountDeletionCheckResult"), func(c *api.Call, in *accountIDIn) (*api.Object[checkResultOut], error) {
		return api.Reply(api.As("AccountDeletionCheckResultInfo", toCheckResult))(svc.GetAccountDeletionCheckResult(c.Tx, c.AccountID(), in.AccountId))
	})
	deletionAction(r, svc, rm.Write("DeleteAccount"), func(c *api.Call, in *deleteAccountIn) (*deleteAccountOut, error) {
		return api.Reply(func(r *directory.DeletionRun) deleteAccountOut { return deleteAccountOut{DeletionType: r.Type} })(
			svc.DeleteAccount(c.Tx, c.Caller, in.AccountId, in.AbandonableCheckId, c.Now))
	})
	deletionAction(r, svc, rm.Read("GetAccountDeletionStatus"), func(c *api.Call, in *accountIDIn) (*api.Object[deletionStatusOut], error) {
		return api.Reply(api.As("RdAccountDeletionStatus", toDeletionStatus(in.AccountId)))(svc.GetAccountDeletionStatus(c.Tx, c.AccountID(), in.AccountId))
	})
}
