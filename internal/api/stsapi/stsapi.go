// Package stsapi declares the Sts 2015-04-01 actions.
package stsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/sts"
)

// Product is Sts 2015-04-01.
var Product = &api.Product{Code: "Sts", Version: "2015-04-01", Host: "sts.aliyuncs.com", Prefix: "sts"}

// Register adds the STS actions to the registry.
func Register(r *api.Registry, svc *sts.Service) {
	api.Register(r, api.Action[struct{}, callerIdentity]{
		// GetCallerIdentity needs no permission: any valid credential may
		// ask who it is. It reads nothing stored: the caller is the answer.
		Spec:   api.Spec{Products: []*api.Product{Product}, Name: "GetCallerIdentity", Public: true, Stateless: true},
		Handle: getCallerIdentity,
	})
	// AssumeRole writes nothing but its audit event: the credentials are
	// sealed in their token. It needs sts:AssumeRole on the role's ARN.
	api.Register(r, api.Action[assumeRoleIn, assumeRoleOut]{
		Spec: api.Products{Product}.Read("AssumeRole").Sensitive(),
		// The Invoker authorizes on the role's stored spelling, in whichever
		// account owns it, so a Deny on role/admin also stops role/ADMIN.
		Resource: func(_ *model.Principal, in *assumeRoleIn) string { return in.RoleArn },
		Handle: func(c *api.Call, in *assumeRoleIn) (*assumeRoleOut, error) {
			creds, err := svc.AssumeRole(c.Tx, c.Caller, sts.AssumeRoleInput{RoleArn: in.RoleArn,
				SessionName: in.RoleSessionName, Duration: in.DurationSeconds, Policy: in.Policy,
				ExternalID: in.ExternalId, SourceIP: c.SourceIP, Secure: c.Secure}, c.Now)
			if err != nil {
				return nil, err
			}
			c.AlsoAuditIn(creds.RoleAccountID) // the role's owner sees its role assumed
			out := &assumeRoleOut{}
			out.AssumedRoleUser.AssumedRoleId, out.AssumedRoleUser.Arn = creds.AssumedRoleID, creds.ARN
			out.Credentials.AccessKeyId, out.Credentials.AccessKeySecret = creds.AccessKeyID, creds.Secret
			out.Credentials.SecurityToken = creds.Token
			out.Credentials.Expiration = creds.Expires.UTC().Format(sts.TimeLayout)
			return out, nil
		},
	})
}

type assumeRoleIn struct {
	RoleArn         string `param:"RoleArn,required"`
	RoleSessionName string `param:"RoleSessionName,required"`
	DurationSeconds *int   `param:"DurationSeconds"`
	Policy          string `param:"Policy"`
	ExternalId      string `param:"ExternalId"`
}

type assumeRoleOut struct {
	AssumedRoleUser struct{ AssumedRoleId, Arn string }
	Credentials     struct{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration string }
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
	if p.Kind == model.AssumedRole {
		out.RoleId = p.Session.RoleID
	} else {
		out.UserId = p.PrincipalID()
	}
	return out, nil
}
