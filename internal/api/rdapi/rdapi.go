// Package rdapi declares the ResourceManager 2020-03-31 actions of the
// Resource Directory: one registry entry per action with its permission
// (resourcemanager:<Action>), resource, typed input and the cloud's
// response shape, all served by the directory service.
//
// Resources: directory-wide calls act on "*"; folder calls on
// acs:resourcemanager::<caller>:folder/<folder id>; member calls on
// acs:resourcemanager::<caller>:account/<ResourceDirectoryPath> (resolved
// from the store, so a policy may grant a whole folder's subtree with
// account/rd-x/r-y/fd-z/*); invitations on handshake/<id>.
package rdapi

import (
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is ResourceManager 2020-03-31.
var Product = &api.Product{Code: "ResourceManager", Version: "2020-03-31", Host: "resourcemanager.aliyuncs.com", Prefix: "resourcemanager"}

// rm declares the Resource Directory actions.
var rm = api.Products{Product}

// Register adds the Resource Directory actions to the registry.
func Register(r *api.Registry, svc *directory.Service) {
	registerLifecycle(r, svc)
	registerFolders(r, svc)
	registerMembers(r, svc)
	registerDeletion(r, svc)
	registerHandshakes(r, svc)
	registerLegacy(r, svc)
	registerPhone(r, svc)
}

// fmtTime is the directory's time format: UTC with milliseconds, as the
// cloud's CreateTime and JoinTime examples.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// anything is the resource of directory-wide calls.
func anything[In any](*model.Principal, *In) string { return "*" }

func folderARN(p *model.Principal, id string) string {
	if id == "" {
		id = "*"
	}
	return model.ResourceManagerARN(p.AccountID, "folder/"+id)
}

func accountARN(accountID, path string) string {
	return model.ResourceManagerARN(accountID, "account/"+path)
}

// pageIn is the paging of the page-number lists.
type pageIn struct {
	PageNumber *int `param:"PageNumber"`
	PageSize   *int `param:"PageSize"`
}

func (p pageIn) page() directory.Page { return directory.Page{Number: p.PageNumber, Size: p.PageSize} }

// paging is the fields before a page-number list's wrapper.
type paging struct {
	TotalCount int
	PageNumber int
	PageSize   int
}

func pagingOf[T any](l directory.Listed[T]) paging {
	return paging{TotalCount: l.TotalCount, PageNumber: l.PageNumber, PageSize: l.PageSize}
}
