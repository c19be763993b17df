package directory

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

func newFolderID() string { return "fd-" + model.NewAlphanumeric(10) }

// folder reads a folder (Root included) of the directory accountID
// manages. param names the parameter the id came from, for the error of a
// malformed one; "" = the directory's Root.
func (s *Service) folder(tx store.Tx, d *Directory, param, id string) (*Folder, store.Record, error) {
	if id == "" {
		id = d.RootFolderID
	} else if err := checkNodeID(param, id); err != nil {
		return nil, store.Record{}, err
	}
	f, rec, err := folders.Get(tx, d.MasterAccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, folderNotExists(id)
	}
	return f, rec, err
}

// siblingNamed returns the child of parentID named name (ignoring case),
// other than except; nil when there is none.
func siblingNamed(tx store.Tx, accountID, parentID, name, except string) (*Folder, error) {
	children, err := folders.List(tx, store.Query{AccountID: accountID, Ref: parentID})
	if err != nil {
		return nil, err
	}
	for i := range children {
		if children[i].ID != except && strings.EqualFold(children[i].Name, name) {
			return &children[i], nil
		}
	}
	return nil, nil
}

// CreateFolder creates a folder under parentID ("" = Root) in the
// directory accountID manages.
func (s *Service) CreateFolder(tx store.Tx, accountID, parentID, name string, now time.Time) (*Folder, error) {
	if err := folderNameRule.check(name); err != nil {
		return nil, err
	}
	d, drec, err := managed(tx, accountID)
	if err != nil {
		return nil, err
	}
	parent, _, err := s.folder(tx, d, "ParentFolderId", parentID)
	if err != nil {
		return nil, err
	}
	if parent.Depth() >= MaxDepth {
		return nil, codeFolderDepth.New("The folder %q is at level %d below Root; folders may be at most %d levels deep.", parent.ID, parent.Depth(), MaxDepth)
	}
	if d.Folders >= s.limits.MaxFolders {
		return nil, codeFolderQuota.New("The resource directory already has %d folders besides Root, its quota.", s.limits.MaxFolders)
	}
	if taken, err := siblingNamed(tx, accountID, parent.ID, name, ""); err != nil {
		return nil, err
	} else if taken != nil {
		return nil, codeFolderNameUsed.New("The folder %q already has a child folder named %q.", parent.ID, taken.Name)
	}
	f := &Folder{ID: newFolderID(), Name: name, ParentID: parent.ID, Created: now,
		Ancestors: append(append([]Ancestor(nil), parent.Ancestors...), Ancestor{ID: parent.ID, Name: parent.Name, Created: parent.Created})}
	if err := folders.Insert(tx, accountID, f.ID, f.ParentID, f, now); err != nil {
		return nil, err
	}
	d.Folders++
	return f, directories.Update(tx, drec, d, now)
}

// FolderView is a folder with its directory path.
type FolderView struct {
	Folder
	Path string
}

// GetFolder returns a folder of the directory accountID manages.
func (s *Service) GetFolder(tx store.Tx, accountID, id string) (*FolderView, error) {
	if id == "" {
		return nil, missing("FolderId")
	}
	d, _, err := managed(tx, accountID)
	if err != nil {
		return nil, err
	}
	f, _, err := s.folder(tx, d, "FolderId", id)
	if err != nil {
		return nil, err
	}
	return &FolderView{Folder: *f, Path: f.Path(d.ID)}, nil
}

// UpdateFolder renames a folder; the copies of its name in its
// descendants' paths follow.
func (s *Service) UpdateFolder(tx store.Tx, accountID, id, name string, now time.Time) (*Folder, error) {
	if id == "" {
		return nil, missing("FolderId")
	}
	if err := folderNameRule.check(name); err != nil {
		return nil, err
	}
	d, _, err := managed(tx, accountID)
	if err != nil {
		return nil, err
	}
	f, rec, err := s.folder(tx, d, "FolderId", id)
	if err != nil {
		return nil, err
	}
	if f.ParentID != "" {
		if taken, err := siblingNamed(tx, accountID, f.ParentID, name, f.ID); err != nil {
			return nil, err
		} else if taken != nil {
			return nil, codeFolderNameUsed.New("The folder %q already has a child folder named %q.", f.ParentID, taken.Name)
		}
	}
	if f.Name == name {
		return f, nil
	}
	f.Name = name
	if err := folders.Update(tx, rec, f, now); err != nil {
		return nil, err
	}
	return f, s.renameInDescendants(tx, accountID, f, now)
}

