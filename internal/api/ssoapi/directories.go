package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

// directoryOut is the Directory object.
type directoryOut struct {
	DirectoryId   string
	DirectoryName string
	Region        string
	CreateTime    string
	UpdateTime    string
}

func toDirectory(d *cloudsso.Directory) directoryOut {
	return directoryOut{DirectoryId: d.ID, DirectoryName: d.Name, Region: d.Region,
		CreateTime: fmtTime(d.Created), UpdateTime: fmtTime(d.Updated)}
}

var asDirectory = api.As("Directory", toDirectory)

type serviceStatusOut struct {
	AccountId               string
	Status                  string
	PrerequisiteCheckResult string `json:",omitempty"`
	RegionsInUse            []string
}

type createDirectoryIn struct {
	DirectoryName string `param:"DirectoryName"`
	// RegionId is a common parameter the binder never sees; a V3 client
	// sends it only in the endpoint's name. Directories take DefaultRegion.
}

type updateDirectoryIn struct {
	inDirectory
	NewDirectoryName string `param:"NewDirectoryName"`
}

type directoriesOut struct {
	Directories []directoryOut
	TotalCounts int
}

type statisticsOut struct {
	DirectoryId   string
	DirectoryName string
	Region        string
	cloudsso.StatisticsCounts
	SSOEnabled      bool
	SCIMSyncEnabled bool
}

func toStatistics(st *cloudsso.DirectoryStatistics) statisticsOut {
	d := st.Directory
	return statisticsOut{DirectoryId: d.ID, DirectoryName: d.Name, Region: d.Region, StatisticsCounts: st.StatisticsCounts,
		SSOEnabled: d.SSOEnabled, SCIMSyncEnabled: d.SCIMSyncEnabled}
}

func registerDirectories(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Write("EnableService"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*api.NoOutput, error) {
			return api.Done(svc.EnableService(c.Tx, c.AccountID(), c.Now))
		})
	api.Declare(r, sso.Write("DisableService"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*api.NoOutput, error) {
			return api.Done(svc.DisableService(c.Tx, c.AccountID(), c.Now))
		})
	api.Declare(r, sso.Read("GetServiceStatus"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*api.Object[serviceStatusOut], error) {
			return api.Reply(api.As("ServiceStatus", func(s *cloudsso.ServiceStatus) serviceStatusOut {
				return serviceStatusOut{AccountId: s.AccountID, Status: s.Status,
					PrerequisiteCheckResult: s.PrerequisiteCheckResult, RegionsInUse: s.RegionsInUse}
			}))(svc.GetServiceStatus(c.Tx, c.AccountID()))
		})
	api.Declare(r, sso.Write("CreateDirectory"), anything[createDirectoryIn],
		func(c *api.Call, in *createDirectoryIn) (*api.Object[directoryOut], error) {
			return api.Reply(asDirectory)(svc.CreateDirectory(c.Tx, c.AccountID(), in.DirectoryName, "", c.Now))
		})
	api.Declare(r, sso.Read("GetDirectory"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.Object[directoryOut], error) {
			return api.Reply(asDirectory)(svc.GetDirectory(c.Tx, c.AccountID(), in.DirectoryID))
		})
	api.Declare(r, sso.Read("ListDirectories"), anything[struct{}],
		func(c *api.Call, _ *struct{}) (*directoriesOut, error) {
			all, err := svc.ListDirectories(c.Tx, c.AccountID())
			if err != nil {
				return nil, err
			}
			out := api.MapAll(all, toDirectory)
			return &directoriesOut{Directories: out, TotalCounts: len(out)}, nil
		})
	api.Declare(r, sso.Write("UpdateDirectory"), onDirectory[updateDirectoryIn],
		func(c *api.Call, in *updateDirectoryIn) (*api.Object[directoryOut], error) {
			return api.Reply(asDirectory)(svc.UpdateDirectory(c.Tx, c.AccountID(), in.DirectoryID, in.NewDirectoryName, c.Now))
		})
	api.Declare(r, sso.Write("DeleteDirectory"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.NoOutput, error) {
			return api.Done(svc.DeleteDirectory(c.Tx, c.AccountID(), in.DirectoryID))
		})
	api.Declare(r, sso.Read("GetDirectoryStatistics"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.Object[statisticsOut], error) {
			return api.Reply(api.As("DirectoryStatistics", toStatistics))(svc.GetDirectoryStatistics(c.Tx, c.AccountID(), in.DirectoryID))
		})
}
