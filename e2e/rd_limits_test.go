package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The limits, name rules, paging and response shapes of the directory,
// folders and members, through the official classic SDK. Where the store
// decides (uniqueness, counters, paging) the tests run on both backends.

// rdRaw calls a ResourceManager action through the SDK's common request
// and returns the decoded JSON body, to check wrappers the typed
// responses would hide.
func rdRaw(t *testing.T, srv *canopytest.Server, c *resourcemanager.Client, action string, params map[string]string) (map[string]any, error) {
	t.Helper()
	req := requests.NewCommonRequest()
	req.Domain, req.Scheme = srv.Endpoint, "http"
	req.Product, req.Version, req.ApiName = "ResourceManager", "2020-03-31", action
	for k, v := range params {
		req.QueryParams[k] = v
	}
	resp, err := c.ProcessCommonRequest(req)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &out); err != nil {
		t.Fatalf("%s: body is not JSON: %v", action, err)
	}
	return out, nil
}

// rdSessionClient is a ResourceManager client signing with a session's
// temporary credentials.
func rdSessionClient(t *testing.T, srv *canopytest.Server, c sts.Credentials) *resourcemanager.Client {
	return onSession(t, srv, c, resourcemanager.NewClientWithStsToken, func(cl *resourcemanager.Client) *sdk.Client { return &cl.Client })
}

func tryCreateFolder(c *resourcemanager.Client, parent, name string) (*resourcemanager.CreateFolderResponse, error) {
	req := resourcemanager.CreateCreateFolderRequest()
	req.ParentFolderId, req.FolderName = parent, name
	return c.CreateFolder(req)
}

func tryRenameFolder(c *resourcemanager.Client, id, name string) error {
	req := resourcemanager.CreateUpdateFolderRequest()
	req.FolderId, req.NewFolderName = id, name
	_, err := c.UpdateFolder(req)
	return err
}

func tryDeleteFolder(c *resourcemanager.Client, id string) error {
	req := resourcemanager.CreateDeleteFolderRequest()
	req.FolderId = id
	_, err := c.DeleteFolder(req)
	return err
}

func ancestors(t *testing.T, c *resourcemanager.Client, id string) []string {
	t.Helper()
	req := resourcemanager.CreateListAncestorsRequest()
	req.ChildId = id
	resp, err := c.ListAncestors(req)
	ok(t, "ListAncestors "+id, err)
	var names []string
	for _, f := range resp.Folders.Folder {
		names = append(names, f.FolderId+"="+f.FolderName)
	}
	return names
}

type newMember struct {
	folder, name, prefix, payer string
	tags                        map[string]string
}

func tryCreateMember(c *resourcemanager.Client, m newMember) (*resourcemanager.CreateResourceAccountResponse, error) {
	req := resourcemanager.CreateCreateResourceAccountRequest()
	req.ParentFolderId, req.DisplayName, req.AccountNamePrefix, req.PayerAccountId = m.folder, m.name, m.prefix, m.payer
	if len(m.tags) > 0 {
		var tags []resourcemanager.CreateResourceAccountTag
		for k, v := range m.tags {
			tags = append(tags, resourcemanager.CreateResourceAccountTag{Key: k, Value: v})
		}
		req.Tag = &tags
	}
	return c.CreateResourceAccount(req)
}

func fetchAccount(c *resourcemanager.Client, id string) (*resourcemanager.GetAccountResponse, error) {
	req := resourcemanager.CreateGetAccountRequest()
	req.AccountId = id
	return c.GetAccount(req)
}

func tryMoveAccount(c *resourcemanager.Client, id, dest string) error {
	req := resourcemanager.CreateMoveAccountRequest()
	req.AccountId, req.DestinationFolderId = id, dest
	_, err := c.MoveAccount(req)
	return err
}

func tryRenameAccount(c *resourcemanager.Client, id, name string) (*resourcemanager.UpdateAccountResponse, error) {
	req := resourcemanager.CreateUpdateAccountRequest()
	req.AccountId, req.NewDisplayName = id, name
	return c.UpdateAccount(req)
}

