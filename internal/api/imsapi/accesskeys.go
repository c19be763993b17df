package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

// ownerIn names whose keys a call manages; without a principal name the
// caller's own.
type ownerIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
}

type keyIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserAccessKeyId   string `param:"UserAccessKeyId,required"`
}

type updateKeyIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserAccessKeyId   string `param:"UserAccessKeyId,required"`
	Status            string `param:"Status,required"`
}

func (in ownerIn) principal() string     { return in.UserPrincipalName }
func (in keyIn) principal() string       { return in.UserPrincipalName }
func (in updateKeyIn) principal() string { return in.UserPrincipalName }

type accessKeyResult struct{ AccessKey accessKeyOut }

func toAccessKeyResult(k *iam.AccessKey) accessKeyResult { return accessKeyResult{toAccessKey(k)} }

type listKeysOut struct {
	AccessKeys struct{ AccessKey []accessKeyOut }
}

func toKeyList(keys []iam.AccessKey) (out listKeysOut) {
	out.AccessKeys.AccessKey = iamapi.MapAll(keys, toAccessKey)
	return out
}

// lastUsedOut has IMS's ServiceName, which Canopy does not record.
type lastUsedOut struct {
	AccessKeyLastUsed struct {
		LastUsedDate string
		ServiceName  string `json:",omitempty"`
	}
}

func toLastUsed(k *iam.AccessKey) (out lastUsedOut) {
	out.AccessKeyLastUsed.LastUsedDate = fmtTime(k.LastUsed)
	return out
}

func registerAccessKeys(r *api.Registry, svc *iam.Service) {
	selfService(r, svc, iam.OwnAccessKeys, ims.Write("CreateAccessKey"),
		func(c *api.Call, _ *ownerIn, name string) (*accessKeyResult, error) {
			return api.Reply(toAccessKeyResult)(svc.CreateAccessKey(c.Tx, c.Caller, name, c.Now))
		})
	selfService(r, svc, iam.OwnAccessKeys, ims.Write("UpdateAccessKey"),
		func(c *api.Call, in *updateKeyIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.UpdateAccessKey(c.Tx, c.Caller, name, in.UserAccessKeyId, in.Status, c.Now))
		})
	selfService(r, svc, iam.OwnAccessKeys, ims.Write("DeleteAccessKey"),
		func(c *api.Call, in *keyIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.DeleteAccessKey(c.Tx, c.Caller, name, in.UserAccessKeyId))
		})
	selfService(r, svc, iam.OwnAccessKeys, ims.Read("ListAccessKeys"),
		func(c *api.Call, _ *ownerIn, name string) (*listKeysOut, error) {
			return api.Reply(toKeyList)(svc.ListAccessKeys(c.Tx, c.Caller, name))
		})
	selfService(r, svc, iam.OwnAccessKeys, ims.Read("GetAccessKeyLastUsed"),
		func(c *api.Call, in *keyIn, name string) (*lastUsedOut, error) {
			return api.Reply(toLastUsed)(svc.GetAccessKeyLastUsed(c.Tx, c.Caller, name, in.UserAccessKeyId))
		})
}
