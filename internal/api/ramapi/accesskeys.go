package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
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

type accessKeyResult struct{ AccessKey accessKeyOut }

type listKeysOut struct {
	AccessKeys struct{ AccessKey []accessKeyOut }
}

type lastUsedOut struct {
	AccessKeyLastUsed struct{ LastUsedDate string }
}

func registerAccessKeys(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[ownerIn, accessKeyResult]{
		Spec:        spec("CreateAccessKey", true),
		Resource:    func(p *model.Principal, in *ownerIn) string { return selfOrUser(p, in.UserName) },
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *ownerIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *ownerIn) (*accessKeyResult, error) {
			k, err := svc.CreateAccessKey(c.Tx, c.Caller, in.UserName, c.Now)
			if err != nil {
				return nil, err
			}
			return &accessKeyResult{AccessKey: toAccessKey(k)}, nil
		},
	})
	api.Register(r, api.Action[updateKeyIn, none]{
		Spec:        spec("UpdateAccessKey", true),
		Resource:    func(p *model.Principal, in *updateKeyIn) string { return selfOrUser(p, in.UserName) },
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *updateKeyIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *updateKeyIn) (*none, error) {
			return done, svc.UpdateAccessKey(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId, in.Status, c.Now)
		},
	})
	api.Register(r, api.Action[keyIn, none]{
		Spec:        spec("DeleteAccessKey", true),
		Resource:    func(p *model.Principal, in *keyIn) string { return selfOrUser(p, in.UserName) },
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *keyIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *keyIn) (*none, error) {
			return done, svc.DeleteAccessKey(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId)
		},
	})
	api.Register(r, api.Action[ownerIn, listKeysOut]{
		Spec:        spec("ListAccessKeys", false),
		Resource:    func(p *model.Principal, in *ownerIn) string { return selfOrUser(p, in.UserName) },
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *ownerIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *ownerIn) (*listKeysOut, error) {
			keys, err := svc.ListAccessKeys(c.Tx, c.Caller, in.UserName)
			if err != nil {
				return nil, err
			}
			out := &listKeysOut{}
			out.AccessKeys.AccessKey = mapAll(keys, toAccessKey)
			return out, nil
		},
	})
	api.Register(r, api.Action[keyIn, lastUsedOut]{
		Spec:        spec("GetAccessKeyLastUsed", false),
		Resource:    func(p *model.Principal, in *keyIn) string { return selfOrUser(p, in.UserName) },
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *keyIn) string { return in.UserName }),
		Handle: func(c *api.Call, in *keyIn) (*lastUsedOut, error) {
			k, err := svc.GetAccessKeyLastUsed(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId)
			if err != nil {
				return nil, err
			}
			out := &lastUsedOut{}
			out.AccessKeyLastUsed.LastUsedDate = fmtTime(k.LastUsed)
			return out, nil
		},
	})
}
