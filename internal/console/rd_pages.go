package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/canopy-iam/canopy/internal/apperr"
)

// The Resource Management pages: every read and write is a ResourceManager
// action called through the invoker as the signed-in identity, so the
// directory's own rules, the policies and the audit apply unchanged.

const rdVersion = "2020-03-31"

// Bounds of what one page reads: a directory holds at most
// --rd-max-folders folders (100 by default) five levels deep.
const (
	rdTreeCalls  = 200 // ListFoldersForParent calls to draw one tree
	rdListSize   = 20  // members per Member List page
	rdSearchSize = 100 // members per page read while searching
)

func (c *Console) rdRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/rd", c.ready(c.rdOverviewPage))
	m.HandleFunc("POST /console/rd/enable", c.readyPost(c.rdEnable))
	m.HandleFunc("POST /console/rd/folders", c.readyPost(c.rdCreateFolder))
	m.HandleFunc("POST /console/rd/folders/rename", c.readyPost(c.rdRenameFolder))
	m.HandleFunc("POST /console/rd/folders/delete", c.readyPost(c.rdDeleteFolder))
	m.HandleFunc("GET /console/rd/members", c.ready(c.rdMembersPage))
	m.HandleFunc("GET /console/rd/members/new", c.ready(c.rdCreateMemberPage))
	m.HandleFunc("POST /console/rd/members", c.readyPost(c.rdCreateMember))
	m.HandleFunc("GET /console/rd/members/{id}", c.ready(c.rdMemberPage))
	m.HandleFunc("POST /console/rd/members/{id}/move", c.readyPost(c.rdMoveMember))
	c.invitationRoutes(m)
	c.switchTypeRoutes(m)
	c.actionRoutes(m)
	c.deletionRoutes(m)
}

// rdFolder is a folder of the Organization tree.
type rdFolder struct {
	ID, Name string
	Parent   string
	Depth    int
	Prefix   string // the depth drawn in a folder picker
}

// rdMember is a member as the lists and the detail page show it.
type rdMember struct {
	ID, Name, DisplayName, Type, Status, JoinMethod, JoinTime, FolderID, FolderName, Path string
	Actions                                                                               rdActions
}

func memberOf(m map[string]any) rdMember {
	return rdMember{ID: str(m["AccountId"]), Name: str(m["AccountName"]), DisplayName: str(m["DisplayName"]),
		Type: str(m["Type"]), Status: str(m["Status"]), JoinMethod: str(m["JoinMethod"]), JoinTime: str(m["JoinTime"]),
		FolderID: str(m["FolderId"]), Path: str(m["ResourceDirectoryPath"])}
}

// rdDirectory is GetResourceDirectory; enabled is false when the account
// has no directory (the page offers to enable one).
func (c *Console) rdDirectory(r *http.Request, a *active) (rd map[string]any, enabled bool, err error) {
	out, err := c.call(r, a, rdVersion, "GetResourceDirectory", nil)
	if err != nil {
		if apperr.As(err).Kind == apperr.KindNotFound {
			return nil, false, nil
		}
		return nil, false, err
	}
	rd, _ = out["ResourceDirectory"].(map[string]any)
	return rd, true, nil
}

// rdEnabled reads the caller's directory for a page that needs one: when
// there is none it sends the browser to the Enable page, on an error it
// shows the error, and either way reports false (the answer is written).
func (c *Console) rdEnabled(w http.ResponseWriter, r *http.Request, a *active) (map[string]any, bool) {
	rd, enabled, err := c.rdDirectory(r, a)
	switch {
	case err != nil:
		c.fail(w, r, a, 0, err)
		return nil, false
	case !enabled:
		redirect(w, r, "/console/rd")
		return nil, false
	}
	return rd, true
}

// rdTree reads the folders under root, depth first, in the order the
// directory lists them.
func (c *Console) rdTree(r *http.Request, a *active, root string) ([]rdFolder, error) {
	tree := []rdFolder{{ID: root, Name: "Root"}}
	calls := 0
	var walk func(parent string, depth int) error
	walk = func(parent string, depth int) error {
		for page := 1; ; page++ {
			if calls++; calls > rdTreeCalls {
				return nil
			}
			out, err := c.call(r, a, rdVersion, "ListFoldersForParent", map[string]string{"ParentFolderId": parent,
				"PageSize": "100", "PageNumber": strconv.Itoa(page)})
			if err != nil {
				return err
			}
			folders := listOf(out, "Folders", "Folder")
			for _, f := range folders {
				id := str(f["FolderId"])
				tree = append(tree, rdFolder{ID: id, Name: str(f["FolderName"]), Parent: parent, Depth: depth,
					Prefix: strings.Repeat("— ", depth)})
				if err := walk(id, depth+1); err != nil {
					return err
				}
			}
			total, _ := out["TotalCount"].(float64)
			if len(folders) == 0 || page*100 >= int(total) {
				return nil
			}
		}
	}
	return tree, walk(root, 1)
}

