package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// nodeProject is the Node.js project of the official Node SDKs
// (package.json with exact versions, package-lock.json); its node_modules
// is installed by `npm ci` and kept, gitignored, between runs.
const nodeProject = "node"

// A second language: Alibaba Cloud's official Node.js SDKs, @alicloud/pop-core
// (signature V1) and @alicloud/openapi-client (darabonba CallApi, signature
// V3, and its "v2" V1 path), walk a Resource Directory flow against a real
// server: the management root builds a folder and a resource account, a RAM
// administrator logs on to the member through its access role and asks STS
// who it is with the temporary credentials, and refusals come back with the
// code and HTTP status the Node SDKs report. rd_walk.js records what the SDKs
// hand back; this test asserts on it.
func TestNodeSDKsWalkResourceDirectory(t *testing.T) {
	node := requireCommand(t, "node")
	installNodeModules(t, requireCommand(t, "npm"))
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)

	var r nodeWalk
	runNodeScript(t, node, "rd_walk.js", &r,
		"CANOPY_ENDPOINT="+srv.Endpoint, "CANOPY_ACCOUNT_ID="+acct.ID,
		"CANOPY_ACCESS_KEY_ID="+acct.AccessKeyID, "CANOPY_ACCESS_KEY_SECRET="+acct.AccessKeySecret)

	rd := r.Enable.ResourceDirectory
	if !strings.HasPrefix(rd.ResourceDirectoryID, "rd-") || !strings.HasPrefix(rd.RootFolderID, "r-") ||
		rd.MasterAccountID != acct.ID || r.Enable.RequestID == "" {
		t.Fatalf("EnableResourceDirectory through pop-core answered %+v", r.Enable)
	}
	folder := r.CreateFolder.Folder
	if !strings.HasPrefix(folder.FolderID, "fd-") || folder.FolderName != "apps" || folder.ParentFolderID != rd.RootFolderID {
		t.Fatalf("CreateFolder answered %+v", r.CreateFolder)
	}
	member := r.CreateResourceAccount.Account
	wantMember := nodeAccount{AccountID: member.AccountID, DisplayName: "node-prod",
		AccountName: "node-prod@" + strings.ToLower(rd.ResourceDirectoryID) + ".aliyunid.com",
		Type:        "ResourceAccount", JoinMethod: "created", Status: "CreateSuccess",
		FolderID: folder.FolderID, ResourceDirectoryID: rd.ResourceDirectoryID}
	if !regexp.MustCompile(`^\d{16}$`).MatchString(member.AccountID) || member != wantMember {
		t.Fatalf("CreateResourceAccount answered %+v, want %+v", member, wantMember)
	}
	if r.Input.Member != member.AccountID || r.Input.AccountID != acct.ID {
		t.Fatalf("the walk worked on %+v, not on member %s of %s", r.Input, member.AccountID, acct.ID)
	}

	// The list wrappers as the Node SDKs decode them: Accounts.Account[],
	// TotalCount, the page, and the Tags.Tag[] wrapper of a listed account.
	wantPath := rd.ResourceDirectoryID + "/" + rd.RootFolderID + "/" + folder.FolderID + "/" + member.AccountID
	for name, l := range map[string]nodeAccountList{
		"ListAccounts (pop-core, GET)":                     r.ListAccounts,
		"ListAccountsForParent (darabonba V3)":             r.V3ListAccounts,
		"ListAccounts (darabonba, signature algorithm v2)": r.DarabonbaV1ListAccounts,
	} {
		if l.TotalCount != 1 || len(l.Accounts.Account) != 1 || l.RequestID == "" || l.PageNumber != 1 {
			t.Fatalf("%s answered %+v", name, l)
		}
		got := l.Accounts.Account[0]
		if got.nodeAccount != wantMember || got.Tags.Tag == nil || len(*got.Tags.Tag) != 0 {
			t.Errorf("%s listed %+v, want %+v with an empty Tags.Tag", name, got, wantMember)
		}
		if got.ResourceDirectoryPath != "" && got.ResourceDirectoryPath != wantPath {
			t.Errorf("%s: ResourceDirectoryPath %q, want %q", name, got.ResourceDirectoryPath, wantPath)
		}
	}
	if r.ListAccounts.PageSize != 10 || r.V3ListAccounts.PageSize != 5 || r.DarabonbaV1ListAccounts.PageSize != 1 {
		t.Errorf("page sizes %d, %d, %d: want the requested 10, 5, 1",
			r.ListAccounts.PageSize, r.V3ListAccounts.PageSize, r.DarabonbaV1ListAccounts.PageSize)
	}
	if got := r.AdminGetAccount.Account; got.nodeAccount != wantMember || got.ResourceDirectoryPath != wantPath {
		t.Errorf("GetAccount as the RAM administrator answered %+v", got)
	}
	listed := map[string]string{} // folder id -> name, in whatever order the server lists them
	for _, f := range r.V3ListFolders.Folders.Folder {
		listed[f.FolderID] = f.FolderName
	}
	if r.V3ListFolders.TotalCount != 2 || len(r.V3ListFolders.Folders.Folder) != 2 ||
		listed[folder.FolderID] != "apps" || listed[r.Input.FolderV3] != "ops" {
		t.Errorf("ListFoldersForParent (V3) answered %+v", r.V3ListFolders)
	}
	if f := r.V3CreateFolder.Folder; f.FolderName != "ops" || f.ParentFolderID != rd.RootFolderID {
		t.Errorf("CreateFolder (V3, form body) answered %+v", r.V3CreateFolder)
	}

	// The RAM administrator and the user without policy got keys.
	for name, k := range map[string]nodeKey{"rd-admin": r.AdminKey, "nobody": r.NobodyKey} {
		if !strings.HasPrefix(k.AccessKeyID, "LTAI") || k.Status != "Active" {
			t.Errorf("CreateAccessKey for %s answered %+v", name, k)
		}
	}

	// The administrator assumed the member's access role, once per
	// signature, and the temporary credentials (SecurityToken) act in the member.
	role := "acs:ram::" + member.AccountID + ":role/ResourceDirectoryAccountAccessRole"
	for _, s := range []struct {
		name     string
		assumed  nodeAssumed
		identity []nodeIdentity // the identity calls made with these credentials
		session  string
	}{
		{"pop-core", r.AssumeRole, []nodeIdentity{r.SessionIdentity}, "node-v1"},
		{"darabonba", r.V3AssumeRole, []nodeIdentity{r.V3SessionIdentity, r.DarabonbaV1SessionIdentity}, "node-v3"},
	} {
		wantARN := "acs:ram::" + member.AccountID + ":assumed-role/ResourceDirectoryAccountAccessRole/" + s.session
		c := s.assumed.Credentials
		if !strings.HasPrefix(c.AccessKeyID, "STS.") || c.AccessKeySecret != "(set)" || c.SecurityToken != "(set)" ||
			c.Expiration == "" || s.assumed.AssumedRoleUser.Arn != wantARN {
			t.Errorf("AssumeRole %s through %s answered %+v", role, s.name, s.assumed)
		}
		for _, id := range s.identity {
			if id.IdentityType != "AssumedRoleUser" || id.AccountID != member.AccountID || id.Arn != wantARN ||
				id.PrincipalID != s.assumed.AssumedRoleUser.AssumedRoleID || id.RoleID == "" {
				t.Errorf("GetCallerIdentity with the %s session answered %+v, want %s in %s", s.name, id, wantARN, member.AccountID)
			}
		}
	}

	// Refusals, as the Node SDKs report them: code, HTTP status, request id.
	for _, w := range []struct {
		name   string
		got    nodeRefusal
		code   string
		status int
	}{
		{"a duplicate folder name (pop-core)", r.DuplicateFolder, "InvalidParameter.Folder.Name.AlreadyUsed", 400},
		{"a duplicate folder name (darabonba V3)", r.V3DuplicateFolder, "InvalidParameter.Folder.Name.AlreadyUsed", 400},
		{"a RAM user without policy (pop-core)", r.NobodyListAccounts, "NoPermission", 403},
		{"a RAM user without policy (darabonba V3)", r.V3NobodyListAccounts, "NoPermission", 403},
		{"a wrong secret (pop-core, V1)", r.V1WrongSecret, "SignatureDoesNotMatch", 400},
		{"a wrong secret (darabonba, V3)", r.V3WrongSecret, "SignatureDoesNotMatch", 400},
	} {
		if w.got.UnexpectedSuccess != nil {
			t.Errorf("%s was accepted: %s", w.name, w.got.UnexpectedSuccess)
			continue
		}
		if w.got.Code != w.code || w.got.Status != w.status || w.got.RequestID == "" || w.got.Message == "" {
			t.Errorf("%s: the Node SDK reported %+v, want %s with HTTP %d", w.name, w.got, w.code, w.status)
		}
	}
	for _, denied := range []nodeRefusal{r.NobodyListAccounts, r.V3NobodyListAccounts} {
		d := denied.AccessDeniedDetail
		if d["AuthAction"] != "resourcemanager:ListAccounts" || d["AuthPrincipalDisplayName"] != "nobody" ||
			d["PolicyType"] != "AccountLevelIdentityBasedPolicy" || d["NoPermissionType"] != "ImplicitDeny" {
			t.Errorf("AccessDeniedDetail %v", d)
		}
	}
	if !strings.Contains(r.V1WrongSecret.Message, "server string to sign is:GET&%2F&AccessKeyId%3D"+r.AdminKey.AccessKeyID) {
		t.Errorf("the V1 refusal does not show the string to sign: %q", r.V1WrongSecret.Message)
	}

	// A value every encoder escapes its own way round-trips in each place
	// the SDKs put parameters (V1 form body and query, V3 query and form body).
	const odd = "ops (team)* it's ~ 100% 运维 & co=1+2! a/b?c"
	if r.Input.OddComments != odd {
		t.Fatalf("the walk sent comments %q, this test expects %q", r.Input.OddComments, odd)
	}
	for name, u := range map[string]nodeUser{"odd-v1-post": r.OddV1Post, "odd-v1-get": r.OddV1Get,
		"odd-v3-query": r.OddV3Query, "odd-v3-form": r.OddV3Form} {
		if u.User.UserName != name || u.User.Comments != odd {
			t.Errorf("CreateUser %s answered %+v, want comments %q", name, u.User, odd)
		}
	}

	// What the Node SDKs did is what the server holds: the Go SDK sees the same member.
	req := resourcemanager.CreateGetAccountRequest()
	req.AccountId = member.AccountID
	got, err := srv.RDClient(t, acct.AccessKeyID, acct.AccessKeySecret).GetAccount(req)
	ok(t, "GetAccount through the Go SDK", err)
	if got.Account.DisplayName != "node-prod" || got.Account.FolderId != folder.FolderID {
		t.Errorf("the Go SDK sees %+v", got.Account)
	}
}

