package cloudsso

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/store"
)

// RegistryAccountID hosts the claims on directory names, which are unique
// across all accounts. Real account ids never start with 0, so it can
// collide with none; its row is created on first use with a type no
// identity of which can sign in and the Deleted status, so nothing of it
// ever authenticates.
const RegistryAccountID = "0000000000000000"

// registryAccountType marks the registry account's row.
const registryAccountType = "CloudSSORegistry"

// MaxDirectories is how many directories one management account may have.
const MaxDirectories = 1

// DirectoryStatistics is GetDirectoryStatistics' answer.
type DirectoryStatistics struct {
	Directory *Directory
	StatisticsCounts
}

// StatisticsCounts are the numbers of GetDirectoryStatistics (their names
// are the wire's).
type StatisticsCounts struct {
	UserCount, UserQuota                    int
	GroupCount, GroupQuota                  int
	AccessConfigurationCount                int
	AccessConfigurationQuota                int
	AccessAssignmentCount                   int
	SystemPolicyPerAccessConfigurationQuota int
	InlinePolicyPerAccessConfigurationQuota int
	SCIMServerCredentialCount               int
	InProgressTaskCount                     int
}

// directoryPart is one further kind of directory content (access
// configurations, assignments, tasks). The files that keep them append
// their part in an init func: each adds its numbers to the statistics and
// refuses DeleteDirectory while it holds anything.
type directoryPart struct {
	statistics func(tx store.Tx, d *Directory, st *DirectoryStatistics) error
	inUse      func(tx store.Tx, d *Directory) error
}

var directoryParts []directoryPart