func TestRDFolderDepthNamesAndDeletion(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		root := w.directory.RootFolderId

		// Five levels below Root; a sixth is refused, at any depth-5 parent.
		parent, chain := "", []resourcemanager.Folder{}
		for level := 1; level <= directory.MaxDepth; level++ {
			f := createFolder(t, w.admin, parent, fmt.Sprintf("level%d", level))
			chain = append(chain, f)
			parent = f.FolderId
		}
		_, err := tryCreateFolder(w.admin, parent, "level6")
		se := wantServerError(t, err, "LimitExceeded.Folder.Depth", http.StatusConflict)
		if !strings.Contains(se.Message(), "5 levels") {
			t.Errorf("depth refusal %q does not say the limit", se.Message())
		}

		// ListAncestors: Root first, down to the parent; the folder itself is not listed.
		got := ancestors(t, w.admin, parent)
		want := []string{root + "=root"}
		for _, f := range chain[:len(chain)-1] {
			want = append(want, f.FolderId+"="+f.FolderName)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("ListAncestors(level5) = %v; want %v", got, want)
		}
		if got := ancestors(t, w.admin, root); len(got) != 0 {
			t.Fatalf("ListAncestors(Root) = %v; want none", got)
		}
		body, err := rdRaw(t, w.srv, w.admin, "ListAncestors", map[string]string{"ChildId": root})
		ok(t, "ListAncestors raw", err)
		if list, _ := body["Folders"].(map[string]any)["Folder"].([]any); list == nil {
			t.Fatalf("ListAncestors(Root) body %v: want Folders.Folder = []", body)
		}
		// GetFolder gives the path; a rename shows in the descendants' ancestors.
		gf := resourcemanager.CreateGetFolderRequest()
		gf.FolderId = parent
		folder, err := w.admin.GetFolder(gf)
		ok(t, "GetFolder", err)
		wantPath := w.directory.ResourceDirectoryId + "/" + root
		for _, f := range chain {
			wantPath += "/" + f.FolderId
		}
		if folder.Folder.ResourceDirectoryPath != wantPath || folder.Folder.ParentFolderId != chain[3].FolderId {
			t.Fatalf("GetFolder = %+v; want path %s", folder.Folder, wantPath)
		}
		ok(t, "rename level2", tryRenameFolder(w.admin, chain[1].FolderId, "second"))
		if got := ancestors(t, w.admin, parent); got[2] != chain[1].FolderId+"=second" {
			t.Fatalf("after the rename ListAncestors = %v", got)
		}

		// Names: 1-24 characters, letters (any script), digits and _ . -
		for _, name := range []string{"a", strings.Repeat("n", 24), "dev_1.x-y", "开发", "Ünïcode"} {
			createFolder(t, w.admin, "", name)
		}
		bad := []struct{ name, code string }{
			{"", "MissingParameter.Folder.Name"},
			{strings.Repeat("n", 25), "InvalidParameter.Folder.Name.Length"},
			{"with space", "InvalidParameter.Folder.Name"},
			{"a/b", "InvalidParameter.Folder.Name"},
			{"semi;colon", "InvalidParameter.Folder.Name"},
			{"emoji🙂", "InvalidParameter.Folder.Name"},
		}
		for _, b := range bad {
			_, err := tryCreateFolder(w.admin, "", b.name)
			wantServerError(t, err, b.code, http.StatusBadRequest)
			wantServerError(t, tryRenameFolder(w.admin, chain[0].FolderId, b.name), b.code, http.StatusBadRequest)
		}
		// Siblings' names are unique ignoring case (as member display
		// names are); the same name under another parent is fine.
		prod := createFolder(t, w.admin, "", "prod")
		for _, dup := range []string{"prod", "PROD", "Prod"} {
			_, err := tryCreateFolder(w.admin, "", dup)
			wantServerError(t, err, "InvalidParameter.Folder.Name.AlreadyUsed", http.StatusBadRequest)
		}
		createFolder(t, w.admin, prod.FolderId, "prod")
		wantServerError(t, tryRenameFolder(w.admin, chain[0].FolderId, "PRod"), "InvalidParameter.Folder.Name.AlreadyUsed", http.StatusBadRequest)
		ok(t, "a folder may change the case of its own name", tryRenameFolder(w.admin, prod.FolderId, "Prod"))

		// Malformed and unknown ids.
		_, err = tryCreateFolder(w.admin, "fd-short", "x")
		wantServerError(t, err, "InvalidParameter.ParentFolderId", http.StatusBadRequest)
		_, err = tryCreateFolder(w.admin, "fd-0000000000", "x")
		wantServerError(t, err, "EntityNotExists.Folder", http.StatusNotFound)
		wantServerError(t, tryDeleteFolder(w.admin, "nonsense"), "InvalidParameter.FolderId", http.StatusBadRequest)
		wantServerError(t, tryDeleteFolder(w.admin, ""), "MissingParameter.FolderId", http.StatusBadRequest)
		wantServerError(t, tryDeleteFolder(w.admin, "fd-0000000000"), "EntityNotExists.Folder", http.StatusNotFound)
		la := resourcemanager.CreateListAncestorsRequest()
		_, err = w.admin.ListAncestors(la)
		wantServerError(t, err, "MissingParameter.ChildId", http.StatusBadRequest)
		la.ChildId = "r-x"
		_, err = w.admin.ListAncestors(la)
		wantServerError(t, err, "InvalidParameter.ChildId", http.StatusBadRequest)

		// Deletion: not with sub-folders, not with members, never Root.
		wantServerError(t, tryDeleteFolder(w.admin, chain[3].FolderId), "DeleteConflict.Folder.SubFolder", http.StatusConflict)
		m := createResourceAccount(t, w.admin, parent, "deep member", "deep")
		wantServerError(t, tryDeleteFolder(w.admin, parent), "DeleteConflict.Folder.Account", http.StatusConflict)
		se = wantServerError(t, tryDeleteFolder(w.admin, root), "InvalidParameter.FolderId", http.StatusBadRequest)
		if !strings.Contains(se.Message(), "Root") {
			t.Errorf("Root deletion refusal %q does not say why", se.Message())
		}
		ok(t, "move the member to Root", tryMoveAccount(w.admin, m.AccountId, root))
		for i := len(chain) - 1; i >= 0; i-- {
			ok(t, "delete "+chain[i].FolderName, tryDeleteFolder(w.admin, chain[i].FolderId))
		}
		gf.FolderId = chain[0].FolderId
		_, err = w.admin.GetFolder(gf)
		wantServerError(t, err, "EntityNotExists.Folder", http.StatusNotFound)
	})
}

// Quotas: the cloud's defaults, and raised by the operator.
func TestRDFolderAndMemberQuotas(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		w := newRDWorld(t)
		d := directory.DefaultLimits()
		var last resourcemanager.Folder
		for i := 0; i < d.MaxFolders; i++ {
			last = createFolder(t, w.admin, "", fmt.Sprintf("f%03d", i))
		}
		_, err := tryCreateFolder(w.admin, "", "one-too-many")
		wantServerError(t, err, "QuotaExceeded.Folder.Count", http.StatusConflict)
		ok(t, "delete a folder", tryDeleteFolder(w.admin, last.FolderId))
		createFolder(t, w.admin, "", "fits-again")
		_, err = tryCreateFolder(w.admin, "", "still-too-many")
		wantServerError(t, err, "QuotaExceeded.Folder.Count", http.StatusConflict)

		for i := 0; i < d.MaxMembers; i++ {
			createResourceAccount(t, w.admin, "", fmt.Sprintf("member %02d", i), "")
		}
		_, err = tryCreateMember(w.admin, newMember{name: "member 21"})
		wantServerError(t, err, "LimitExceeded.Account", http.StatusConflict)
		list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if list.TotalCount != d.MaxMembers {
			t.Fatalf("TotalCount %d after a refused 21st; want %d", list.TotalCount, d.MaxMembers)
		}
	})
	t.Run("raised", func(t *testing.T) {
		t.Parallel()
		w := newRDWorld(t, canopytest.WithDirectoryLimits(directory.Limits{MaxFolders: 103, MaxMembers: 23}))
		for i := 0; i < 103; i++ {
			createFolder(t, w.admin, "", fmt.Sprintf("f%03d", i))
		}
		_, err := tryCreateFolder(w.admin, "", "one-too-many")
		wantServerError(t, err, "QuotaExceeded.Folder.Count", http.StatusConflict)
		for i := 0; i < 23; i++ {
			createResourceAccount(t, w.admin, "", fmt.Sprintf("member %02d", i), "")
		}
		_, err = tryCreateMember(w.admin, newMember{name: "member 24"})
		se := wantServerError(t, err, "LimitExceeded.Account", http.StatusConflict)
		if !strings.Contains(se.Message(), "23") {
			t.Errorf("quota refusal %q does not say the quota", se.Message())
		}
	})
}