// What rd_walk.js prints: one entry per step, named as there.
type nodeWalk struct {
	Enable struct {
		RequestID         string `json:"RequestId"`
		ResourceDirectory struct {
			ResourceDirectoryID string `json:"ResourceDirectoryId"`
			RootFolderID        string `json:"RootFolderId"`
			MasterAccountID     string `json:"MasterAccountId"`
		}
	} `json:"enable"`
	CreateFolder          nodeFolderResponse `json:"createFolder"`
	V3CreateFolder        nodeFolderResponse `json:"v3CreateFolder"`
	CreateResourceAccount struct {
		Account nodeAccount
	} `json:"createResourceAccount"`
	AdminGetAccount struct {
		Account struct {
			nodeAccount
			ResourceDirectoryPath string
		}
	} `json:"adminGetAccount"`
	ListAccounts            nodeAccountList `json:"listAccounts"`
	V3ListAccounts          nodeAccountList `json:"v3ListAccounts"`
	DarabonbaV1ListAccounts nodeAccountList `json:"darabonbaV1ListAccounts"`
	V3ListFolders           struct {
		TotalCount int
		Folders    struct{ Folder []nodeFolder }
	} `json:"v3ListFolders"`

	AdminKey  nodeKey `json:"rd-adminKey"`
	NobodyKey nodeKey `json:"nobodyKey"`

	AssumeRole                 nodeAssumed  `json:"assumeRole"`
	V3AssumeRole               nodeAssumed  `json:"v3AssumeRole"`
	SessionIdentity            nodeIdentity `json:"sessionIdentity"`
	V3SessionIdentity          nodeIdentity `json:"v3SessionIdentity"`
	DarabonbaV1SessionIdentity nodeIdentity `json:"darabonbaV1SessionIdentity"`

	DuplicateFolder      nodeRefusal `json:"duplicateFolder"`
	V3DuplicateFolder    nodeRefusal `json:"v3DuplicateFolder"`
	NobodyListAccounts   nodeRefusal `json:"nobodyListAccounts"`
	V3NobodyListAccounts nodeRefusal `json:"v3NobodyListAccounts"`
	V1WrongSecret        nodeRefusal `json:"v1WrongSecret"`
	V3WrongSecret        nodeRefusal `json:"v3WrongSecret"`

	OddV1Post  nodeUser `json:"oddV1Post"`
	OddV1Get   nodeUser `json:"oddV1Get"`
	OddV3Query nodeUser `json:"oddV3Query"`
	OddV3Form  nodeUser `json:"oddV3Form"`

	Input struct {
		AccountID   string `json:"accountId"`
		Member      string `json:"member"`
		FolderV3    string `json:"folderV3"`
		OddComments string `json:"oddComments"`
	} `json:"input"`
}