// ownDirectory returns the account's directory (nil when it has none).
func (s *Service) ownDirectory(tx store.Tx, accountID string) (*Directory, error) {
	all, err := directories.List(tx, store.Query{AccountID: accountID, Limit: 1})
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// directoryOf returns the account's directory id, or
// EntityNotExists.Directory: another account's directory is as unknown as
// one that never existed.
func directoryOf(tx store.Tx, accountID, id string) (*Directory, store.Record, error) {
	if id == "" {
		return nil, store.Record{}, missingParameter.Of("DirectoryId").New("The parameter DirectoryId is required.")
	}
	missing := codeNoDirectory.New("The directory %q does not exist.", clip(id))
	if !isDirectoryID(id) {
		return nil, store.Record{}, missing
	}
	d, rec, err := directories.Get(tx, accountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, missing
	}
	return d, rec, err
}

// Directory returns one directory of the caller's account (for other use
// cases and adapters that need it).
func (s *Service) Directory(tx store.Tx, accountID, id string) (*Directory, error) {
	d, _, err := directoryOf(tx, accountID, id)
	return d, err
}

// CreateDirectory creates the account's directory. An empty name becomes
// the directory id (the only name that may start with "d-"); region ""
// is DefaultRegion.
func (s *Service) CreateDirectory(tx store.Tx, accountID, name, region string, now time.Time) (*Directory, error) {
	if err := s.requireService(tx, accountID); err != nil {
		return nil, err
	}
	if region == "" {
		region = DefaultRegion
	}
	if err := checkRegion(region); err != nil {
		return nil, err
	}
	d := &Directory{ID: newDirectoryID(), Region: region, AccountID: accountID, Created: now, Updated: now,
		MFA: defaultMFA(), PasswordPolicy: defaultPasswordPolicy()}
	d.Name = name
	if name == "" {
		d.Name = d.ID
	} else if err := checkDirectoryName("DirectoryName", name, d.ID); err != nil {
		return nil, err
	}
	if existing, err := s.ownDirectory(tx, accountID); err != nil {
		return nil, err
	} else if existing != nil {
		return nil, codeDirectoryExists.New("The account already has the directory %s; an account may have %d.", existing.ID, MaxDirectories)
	}
	if err := claimDirectoryName(tx, accountID, d.ID, d.Name, now); err != nil {
		return nil, err
	}
	if err := directories.Insert(tx, accountID, d.ID, "", d, now); err != nil {
		return nil, err
	}
	return d, nil
}

// ensureRegistry creates the registry account's row on first use.
func ensureRegistry(tx store.Tx, now time.Time) error {
	if _, err := tx.Accounts().Get(RegistryAccountID); !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return tx.Accounts().Insert(store.Account{ID: RegistryAccountID, Type: registryAccountType,
		Status: accounts.StatusDeleted, Created: now, Updated: now})
}

// claimDirectoryName reserves name in the registry for the directory.
func claimDirectoryName(tx store.Tx, accountID, directoryID, name string, now time.Time) error {
	if err := ensureRegistry(tx, now); err != nil {
		return err
	}
	err := directoryNames.Insert(tx, RegistryAccountID, strings.ToLower(name), accountID,
		&nameClaim{AccountID: accountID, DirectoryID: directoryID}, now)
	if errors.Is(err, store.ErrConflict) {
		return codeDirectoryNameUsed.New("The directory name %q is already used (names are unique across all accounts).", name)
	}
	return err
}

func releaseDirectoryName(tx store.Tx, name string) error {
	err := directoryNames.Delete(tx, RegistryAccountID, strings.ToLower(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// DirectoryByName finds a directory by its name in any account (the
// portal's /sso/<DirectoryName>); EntityNotExists.Directory when none.
func (s *Service) DirectoryByName(tx store.Tx, name string) (*Directory, error) {
	missing := codeNoDirectory.New("The directory %q does not exist.", clip(name))
	c, _, err := directoryNames.Get(tx, RegistryAccountID, strings.ToLower(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, missing
	}
	if err != nil {
		return nil, err
	}
	d, _, err := directoryOf(tx, c.AccountID, c.DirectoryID)
	return d, err
}

// GetDirectory returns one directory of the account.
func (s *Service) GetDirectory(tx store.Tx, accountID, id string) (*Directory, error) {
	d, _, err := directoryOf(tx, accountID, id)
	return d, err
}

// ListDirectories lists the account's directories (at most one).
func (s *Service) ListDirectories(tx store.Tx, accountID string) ([]Directory, error) {
	return directories.List(tx, store.Query{AccountID: accountID})
}

// UpdateDirectory renames a directory; the portal URL follows the name.
func (s *Service) UpdateDirectory(tx store.Tx, accountID, id, newName string, now time.Time) (*Directory, error) {
	d, rec, err := directoryOf(tx, accountID, id)
	if err != nil {
		return nil, err
	}
	if newName == "" {
		return nil, missingParameter.Of("NewDirectoryName").New("The parameter NewDirectoryName is required.")
	}
	if err := checkDirectoryName("NewDirectoryName", newName, d.ID); err != nil {
		return nil, err
	}
	if newName == d.Name {
		return d, nil
	}
	if !strings.EqualFold(newName, d.Name) {
		if err := claimDirectoryName(tx, accountID, d.ID, newName, now); err != nil {
			return nil, err
		}
		if err := releaseDirectoryName(tx, d.Name); err != nil {
			return nil, err
		}
	}
	d.Name, d.Updated = newName, now
	return d, directories.Update(tx, rec, d, now)
}

// DeleteDirectory deletes an empty directory and frees its name.
func (s *Service) DeleteDirectory(tx store.Tx, accountID, id string) error {
	d, _, err := directoryOf(tx, accountID, id)
	if err != nil {
		return err
	}
	if d.Users > 0 || d.Groups > 0 {
		return codeDirectoryNotEmpty.New("The directory %s still has %d users and %d groups: delete them first.", d.ID, d.Users, d.Groups)
	}
	for _, p := range directoryParts {
		if err := p.inUse(tx, d); err != nil {
			return err
		}
	}
	if err := releaseDirectoryName(tx, d.Name); err != nil {
		return err
	}
	return directories.Delete(tx, accountID, d.ID)
}

// GetDirectoryStatistics counts what the directory holds against its
// quotas.
func (s *Service) GetDirectoryStatistics(tx store.Tx, accountID, id string) (*DirectoryStatistics, error) {
	d, _, err := directoryOf(tx, accountID, id)
	if err != nil {
		return nil, err
	}
	st := &DirectoryStatistics{Directory: d, StatisticsCounts: StatisticsCounts{UserCount: d.Users,
		UserQuota: s.limits.MaxUsers, GroupCount: d.Groups, GroupQuota: s.limits.MaxGroups}}
	for _, p := range directoryParts {
		if err := p.statistics(tx, d, st); err != nil {
			return nil, err
		}
	}
	return st, nil
}
