package rdapi

import (
	"strings"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
)

type tagIn struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

func toTags(in []tagIn) []directory.Tag {
	out := make([]directory.Tag, len(in))
	for i, t := range in {
		out[i] = directory.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

type createResourceAccountIn struct {
	DisplayName       string  `param:"DisplayName"`
	AccountNamePrefix string  `param:"AccountNamePrefix"`
	ParentFolderId    string  `param:"ParentFolderId"`
	PayerAccountId    string  `param:"PayerAccountId"`
	ResellAccountType string  `param:"ResellAccountType"`
	Tag               []tagIn `param:"Tag"`
}

// accountIDIn is the input of the calls that name one member.
type accountIDIn struct {
	AccountId string `param:"AccountId"`
}

func (in accountIDIn) accountID() string { return in.AccountId }

type getAccountIn struct {
	accountIDIn
	IncludeTags bool `param:"IncludeTags"`
}

type listAccountsIn struct {
	pageIn
	Tag         []tagIn `param:"Tag"`
	IncludeTags bool    `param:"IncludeTags"`
}

type listAccountsForParentIn struct {
	listAccountsIn
	ParentFolderId string `param:"ParentFolderId"`
	QueryKeyword   string `param:"QueryKeyword"`
}

type moveAccountIn struct {
	accountIDIn
	DestinationFolderId string `param:"DestinationFolderId"`
}

type updateAccountIn struct {
	accountIDIn
	NewDisplayName string `param:"NewDisplayName"`
	NewAccountType string `param:"NewAccountType"`
}

type tagOut struct{ Key, Value string }

// accountOut is the Account object of the calls on one member; its Tags
// are a plain array (GetAccount), unlike the lists'.
type accountOut struct {
	AccountId             string
	AccountName           string
	DisplayName           string
	Type                  string
	JoinMethod            string
	Status                string
	FolderId              string
	ResourceDirectoryId   string
	JoinTime              string
	ModifyTime            string
	RecordId              string   `json:",omitempty"`
	ResourceDirectoryPath string   `json:",omitempty"`
	IdentityInformation   string   `json:",omitempty"`
	Location              string   `json:",omitempty"`
	EmailStatus           string   `json:",omitempty"`
	Tags                  []tagOut `json:",omitempty"`
}

// listedAccount is a member in ListAccounts and ListAccountsForParent:
// Tags are wrapped as {"Tag": [...]}.
type listedAccount struct {
	AccountId             string
	AccountName           string
	DisplayName           string
	Type                  string
	JoinMethod            string
	Status                string
	FolderId              string
	ResourceDirectoryId   string
	JoinTime              string
	ModifyTime            string
	ResourceDirectoryPath string `json:",omitempty"`
	Tags                  struct {
		Tag []tagOut
	}
}

func tagsOut(tags []directory.Tag) []tagOut {
	out := make([]tagOut, len(tags))
	for i, t := range tags {
		out[i] = tagOut{Key: t.Key, Value: t.Value}
	}
	return out
}

func toAccount(directoryID string) func(*directory.Member) accountOut {
	return func(m *directory.Member) accountOut {
		return accountOut{AccountId: m.AccountID, AccountName: m.AccountName, DisplayName: m.DisplayName, Type: m.Type,
			JoinMethod: m.JoinMethod, Status: m.Status, FolderId: m.FolderID, ResourceDirectoryId: directoryID,
			JoinTime: fmtTime(m.JoinTime), ModifyTime: fmtTime(m.ModifyTime), RecordId: m.RecordID}
	}
}

// memberOut shapes a member whose directory is the first element of its
// path (calls that return a member after changing it).
func memberOut(m *directory.Member) accountOut {
	rd, _, _ := strings.Cut(m.FolderPath, "/")
	return toAccount(rd)(m)
}

func toAccountView(includeTags bool) func(*directory.AccountView) accountOut {
	return func(v *directory.AccountView) accountOut {
		out := toAccount(v.DirectoryID)(&v.Member)
		out.ResourceDirectoryPath, out.IdentityInformation, out.Location = v.Path(), v.IdentityInformation, v.Location
		if includeTags {
			out.Tags = tagsOut(v.Tags)
		}
		return out
	}
}

func toListed(directoryID string, withPath, includeTags bool) func(*directory.Member) listedAccount {
	return func(m *directory.Member) listedAccount {
		out := listedAccount{AccountId: m.AccountID, AccountName: m.AccountName, DisplayName: m.DisplayName, Type: m.Type,
			JoinMethod: m.JoinMethod, Status: m.Status, FolderId: m.FolderID, ResourceDirectoryId: directoryID,
			JoinTime: fmtTime(m.JoinTime), ModifyTime: fmtTime(m.ModifyTime)}
		if withPath {
			out.ResourceDirectoryPath = m.Path()
		}
		out.Tags.Tag = []tagOut{}
		if includeTags {
			out.Tags.Tag = tagsOut(m.Tags)
		}
		return out
	}
}

// memberAction declares a call on one member: authorized on the member's
// path in the caller's directory, resolved from the store.
func memberAction[In interface{ accountID() string }, Out any](r *api.Registry, svc *directory.Service, spec api.Spec,
	handle func(*api.Call, *In) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Handle: handle,
		Resource: func(p *model.Principal, in *In) string { return accountARN(p.AccountID, (*in).accountID()) },
		ResolveResource: func(c *api.Call, in *In) (string, error) {
			path, err := svc.MemberPath(c.Tx, c.AccountID(), (*in).accountID())
			if err != nil || path == "" {
				return "", err
			}
			return accountARN(c.AccountID(), path), nil
		}})
}