// renameInDescendants rewrites the ancestor copies of f's name. Folders
// are few (the quota), so one scan of the directory's folders is cheap.
func (s *Service) renameInDescendants(tx store.Tx, accountID string, f *Folder, now time.Time) error {
	recs, err := folders.Records(tx, store.Query{AccountID: accountID})
	if err != nil {
		return err
	}
	all, err := folders.DecodeAll(recs)
	if err != nil {
		return err
	}
	for i := range all {
		changed := false
		for j := range all[i].Ancestors {
			if all[i].Ancestors[j].ID == f.ID {
				all[i].Ancestors[j].Name, changed = f.Name, true
			}
		}
		if changed {
			if err := folders.Update(tx, recs[i], &all[i], now); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteFolder deletes an empty folder (no folders, no members in it).
func (s *Service) DeleteFolder(tx store.Tx, accountID, id string, now time.Time) error {
	if id == "" {
		return missing("FolderId")
	}
	d, drec, err := managed(tx, accountID)
	if err != nil {
		return err
	}
	f, _, err := s.folder(tx, d, "FolderId", id)
	if err != nil {
		return err
	}
	if f.ParentID == "" {
		return invalid("FolderId", "The Root folder %q cannot be deleted; destroy the resource directory instead.", f.ID)
	}
	if n, err := folders.Count(tx, store.Query{AccountID: accountID, Ref: f.ID}); err != nil {
		return err
	} else if n > 0 {
		return codeFolderHasFolders.New("The folder %q still has %d folders: delete them first.", f.ID, n)
	}
	if n, err := members.Count(tx, store.Query{AccountID: accountID, Ref: f.ID}); err != nil {
		return err
	} else if n > 0 {
		return codeFolderHasAccounts.New("The folder %q still has %d members: move them out first.", f.ID, n)
	}
	if err := folders.Delete(tx, accountID, f.ID); err != nil {
		return err
	}
	d.Folders--
	return directories.Update(tx, drec, d, now)
}

// ListFoldersForParent lists the folders directly under parentID ("" =
// Root) whose name contains keyword (ignoring case), one page at a time.
func (s *Service) ListFoldersForParent(tx store.Tx, accountID, parentID, keyword string, page Page) (Listed[Folder], error) {
	number, size, err := page.resolve()
	if err != nil {
		return Listed[Folder]{}, err
	}
	d, _, err := managed(tx, accountID)
	if err != nil {
		return Listed[Folder]{}, err
	}
	parent, _, err := s.folder(tx, d, "ParentFolderId", parentID)
	if err != nil {
		return Listed[Folder]{}, err
	}
	children, err := folders.List(tx, store.Query{AccountID: accountID, Ref: parent.ID})
	if err != nil {
		return Listed[Folder]{}, err
	}
	if keyword != "" {
		kept := children[:0]
		for _, f := range children {
			if containsFold(f.Name, keyword) {
				kept = append(kept, f)
			}
		}
		children = kept
	}
	return pageOf(children, number, size), nil
}

// ListAncestors returns the folders above childID, Root first. It costs
// one read: folders live in their management account only while its
// directory does (Destroy needs them gone), so a folder found there proves
// the directory; only a miss reads the directory, to say which is missing.
func (s *Service) ListAncestors(tx store.Tx, accountID, childID string) ([]Ancestor, error) {
	if childID == "" {
		return nil, missing("ChildId")
	}
	if err := checkNodeID("ChildId", childID); err != nil {
		return nil, err
	}
	rec, err := tx.Records().Get(accountID, folders.Kind, childID)
	if errors.Is(err, store.ErrNotFound) {
		if _, _, err := managed(tx, accountID); err != nil {
			return nil, err
		}
		return nil, folderNotExists(childID)
	}
	if err != nil {
		return nil, err
	}
	if ancestors, ok := decodeAncestors(rec.Data); ok {
		return ancestors, nil
	}
	var f Folder
	if err := folders.Decode(rec, &f); err != nil {
		return nil, err
	}
	return f.Ancestors, nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