func folderNames(tree []rdFolder) map[string]string {
	names := make(map[string]string, len(tree))
	for _, f := range tree {
		names[f.ID] = f.Name
	}
	return names
}

// rdShell is a Resource Management page's view.
func rdShell(a *active, title, nav string, crumbs ...crumb) *view {
	return shell(a, title, nav, append([]crumb{{Label: "Resource Management", Href: "/console/rd"}}, crumbs...)...)
}

// rdNotices are the success messages the pages show after a redirect
// (the name comes from the query; templates escape it).
var rdNotices = map[string]string{
	"enabled":         "The resource directory is enabled.",
	"folder-created":  "The folder %s was created.",
	"folder-renamed":  "The folder was renamed to %s.",
	"folder-deleted":  "The folder %s was deleted.",
	"member-created":  "The member %s was created.",
	"member-moved":    "The member was moved to %s.",
	"member-switched": "The member %s is now a resource account: its root user can no longer sign in.",
	"member-renamed":  "The member's display name is now %s.",
	"member-removed":  "The cloud account %s was removed from the resource directory.",
	"member-upgraded": "The member %s is now a cloud account: its root user is enabled again (without a password until its owner sets one).",
	"phone-bound":     "The security mobile phone %s is bound to the member.",
	"deletion-set":    "Member deletion is now %s.",
}

func rdNotice(q url.Values) string {
	f, ok := rdNotices[q.Get("done")]
	if !ok {
		return ""
	}
	if strings.Contains(f, "%s") {
		return fmt.Sprintf(f, q.Get("name"))
	}
	return f
}

type rdOverviewData struct {
	DirectoryID, RootID, MasterID, MasterName, Created string
	Tree                                               []rdFolder
	Selected                                           rdFolder
	Path                                               string
	Children                                           []rdFolder
	Members                                            []rdMember
	MemberTotal                                        string
	CanDelete                                          bool
}

// rdOverviewPage is Resource Directory > Overview, the Organization view:
// the folder tree and the selected folder's subfolders and members, with
// Create Folder, Rename, Delete (when empty) and Create Member. Without a
// directory it is the Enable page.
func (c *Console) rdOverviewPage(w http.ResponseWriter, r *http.Request, a *active) {
	rd, enabled, err := c.rdDirectory(r, a)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	if !enabled {
		c.render(w, http.StatusOK, "rd_enable", rdShell(a, "Enable Resource Directory", "rd"))
		return
	}
	d := &rdOverviewData{DirectoryID: str(rd["ResourceDirectoryId"]), RootID: str(rd["RootFolderId"]),
		MasterID: str(rd["MasterAccountId"]), MasterName: str(rd["MasterAccountName"]), Created: str(rd["CreateTime"])}
	if d.Tree, err = c.rdTree(r, a, d.RootID); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	sel := r.URL.Query().Get("folder")
	if sel == "" {
		sel = d.RootID
	}
	found := false
	for _, f := range d.Tree {
		if f.ID == sel {
			d.Selected, found = f, true
		}
		if f.Parent == sel {
			d.Children = append(d.Children, f)
		}
	}
	if !found {
		// GetFolder names the folder's own error (not found, another directory).
		if _, err := c.call(r, a, rdVersion, "GetFolder", map[string]string{"FolderId": sel}); err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		c.fail(w, r, a, http.StatusNotFound, pageNotFound.New("The folder %s is not in this resource directory's tree.", sel))
		return
	}
	folder, err := c.call(r, a, rdVersion, "GetFolder", map[string]string{"FolderId": sel})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	f, _ := folder["Folder"].(map[string]any)
	d.Path = namedPath(str(f["ResourceDirectoryPath"]), folderNames(d.Tree))
	members, err := c.call(r, a, rdVersion, "ListAccountsForParent", map[string]string{"ParentFolderId": sel, "PageSize": "100"})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	for _, m := range listOf(members, "Accounts", "Account") {
		d.Members = append(d.Members, memberOf(m))
	}
	if n, ok := members["TotalCount"].(float64); ok {
		d.MemberTotal = strconv.Itoa(int(n))
	}
	d.CanDelete = sel != d.RootID && len(d.Children) == 0 && d.MemberTotal == "0"
	v := rdShell(a, "Resource Directory", "rd", crumb{Label: "Overview"})
	v.Notice = rdNotice(r.URL.Query())
	v.Data = d
	c.render(w, http.StatusOK, "rd_overview", v)
}

