package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

// Access configurations and their permission policies (reference 5.4).

// accessConfigurationOut is the AccessConfiguration object.
type accessConfigurationOut struct {
	AccessConfigurationId   string
	AccessConfigurationName string
	Description             string
	SessionDuration         int
	RelayState              string
	StatusNotifications     []string
	CreateTime              string
	UpdateTime              string
}

func toAccessConfiguration(ac *cloudsso.AccessConfiguration) accessConfigurationOut {
	return accessConfigurationOut{AccessConfigurationId: ac.ID, AccessConfigurationName: ac.Name, Description: ac.Description,
		SessionDuration: ac.SessionDuration, RelayState: ac.RelayState, StatusNotifications: ac.StatusNotifications(),
		CreateTime: fmtTime(ac.Created), UpdateTime: fmtTime(ac.Updated)}
}

var asAccessConfiguration = api.As("AccessConfiguration", toAccessConfiguration)

type createAccessConfigurationIn struct {
	inDirectory
	AccessConfigurationName string `param:"AccessConfigurationName"`
	Description             string `param:"Description"`
	SessionDuration         *int   `param:"SessionDuration"`
	RelayState              string `param:"RelayState"`
}

type accessConfigurationIn struct {
	inDirectory
	AccessConfigurationID string `param:"AccessConfigurationId"`
}

type listAccessConfigurationsIn struct {
	inDirectory
	pageIn
	Filter              string `param:"Filter"`
	StatusNotifications string `param:"StatusNotifications"`
}

type accessConfigurationsOut struct {
	paging
	AccessConfigurations []accessConfigurationOut
}

type updateAccessConfigurationIn struct {
	accessConfigurationIn
	NewDescription     *string `param:"NewDescription"`
	NewSessionDuration *int    `param:"NewSessionDuration"`
	NewRelayState      *string `param:"NewRelayState"`
}

type deleteAccessConfigurationIn struct {
	accessConfigurationIn
	ForceRemovePermissionPolicies *string `param:"ForceRemovePermissionPolicies"`
}

type addPermissionPolicyIn struct {
	accessConfigurationIn
	PermissionPolicyType string `param:"PermissionPolicyType"`
	PermissionPolicyName string `param:"PermissionPolicyName"`
	InlinePolicyDocument string `param:"InlinePolicyDocument"`
}

type listPermissionPoliciesIn struct {
	accessConfigurationIn
	PermissionPolicyType string `param:"PermissionPolicyType"`
}

type removePermissionPolicyIn struct {
	accessConfigurationIn
	PermissionPolicyType string `param:"PermissionPolicyType"`
	PermissionPolicyName string `param:"PermissionPolicyName"`
}

type updateInlinePolicyIn struct {
	accessConfigurationIn
	InlinePolicyName        string `param:"InlinePolicyName"`
	NewInlinePolicyDocument string `param:"NewInlinePolicyDocument"`
}

type permissionPolicyOut struct {
	PermissionPolicyType     string
	PermissionPolicyName     string
	PermissionPolicyDocument string `json:",omitempty"`
	AddTime                  string
}

type permissionPoliciesOut struct {
	PermissionPolicies []permissionPolicyOut
	TotalCounts        int
}

// registerAccess adds the access configuration, assignment, provisioning
// and task actions.
func registerAccess(r *api.Registry, svc *cloudsso.Service) {
	registerAccessConfigurations(r, svc)
	registerAssignments(r, svc)
	registerProvisioning(r, svc)
	registerTasks(r, svc)
}

