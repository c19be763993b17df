package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

// Tasks (reference 3, 5.7): the asynchronous writes' progress.

// targetOut is the target fields of tasks, assignments and
// provisionings.
type targetOut struct {
	TargetType     string
	TargetId       string
	TargetName     string
	TargetPath     string
	TargetPathName string
}

func toTarget(t cloudsso.Target) targetOut {
	return targetOut{TargetType: cloudsso.TargetTypeAccount, TargetId: t.ID, TargetName: t.Name, TargetPath: t.Path, TargetPathName: t.PathName}
}

// taskOut is the Task object: the TaskStatus fields and the context.
type taskOut struct {
	taskStatusOut
	AccessConfigurationId   string
	AccessConfigurationName string
	targetOut
	PrincipalType string `json:",omitempty"`
	PrincipalId   string `json:",omitempty"`
	PrincipalName string `json:",omitempty"`
}

func toTask(t *cloudsso.Task) taskOut {
	return taskOut{taskStatusOut: toTaskStatus(t), AccessConfigurationId: t.AccessConfigurationID,
		AccessConfigurationName: t.AccessConfigurationName, targetOut: toTarget(t.Target),
		PrincipalType: t.PrincipalType, PrincipalId: t.PrincipalID, PrincipalName: t.PrincipalName}
}

func toTaskStatus(t *cloudsso.Task) taskStatusOut {
	return taskStatusOut{TaskId: t.ID, TaskType: t.Type, Status: t.Status, StartTime: fmtTime(t.Started),
		EndTime: fmtTime(t.Ended), FailureReason: t.FailureReason}
}

var asTask = api.As("Task", toTask)

// tasksOf is the answer of the provisioning calls: the task in an array.
func tasksOf(t *cloudsso.Task, err error) (*tasksOut, error) {
	if err != nil {
		return nil, err
	}
	return &tasksOut{Tasks: []taskOut{toTask(t)}}, nil
}

type tasksOut struct {
	Tasks []taskOut
}

// taskStatusOut is the TaskStatus object.
type taskStatusOut struct {
	TaskId        string
	TaskType      string
	Status        string
	StartTime     string
	EndTime       string `json:",omitempty"`
	FailureReason string `json:",omitempty"`
}

type taskIn struct {
	inDirectory
	TaskID string `param:"TaskId"`
}

type listTasksIn struct {
	inDirectory
	pageIn
	Filter                string `param:"Filter"`
	Status                string `param:"Status"`
	TaskType              string `param:"TaskType"`
	AccessConfigurationID string `param:"AccessConfigurationId"`
	PrincipalType         string `param:"PrincipalType"`
	PrincipalID           string `param:"PrincipalId"`
	TargetType            string `param:"TargetType"`
	TargetID              string `param:"TargetId"`
}

type listedTasksOut struct {
	paging
	Tasks []taskOut
}

func registerTasks(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Read("GetTask"), onDirectory[taskIn],
		func(c *api.Call, in *taskIn) (*api.Object[taskOut], error) {
			return api.Reply(asTask)(svc.GetTask(c.Tx, c.AccountID(), in.DirectoryID, in.TaskID))
		})
	api.Declare(r, sso.Read("GetTaskStatus"), onDirectory[taskIn],
		func(c *api.Call, in *taskIn) (*api.Object[taskStatusOut], error) {
			return api.Reply(api.As("TaskStatus", toTaskStatus))(svc.GetTask(c.Tx, c.AccountID(), in.DirectoryID, in.TaskID))
		})
	api.Declare(r, sso.Read("ListTasks"), onDirectory[listTasksIn],
		func(c *api.Call, in *listTasksIn) (*listedTasksOut, error) {
			l, err := svc.ListTasks(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.TaskFilter{Filter: in.Filter, Status: in.Status,
				TaskType: in.TaskType, AccessConfigurationID: in.AccessConfigurationID, PrincipalType: in.PrincipalType,
				PrincipalID: in.PrincipalID, TargetType: in.TargetType, TargetID: in.TargetID}, in.page(), c.Now)
			if err != nil {
				return nil, err
			}
			return &listedTasksOut{paging: pagingOf(l), Tasks: api.MapAll(l.Items, toTask)}, nil
		})
}