// Fifty identical CreateFolder calls racing create exactly one folder;
// fifty different members racing for the last quota slots never overshoot.
func TestRDRacesKeepNamesAndQuotas(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, append(opts, canopytest.WithDirectoryLimits(directory.Limits{MaxMembers: 5}))...)
		errs := make(chan error, 50)
		for i := 0; i < 50; i++ {
			go func() { _, err := tryCreateFolder(w.admin, "", "race"); errs <- err }()
		}
		created := 0
		for i := 0; i < 50; i++ {
			if err := <-errs; err == nil {
				created++
			} else {
				wantServerError(t, err, "InvalidParameter.Folder.Name.AlreadyUsed", http.StatusBadRequest)
			}
		}
		if created != 1 {
			t.Fatalf("%d racing CreateFolder calls succeeded; want 1", created)
		}
		for i := 0; i < 50; i++ {
			go func(i int) {
				_, err := tryCreateMember(w.admin, newMember{name: fmt.Sprintf("racer %02d", i)})
				errs <- err
			}(i)
		}
		created = 0
		for i := 0; i < 50; i++ {
			if err := <-errs; err == nil {
				created++
			} else {
				wantServerError(t, err, "LimitExceeded.Account", http.StatusConflict)
			}
		}
		list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if created != 5 || list.TotalCount != 5 || len(list.Accounts.Account) != 5 {
			t.Fatalf("%d members created, TotalCount %d, listed %d; want 5", created, list.TotalCount, len(list.Accounts.Account))
		}
	})
}

func TestRDMemberNamesAndPrefixes(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		for _, name := range []string{"ab", strings.Repeat("d", 50), "web prod_1.x-y", "生产账号"} {
			_, err := tryCreateMember(w.admin, newMember{name: name})
			ok(t, "CreateResourceAccount "+name, err)
		}
		bad := []struct{ name, code string }{
			{"", "MissingParameter.Account.DisplayName"},
			{"a", "InvalidParameter.Account.DisplayName.Length"},
			{strings.Repeat("d", 51), "InvalidParameter.Account.DisplayName.Length"},
			{"a/b", "InvalidParameter.Account.DisplayName"},
			{" lead", "InvalidParameter.Account.DisplayName"},
			{"trail ", "InvalidParameter.Account.DisplayName"},
			{"tab\tin", "InvalidParameter.Account.DisplayName"},
		}
		for _, b := range bad {
			_, err := tryCreateMember(w.admin, newMember{name: b.name})
			wantServerError(t, err, b.code, http.StatusBadRequest)
		}
		// Display names are unique in the directory, ignoring case.
		for _, dup := range []string{"web prod_1.x-y", "WEB PROD_1.X-Y"} {
			_, err := tryCreateMember(w.admin, newMember{name: dup})
			wantServerError(t, err, "InvalidParameter.Account.DisplayName.AlreadyUsed", http.StatusConflict)
		}

		// AccountNamePrefix: 2-37, letters, digits, _ . -, alphanumeric at
		// both ends, no two symbols in a row; unique ignoring case.
		rd := strings.ToLower(w.directory.ResourceDirectoryId)
		for _, p := range []string{"a1", strings.Repeat("p", 37), "web.prod-1_x"} {
			resp, err := tryCreateMember(w.admin, newMember{name: "prefix " + p[:2] + strconv.Itoa(len(p)), prefix: p})
			ok(t, "prefix "+p, err)
			if resp.Account.AccountName != p+"@"+rd+".aliyunid.com" {
				t.Fatalf("AccountName %q for prefix %q", resp.Account.AccountName, p)
			}
		}
		badPrefix := []struct{ prefix, code string }{
			{"a", "InvalidParameter.Account.AccountNamePrefix.Length"},
			{strings.Repeat("p", 38), "InvalidParameter.Account.AccountNamePrefix.Length"},
			{"-ab", "InvalidParameter.Account.AccountNamePrefix"},
			{"ab-", "InvalidParameter.Account.AccountNamePrefix"},
			{"a..b", "InvalidParameter.Account.AccountNamePrefix"},
			{"a b", "InvalidParameter.Account.AccountNamePrefix"},
			{"añb", "InvalidParameter.Account.AccountNamePrefix"},
		}
		for _, b := range badPrefix {
			_, err := tryCreateMember(w.admin, newMember{name: "bad prefix", prefix: b.prefix})
			wantServerError(t, err, b.code, http.StatusBadRequest)
		}
		for _, dup := range []string{"a1", "A1"} {
			_, err := tryCreateMember(w.admin, newMember{name: "dup prefix " + dup, prefix: dup})
			wantServerError(t, err, "EntityAlreadyExists.ResourceDirectory.Account", http.StatusConflict)
		}
		// A refused creation leaves nothing behind: the names it tried are free.
		list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if list.TotalCount != 7 {
			t.Fatalf("TotalCount %d; want the 7 created", list.TotalCount)
		}
		_, err = tryCreateMember(w.admin, newMember{name: "dup prefix a1", prefix: "a2"})
		ok(t, "the display name of a refused creation is free", err)

		// Rename: unique ignoring case, own case change allowed, the old
		// name is freed.
		first := list.Accounts.Account[0]
		second := list.Accounts.Account[1]
		_, err = tryRenameAccount(w.admin, first.AccountId, strings.ToUpper(second.DisplayName))
		wantServerError(t, err, "InvalidParameter.Account.DisplayName.AlreadyUsed", http.StatusConflict)
		_, err = tryRenameAccount(w.admin, first.AccountId, "x")
		wantServerError(t, err, "InvalidParameter.Account.DisplayName.Length", http.StatusBadRequest)
		renamed, err := tryRenameAccount(w.admin, first.AccountId, "Renamed Member")
		ok(t, "rename", err)
		if renamed.Account.DisplayName != "Renamed Member" || renamed.Account.AccountId != first.AccountId ||
			renamed.Account.ResourceDirectoryId != w.directory.ResourceDirectoryId {
			t.Fatalf("UpdateAccount answered %+v", renamed.Account)
		}
		_, err = tryRenameAccount(w.admin, first.AccountId, "renamed member")
		ok(t, "change the case of its own name", err)
		_, err = tryRenameAccount(w.admin, second.AccountId, first.DisplayName)
		ok(t, "take the name the first member left", err)
		got, err := fetchAccount(w.admin, second.AccountId)
		ok(t, "GetAccount", err)
		if got.Account.DisplayName != first.DisplayName {
			t.Fatalf("renamed member shows %q", got.Account.DisplayName)
		}
		// UpdateAccount: exactly one change, by a RAM identity.
		req := resourcemanager.CreateUpdateAccountRequest()
		req.AccountId = first.AccountId
		_, err = w.admin.UpdateAccount(req)
		wantServerError(t, err, "MissingDisplayNameOrAccountType", http.StatusConflict)
		req.NewDisplayName, req.NewAccountType = "both at once", "CloudAccount"
		_, err = w.admin.UpdateAccount(req)
		wantServerError(t, err, "InvalidParameter.NewAccountType", http.StatusBadRequest)
		switchType := resourcemanager.CreateUpdateAccountRequest()
		switchType.AccountId, switchType.NewAccountType = first.AccountId, "CloudAccount"
		_, err = w.rootRD.UpdateAccount(switchType) // the type switch is a RAM identity's alone
		se := wantServerError(t, err, "CallerIdentityError", http.StatusConflict)
		if !strings.Contains(se.Message(), "AliyunResourceDirectoryFullAccess") {
			t.Errorf("root refusal %q does not say what to use instead", se.Message())
		}
		_, err = tryRenameAccount(w.admin, "1234567890123456", "ghost")
		wantServerError(t, err, "EntityNotExists.Account", http.StatusNotFound)
		_, err = tryRenameAccount(w.admin, "12ab", "ghost")
		wantServerError(t, err, "InvalidParameter.AccountId", http.StatusBadRequest)
	})
}

