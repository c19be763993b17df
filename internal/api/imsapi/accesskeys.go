package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// ownerIn names whose keys a call manages; without a principal name the
// caller's own.
type ownerIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
}

func onOwner(p *model.Principal, in *ownerIn) string {
	return userResource(p, in.UserPrincipalName, "")
}

type keyIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserAccessKeyId   string `param:"UserAccessKeyId,required"`
}

func onKey(p *model.Principal, in *keyIn) string { return userResource(p, in.UserPrincipalName, "") }

type updateKeyIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserAccessKeyId   string `param:"UserAccessKeyId,required"`
	Status            string `param:"Status,required"`
}

type accessKeyResult struct{ AccessKey accessKeyOut }

type listKeysOut struct {
	AccessKeys struct{ AccessKey []accessKeyOut }
}

type lastUsedOut struct {
	AccessKeyLastUsed struct {
		LastUsedDate string
		ServiceName  string `json:",omitempty"`
	}
}

func registerAccessKeys(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[ownerIn, accessKeyResult]{
		Spec:        spec("CreateAccessKey", true),
		Resource:    onOwner,
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *ownerIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *ownerIn) (*accessKeyResult, error) {
			name, err := userName(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			k, err := svc.CreateAccessKey(c.Tx, c.Caller, name, c.Now)
			if err != nil {
				return nil, err
			}
			return &accessKeyResult{AccessKey: toAccessKey(k)}, nil
		},
	})
	api.Register(r, api.Action[updateKeyIn, none]{
		Spec:        spec("UpdateAccessKey", true),
		Resource:    func(p *model.Principal, in *updateKeyIn) string { return userResource(p, in.UserPrincipalName, "") },
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *updateKeyIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *updateKeyIn) (*none, error) {
			name, err := userName(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.UpdateAccessKey(c.Tx, c.Caller, name, in.UserAccessKeyId, in.Status, c.Now)
		},
	})
	api.Register(r, api.Action[keyIn, none]{
		Spec:        spec("DeleteAccessKey", true),
		Resource:    onKey,
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *keyIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *keyIn) (*none, error) {
			name, err := userName(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.DeleteAccessKey(c.Tx, c.Caller, name, in.UserAccessKeyId)
		},
	})
	api.Register(r, api.Action[ownerIn, listKeysOut]{
		Spec:        spec("ListAccessKeys", false),
		Resource:    onOwner,
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *ownerIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *ownerIn) (*listKeysOut, error) {
			name, err := userName(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			keys, err := svc.ListAccessKeys(c.Tx, c.Caller, name)
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
		Resource:    onKey,
		SelfService: ownedBy(svc, iam.OwnAccessKeys, func(in *keyIn) string { return in.UserPrincipalName }),
		Handle: func(c *api.Call, in *keyIn) (*lastUsedOut, error) {
			name, err := userName(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			k, err := svc.GetAccessKeyLastUsed(c.Tx, c.Caller, name, in.UserAccessKeyId)
			if err != nil {
				return nil, err
			}
			out := &lastUsedOut{}
			out.AccessKeyLastUsed.LastUsedDate = fmtTime(k.LastUsed)
			return out, nil
		},
	})
}
