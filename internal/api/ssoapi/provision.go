package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

// Provisioning (reference 5.6): asynchronous, answered with Tasks (an
// array of one, unlike the assignment calls' Task object).

type provisionIn struct {
	inDirectory
	AccessConfigurationID string `param:"AccessConfigurationId"`
	TargetType            string `param:"TargetType"`
	TargetID              string `param:"TargetId"`
}

type listProvisioningsIn struct {
	inDirectory
	pageIn
	AccessConfigurationID string `param:"AccessConfigurationId"`
	TargetType            string `param:"TargetType"`
	TargetID              string `param:"TargetId"`
	ProvisioningStatus    string `param:"ProvisioningStatus"`
}

type provisioningOut struct {
	AccessConfigurationId   string
	AccessConfigurationName string
	targetOut
	Status           string
	RAMRoleName      string
	RAMPolicyNames   []string
	SAMLProviderName string
	CreateTime       string
	UpdateTime       string
}

type provisioningsOut struct {
	paging
	AccessConfigurationProvisionings []provisioningOut
}

func registerProvisioning(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Write("ProvisionAccessConfiguration").Sensitive(), onDirectory[provisionIn],
		func(c *api.Call, in *provisionIn) (*tasksOut, error) {
			return tasksOf(svc.ProvisionAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID, in.TargetType, in.TargetID, c.Now))
		})
	api.Declare(r, sso.Write("DeprovisionAccessConfiguration").Sensitive(), onDirectory[provisionIn],
		func(c *api.Call, in *provisionIn) (*tasksOut, error) {
			return tasksOf(svc.DeprovisionAccessConfiguration(c.Tx, c.AccountID(), in.DirectoryID, in.AccessConfigurationID, in.TargetType, in.TargetID, c.Now))
		})
	api.Declare(r, sso.Read("ListAccessConfigurationProvisionings"), onDirectory[listProvisioningsIn],
		func(c *api.Call, in *listProvisioningsIn) (*provisioningsOut, error) {
			l, err := svc.ListAccessConfigurationProvisionings(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.ProvisioningFilter{
				AccessConfigurationID: in.AccessConfigurationID, TargetType: in.TargetType, TargetID: in.TargetID,
				Status: in.ProvisioningStatus}, in.page())
			if err != nil {
				return nil, err
			}
			return &provisioningsOut{paging: pagingOf(l), AccessConfigurationProvisionings: api.MapAll(l.Items, func(p *cloudsso.ProvisioningView) provisioningOut {
				return provisioningOut{AccessConfigurationId: p.AccessConfigurationID, AccessConfigurationName: p.AccessConfigurationName,
					targetOut: toTarget(p.Target), Status: p.Status, RAMRoleName: p.RoleName, RAMPolicyNames: p.PolicyNames,
					SAMLProviderName: p.SAMLProviderName, CreateTime: fmtTime(p.Created), UpdateTime: fmtTime(p.Updated)}
			})}, nil
		})
}
