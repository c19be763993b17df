package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// policyIn names a system or custom policy.
type policyIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
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

func onPolicy(p *model.Principal, in *policyIn) string {
	return policyARN(p, in.PolicyType, in.PolicyName)
}
func onVersion(p *model.Principal, in *versionIn) string {
	return policyARN(p, in.PolicyType, in.PolicyName)
}

// The calls that change a policy name a custom one.
func onCustom(p *model.Principal, in *customPolicyIn) string {
	return customPolicyARN(p, in.PolicyName)
}
func onNewPolicy(p *model.Principal, in *createPolicyIn) string {
	return customPolicyARN(p, in.PolicyName)
}
func onDescription(p *model.Principal, in *updateDescriptionIn) string {
	return customPolicyARN(p, in.PolicyName)
}
func onNewVersion(p *model.Principal, in *createVersionIn) string {
	return customPolicyARN(p, in.PolicyName)
}
func onCustomVersion(p *model.Principal, in *customVersionIn) string {
	return customPolicyARN(p, in.PolicyName)
}

type policyResult struct{ Policy policyOut }

func toPolicyResult(p *iam.Policy) policyResult { return policyResult{Policy: toPolicy(p)} }

type getPolicyOut struct {
	Policy               policyOut
	DefaultPolicyVersion versionOut
}

type listPoliciesOut struct {
	iamapi.PageOut
	Policies struct{ Policy []policyOut }
}

func toPolicyList(page iam.Page[iam.Policy]) (out listPoliciesOut) {
	out.PageOut, out.Policies.Policy = iamapi.PageInfo(page), iamapi.MapAll(page.Items, toPolicy)
	return out
}

type versionResult struct{ PolicyVersion versionOut }

func toVersionResult(v *iam.PolicyVersion) versionResult {
	return versionResult{PolicyVersion: toVersion(v)}
}

type listVersionsOut struct {
	PolicyVersions struct{ PolicyVersion []versionOut }
}

func toVersionList(vs []iam.PolicyVersion) (out listVersionsOut) {
	out.PolicyVersions.PolicyVersion = iamapi.MapAll(vs, toVersion)
	return out
}

func registerPolicies(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreatePolicy"), onNewPolicy, func(c *api.Call, in *createPolicyIn) (*policyResult, error) {
		return api.Reply(toPolicyResult)(svc.CreatePolicy(c.Tx, c.AccountID(), iam.NewPolicy{Name: in.PolicyName,
			Description: in.Description, Document: in.PolicyDocument}, c.Now))
	})
	api.Declare(r, ram.Read("GetPolicy"), onPolicy, func(c *api.Call, in *policyIn) (*getPolicyOut, error) {
		p, v, err := svc.GetPolicy(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName)
		if err != nil {
			return nil, err
		}
		out := &getPolicyOut{Policy: toPolicy(p), DefaultPolicyVersion: toVersion(v)}
		out.Policy.PolicyDocument = v.Document
		return out, nil
	})
	api.Declare(r, ram.Write("UpdatePolicyDescription"), onDescription, func(c *api.Call, in *updateDescriptionIn) (*policyResult, error) {
		return api.Reply(toPolicyResult)(svc.UpdatePolicyDescription(c.Tx, c.AccountID(), in.PolicyName, in.NewDescription, c.Now))
	})
	api.Declare(r, ram.Write("DeletePolicy"), onCustom, func(c *api.Call, in *customPolicyIn) (*api.NoOutput, error) {
		return api.Done(svc.DeletePolicy(c.Tx, c.AccountID(), in.PolicyName))
	})
	api.Declare(r, ram.Read("ListPolicies"), iamapi.AllOf[listPoliciesIn]("policy"), func(c *api.Call, in *listPoliciesIn) (*listPoliciesOut, error) {
		return api.Reply(toPolicyList)(svc.ListPolicies(c.Tx, c.AccountID(), in.PolicyType,
			iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}))
	})
	api.Declare(r, ram.Write("CreatePolicyVersion"), onNewVersion, func(c *api.Call, in *createVersionIn) (*versionResult, error) {
		return api.Reply(toVersionResult)(svc.CreatePolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.PolicyDocument,
			in.SetAsDefault, in.RotateStrategy, c.Now))
	})
	api.Declare(r, ram.Read("GetPolicyVersion"), onVersion, func(c *api.Call, in *versionIn) (*versionResult, error) {
		return api.Reply(toVersionResult)(svc.GetPolicyVersion(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName, in.VersionId))
	})
	api.Declare(r, ram.Write("DeletePolicyVersion"), onCustomVersion, func(c *api.Call, in *customVersionIn) (*api.NoOutput, error) {
		return api.Done(svc.DeletePolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.VersionId))
	})
	api.Declare(r, ram.Read("ListPolicyVersions"), onPolicy, func(c *api.Call, in *policyIn) (*listVersionsOut, error) {
		return api.Reply(toVersionList)(svc.ListPolicyVersions(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName))
	})
	api.Declare(r, ram.Write("SetDefaultPolicyVersion"), onCustomVersion, func(c *api.Call, in *customVersionIn) (*api.NoOutput, error) {
		return api.Done(svc.SetDefaultPolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.VersionId, c.Now))
	})
}