func TestRDMemberListsPagingAndTags(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, append(opts, canopytest.WithDirectoryLimits(directory.Limits{MaxMembers: 30}))...)
		dev := createFolder(t, w.admin, "", "dev")
		ids := map[string]bool{}
		for i := 0; i < 23; i++ {
			folder, tags := "", map[string]string{}
			if i%2 == 0 {
				folder = dev.FolderId
			}
			if i%3 == 0 {
				tags["team"] = "blue"
			} else if i%3 == 1 {
				tags["team"] = "red"
			}
			if i == 0 {
				tags["cost"] = "c-01"
			}
			resp, err := tryCreateMember(w.admin, newMember{folder: folder, name: fmt.Sprintf("member %02d", i), tags: tags})
			ok(t, "CreateResourceAccount", err)
			ids[resp.Account.AccountId] = true
		}

		// Page-number paging: defaults 1 and 10, TotalCount, every member
		// exactly once across the pages, an empty page past the end.
		list := func(number, size string, tags ...resourcemanager.ListAccountsTag) (*resourcemanager.ListAccountsResponse, error) {
			req := resourcemanager.CreateListAccountsRequest()
			req.PageNumber, req.PageSize = requests.Integer(number), requests.Integer(size)
			if len(tags) > 0 {
				req.Tag = &tags
			}
			return w.admin.ListAccounts(req)
		}
		first, err := list("", "")
		ok(t, "ListAccounts", err)
		if first.PageNumber != 1 || first.PageSize != 10 || first.TotalCount != 23 || len(first.Accounts.Account) != 10 {
			t.Fatalf("default page: number %d size %d total %d items %d", first.PageNumber, first.PageSize, first.TotalCount, len(first.Accounts.Account))
		}
		seen := map[string]bool{}
		for page := 1; page <= 3; page++ {
			resp, err := list(strconv.Itoa(page), "10")
			ok(t, "ListAccounts page", err)
			for _, a := range resp.Accounts.Account {
				if seen[a.AccountId] || !ids[a.AccountId] {
					t.Fatalf("page %d lists %s twice or unknown", page, a.AccountId)
				}
				seen[a.AccountId] = true
				wantPath := w.directory.ResourceDirectoryId + "/" + w.directory.RootFolderId + "/"
				if a.FolderId == dev.FolderId {
					wantPath += dev.FolderId + "/"
				}
				if a.ResourceDirectoryPath != wantPath+a.AccountId || a.ResourceDirectoryId != w.directory.ResourceDirectoryId ||
					len(a.Tags.Tag) != 0 {
					t.Fatalf("listed %+v", a)
				}
			}
		}
		if len(seen) != 23 {
			t.Fatalf("three pages listed %d members; want 23", len(seen))
		}
		past, err := list("4", "10")
		ok(t, "ListAccounts past the end", err)
		if len(past.Accounts.Account) != 0 || past.TotalCount != 23 || past.PageNumber != 4 {
			t.Fatalf("page 4: %+v", past)
		}
		all, err := list("1", "100")
		ok(t, "PageSize 100", err)
		if len(all.Accounts.Account) != 23 {
			t.Fatalf("PageSize 100 listed %d", len(all.Accounts.Account))
		}
		for _, b := range []struct{ number, size, code string }{
			{"0", "", "InvalidParameter.PageNumber"}, {"-1", "", "InvalidParameter.PageNumber"},
			{"200001", "", "InvalidParameter.PageNumber"},
			{"", "0", "InvalidParameter.PageSize"}, {"", "101", "InvalidParameter.PageSize"},
		} {
			_, err := list(b.number, b.size)
			wantServerError(t, err, b.code, http.StatusBadRequest)
		}

		// The two tag shapes: Tags.Tag[] in the lists, a plain array in
		// GetAccount; both only when asked (or when filtering by tag).
		raw, err := rdRaw(t, w.srv, w.admin, "ListAccounts", map[string]string{"IncludeTags": "true", "PageSize": "100"})
		ok(t, "ListAccounts raw", err)
		accounts := raw["Accounts"].(map[string]any)["Account"].([]any)
		tagged := 0
		for _, a := range accounts {
			tags := a.(map[string]any)["Tags"].(map[string]any)["Tag"].([]any)
			tagged += len(tags)
		}
		if len(accounts) != 23 || tagged != 16+1 {
			t.Fatalf("IncludeTags listed %d members with %d tags; want 23 and 17", len(accounts), tagged)
		}
		for _, k := range []string{"TotalCount", "PageNumber", "PageSize"} {
			if _, isNumber := raw[k].(float64); !isNumber {
				t.Errorf("ListAccounts %s = %v; want a number", k, raw[k])
			}
		}
		blue, err := list("1", "100", resourcemanager.ListAccountsTag{Key: "team", Value: "blue"})
		ok(t, "ListAccounts Tag team=blue", err)
		if blue.TotalCount != 8 || len(blue.Accounts.Account) != 8 {
			t.Fatalf("team=blue: total %d listed %d; want 8", blue.TotalCount, len(blue.Accounts.Account))
		}
		for _, a := range blue.Accounts.Account {
			found := false
			for _, tg := range a.Tags.Tag {
				found = found || tg.Key == "team" && tg.Value == "blue"
			}
			if !found {
				t.Fatalf("team=blue lists %s with tags %v", a.DisplayName, a.Tags.Tag)
			}
		}
		anyTeam, err := list("2", "10", resourcemanager.ListAccountsTag{Key: "team"})
		ok(t, "ListAccounts Tag team", err)
		if anyTeam.TotalCount != 16 || len(anyTeam.Accounts.Account) != 6 {
			t.Fatalf("team=*: page 2 total %d listed %d; want 16 and 6", anyTeam.TotalCount, len(anyTeam.Accounts.Account))
		}
		both, err := list("", "", resourcemanager.ListAccountsTag{Key: "team", Value: "blue"}, resourcemanager.ListAccountsTag{Key: "cost", Value: "c-01"})
		ok(t, "ListAccounts two tags", err)
		if both.TotalCount != 1 || both.Accounts.Account[0].DisplayName != "member 00" {
			t.Fatalf("two tags: %+v", both.Accounts.Account)
		}
		_, err = list("", "", resourcemanager.ListAccountsTag{Key: "aliyun:x", Value: "v"})
		wantServerError(t, err, "InvalidParameter.Tag.Key", http.StatusBadRequest)

		member0 := both.Accounts.Account[0].AccountId
		plain, err := rdRaw(t, w.srv, w.admin, "GetAccount", map[string]string{"AccountId": member0, "IncludeTags": "true"})
		ok(t, "GetAccount raw", err)
		tagList, isArray := plain["Account"].(map[string]any)["Tags"].([]any)
		if !isArray || len(tagList) != 2 {
			t.Fatalf("GetAccount Account.Tags = %v; want a plain array of 2", plain["Account"].(map[string]any)["Tags"])
		}
		typed, err := fetchAccount(w.admin, member0)
		ok(t, "GetAccount", err)
		if len(typed.Account.Tags) != 0 {
			t.Fatalf("GetAccount without IncludeTags shows tags %v", typed.Account.Tags)
		}
		if typed.Account.IdentityInformation != "Example Ltd" || typed.Account.Location != "root/dev" {
			t.Fatalf("GetAccount = %+v", typed.Account)
		}

		// Tags given at creation are checked.
		for _, b := range []struct {
			tags map[string]string
			code string
		}{
			{map[string]string{"aliyun-x": "v"}, "InvalidParameter.Tag.Key"},
			{map[string]string{"acs:x": "v"}, "InvalidParameter.Tag.Key"},
			{map[string]string{"k": "acs:v"}, "InvalidParameter.Tag.Value"},
			{map[string]string{"k": "see https://x"}, "InvalidParameter.Tag.Value"},
			{map[string]string{strings.Repeat("k", 129): "v"}, "InvalidParameter.Tag.Key"},
			{map[string]string{"k": strings.Repeat("v", 129)}, "InvalidParameter.Tag.Value"},
			{manyTags(21), "InvalidParameter.Tag"},
		} {
			_, err := tryCreateMember(w.admin, newMember{name: "bad tags", tags: b.tags})
			wantServerError(t, err, b.code, http.StatusBadRequest)
		}
		_, err = tryCreateMember(w.admin, newMember{name: "twenty tags", tags: manyTags(20)})
		ok(t, "20 tags", err)

		// ListAccountsForParent: one folder's direct members, no path,
		// keyword on the display name.
		forParent := func(folder, keyword, number, size string) *resourcemanager.ListAccountsForParentResponse {
			req := resourcemanager.CreateListAccountsForParentRequest()
			req.ParentFolderId, req.QueryKeyword = folder, keyword
			req.PageNumber, req.PageSize = requests.Integer(number), requests.Integer(size)
			resp, err := w.admin.ListAccountsForParent(req)
			ok(t, "ListAccountsForParent", err)
			return resp
		}
		inDev := forParent(dev.FolderId, "", "2", "5")
		if inDev.TotalCount != 12 || len(inDev.Accounts.Account) != 5 {
			t.Fatalf("dev page 2: total %d items %d; want 12 and 5", inDev.TotalCount, len(inDev.Accounts.Account))
		}
		for _, a := range inDev.Accounts.Account {
			if a.FolderId != dev.FolderId {
				t.Fatalf("dev lists %+v", a)
			}
		}
		inRoot := forParent("", "", "", "")
		if inRoot.TotalCount != 12 { // 11 odd members and "twenty tags"
			t.Fatalf("Root holds %d; want 12", inRoot.TotalCount)
		}
		rawParent, err := rdRaw(t, w.srv, w.admin, "ListAccountsForParent", map[string]string{"ParentFolderId": dev.FolderId})
		ok(t, "ListAccountsForParent raw", err)
		for _, a := range rawParent["Accounts"].(map[string]any)["Account"].([]any) {
			if _, has := a.(map[string]any)["ResourceDirectoryPath"]; has {
				t.Fatalf("ListAccountsForParent shows a path: %v", a)
			}
		}
		if kw := forParent(dev.FolderId, "MEMBER 1", "", ""); kw.TotalCount != 5 { // 10 12 14 16 18
			t.Fatalf("keyword 'MEMBER 1' in dev: %d; want 5", kw.TotalCount)
		}
		empty := createFolder(t, w.admin, "", "empty")
		rawEmpty, err := rdRaw(t, w.srv, w.admin, "ListAccountsForParent", map[string]string{"ParentFolderId": empty.FolderId})
		ok(t, "ListAccountsForParent empty", err)
		if l, _ := rawEmpty["Accounts"].(map[string]any)["Account"].([]any); l == nil || rawEmpty["TotalCount"] != float64(0) {
			t.Fatalf("empty folder: %v; want Accounts.Account = [] and TotalCount 0", rawEmpty)
		}
		req := resourcemanager.CreateListAccountsForParentRequest()
		req.ParentFolderId = "fd-0000000000"
		_, err = w.admin.ListAccountsForParent(req)
		wantServerError(t, err, "EntityNotExists.Folder", http.StatusNotFound)

		// ListFoldersForParent pages and filters the same way.
		for i := 0; i < 12; i++ {
			createFolder(t, w.admin, dev.FolderId, fmt.Sprintf("team-%02d", i))
		}
		fl := resourcemanager.CreateListFoldersForParentRequest()
		fl.ParentFolderId, fl.PageNumber, fl.PageSize = dev.FolderId, "2", "5"
		folders, err := w.admin.ListFoldersForParent(fl)
		ok(t, "ListFoldersForParent", err)
		if folders.TotalCount != 12 || len(folders.Folders.Folder) != 5 || folders.PageNumber != 2 || folders.PageSize != 5 {
			t.Fatalf("ListFoldersForParent: %+v", folders)
		}
		fl = resourcemanager.CreateListFoldersForParentRequest()
		fl.ParentFolderId, fl.QueryKeyword = dev.FolderId, "TEAM-1"
		folders, err = w.admin.ListFoldersForParent(fl)
		ok(t, "ListFoldersForParent keyword", err)
		if folders.TotalCount != 2 || folders.PageSize != 10 {
			t.Fatalf("keyword TEAM-1: %+v", folders)
		}
		fl.PageSize = "101"
		_, err = w.admin.ListFoldersForParent(fl)
		wantServerError(t, err, "InvalidParameter.PageSize", http.StatusBadRequest)
		rawFolders, err := rdRaw(t, w.srv, w.admin, "ListFoldersForParent", map[string]string{"ParentFolderId": empty.FolderId})
		ok(t, "ListFoldersForParent empty", err)
		if l, _ := rawFolders["Folders"].(map[string]any)["Folder"].([]any); l == nil {
			t.Fatalf("empty ListFoldersForParent: %v; want Folders.Folder = []", rawFolders)
		}
	})
}

