package rdapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/model"
)

type createFolderIn struct {
	ParentFolderId string `param:"ParentFolderId"`
	FolderName     string `param:"FolderName"`
}

type folderIDIn struct {
	FolderId string `param:"FolderId"`
}

type updateFolderIn struct {
	FolderId      string `param:"FolderId"`
	NewFolderName string `param:"NewFolderName"`
}

type listFoldersIn struct {
	pageIn
	ParentFolderId string `param:"ParentFolderId"`
	QueryKeyword   string `param:"QueryKeyword"`
}

type childIn struct {
	ChildId string `param:"ChildId"`
}

// folderOut is the Folder object; ParentFolderId is absent for Root and
// ResourceDirectoryPath only in GetFolder.
type folderOut struct {
	FolderId              string
	FolderName            string
	ParentFolderId        string `json:",omitempty"`
	CreateTime            string
	ResourceDirectoryPath string `json:",omitempty"`
}

// listedFolder is a folder in ListFoldersForParent and ListAncestors.
type listedFolder struct {
	FolderId   string
	FolderName string
	CreateTime string
}

func toFolder(f *directory.Folder) folderOut {
	return folderOut{FolderId: f.ID, FolderName: f.Name, ParentFolderId: f.ParentID, CreateTime: fmtTime(f.Created)}
}

func toFolderView(v *directory.FolderView) folderOut {
	out := toFolder(&v.Folder)
	out.ResourceDirectoryPath = v.Path
	return out
}

var asFolder = api.As("Folder", toFolder)

func registerFolders(r *api.Registry, svc *directory.Service) {
	api.Declare(r, rm.Write("CreateFolder"), func(p *model.Principal, in *createFolderIn) string { return folderARN(p, in.ParentFolderId) },
		func(c *api.Call, in *createFolderIn) (*api.Object[folderOut], error) {
			return api.Reply(asFolder)(svc.CreateFolder(c.Tx, c.AccountID(), in.ParentFolderId, in.FolderName, c.Now))
		})
	onFolder := func(p *model.Principal, in *folderIDIn) string { return folderARN(p, in.FolderId) }
	api.Declare(r, rm.Read("GetFolder"), onFolder, func(c *api.Call, in *folderIDIn) (*api.Object[folderOut], error) {
		return api.Reply(api.As("Folder", toFolderView))(svc.GetFolder(c.Tx, c.AccountID(), in.FolderId))
	})
	api.Declare(r, rm.Write("UpdateFolder"), func(p *model.Principal, in *updateFolderIn) string { return folderARN(p, in.FolderId) },
		func(c *api.Call, in *updateFolderIn) (*api.Object[folderOut], error) {
			return api.Reply(asFolder)(svc.UpdateFolder(c.Tx, c.AccountID(), in.FolderId, in.NewFolderName, c.Now))
		})
	api.Declare(r, rm.Write("DeleteFolder"), onFolder, func(c *api.Call, in *folderIDIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteFolder(c.Tx, c.AccountID(), in.FolderId, c.Now))
	})
	api.Declare(r, rm.Read("ListFoldersForParent"), func(p *model.Principal, in *listFoldersIn) string { return folderARN(p, in.ParentFolderId) },
		func(c *api.Call, in *listFoldersIn) (*api.List[listedFolder], error) {
			l, err := svc.ListFoldersForParent(c.Tx, c.AccountID(), in.ParentFolderId, in.QueryKeyword, in.page())
			if err != nil {
				return nil, err
			}
			out := api.ListOf("Folders", "Folder", api.MapAll(l.Items, toListedFolder), pagingOf(l))
			return &out, nil
		})
	api.Declare(r, rm.Read("ListAncestors"), func(p *model.Principal, in *childIn) string { return folderARN(p, in.ChildId) },
		func(c *api.Call, in *childIn) (*api.List[listedFolder], error) {
			return api.Reply(api.Listed("Folders", "Folder", func(a *directory.Ancestor) listedFolder {
				return listedFolder{FolderId: a.ID, FolderName: a.Name, CreateTime: fmtTime(a.Created)}
			}))(svc.ListAncestors(c.Tx, c.AccountID(), in.ChildId))
		})
}

func toListedFolder(f *directory.Folder) listedFolder {
	return listedFolder{FolderId: f.ID, FolderName: f.Name, CreateTime: fmtTime(f.Created)}
}
