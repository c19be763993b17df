package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

// Access assignments (reference 5.5): asynchronous, answered with a Task.

type assignmentIn struct {
	inDirectory
	AccessConfigurationID string `param:"AccessConfigurationId"`
	TargetType            string `param:"TargetType"`
	TargetID              string `param:"TargetId"`
	PrincipalType         string `param:"PrincipalType"`
	PrincipalID           string `param:"PrincipalId"`
}

func (in *assignmentIn) request() cloudsso.AssignmentRequest {
	return cloudsso.AssignmentRequest{AccessConfigurationID: in.AccessConfigurationID, TargetType: in.TargetType,
		TargetID: in.TargetID, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}
}

type deleteAssignmentIn struct {
	assignmentIn
	DeprovisionStrategy string `param:"DeprovisionStrategy"`
}

type listAssignmentsIn struct {
	inDirectory
	pageIn
	AccessConfigurationID string `param:"AccessConfigurationId"`
	TargetType            string `param:"TargetType"`
	TargetID              string `param:"TargetId"`
	PrincipalType         string `param:"PrincipalType"`
	PrincipalID           string `param:"PrincipalId"`
}

type assignmentOut struct {
	AccessConfigurationId   string
	AccessConfigurationName string
	PrincipalType           string
	PrincipalId             string
	PrincipalName           string
	targetOut
	CreateTime string
}

type assignmentsOut struct {
	paging
	AccessAssignments []assignmentOut
}

func registerAssignments(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Write("CreateAccessAssignment").Sensitive(), onDirectory[assignmentIn],
		func(c *api.Call, in *assignmentIn) (*api.Object[taskOut], error) {
			return api.Reply(asTask)(svc.CreateAccessAssignment(c.Tx, c.AccountID(), in.DirectoryID, in.request(), c.Now))
		})
	api.Declare(r, sso.Write("DeleteAccessAssignment").Sensitive(), onDirectory[deleteAssignmentIn],
		func(c *api.Call, in *deleteAssignmentIn) (*api.Object[taskOut], error) {
			return api.Reply(asTask)(svc.DeleteAccessAssignment(c.Tx, c.AccountID(), in.DirectoryID, in.request(), in.DeprovisionStrategy, c.Now))
		})
	api.Declare(r, sso.Read("ListAccessAssignments"), onDirectory[listAssignmentsIn],
		func(c *api.Call, in *listAssignmentsIn) (*assignmentsOut, error) {
			l, err := svc.ListAccessAssignments(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.AssignmentFilter{
				AccessConfigurationID: in.AccessConfigurationID, TargetType: in.TargetType, TargetID: in.TargetID,
				PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}, in.page())
			if err != nil {
				return nil, err
			}
			return &assignmentsOut{paging: pagingOf(l), AccessAssignments: api.MapAll(l.Items, func(a *cloudsso.AssignmentView) assignmentOut {
				return assignmentOut{AccessConfigurationId: a.AccessConfigurationID, AccessConfigurationName: a.AccessConfigurationName,
					PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalID, PrincipalName: a.PrincipalName,
					targetOut: toTarget(a.Target), CreateTime: fmtTime(a.Created)}
			})}, nil
		})
}
