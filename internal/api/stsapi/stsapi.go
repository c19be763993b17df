// Package stsapi declares the Sts 2015-04-01 actions.
package stsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is Sts 2015-04-01.
var Product = &api.Product{Code: "Sts", Version: "2015-04-01", Host: "sts.aliyuncs.com", Prefix: "sts"}

// Register adds the STS actions to the registry.
func Register(r *api.Registry) {
	api.Register(r, api.Action[struct{}, callerIdentity]{
		// GetCallerIdentity needs no permission: any valid credential may
		// ask who it is.
		Spec:   api.Spec{Products: []*api.Product{Product}, Name: "GetCallerIdentity", Public: true},
		Handle: getCallerIdentity,
	})
}

type callerIdentity struct {
	IdentityType string
	AccountId    string
	Arn          string
	PrincipalId  string
	UserId       string `json:",omitempty"`
	RoleId       string `json:",omitempty"`
}

func getCallerIdentity(c *api.Call, _ *struct{}) (*callerIdentity, error) {
	p := c.Caller
	out := &callerIdentity{IdentityType: p.IdentityType(), AccountId: p.AccountID, Arn: p.ARN(),
		PrincipalId: p.PrincipalID()}
	if p.Kind != model.AssumedRole {
		out.UserId = p.PrincipalID()
	}
	return out, nil
}