type nodeFolder struct {
	FolderID       string `json:"FolderId"`
	FolderName     string
	ParentFolderID string `json:"ParentFolderId"`
}

type nodeFolderResponse struct{ Folder nodeFolder }

type nodeAccount struct {
	AccountID           string `json:"AccountId"`
	AccountName         string
	DisplayName         string
	Type                string
	JoinMethod          string
	Status              string
	FolderID            string `json:"FolderId"`
	ResourceDirectoryID string `json:"ResourceDirectoryId"`
}

type nodeAccountList struct {
	RequestID  string `json:"RequestId"`
	TotalCount int
	PageNumber int
	PageSize   int
	Accounts   struct {
		Account []struct {
			nodeAccount
			ResourceDirectoryPath string
			Tags                  struct{ Tag *[]any } // nil when the wrapper is missing
		}
	}
}

type nodeKey struct {
	AccessKeyID string `json:"AccessKeyId"`
	Status      string
}

type nodeAssumed struct {
	AssumedRoleUser struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string
	}
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string // "(set)": the walk prints no secret
		SecurityToken   string
		Expiration      string
	}
}

type nodeIdentity struct {
	IdentityType string
	AccountID    string `json:"AccountId"`
	Arn          string
	PrincipalID  string `json:"PrincipalId"`
	RoleID       string `json:"RoleId"`
}