func registerAccessConfigurations(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Write("CreateAccessConfiguration"), onDirectory[createAccessConfigurationIn],
		func(c *api.Call, in *createAccessConfigurationIn) (*api.Object[accessConfigurationOut], error) {
			return api.Reply(asAccessConfiguration)(svc.CreateAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID,
				cloudsso.NewAccessConfiguration{Name: in.AccessConfigurationName, Description: in.Description,
					SessionDuration: in.SessionDuration, RelayState: in.RelayState}, c.Now))
		})
	api.Declare(r, sso.Read("GetAccessConfiguration"), onDirectory[accessConfigurationIn],
		func(c *api.Call, in *accessConfigurationIn) (*api.Object[accessConfigurationOut], error) {
			return api.Reply(asAccessConfiguration)(svc.GetAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID))
		})
	api.Declare(r, sso.Read("ListAccessConfigurations"), onDirectory[listAccessConfigurationsIn],
		func(c *api.Call, in *listAccessConfigurationsIn) (*accessConfigurationsOut, error) {
			l, err := svc.ListAccessConfigurations(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.AccessConfigurationFilter{
				Filter: in.Filter, StatusNotifications: in.StatusNotifications}, in.page())
			if err != nil {
				return nil, err
			}
			return &accessConfigurationsOut{paging: pagingOf(l), AccessConfigurations: api.MapAll(l.Items, toAccessConfiguration)}, nil
		})
	api.Declare(r, sso.Write("UpdateAccessConfiguration"), onDirectory[updateAccessConfigurationIn],
		func(c *api.Call, in *updateAccessConfigurationIn) (*api.Object[accessConfigurationOut], error) {
			return api.Reply(asAccessConfiguration)(svc.UpdateAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID,
				cloudsso.AccessConfigurationUpdate{Description: in.NewDescription, SessionDuration: in.NewSessionDuration,
					RelayState: in.NewRelayState}, c.Now))
		})
	api.Declare(r, sso.Write("DeleteAccessConfiguration"), onDirectory[deleteAccessConfigurationIn],
		func(c *api.Call, in *deleteAccessConfigurationIn) (*api.NoOutput, error) {
			force, err := cloudsso.ParseBool("ForceRemovePermissionPolicies", in.ForceRemovePermissionPolicies)
			if err != nil {
				return nil, err
			}
			return api.Done(svc.DeleteAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID, force != nil && *force))
		})
	api.Declare(r, sso.Write("AddPermissionPolicyToAccessConfiguration").Sensitive(), onDirectory[addPermissionPolicyIn],
		func(c *api.Call, in *addPermissionPolicyIn) (*api.NoOutput, error) {
			return api.Done(svc.AddPermissionPolicyToAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID,
				cloudsso.NewPermissionPolicy{Type: in.PermissionPolicyType, Name: in.PermissionPolicyName, Document: in.InlinePolicyDocument}, c.Now))
		})
	api.Declare(r, sso.Read("ListPermissionPoliciesInAccessConfiguration"), onDirectory[listPermissionPoliciesIn],
		func(c *api.Call, in *listPermissionPoliciesIn) (*permissionPoliciesOut, error) {
			ps, err := svc.ListPermissionPoliciesInAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID, in.PermissionPolicyType)
			if err != nil {
				return nil, err
			}
			out := api.MapAll(ps, func(p *cloudsso.PermissionPolicy) permissionPolicyOut {
				return permissionPolicyOut{PermissionPolicyType: p.Type, PermissionPolicyName: p.Name,
					PermissionPolicyDocument: p.Document, AddTime: fmtTime(p.Added)}
			})
			return &permissionPoliciesOut{PermissionPolicies: out, TotalCounts: len(out)}, nil
		})
	api.Declare(r, sso.Write("RemovePermissionPolicyFromAccessConfiguration").Sensitive(), onDirectory[removePermissionPolicyIn],
		func(c *api.Call, in *removePermissionPolicyIn) (*api.NoOutput, error) {
			return api.Done(svc.RemovePermissionPolicyFromAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID,
				in.PermissionPolicyType, in.PermissionPolicyName, c.Now))
		})
	api.Declare(r, sso.Write("UpdateInlinePolicyForAccessConfiguration").Sensitive(), onDirectory[updateInlinePolicyIn],
		func(c *api.Call, in *updateInlinePolicyIn) (*api.NoOutput, error) {
			return api.Done(svc.UpdateInlinePolicyForAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID,
				in.InlinePolicyName, in.NewInlinePolicyDocument, c.Now))
		})
}