func manyTags(n int) map[string]string {
	tags := map[string]string{}
	for i := 0; i < n; i++ {
		tags[fmt.Sprintf("k%02d", i)] = "v"
	}
	return tags
}

func TestRDMoveAccountAndPayer(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		root := w.directory.RootFolderId
		a := createFolder(t, w.admin, "", "a")
		b := createFolder(t, w.admin, a.FolderId, "b")
		m := createResourceAccount(t, w.admin, a.FolderId, "mover", "mover")

		ok(t, "MoveAccount", tryMoveAccount(w.admin, m.AccountId, b.FolderId))
		got, err := fetchAccount(w.admin, m.AccountId)
		ok(t, "GetAccount", err)
		want := w.directory.ResourceDirectoryId + "/" + root + "/" + a.FolderId + "/" + b.FolderId + "/" + m.AccountId
		if got.Account.FolderId != b.FolderId || got.Account.ResourceDirectoryPath != want || got.Account.Location != "root/a/b" {
			t.Fatalf("after the move %+v; want path %s", got.Account, want)
		}
		req := resourcemanager.CreateListAccountsForParentRequest()
		req.ParentFolderId = a.FolderId
		left, err := w.admin.ListAccountsForParent(req)
		ok(t, "ListAccountsForParent", err)
		if left.TotalCount != 0 {
			t.Fatalf("the old folder still lists %d", left.TotalCount)
		}
		ok(t, "move to the same folder", tryMoveAccount(w.admin, m.AccountId, b.FolderId))
		ok(t, "move to Root", tryMoveAccount(w.admin, m.AccountId, root))
		ok(t, "delete the emptied folders", tryDeleteFolder(w.admin, b.FolderId))

		wantServerError(t, tryMoveAccount(w.admin, m.AccountId, ""), "MissingParameter.DestinationFolderId", http.StatusBadRequest)
		wantServerError(t, tryMoveAccount(w.admin, m.AccountId, "somewhere"), "InvalidParameter.DestinationFolderId", http.StatusBadRequest)
		wantServerError(t, tryMoveAccount(w.admin, m.AccountId, b.FolderId), "EntityNotExists.Folder", http.StatusNotFound)
		wantServerError(t, tryMoveAccount(w.admin, "", root), "MissingParameter.AccountId", http.StatusBadRequest)
		wantServerError(t, tryMoveAccount(w.admin, "1"+strings.Repeat("0", 40), root), "InvalidParameter.AccountId", http.StatusBadRequest)
		wantServerError(t, tryMoveAccount(w.admin, "1234567890123456", root), "EntityNotExists.Account", http.StatusNotFound)
		// The management account is no member of its own directory.
		wantServerError(t, tryMoveAccount(w.admin, w.acct.ID, root), "EntityNotExists.Account", http.StatusNotFound)

		// GetPayerForAccount: itself, the management account, or another member.
		payer := func(id string) (string, string) {
			req := resourcemanager.CreateGetPayerForAccountRequest()
			req.AccountId = id
			resp, err := w.admin.GetPayerForAccount(req)
			ok(t, "GetPayerForAccount", err)
			return resp.PayerAccountId, resp.PayerAccountName
		}
		if id, name := payer(m.AccountId); id != m.AccountId || name != m.AccountName {
			t.Fatalf("self-paying member's payer %s %s", id, name)
		}
		byMA, err := tryCreateMember(w.admin, newMember{name: "paid by MA", payer: w.acct.ID})
		ok(t, "payer MA", err)
		if id, name := payer(byMA.Account.AccountId); id != w.acct.ID || name != w.acct.Email {
			t.Fatalf("payer %s %s; want the management account %s %s", id, name, w.acct.ID, w.acct.Email)
		}
		byMember, err := tryCreateMember(w.admin, newMember{name: "paid by member", payer: m.AccountId})
		ok(t, "payer member", err)
		if id, name := payer(byMember.Account.AccountId); id != m.AccountId || name != m.AccountName {
			t.Fatalf("payer %s %s; want member %s", id, name, m.AccountId)
		}
		outsider := w.srv.CreateAccount(t)
		_, err = tryCreateMember(w.admin, newMember{name: "paid by outsider", payer: outsider.ID})
		wantServerError(t, err, "NotSupport.PayerAccountInAnotherResourceDirectory", http.StatusConflict)
		req2 := resourcemanager.CreateGetPayerForAccountRequest()
		req2.AccountId = outsider.ID
		_, err = w.admin.GetPayerForAccount(req2)
		wantServerError(t, err, "EntityNotExists.Account", http.StatusNotFound)
	})
}

