package rdapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
)

type inviteIn struct {
	TargetEntity string  `param:"TargetEntity"`
	TargetType   string  `param:"TargetType"`
	Note         string  `param:"Note"`
	Tag          []tagIn `param:"Tag"`
}

type handshakeIDIn struct {
	HandshakeId string `param:"HandshakeId"`
}

// handshakeOut is the Handshake object; the legal entities only show to
// the invitee (GetHandshake).
type handshakeOut struct {
	HandshakeId            string
	ResourceDirectoryId    string
	MasterAccountId        string
	MasterAccountName      string
	TargetEntity           string
	TargetType             string
	Note                   string
	Status                 string
	CreateTime             string
	ModifyTime             string
	ExpireTime             string
	MasterAccountRealName  string `json:",omitempty"`
	InvitedAccountRealName string `json:",omitempty"`
}

// toHandshake shapes an invitation as of the call's time (a pending one
// past its expiry shows Expired).
func toHandshake(c *api.Call) func(*directory.Handshake) handshakeOut {
	return func(h *directory.Handshake) handshakeOut {
		return handshakeOut{HandshakeId: h.ID, ResourceDirectoryId: h.DirectoryID, MasterAccountId: h.MasterAccountID,
			MasterAccountName: h.MasterAccountName, TargetEntity: h.TargetEntity, TargetType: h.TargetType, Note: h.Note,
			Status: h.StatusAt(c.Now), CreateTime: fmtTime(h.Created), ModifyTime: fmtTime(h.Modified), ExpireTime: fmtTime(h.Expires)}
	}
}

func onHandshake(p *model.Principal, in *handshakeIDIn) string {
	return model.ResourceManagerARN(p.AccountID, "handshake/"+in.HandshakeId)
}

func registerHandshakes(r *api.Registry, svc *directory.Service) {
	asHandshake := func(c *api.Call) func(*directory.Handshake) api.Object[handshakeOut] {
		return api.As("Handshake", toHandshake(c))
	}
	api.Declare(r, rm.Write("InviteAccountToResourceDirectory"), anything[inviteIn],
		func(c *api.Call, in *inviteIn) (*api.Object[handshakeOut], error) {
			return api.Reply(asHandshake(c))(svc.InviteAccount(c.Tx, c.AccountID(), directory.Invite{TargetEntity: in.TargetEntity,
				TargetType: in.TargetType, Note: in.Note, Tags: toTags(in.Tag)}, c.Now))
		})
	transition := func(name string, do func(c *api.Call, id string) (*directory.Handshake, error)) {
		api.Declare(r, rm.Write(name), onHandshake, func(c *api.Call, in *handshakeIDIn) (*api.Object[handshakeOut], error) {
			return api.Reply(asHandshake(c))(do(c, in.HandshakeId))
		})
	}
	transition("AcceptHandshake", func(c *api.Call, id string) (*directory.Handshake, error) {
		return svc.AcceptHandshake(c.Tx, c.AccountID(), id, c.Now)
	})
	transition("DeclineHandshake", func(c *api.Call, id string) (*directory.Handshake, error) {
		return svc.DeclineHandshake(c.Tx, c.AccountID(), id, c.Now)
	})
	transition("CancelHandshake", func(c *api.Call, id string) (*directory.Handshake, error) {
		return svc.CancelHandshake(c.Tx, c.AccountID(), id, c.Now)
	})
	api.Declare(r, rm.Read("GetHandshake"), onHandshake, func(c *api.Call, in *handshakeIDIn) (*api.Object[handshakeOut], error) {
		return api.Reply(api.As("Handshake", func(v *directory.HandshakeView) handshakeOut {
			out := toHandshake(c)(&v.Handshake)
			out.MasterAccountRealName, out.InvitedAccountRealName = v.MasterAccountRealName, v.InvitedAccountRealName
			return out
		}))(svc.GetHandshake(c.Tx, c.AccountID(), in.HandshakeId))
	})
	list := func(name string, do func(c *api.Call, page directory.Page) (directory.Listed[directory.Handshake], error)) {
		api.Declare(r, rm.Read(name), anything[pageIn], func(c *api.Call, in *pageIn) (*api.List[handshakeOut], error) {
			l, err := do(c, in.page())
			if err != nil {
				return nil, err
			}
			out := api.ListOf("Handshakes", "Handshake", api.MapAll(l.Items, toHandshake(c)), pagingOf(l))
			return &out, nil
		})
	}
	list("ListHandshakesForAccount", func(c *api.Call, page directory.Page) (directory.Listed[directory.Handshake], error) {
		return svc.ListHandshakesForAccount(c.Tx, c.AccountID(), page)
	})
	list("ListHandshakesForResourceDirectory", func(c *api.Call, page directory.Page) (directory.Listed[directory.Handshake], error) {
		return svc.ListHandshakesForDirectory(c.Tx, c.AccountID(), page)
	})
	memberAction(r, svc, rm.Write("RemoveCloudAccount"), func(c *api.Call, in *accountIDIn) (*api.NoOutput, error) {
		return api.Done(svc.RemoveCloudAccount(c.Tx, c.AccountID(), in.AccountId, c.Now))
	})
}
