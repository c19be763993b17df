// Package directory is the Resource Directory: a management account
// organises member accounts in a tree of folders, creates resource accounts
// (no root user), invites cloud accounts, switches their type, and deletes
// members. It knows nothing of HTTP or SQL: it works in the store
// transaction it is given, like iam.
//
// Where things are kept (all as store records; migration 0006 lists the
// kinds in record_kinds):
//
//   - in the management account: the directory itself, its folders (keyed
//     by id, ref = parent), its members (keyed by account id, ref = folder),
//     the claims that keep member display names and login names unique, the
//     invitations it sent, verification codes and deletion records;
//   - in every account that manages or belongs to a directory: one
//     membership record naming the directory, so "which directory is this
//     account in" is one point read from either side;
//   - the member account itself is a store.Account; its access role is an
//     ordinary RAM role written through iam in the member's account.
//
// A write that touches a member's account (its account row, its role) names
// that account at the call site: cross-account work is explicit.
package directory

import (
	"time"

	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/store"
)

// Limits are the directory's quotas; the cloud's defaults, raisable by the
// operator (serve flags).
type Limits struct {
	MaxFolders        int // folders besides Root: 100
	MaxMembers        int // members: 20
	InvitationsPerDay int // open invitations created in the last 24 hours: 20
}

// MaxDepth is how many folder levels the tree may have below Root (fixed by
// the cloud).
const MaxDepth = 5

// DefaultLimits are the cloud's documented defaults.
func DefaultLimits() Limits { return Limits{MaxFolders: 100, MaxMembers: 20, InvitationsPerDay: 20} }

// withDefaults fills unset limits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFolders <= 0 {
		l.MaxFolders = d.MaxFolders
	}
	if l.MaxMembers <= 0 {
		l.MaxMembers = d.MaxMembers
	}
	if l.InvitationsPerDay <= 0 {
		l.InvitationsPerDay = d.InvitationsPerDay
	}
	return l
}

// Service runs the Resource Directory use cases.
type Service struct {
	iam    *iam.Service
	limits Limits
	// confirmURL is where the legacy flows' e-mail links point (legacy_link.go).
	confirmURL string
	// codeKey hashes SMS verification codes (HashCodesWith).
	codeKey *keyring.Keyring
}

// New returns the service; zero limits take the defaults.
func New(iamSvc *iam.Service, limits Limits) *Service {
	return &Service{iam: iamSvc, limits: limits.withDefaults()}
}

// Limits returns the quotas in force.
func (s *Service) Limits() Limits { return s.limits }

// Member-deletion switch values.
const (
	Enabled  = "Enabled"
	Disabled = "Disabled"
)

// Directory is one resource directory, kept in its management account.
type Directory struct {
	ID                string
	RootFolderID      string
	MasterAccountID   string
	MasterAccountName string
	Created           time.Time
	MemberDeletion    string // Enabled | Disabled
	// Counters kept by every write that adds or removes one, so quotas and
	// ListAccounts' TotalCount cost no scan.
	Members int
	Folders int // besides Root
	// MemberPages is the member page index (see pages.go).
	MemberPages string `json:",omitempty"`
	// Invitations holds the creation times of the invitations sent in the
	// last 24 hours (the daily rate limit); older ones are dropped.
	Invitations []time.Time `json:",omitempty"`
}

// Membership ties an account to the directory it manages or belongs to.
type Membership struct {
	DirectoryID         string
	ManagementAccountID string
}

// Ancestor is a folder above another, as ListAncestors shows it.
type Ancestor struct {
	ID      string
	Name    string
	Created time.Time
}

// Folder is one folder; Root is a folder without a parent.
type Folder struct {
	ID       string
	Name     string
	ParentID string // "" for Root
	// Ancestors run from Root down to the parent (a materialized path, so
	// ListAncestors and the RDPath cost one read). Folders never move; a
	// rename rewrites the descendants' copies.
	Ancestors []Ancestor `json:",omitempty"`
	Created   time.Time
}

// Depth is the folder's level below Root (Root 0).
func (f *Folder) Depth() int { return len(f.Ancestors) }

// Path is the folder's ResourceDirectoryPath: rd-id/root-id/.../folder-id.
func (f *Folder) Path(directoryID string) string {
	path := directoryID
	for _, a := range f.Ancestors {
		path += "/" + a.ID
	}
	return path + "/" + f.ID
}

// Member types, join methods and statuses.
const (
	TypeResourceAccount = "ResourceAccount"
	TypeCloudAccount    = "CloudAccount"

	JoinCreated = "created"
	JoinInvited = "invited"

	StatusCreateSuccess   = "CreateSuccess"
	StatusCreateVerifying = "CreateVerifying"
	StatusCreateCancelled = "CreateCancelled"
	StatusCreateExpired   = "CreateExpired"
	StatusInviteSuccess   = "InviteSuccess"
	StatusSwitchSuccess   = "SwitchSuccess"
	StatusPromoteVerify   = "PromoteVerifying"
	StatusPromoteSuccess  = "PromoteSuccess"
	StatusPromoteCancel   = "PromoteCancelled"
	StatusPromoteExpired  = "PromoteExpired"
)

// Tag is a member tag.
type Tag struct {
	Key   string
	Value string
}

// Member is one member account as the directory sees it.
type Member struct {
	AccountID      string
	AccountName    string
	DisplayName    string
	Type           string
	JoinMethod     string
	Status         string
	FolderID       string
	FolderPath     string // the folder's RDPath; the member's is FolderPath/AccountID
	PayerAccountID string `json:",omitempty"`
	RecordID       string `json:",omitempty"` // legacy e-mail flows
	Tags           []Tag  `json:",omitempty"`
	JoinTime       time.Time
	ModifyTime     time.Time
}

// Path is the member's ResourceDirectoryPath.
func (m *Member) Path() string { return m.FolderPath + "/" + m.AccountID }

// nameClaim reserves a name for one member (display names and login names
// are unique in a directory, regardless of case).
type nameClaim struct{ AccountID string }

// The record kinds the directory declares.
var (
	directories = store.Collection[Directory]{Kind: "rd-directory", Key: "'directory'"}
	memberships = store.Collection[Membership]{Kind: "rd-membership", Key: "'membership'", Ref: "management account id"}
	folders     = store.Collection[Folder]{Kind: "rd-folder", Key: "folder id", Ref: "parent folder id"}
	members     = store.Collection[Member]{Kind: "rd-member", Key: "account id", Ref: "folder id"}
	memberNames = store.Collection[nameClaim]{Kind: "rd-display-name", Key: "lower(display name)", Ref: "account id"}
	loginNames  = store.Collection[nameClaim]{Kind: "rd-login-name", Key: "lower(account name)", Ref: "account id"}
)

// singleton keys
const (
	directoryKey  = "directory"
	membershipKey = "membership"
)