func TestRDLifecycleLimits(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		// Enabling twice is refused, in both spellings.
		en := resourcemanager.CreateEnableResourceDirectoryRequest()
		en.EnableMode = "CurrentAccount"
		_, err := w.rootRD.EnableResourceDirectory(en)
		wantServerError(t, err, "EntityAlreadyExists.ResourceDirectory", http.StatusConflict)
		_, err = w.admin.InitResourceDirectory(resourcemanager.CreateInitResourceDirectoryRequest())
		wantServerError(t, err, "EntityAlreadyExists.ResourceDirectory", http.StatusConflict)
		// (a fresh request each time: the SDK keeps parameters a reused
		// request once sent)
		_, err = w.rootRD.EnableResourceDirectory(resourcemanager.CreateEnableResourceDirectoryRequest())
		wantServerError(t, err, "MissingParameter.EnableMode", http.StatusBadRequest)
		en = resourcemanager.CreateEnableResourceDirectoryRequest()
		en.EnableMode = "Sideways"
		_, err = w.rootRD.EnableResourceDirectory(en)
		wantServerError(t, err, "InvalidParameter.EnableMode", http.StatusBadRequest)

		// Destroy: refused while a folder or a member remains.
		f := createFolder(t, w.admin, "", "temporary")
		_, err = w.admin.DestroyResourceDirectory(resourcemanager.CreateDestroyResourceDirectoryRequest())
		wantServerError(t, err, "DeleteConflict.ResourceDirectory.Folder", http.StatusConflict)
		ok(t, "DeleteFolder", tryDeleteFolder(w.admin, f.FolderId))

		other := newRDWorldOn(t, w.srv)
		m := createResourceAccount(t, other.admin, "", "keeps it", "keeps")
		_, err = other.admin.DestroyResourceDirectory(resourcemanager.CreateDestroyResourceDirectoryRequest())
		se := wantServerError(t, err, "DeleteConflict.ResourceDirectory.Account", http.StatusConflict)
		if !strings.Contains(se.Message(), "1 member") {
			t.Errorf("refusal %q does not count the members", se.Message())
		}

		// A member sees its directory and nothing else; it manages nothing.
		creds := mustAssume(t, other.adminSTS, accessRoleARN(m.AccountId), "member-admin").Credentials
		inMember := rdSessionClient(t, w.srv, creds)
		seen, err := inMember.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		ok(t, "GetResourceDirectory as a member", err)
		if seen.ResourceDirectory.ResourceDirectoryId != other.directory.ResourceDirectoryId ||
			seen.ResourceDirectory.MasterAccountId != other.acct.ID || seen.ResourceDirectory.RootFolderId != other.directory.RootFolderId {
			t.Fatalf("member sees %+v", seen.ResourceDirectory)
		}
		rawSeen, err := rdRaw(t, w.srv, inMember, "GetResourceDirectory", nil)
		ok(t, "GetResourceDirectory raw", err)
		known := map[string]bool{"ResourceDirectoryId": true, "RootFolderId": true, "MasterAccountId": true, "MasterAccountName": true,
			"CreateTime": true, "ControlPolicyStatus": true, "ScpStatus": true, "MemberDeletionStatus": true, "IdentityInformation": true}
		for k := range rawSeen["ResourceDirectory"].(map[string]any) {
			if !known[k] {
				t.Errorf("the member's view of the directory has %s", k)
			}
		}
		memberManages(t, inMember, other, m.AccountId)
		_, err = inMember.EnableResourceDirectory(func() *resourcemanager.EnableResourceDirectoryRequest {
			r := resourcemanager.CreateEnableResourceDirectoryRequest()
			r.EnableMode = "CurrentAccount"
			return r
		}())
		wantServerError(t, err, "NotSupport.AccountInAnotherResourceDirectory", http.StatusConflict)

		// Destroying the empty directory works; then it is gone, and can
		// be enabled again.
		_, err = w.admin.DestroyResourceDirectory(resourcemanager.CreateDestroyResourceDirectoryRequest())
		ok(t, "DestroyResourceDirectory", err)
		_, err = w.admin.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		wantServerError(t, err, "ResourceDirectoryNotInUse", http.StatusNotFound)
		_, err = w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		_, err = w.admin.DestroyResourceDirectory(resourcemanager.CreateDestroyResourceDirectoryRequest())
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		en.EnableMode = "CurrentAccount"
		again, err := w.rootRD.EnableResourceDirectory(en)
		ok(t, "enable again", err)
		if again.ResourceDirectory.ResourceDirectoryId == w.directory.ResourceDirectoryId {
			t.Errorf("the new directory reuses the old id %s", again.ResourceDirectory.ResourceDirectoryId)
		}
		list, err := w.admin.ListFoldersForParent(resourcemanager.CreateListFoldersForParentRequest())
		ok(t, "ListFoldersForParent", err)
		if list.TotalCount != 0 {
			t.Fatalf("new directory has %d folders", list.TotalCount)
		}
	})
}

