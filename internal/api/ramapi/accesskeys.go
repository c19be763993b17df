package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// ownerIn names whose keys a call manages; without UserName the caller's
// own (the root user's for a root caller).
type ownerIn struct {
	UserName string `param:"UserName"`
}

type keyIn struct {
	UserName        string `param:"UserName"`
	UserAccessKeyId string `param:"UserAccessKeyId,required"`
}

type updateKeyIn struct {
	UserName        string `param:"UserName"`
	UserAccessKeyId string `param:"UserAccessKeyId,required"`
	Status          string `param:"Status,required"`
}

func (in *ownerIn) user() string     { return in.UserName }
func (in *keyIn) user() string       { return in.UserName }
func (in *updateKeyIn) user() string { return in.UserName }

type accessKeyResult struct{ AccessKey accessKeyOut }

func toAccessKeyResult(k *iam.AccessKey) accessKeyResult {
	return accessKeyResult{AccessKey: toAccessKey(k)}
}

type listKeysOut struct {
	AccessKeys struct{ AccessKey []accessKeyOut }
}

func toKeyList(keys []iam.AccessKey) (out listKeysOut) {
	out.AccessKeys.AccessKey = iamapi.MapAll(keys, toAccessKey)
	return out
}

type lastUsedOut struct {
	AccessKeyLastUsed struct{ LastUsedDate string }
}

func toLastUsed(k *iam.AccessKey) (out lastUsedOut) {
	out.AccessKeyLastUsed.LastUsedDate = fmtTime(k.LastUsed)
	return out
}

// selfService declares an action on a user's own credentials: on the user
// the input names (user picks the name out; "" = the caller), which the
// security preference may let a user do to itself without a policy.
func selfService[In, Out any](r *api.Registry, svc *iam.Service, what iam.SelfService, spec api.Spec,
	user func(*In) string, handle func(*api.Call, *In) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Handle: handle, SelfService: iamapi.OwnedBy(svc, what, user),
		Resource: func(p *model.Principal, in *In) string { return iamapi.SelfOrUser(p, user(in)) }})
}

func registerAccessKeys(r *api.Registry, svc *iam.Service) {
	selfService(r, svc, iam.OwnAccessKeys, ram.Write("CreateAccessKey"), (*ownerIn).user,
		func(c *api.Call, in *ownerIn) (*accessKeyResult, error) {
			return api.Reply(toAccessKeyResult)(svc.CreateAccessKey(c.Tx, c.Caller, in.UserName, c.Now))
		})
	selfService(r, svc, iam.OwnAccessKeys, ram.Write("UpdateAccessKey"), (*updateKeyIn).user,
		func(c *api.Call, in *updateKeyIn) (*api.NoOutput, error) {
			return api.Done(svc.UpdateAccessKey(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId, in.Status, c.Now))
		})
	selfService(r, svc, iam.OwnAccessKeys, ram.Write("DeleteAccessKey"), (*keyIn).user,
		func(c *api.Call, in *keyIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteAccessKey(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId))
		})
	selfService(r, svc, iam.OwnAccessKeys, ram.Read("ListAccessKeys"), (*ownerIn).user,
		func(c *api.Call, in *ownerIn) (*listKeysOut, error) {
			return api.Reply(toKeyList)(svc.ListAccessKeys(c.Tx, c.Caller, in.UserName))
		})
	selfService(r, svc, iam.OwnAccessKeys, ram.Read("GetAccessKeyLastUsed"), (*keyIn).user,
		func(c *api.Call, in *keyIn) (*lastUsedOut, error) {
			return api.Reply(toLastUsed)(svc.GetAccessKeyLastUsed(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId))
		})
}