// namedPath spells a ResourceDirectoryPath (rd-x/r-y/fd-z[/account]) with
// the folders' names where they are known.
func namedPath(path string, names map[string]string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if n, ok := names[p]; ok && i > 0 {
			parts[i] = n + " (" + p + ")"
		}
	}
	return strings.Join(parts, " / ")
}

// rdEnable is the Enable page's button: EnableResourceDirectory with the
// current account as the management account.
func (c *Console) rdEnable(w http.ResponseWriter, r *http.Request, a *active) {
	if _, err := c.call(r, a, rdVersion, "EnableResourceDirectory", map[string]string{"EnableMode": "CurrentAccount"}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/rd?done=enabled")
}

// formValue is a trimmed form field (the actions check its rules; the
// console caps a whole form at maxFormBytes).
func formValue(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

func folderPage(id string, q url.Values) string {
	if id != "" {
		q.Set("folder", id)
	}
	return "/console/rd?" + q.Encode()
}

func (c *Console) rdCreateFolder(w http.ResponseWriter, r *http.Request, a *active) {
	parent, name := formValue(r, "parent"), formValue(r, "name")
	out, err := c.call(r, a, rdVersion, "CreateFolder", map[string]string{"ParentFolderId": parent, "FolderName": name})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	f, _ := out["Folder"].(map[string]any)
	redirect(w, r, folderPage(str(f["FolderId"]), url.Values{"done": {"folder-created"}, "name": {name}}))
}

func (c *Console) rdRenameFolder(w http.ResponseWriter, r *http.Request, a *active) {
	id, name := formValue(r, "folder"), formValue(r, "name")
	if _, err := c.call(r, a, rdVersion, "UpdateFolder", map[string]string{"FolderId": id, "NewFolderName": name}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, folderPage(id, url.Values{"done": {"folder-renamed"}, "name": {name}}))
}

// rdDeleteFolder asks on a page naming the folder, then DeleteFolder (the
// directory refuses a folder with members or subfolders).
func (c *Console) rdDeleteFolder(w http.ResponseWriter, r *http.Request, a *active) {
	id := formValue(r, "folder")
	out, err := c.call(r, a, rdVersion, "GetFolder", map[string]string{"FolderId": id})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	f, _ := out["Folder"].(map[string]any)
	name, parent := str(f["FolderName"]), str(f["ParentFolderId"])
	if r.PostFormValue("confirm") != "yes" {
		v := rdShell(a, "Delete folder", "rd", crumb{Label: "Overview", Href: "/console/rd"}, crumb{Label: name})
		v.Data = &confirmation{Question: fmt.Sprintf("Delete the folder %q (%s)? This cannot be undone.", name, id),
			Action: "/console/rd/folders/delete", Fields: map[string]string{"folder": id},
			Cancel: folderPage(id, url.Values{}), Button: "Delete " + name}
		c.render(w, http.StatusOK, "confirm", v)
		return
	}
	if _, err := c.call(r, a, rdVersion, "DeleteFolder", map[string]string{"FolderId": id}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, folderPage(parent, url.Values{"done": {"folder-deleted"}, "name": {name}}))
}

type rdMembersData struct {
	Search           string
	Members          []rdMember
	Tree             []rdFolder // the bulk Move's folder picker
	Total            string
	Page, Size       int
	PrevQuery        string
	NextQuery        string
	DirectoryID      string
	SearchTruncation bool
}

// rdMembersPage is the Member List view: ListAccounts a page at a time
// (20 members, or ?size= 10, 50 or 100) with its TotalCount; a search reads the pages and keeps the members
// whose display name, account name or id contains the text.
func (c *Console) rdMembersPage(w http.ResponseWriter, r *http.Request, a *active) {
	rd, ok := c.rdEnabled(w, r, a)
	if !ok {
		return
	}
	tree, err := c.rdTree(r, a, str(rd["RootFolderId"]))
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	names := folderNames(tree)
	q := r.URL.Query()
	d := &rdMembersData{Search: strings.TrimSpace(q.Get("search")), Page: 1, DirectoryID: str(rd["ResourceDirectoryId"])}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n <= 200000 {
		d.Page = n
	}
	size, page := rdListSize, d.Page
	if n, err := strconv.Atoi(q.Get("size")); err == nil && (n == 10 || n == 50 || n == 100) {
		size = n
	}
	d.Size = size
	if d.Search != "" {
		size, page = rdSearchSize, 1
	}
	for reads := 0; ; reads++ {
		out, err := c.call(r, a, rdVersion, "ListAccounts", map[string]string{"PageNumber": strconv.Itoa(page), "PageSize": strconv.Itoa(size)})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		items := listOf(out, "Accounts", "Account")
		total, _ := out["TotalCount"].(float64)
		for _, it := range items {
			m := memberOf(it)
			m.FolderName = names[m.FolderID]
			m.Actions = actionsFor(m, rd)
			if d.Search == "" || memberMatches(m, d.Search) {
				d.Members = append(d.Members, m)
			}
		}
		if d.Search == "" {
			d.Total = strconv.Itoa(int(total))
			if page*size < int(total) {
				d.NextQuery = "/console/rd/members?" + url.Values{"page": {strconv.Itoa(page + 1)}, "size": {strconv.Itoa(size)}}.Encode()
			}
			if page > 1 {
				d.PrevQuery = "/console/rd/members?" + url.Values{"page": {strconv.Itoa(page - 1)}, "size": {strconv.Itoa(size)}}.Encode()
			}
			break
		}
		if len(items) == 0 || page*size >= int(total) {
			break
		}
		if reads >= searchPages {
			d.SearchTruncation = true
			break
		}
		page++
	}
	if d.Search != "" {
		d.Total = strconv.Itoa(len(d.Members))
	}
	d.Tree = tree
	v := rdShell(a, "Member List", "rd-members", crumb{Label: "Member List"})
	v.Notice = rdNotice(q)
	v.Data = d
	c.render(w, http.StatusOK, "rd_members", v)
}

func memberMatches(m rdMember, s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(strings.ToLower(m.DisplayName), s) || strings.Contains(strings.ToLower(m.Name), s) ||
		strings.Contains(m.ID, s)
}

type rdCreateData struct {
	Tree          []rdFolder
	Folder        string
	AccountSuffix string
}

// rdCreateMemberPage is Create Member Account (a resource account): the
// display name, the account name's prefix and the folder, preselected
// when the page is opened from a folder.
func (c *Console) rdCreateMemberPage(w http.ResponseWriter, r *http.Request, a *active) {
	rd, ok := c.rdEnabled(w, r, a)
	if !ok {
		return
	}
	// Account names are spelt with the directory id in lower case.
	d := &rdCreateData{Folder: r.URL.Query().Get("folder"), AccountSuffix: strings.ToLower(str(rd["ResourceDirectoryId"])) + ".aliyunid.com"}
	var err error
	if d.Tree, err = c.rdTree(r, a, str(rd["RootFolderId"])); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	v := rdShell(a, "Create Member Account", "rd", crumb{Label: "Overview", Href: "/console/rd"}, crumb{Label: "Create Member Account"})
	v.Data = d
	c.render(w, http.StatusOK, "rd_create", v)
}

func (c *Console) rdCreateMember(w http.ResponseWriter, r *http.Request, a *active) {
	name := formValue(r, "display_name")
	out, err := c.call(r, a, rdVersion, "CreateResourceAccount", map[string]string{"DisplayName": name,
		"AccountNamePrefix": formValue(r, "prefix"), "ParentFolderId": formValue(r, "folder")})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	acct, _ := out["Account"].(map[string]any)
	redirect(w, r, "/console/rd/members/"+url.PathEscape(str(acct["AccountId"]))+"?"+
		url.Values{"done": {"member-created"}, "name": {name}}.Encode())
}

type rdMemberData struct {
	Member rdMember
	Tree   []rdFolder
}

// rdMemberPage is a member's detail: GetAccount (its path, type, status),
// with Move.
func (c *Console) rdMemberPage(w http.ResponseWriter, r *http.Request, a *active) {
	rd, ok := c.rdEnabled(w, r, a)
	if !ok {
		return
	}
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	d := &rdMemberData{Member: *m}
	var err error
	if d.Tree, err = c.rdTree(r, a, str(rd["RootFolderId"])); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	names := folderNames(d.Tree)
	d.Member.FolderName = names[d.Member.FolderID]
	d.Member.Path = namedPath(d.Member.Path, names)
	d.Member.Actions = actionsFor(d.Member, rd)
	v := rdShell(a, d.Member.DisplayName, "rd-members", crumb{Label: "Member List", Href: "/console/rd/members"},
		crumb{Label: d.Member.DisplayName})
	v.Notice = rdNotice(r.URL.Query())
	v.Data = d
	c.render(w, http.StatusOK, "rd_member", v)
}

func (c *Console) rdMoveMember(w http.ResponseWriter, r *http.Request, a *active) {
	id, to := r.PathValue("id"), formValue(r, "folder")
	if _, err := c.call(r, a, rdVersion, "MoveAccount", map[string]string{"AccountId": id, "DestinationFolderId": to}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/rd/members/"+url.PathEscape(id)+"?"+url.Values{"done": {"member-moved"}, "name": {to}}.Encode())
}
