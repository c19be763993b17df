package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// MaxUsers is the number of RAM users an account may have.
const MaxUsers = 5000

// Tag is an IMS user tag.
type Tag struct {
	Key   string
	Value string
}

// MaxTags is the number of tags a user may carry.
const MaxTags = 20

// User is a RAM user, as stored.
type User struct {
	ID          string
	Name        string
	DisplayName string
	Email       string
	MobilePhone string
	Comments    string
	Tags        []Tag `json:",omitempty"`
	Created     time.Time
	Updated     time.Time
	LastLogin   time.Time `json:",omitzero"`
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Name        string
	DisplayName string
	Email       string
	MobilePhone string
	Comments    string
	Tags        []Tag
}

func (n *NewUser) validate() error {
	if err := checkName("UserName", n.Name, userNameRule); err != nil {
		return err
	}
	if n.DisplayName != "" {
		if err := CheckDisplayName("DisplayName", n.DisplayName, maxDisplayName); err != nil {
			return err
		}
	}
	if n.Email != "" {
		if err := checkEmail("Email", n.Email); err != nil {
			return err
		}
	}
	if n.MobilePhone != "" {
		if err := checkMobile("MobilePhone", n.MobilePhone); err != nil {
			return err
		}
	}
	if err := checkLength("Comments", n.Comments, maxComments); err != nil {
		return err
	}
	return checkTags(n.Tags)
}