// memberManages asserts that an identity of a member, allowed everything
// in its own account, manages nothing of the directory it belongs to: the
// management-only actions answer EntityNotExists.ResourceDirectory, as to
// any account without a directory of its own (decision: the reference
// allows this or NoPermission; a member's administrator is not refused by
// its own policies, so the directory's answer is the truthful one).
func memberManages(t *testing.T, c *resourcemanager.Client, w *rdWorld, self string) {
	t.Helper()
	calls := map[string]func() error{
		"ListAccounts": func() error { _, err := c.ListAccounts(resourcemanager.CreateListAccountsRequest()); return err },
		"GetAccount(self)": func() error {
			_, err := fetchAccount(c, self)
			return err
		},
		"CreateFolder": func() error { _, err := tryCreateFolder(c, "", "mine"); return err },
		"ListFoldersForParent": func() error {
			_, err := c.ListFoldersForParent(resourcemanager.CreateListFoldersForParentRequest())
			return err
		},
		"MoveAccount(self)":     func() error { return tryMoveAccount(c, self, w.directory.RootFolderId) },
		"CreateResourceAccount": func() error { _, err := tryCreateMember(c, newMember{name: "sneaky"}); return err },
		"DestroyResourceDirectory": func() error {
			_, err := c.DestroyResourceDirectory(resourcemanager.CreateDestroyResourceDirectoryRequest())
			return err
		},
		"GetPayerForAccount(self)": func() error {
			req := resourcemanager.CreateGetPayerForAccountRequest()
			req.AccountId = self
			_, err := c.GetPayerForAccount(req)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantServerError(t, call(), "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		})
	}
}

// Oversized parameters are refused with the parameter's own code, never a
// 5xx, and leave nothing behind.
func TestRDOversizedParameters(t *testing.T) {
	w := newRDWorld(t)
	post := func(action string, params map[string]string) error {
		req := requests.NewCommonRequest()
		req.Domain, req.Scheme, req.Method = w.srv.Endpoint, "http", "POST"
		req.Product, req.Version, req.ApiName = "ResourceManager", "2020-03-31", action
		for k, v := range params {
			req.FormParams[k] = v
		}
		_, err := w.admin.ProcessCommonRequest(req)
		return err
	}
	// A body past the server's 1 MiB cap is refused before any handler.
	err := post("CreateFolder", map[string]string{"FolderName": strings.Repeat("x", 1<<20)})
	wantServerError(t, err, "RequestEntityTooLarge", http.StatusRequestEntityTooLarge)
	huge := strings.Repeat("x", 1<<20-64<<10) // just under the cap: the handler's rules answer
	for _, c := range []struct {
		action string
		params map[string]string
		code   string
	}{
		{"CreateFolder", map[string]string{"FolderName": huge}, "InvalidParameter.Folder.Name.Length"},
		{"CreateResourceAccount", map[string]string{"DisplayName": huge}, "InvalidParameter.Account.DisplayName.Length"},
		{"CreateResourceAccount", map[string]string{"DisplayName": "big prefix", "AccountNamePrefix": huge}, "InvalidParameter.Account.AccountNamePrefix.Length"},
		{"CreateResourceAccount", map[string]string{"DisplayName": "big tag", "Tag.1.Key": "k", "Tag.1.Value": huge}, "InvalidParameter.Tag.Value"},
		{"GetAccount", map[string]string{"AccountId": huge}, "InvalidParameter.AccountId"},
		{"ListAncestors", map[string]string{"ChildId": huge}, "InvalidParameter.ChildId"},
		{"ListAccounts", map[string]string{"Tag.1.Key": huge}, "InvalidParameter.Tag.Key"},
	} {
		se := wantServerError(t, post(c.action, c.params), c.code, http.StatusBadRequest)
		if len(se.Message()) > 1000 {
			t.Errorf("%s echoes the whole parameter: %d bytes of message", c.action, len(se.Message()))
		}
	}
	// QueryKeyword has no documented limit: a long one simply matches nothing.
	body, err := rdRaw(t, w.srv, w.admin, "ListFoldersForParent", map[string]string{"QueryKeyword": strings.Repeat("q", 4000)})
	ok(t, "ListFoldersForParent with a long keyword", err)
	if body["TotalCount"] != float64(0) {
		t.Fatalf("long keyword matched: %v", body)
	}
	list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
	ok(t, "ListAccounts", err)
	if list.TotalCount != 0 {
		t.Fatalf("refused creations left %d members", list.TotalCount)
	}
}

// The operator sets the quotas with serve's flags.
func TestRDQuotaFlagsOfServe(t *testing.T) {
	data := t.TempDir()
	out, stderr, err := runCLI(t, "account", "create", "--data", data, "--email", "quota@example.com",
		"--real-name", "Quota Ltd", "--password", "Quota-Pass-42", "--access-key")
	if err != nil {
		t.Fatalf("account create: %v %s", err, stderr)
	}
	var acct createdAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, data, "--rd-max-folders", "2", "--rd-max-members", "1")
	c := (&canopytest.Server{Endpoint: srv.endpoint}).RDClient(t, acct.AccessKeyId, acct.AccessKeySecret)
	en := resourcemanager.CreateEnableResourceDirectoryRequest()
	en.EnableMode = "CurrentAccount"
	_, err = c.EnableResourceDirectory(en)
	ok(t, "EnableResourceDirectory", err)
	createFolder(t, c, "", "one")
	createFolder(t, c, "", "two")
	_, err = tryCreateFolder(c, "", "three")
	wantServerError(t, err, "QuotaExceeded.Folder.Count", http.StatusConflict)
	createResourceAccount(t, c, "", "only member", "")
	_, err = tryCreateMember(c, newMember{name: "second member"})
	wantServerError(t, err, "LimitExceeded.Account", http.StatusConflict)
}
