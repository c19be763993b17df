package directory

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// newDirectoryID and newRootID follow the cloud's shapes: rd- and r- then
// six letters and digits.
func newDirectoryID() string { return "rd-" + model.NewAlphanumeric(6) }
func newRootID() string      { return "r-" + model.NewAlphanumeric(6) }

// membershipOf returns the directory membership of an account (nil when it
// neither manages nor belongs to one).
func membershipOf(tx store.Tx, accountID string) (*Membership, error) {
	m, _, err := memberships.Get(tx, accountID, membershipKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// managed returns the directory accountID manages, or
// EntityNotExists.ResourceDirectory: members and accounts outside any
// directory manage nothing.
func managed(tx store.Tx, accountID string) (*Directory, store.Record, error) {
	d, rec, err := directories.Get(tx, accountID, directoryKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, noDirectory()
	}
	return d, rec, err
}

// Enable makes the caller's account the management account of a new
// directory with an empty Root folder (EnableMode=CurrentAccount, and the
// legacy InitResourceDirectory).
func (s *Service) Enable(tx store.Tx, accountID string, now time.Time) (*Directory, error) {
	acct, err := tx.Accounts().Get(accountID)
	if err != nil {
		return nil, err
	}
	return s.enable(tx, acct, now)
}

func (s *Service) enable(tx store.Tx, acct store.Account, now time.Time) (*Directory, error) {
	if err := notInDirectory(tx, acct.ID); err != nil {
		return nil, err
	}
	d := &Directory{ID: newDirectoryID(), RootFolderID: newRootID(), MasterAccountID: acct.ID,
		MasterAccountName: acct.Email, Created: now, MemberDeletion: Disabled}
	root := &Folder{ID: d.RootFolderID, Name: "root", Created: now}
	if err := directories.Insert(tx, acct.ID, directoryKey, "", d, now); err != nil {
		return nil, err
	}
	if err := folders.Insert(tx, acct.ID, root.ID, "", root, now); err != nil {
		return nil, err
	}
	if err := memberships.Insert(tx, acct.ID, membershipKey, acct.ID, &Membership{DirectoryID: d.ID, ManagementAccountID: acct.ID}, now); err != nil {
		return nil, err
	}
	return d, nil
}

// notInDirectory refuses an account that manages or belongs to a directory.
func notInDirectory(tx store.Tx, accountID string) error {
	m, err := membershipOf(tx, accountID)
	switch {
	case err != nil:
		return err
	case m == nil:
		return nil
	case m.ManagementAccountID == accountID:
		return codeAlreadyHasDirectory.New("The account already manages the resource directory %s.", m.DirectoryID)
	default:
		return codeInAnotherDirectory.New("The account is a member of the resource directory %s; it cannot enable another.", m.DirectoryID)
	}
}

// View is a directory as GetResourceDirectory shows it to one caller.
type View struct {
	Directory
	// IdentityInformation is the management account's legal entity.
	IdentityInformation string
}

// Get returns the directory accountID manages or belongs to. A member sees
// the directory's own fields and nothing of the other members.
func (s *Service) Get(tx store.Tx, accountID string) (*View, error) {
	m, err := membershipOf(tx, accountID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, codeNotInUse.New("The account neither manages nor belongs to a resource directory.")
	}
	d, _, err := managed(tx, m.ManagementAccountID)
	if err != nil {
		return nil, err
	}
	ma, err := tx.Accounts().Get(m.ManagementAccountID)
	if err != nil {
		return nil, err
	}
	return &View{Directory: *d, IdentityInformation: ma.RealName}, nil
}

// Destroy disables the directory accountID manages; it must have no
// members and no folder besides Root.
func (s *Service) Destroy(tx store.Tx, accountID string) error {
	d, _, err := managed(tx, accountID)
	if err != nil {
		return err
	}
	if d.Members > 0 {
		return codeDirectoryNotEmpty.New("The resource directory still has %d members: remove or delete them first.", d.Members)
	}
	if d.Folders > 0 {
		return codeDirectoryHasFolders.New("The resource directory still has %d folders besides Root: delete them first.", d.Folders)
	}
	for _, del := range []struct{ kind, key string }{
		{directories.Kind, directoryKey}, {folders.Kind, d.RootFolderID}, {memberships.Kind, membershipKey},
	} {
		if err := tx.Records().Delete(accountID, del.kind, del.key); err != nil {
			return err
		}
	}
	return nil
}

// isManagementAccount reports whether a caller acts in the management
// account of its directory.
func isManagementAccount(tx store.Tx, accountID string) (bool, error) {
	m, err := membershipOf(tx, accountID)
	return m != nil && m.ManagementAccountID == accountID, err
}

// lowerKey is the case-insensitive key of a name claim.
func lowerKey(name string) string { return strings.ToLower(name) }

// Enable modes.
const (
	ModeCurrentAccount       = "CurrentAccount"
	ModeNewManagementAccount = "NewManagementAccount"
)

// EnableRequest is the input of EnableResourceDirectory.
type EnableRequest struct {
	Mode                string
	MAName              string // NewManagementAccount: <prefix>@rdadmin.aliyunid.com
	MASecureMobilePhone string
	VerificationCode    string
}

// EnableDirectory enables a directory with the caller's account as its
// management account, or with a new account created for the purpose.
func (s *Service) EnableDirectory(tx store.Tx, accountID string, req EnableRequest, now time.Time) (*Directory, error) {
	switch req.Mode {
	case "":
		return nil, missing("EnableMode")
	case ModeCurrentAccount:
		return s.Enable(tx, accountID, now)
	case ModeNewManagementAccount:
		return s.enableNewManagementAccount(tx, accountID, req, now)
	default:
		return nil, invalid("EnableMode", "The parameter EnableMode must be %s or %s; got %q.", ModeCurrentAccount, ModeNewManagementAccount, clip(req.Mode))
	}
}