func checkTags(tags []Tag) error {
	if len(tags) > MaxTags {
		return invalid("Tag", "", "A user can carry at most %d tags; got %d.", MaxTags, len(tags))
	}
	seen := map[string]bool{}
	for i, t := range tags {
		if t.Key == "" || len([]rune(t.Key)) > 128 || len([]rune(t.Value)) > 128 {
			return invalid("Tag", "", "Tag %d must have a key of 1 to 128 characters and a value of at most 128.", i+1)
		}
		if seen[t.Key] {
			return invalid("Tag", "", "Tag key %q is given twice.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// CreateUser creates a RAM user.
func (s *Service) CreateUser(tx store.Tx, accountID string, n NewUser, now time.Time) (*User, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	count, err := users.Count(tx, store.Query{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	if count >= MaxUsers {
		return nil, limitExceeded("User", "The account already has %d RAM users, the maximum.", MaxUsers)
	}
	u := &User{ID: model.NewEntityID(), Name: n.Name, DisplayName: n.DisplayName, Email: n.Email,
		MobilePhone: n.MobilePhone, Comments: n.Comments, Tags: n.Tags, Created: now, Updated: now}
	if err := users.Insert(tx, accountID, lookupKey(u.Name), u.ID, u, now); err != nil {
		if isConflict(err) {
			return nil, alreadyExists("User", "The user %q already exists (user names are unique regardless of case).", n.Name)
		}
		return nil, err
	}
	return u, nil
}

// userRecord finds a user by name, in any case.
func userRecord(tx store.Tx, accountID, name string) (*User, store.Record, error) {
	u, rec, err := users.Get(tx, accountID, lookupKey(name))
	if isNotFound(err) {
		return nil, rec, userNotExist(name)
	}
	if err != nil {
		return nil, rec, err
	}
	return u, rec, nil
}

// GetUser returns a user by name, in any case, with its stored spelling.
func (s *Service) GetUser(tx store.Tx, accountID, name string) (*User, error) {
	u, _, err := lookupUser(tx, accountID, name)
	return u, err
}

// GetUserByID returns a user by id (IMS addresses users either way).
func (s *Service) GetUserByID(tx store.Tx, accountID, id string) (*User, error) {
	u, err := userByID(tx, accountID, id)
	if err == nil && u == nil {
		return nil, notExist("User", "No user has the id %q.", id)
	}
	return u, err
}

// UserUpdate lists the changes of UpdateUser; "" leaves a field unchanged
// (the SDKs never send empty parameters).
type UserUpdate struct {
	NewName        string
	NewDisplayName string
	NewEmail       string
	NewMobilePhone string
	NewComments    string
}

func (up *UserUpdate) validate() error {
	if up.NewName != "" {
		if err := checkName("NewUserName", up.NewName, userNameRule); err != nil {
			return err
		}
	}
	if up.NewDisplayName != "" {
		if err := CheckDisplayName("NewDisplayName", up.NewDisplayName, maxDisplayName); err != nil {
			return err
		}
	}
	if up.NewEmail != "" {
		if err := checkEmail("NewEmail", up.NewEmail); err != nil {
			return err
		}
	}
	if up.NewMobilePhone != "" {
		if err := checkMobile("NewMobilePhone", up.NewMobilePhone); err != nil {
			return err
		}
	}
	return checkLength("NewComments", up.NewComments, maxComments)
}

// UpdateUser changes a user. A rename moves the user record and re-files
// the user's AccessKeys under the new name (their owner column is part of
// how a key is found), inside the same transaction; so does a rename that
// only changes the case, since keys always carry the stored spelling.
func (s *Service) UpdateUser(tx store.Tx, accountID, name string, up UserUpdate, now time.Time) (*User, error) {
	if err := up.validate(); err != nil {
		return nil, err
	}
	u, rec, err := lookupUser(tx, accountID, name)
	if err != nil {
		return nil, err
	}
	setIf(&u.DisplayName, up.NewDisplayName)
	setIf(&u.Email, up.NewEmail)
	setIf(&u.MobilePhone, up.NewMobilePhone)
	setIf(&u.Comments, up.NewComments)
	u.Updated = now
	if up.NewName == "" || up.NewName == u.Name {
		return u, users.Update(tx, rec, u, now)
	}
	return u, s.renameUser(tx, accountID, u, rec, up.NewName, now)
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func (s *Service) renameUser(tx store.Tx, accountID string, u *User, old store.Record, newName string, now time.Time) error {
	oldName := u.Name
	u.Name = newName
	if lookupKey(newName) == old.Key { // only the case changes
		if err := users.Update(tx, old, u, now); err != nil {
			return err
		}
		return moveAccessKeys(tx, accountID, oldName, newName)
	}
	if err := users.Insert(tx, accountID, lookupKey(newName), u.ID, u, now); err != nil {
		if isConflict(err) {
			return alreadyExists("User", "The user %q already exists (user names are unique regardless of case).", newName)
		}
		return err
	}
	if err := users.Delete(tx, accountID, old.Key); err != nil {
		return err
	}
	return moveAccessKeys(tx, accountID, oldName, newName)
}

// moveAccessKeys re-files a user's keys under a new user name. The store
// never rewrites a key's owner, so each key is deleted and inserted again
// with the same id, sealed secret, dates and status.
func moveAccessKeys(tx store.Tx, accountID, from, to string) error {
	keys, err := tx.AccessKeys().ListForUser(accountID, from)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.AccessKeys().Delete(accountID, k.ID); err != nil {
			return err
		}
		k.UserName = to
		if err := tx.AccessKeys().Insert(k); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUser deletes a user that holds nothing any more: no AccessKeys,
// login profile, MFA device, group memberships or attached policies.
func (s *Service) DeleteUser(tx store.Tx, accountID, name string) error {
	u, rec, err := lookupUser(tx, accountID, name)
	if err != nil {
		return err
	}
	if n, err := tx.AccessKeys().CountForUser(accountID, u.Name); err != nil {
		return err
	} else if n > 0 {
		return deleteConflict("User.AccessKey", "The user %q still has %d AccessKey(s); delete them first.", name, n)
	}
	if exists, err := loginProfiles.Exists(tx, accountID, u.ID); err != nil {
		return err
	} else if exists {
		return deleteConflict("User.LoginProfile", "The user %q still has a login profile; delete it first.", name)
	}
	if exists, err := mfaBindings.Exists(tx, accountID, u.ID); err != nil {
		return err
	} else if exists {
		return deleteConflict("User.MFADevice", "The user %q still has an MFA device bound; unbind it first.", name)
	}
	if n, err := memberships.Count(tx, store.Query{AccountID: accountID, Ref: u.ID}); err != nil {
		return err
	} else if n > 0 {
		return deleteConflict("User.Group", "The user %q is still a member of %d group(s); remove it first.", name, n)
	}
	if n, err := attachments.Count(tx, store.Query{AccountID: accountID, Prefix: principalPrefix(PrincipalUser, u.ID)}); err != nil {
		return err
	} else if n > 0 {
		return deleteConflict("User.Policy", "The user %q still has %d attached policy(ies); detach them first.", name, n)
	}
	return users.Delete(tx, accountID, rec.Key)
}

// ListUsers pages through the users in name order. keep (optional)
// filters them (IMS tag filters).
func (s *Service) ListUsers(tx store.Tx, accountID string, req PageRequest, keep func(*User) bool) (Page[User], error) {
	items, end, err := listPage(s, tx, users, store.Query{AccountID: accountID}, req, keep)
	if err != nil {
		return Page[User]{}, err
	}
	return pageOf(items, end), nil
}

// UserByAccessKey returns the RAM user owning an AccessKey of the account
// (IMS GetUser by UserAccessKeyId). Keys of other accounts and the root
// user's keys name no user.
func (s *Service) UserByAccessKey(tx store.Tx, accountID, keyID string) (*User, error) {
	k, err := tx.AccessKeys().Get(keyID)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if err != nil || k.AccountID != accountID || k.UserName == "" {
		return nil, notExist("User", "No user of this account owns the AccessKey %q.", keyID)
	}
	u, _, err := userRecord(tx, accountID, k.UserName)
	return u, err
}
