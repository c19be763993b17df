package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// policyIn names a system or custom policy.
type policyIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
}

func onPolicy(p *model.Principal, in *policyIn) string {
	return policyARN(p, in.PolicyType, in.PolicyName)
}

// customPolicyIn names a custom policy (the calls that change one).
type customPolicyIn struct {
	PolicyName string `param:"PolicyName,required"`
}

type createPolicyIn struct {
	PolicyName     string `param:"PolicyName,required"`
	Description    string `param:"Description"`
	PolicyDocument string `param:"PolicyDocument,required"`
}

type updateDescriptionIn struct {
	PolicyName     string `param:"PolicyName,required"`
	NewDescription string `param:"NewDescription"`
}

type listPoliciesIn struct {
	PolicyType string `param:"PolicyType"`
	Marker     string `param:"Marker"`
	MaxItems   *int   `param:"MaxItems"`
}

type createVersionIn struct {
	PolicyName     string `param:"PolicyName,required"`
	PolicyDocument string `param:"PolicyDocument,required"`
	SetAsDefault   bool   `param:"SetAsDefault"`
	RotateStrategy string `param:"RotateStrategy"`
}

type versionIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
	VersionId  string `param:"VersionId,required"`
}

type customVersionIn struct {
	PolicyName string `param:"PolicyName,required"`
	VersionId  string `param:"VersionId,required"`
}

func onCustomVersion(p *model.Principal, in *customVersionIn) string {
	return customPolicyARN(p, in.PolicyName)
}

type policyResult struct{ Policy policyOut }

type getPolicyOut struct {
	Policy               policyOut
	DefaultPolicyVersion versionOut
}

type listPoliciesOut struct {
	pageOut
	Policies struct{ Policy []policyOut }
}

type versionResult struct{ PolicyVersion versionOut }

type listVersionsOut struct {
	PolicyVersions struct{ PolicyVersion []versionOut }
}

func registerPolicies(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[createPolicyIn, policyResult]{
		Spec:     spec("CreatePolicy", true),
		Resource: func(p *model.Principal, in *createPolicyIn) string { return customPolicyARN(p, in.PolicyName) },
		Handle: func(c *api.Call, in *createPolicyIn) (*policyResult, error) {
			p, err := svc.CreatePolicy(c.Tx, c.AccountID(), iam.NewPolicy{Name: in.PolicyName,
				Description: in.Description, Document: in.PolicyDocument}, c.Now)
			if err != nil {
				return nil, err
			}
			return &policyResult{Policy: toPolicy(p)}, nil
		},
	})
	api.Register(r, api.Action[policyIn, getPolicyOut]{
		Spec:     spec("GetPolicy", false),
		Resource: onPolicy,
		Handle: func(c *api.Call, in *policyIn) (*getPolicyOut, error) {
			p, v, err := svc.GetPolicy(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName)
			if err != nil {
				return nil, err
			}
			out := &getPolicyOut{Policy: toPolicy(p), DefaultPolicyVersion: toVersion(v)}
			out.Policy.PolicyDocument = v.Document
			return out, nil
		},
	})
	api.Register(r, api.Action[updateDescriptionIn, policyResult]{
		Spec:     spec("UpdatePolicyDescription", true),
		Resource: func(p *model.Principal, in *updateDescriptionIn) string { return customPolicyARN(p, in.PolicyName) },
		Handle: func(c *api.Call, in *updateDescriptionIn) (*policyResult, error) {
			p, err := svc.UpdatePolicyDescription(c.Tx, c.AccountID(), in.PolicyName, in.NewDescription, c.Now)
			if err != nil {
				return nil, err
			}
			return &policyResult{Policy: toPolicy(p)}, nil
		},
	})
	api.Register(r, api.Action[customPolicyIn, none]{
		Spec:     spec("DeletePolicy", true),
		Resource: func(p *model.Principal, in *customPolicyIn) string { return customPolicyARN(p, in.PolicyName) },
		Handle: func(c *api.Call, in *customPolicyIn) (*none, error) {
			return done, svc.DeletePolicy(c.Tx, c.AccountID(), in.PolicyName)
		},
	})
	api.Register(r, api.Action[listPoliciesIn, listPoliciesOut]{
		Spec:     spec("ListPolicies", false),
		Resource: func(p *model.Principal, _ *listPoliciesIn) string { return allOf(p, "policy") },
		Handle: func(c *api.Call, in *listPoliciesIn) (*listPoliciesOut, error) {
			page, err := svc.ListPolicies(c.Tx, c.AccountID(), in.PolicyType, pageReq(in.Marker, in.MaxItems))
			if err != nil {
				return nil, err
			}
			out := &listPoliciesOut{pageOut: pageInfo(page)}
			out.Policies.Policy = mapAll(page.Items, toPolicy)
			return out, nil
		},
	})
	api.Register(r, api.Action[createVersionIn, versionResult]{
		Spec:     spec("CreatePolicyVersion", true),
		Resource: func(p *model.Principal, in *createVersionIn) string { return customPolicyARN(p, in.PolicyName) },
		Handle: func(c *api.Call, in *createVersionIn) (*versionResult, error) {
			v, err := svc.CreatePolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.PolicyDocument, in.SetAsDefault, in.RotateStrategy, c.Now)
			if err != nil {
				return nil, err
			}
			return &versionResult{PolicyVersion: toVersion(v)}, nil
		},
	})
	api.Register(r, api.Action[versionIn, versionResult]{
		Spec:     spec("GetPolicyVersion", false),
		Resource: func(p *model.Principal, in *versionIn) string { return policyARN(p, in.PolicyType, in.PolicyName) },
		Handle: func(c *api.Call, in *versionIn) (*versionResult, error) {
			v, err := svc.GetPolicyVersion(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName, in.VersionId)
			if err != nil {
				return nil, err
			}
			return &versionResult{PolicyVersion: toVersion(v)}, nil
		},
	})
	api.Register(r, api.Action[customVersionIn, none]{
		Spec:     spec("DeletePolicyVersion", true),
		Resource: onCustomVersion,
		Handle: func(c *api.Call, in *customVersionIn) (*none, error) {
			return done, svc.DeletePolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.VersionId)
		},
	})
	api.Register(r, api.Action[policyIn, listVersionsOut]{
		Spec:     spec("ListPolicyVersions", false),
		Resource: onPolicy,
		Handle: func(c *api.Call, in *policyIn) (*listVersionsOut, error) {
			vs, err := svc.ListPolicyVersions(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName)
			if err != nil {
				return nil, err
			}
			out := &listVersionsOut{}
			out.PolicyVersions.PolicyVersion = mapAll(vs, toVersion)
			return out, nil
		},
	})
	api.Register(r, api.Action[customVersionIn, none]{
		Spec:     spec("SetDefaultPolicyVersion", true),
		Resource: onCustomVersion,
		Handle: func(c *api.Call, in *customVersionIn) (*none, error) {
			return done, svc.SetDefaultPolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.VersionId, c.Now)
		},
	})
}