func registerMembers(r *api.Registry, svc *directory.Service) {
	api.Declare(r, rm.Write("CreateResourceAccount"), func(p *model.Principal, _ *createResourceAccountIn) string { return accountARN(p.AccountID, "*") },
		func(c *api.Call, in *createResourceAccountIn) (*api.Object[accountOut], error) {
			return api.Reply(api.As("Account", memberOut))(svc.CreateResourceAccount(c.Tx, c.AccountID(), directory.NewResourceAccount{
				DisplayName: in.DisplayName, AccountNamePrefix: in.AccountNamePrefix, ParentFolderID: in.ParentFolderId,
				PayerAccountID: in.PayerAccountId, Tags: toTags(in.Tag)}, c.Now))
		})
	memberAction(r, svc, rm.Read("GetAccount"), func(c *api.Call, in *getAccountIn) (*api.Object[accountOut], error) {
		return api.Reply(api.As("Account", toAccountView(in.IncludeTags)))(svc.GetAccount(c.Tx, c.AccountID(), in.AccountId))
	})
	api.Declare(r, rm.Read("ListAccounts"), anything[listAccountsIn], func(c *api.Call, in *listAccountsIn) (*api.List[listedAccount], error) {
		l, rd, err := svc.ListAccounts(c.Tx, c.AccountID(), directory.AccountFilter{Tags: toTags(in.Tag)}, in.page())
		if err != nil {
			return nil, err
		}
		out := api.ListOf("Accounts", "Account", api.MapAll(l.Items, toListed(rd, true, in.IncludeTags || len(in.Tag) > 0)), pagingOf(l))
		return &out, nil
	})
	api.Declare(r, rm.Read("ListAccountsForParent"), func(p *model.Principal, in *listAccountsForParentIn) string { return folderARN(p, in.ParentFolderId) },
		func(c *api.Call, in *listAccountsForParentIn) (*api.List[listedAccount], error) {
			l, rd, err := svc.ListAccountsForParent(c.Tx, c.AccountID(), in.ParentFolderId,
				directory.AccountFilter{Tags: toTags(in.Tag), Keyword: in.QueryKeyword}, in.page())
			if err != nil {
				return nil, err
			}
			out := api.ListOf("Accounts", "Account", api.MapAll(l.Items, toListed(rd, false, in.IncludeTags || len(in.Tag) > 0)), pagingOf(l))
			return &out, nil
		})
	memberAction(r, svc, rm.Write("MoveAccount"), func(c *api.Call, in *moveAccountIn) (*api.NoOutput, error) {
		return api.Done(svc.MoveAccount(c.Tx, c.AccountID(), in.AccountId, in.DestinationFolderId, c.Now))
	})
	memberAction(r, svc, rm.Write("UpdateAccount"), func(c *api.Call, in *updateAccountIn) (*api.Object[accountOut], error) {
		return api.Reply(api.As("Account", memberOut))(svc.UpdateAccount(c.Tx, c.Caller, in.AccountId, in.NewDisplayName, in.NewAccountType, c.Now))
	})
	memberAction(r, svc, rm.Read("GetPayerForAccount"), func(c *api.Call, in *accountIDIn) (*payerOut, error) {
		return api.Reply(func(p *directory.Payer) payerOut {
			return payerOut{PayerAccountId: p.AccountID, PayerAccountName: p.AccountName}
		})(
			svc.GetPayerForAccount(c.Tx, c.AccountID(), in.AccountId))
	})
}

type payerOut struct {
	PayerAccountId   string
	PayerAccountName string
}