type nodeRefusal struct {
	Code               string          `json:"code"`
	Status             int             `json:"status"`
	Message            string          `json:"message"`
	RequestID          string          `json:"requestId"`
	AccessDeniedDetail map[string]any  `json:"accessDeniedDetail"`
	UnexpectedSuccess  json.RawMessage `json:"unexpectedSuccess"`
}

type nodeUser struct {
	User struct {
		UserName string
		Comments string
	}
}

// requireCommand finds a program the test needs, failing (never skipping)
// without it: scripts/test.sh installs Node.js and npm from Debian's
// packages on a machine that has none.
func requireCommand(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed by the Node.js SDK tests and is not on PATH (%v): "+
			"run ./scripts/test.sh, which installs Debian's nodejs and npm, or install them", name, err)
	}
	return path
}

// installNodeModules runs `npm ci` in the Node project unless its
// node_modules was installed from the very package.json and
// package-lock.json there now (a stamp of their hash, written after a
// successful install, says so). --ignore-scripts: no package runs code at
// install time.
func installNodeModules(t *testing.T, npm string) {
	t.Helper()
	var manifest []byte
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(nodeProject, f))
		if err != nil {
			t.Fatal(err)
		}
		manifest = append(append(manifest, b...), 0)
	}
	sum := sha256.Sum256(manifest)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(nodeProject, "node_modules", ".canopy-installed")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = nodeProject
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in e2e/%s: %v\n%s", nodeProject, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runNodeScript runs a script of the Node project with env added to the
// test's environment and decodes the JSON it prints into v, failing with
// the script's stderr when it fails.
func runNodeScript(t *testing.T, node, script string, v any, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = nodeProject
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\nstderr:\n%s\nstdout:\n%s", script, err, stderr.String(), stdout.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("node %s printed no JSON result (%v)\nstdout:\n%s\nstderr:\n%s", script, err, stdout.String(), stderr.String())
	}
}
