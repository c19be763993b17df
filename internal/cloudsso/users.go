package cloudsso

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// NewUser is the input of CreateUser.
type NewUser struct {
	Name        string
	DisplayName string
	FirstName   string
	LastName    string
	Email       string
	Description string
	Status      string // "" = Enabled
}

// UserUpdate is the input of UpdateUser; nil fields stay as they are.
type UserUpdate struct {
	DisplayName *string
	FirstName   *string
	LastName    *string
	Email       *string
	Description *string
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Filter        string // "UserName eq <v>" or "UserName sw <v>"
	Status        string
	ProvisionType string
}

// userInUse are further checks DeleteUser runs (access assignments, in
// the files that keep them, appended in an init func).
var userInUse []func(tx store.Tx, d *Directory, u *User) error

func isUserNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("@_-.", c) >= 0
}

func checkUserName(name string) error {
	if name == "" {
		return missingParameter.Of("UserName").New("The parameter UserName is required.")
	}
	if len(name) > MaxUserName {
		return invalidParameter.Of("UserName").New("The parameter UserName must be at most %d characters long.", MaxUserName)
	}
	for i := 0; i < len(name); i++ {
		if !isUserNameChar(name[i]) {
			return invalidParameter.Of("UserName").New("The parameter UserName may contain only letters, digits and @ _ - . characters.")
		}
	}
	return nil
}

func checkEmail(param, email string) error {
	if email == "" {
		return nil
	}
	if err := checkLength(param, email, MaxEmail); err != nil {
		return err
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(email, " \t\r\n") || strings.Contains(domain, "@") {
		return invalidParameter.Of(param).New("The parameter %s must be an e-mail address.", param)
	}
	return nil
}

// checkProfile validates the free-text fields of a user.
func checkProfile(prefix string, display, first, last, description *string) error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"DisplayName", display, MaxDisplayName}, {"FirstName", first, MaxFirstName},
		{"LastName", last, MaxLastName}, {"Description", description, MaxDescription}} {
		if f.v != nil {
			if err := checkLength(prefix+f.name, *f.v, f.max); err != nil {
				return err
			}
		}
	}
	return nil
}

// userByID finds a user of the directory by id: EntityNotExists.User
// when none.
func userByID(tx store.Tx, d *Directory, userID string) (*User, store.Record, error) {
	return byID(tx, users, d, "UserId", "u-", userID, func() error {
		return codeNoUser.New("The user %q does not exist in the directory %s.", clip(userID), d.ID)
	})
}

// byID finds an object of the directory kept under its name with its id
// (prefix + lower-case alphanumerics, parameter param) as ref; missing is
// the error when there is none.
func byID[T any](tx store.Tx, c store.Collection[T], d *Directory, param, prefix, id string, missing func() error) (*T, store.Record, error) {
	if id == "" {
		return nil, store.Record{}, missingParameter.Of(param).New("The parameter %s is required.", param)
	}
	if !isID(id, prefix) {
		return nil, store.Record{}, missing()
	}
	recs, err := c.Records(tx, store.Query{AccountID: d.AccountID, Ref: id, Prefix: scoped(d.ID, ""), Limit: 1})
	if err != nil {
		return nil, store.Record{}, err
	}
	if len(recs) == 0 {
		return nil, store.Record{}, missing()
	}
	v := new(T)
	return v, recs[0], c.Decode(recs[0], v)
}

// User returns one user of a directory of the caller's account (for the
// other use cases of the package and the portal).
func (s *Service) User(tx store.Tx, accountID, directoryID, userID string) (*Directory, *User, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, nil, err
	}
	u, _, err := userByID(tx, d, userID)
	return d, u, err
}

// UserByName finds a user by name, ignoring case (portal sign-in).
func (s *Service) UserByName(tx store.Tx, d *Directory, name string) (*User, error) {
	u, _, err := users.Get(tx, d.AccountID, scoped(d.ID, strings.ToLower(name)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, codeNoUser.New("The user %q does not exist in the directory %s.", clip(name), d.ID)
	}
	return u, err
}

// claimEmail reserves an e-mail address (ignoring case) in the directory.
func claimEmail(tx store.Tx, d *Directory, email, userID string, now time.Time) error {
	if email == "" {
		return nil
	}
	err := userEmails.Insert(tx, d.AccountID, scoped(d.ID, strings.ToLower(email)), userID, &ownerRef{ID: userID}, now)
	if errors.Is(err, store.ErrConflict) {
		return codeUserEmailUsed.New("Another user of the directory already has the e-mail address %q.", clip(email))
	}
	return err
}

func releaseEmail(tx store.Tx, d *Directory, email string) error {
	if email == "" {
		return nil
	}
	err := userEmails.Delete(tx, d.AccountID, scoped(d.ID, strings.ToLower(email)))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// CreateUser adds a user (without a password: ResetUserPassword sets one).
func (s *Service) CreateUser(tx store.Tx, accountID, directoryID string, n NewUser, now time.Time) (*User, error) {
	d, drec, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	if err := checkUserName(n.Name); err != nil {
		return nil, err
	}
	if err := checkProfile("", &n.DisplayName, &n.FirstName, &n.LastName, &n.Description); err != nil {
		return nil, err
	}
	if err := checkEmail("Email", n.Email); err != nil {
		return nil, err
	}
	if n.Status == "" {
		n.Status = Enabled
	}
	if err := checkEnum("Status", n.Status, Enabled, Disabled); err != nil {
		return nil, err
	}
	if d.Users >= s.limits.MaxUsers {
		return nil, codeUserQuota.New("The directory already has %d users, its quota.", s.limits.MaxUsers)
	}
	u := &User{ID: newUserID(), DirectoryID: d.ID, Name: n.Name, DisplayName: n.DisplayName, FirstName: n.FirstName,
		LastName: n.LastName, Email: n.Email, Description: n.Description, Status: n.Status,
		ProvisionType: ProvisionManual, Created: now, Updated: now}
	err = users.Insert(tx, accountID, scoped(d.ID, strings.ToLower(u.Name)), u.ID, u, now)
	if errors.Is(err, store.ErrConflict) {
		return nil, codeUserExists.New("The directory already has a user named %q (names are unique regardless of case).", u.Name)
	}
	if err != nil {
		return nil, err
	}
	if err := claimEmail(tx, d, u.Email, u.ID, now); err != nil {
		return nil, err
	}
	d.Users++
	return u, directories.Update(tx, drec, d, now)
}

// GetUser returns one user.
func (s *Service) GetUser(tx store.Tx, accountID, directoryID, userID string) (*User, error) {
	_, u, err := s.User(tx, accountID, directoryID, userID)
	return u, err
}

// parseFilter reads "<attribute> eq|sw <value>" (operator case-insensitive);
// it returns the lower-cased value and whether it is a prefix.
func parseFilter(raw, attribute string) (value string, prefix bool, err error) {
	bad := invalidParameter.Of("Filter").New("The parameter Filter must be \"%s eq <value>\" or \"%s sw <value>\".", attribute, attribute)
	name, rest, ok := strings.Cut(strings.TrimSpace(raw), " ")
	if !ok || !strings.EqualFold(name, attribute) {
		return "", false, bad
	}
	op, v, ok := strings.Cut(strings.TrimLeft(rest, " "), " ")
	v = strings.Trim(strings.TrimSpace(v), `"`)
	if !ok || v == "" {
		return "", false, bad
	}
	switch strings.ToLower(op) {
	case "eq":
		return strings.ToLower(v), false, nil
	case "sw":
		return strings.ToLower(v), true, nil
	}
	return "", false, bad
}

// ListUsers lists the directory's users by name.
func (s *Service) ListUsers(tx store.Tx, accountID, directoryID string, f UserFilter, p Page) (Listed[User], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[User]{}, err
	}
	if f.Status != "" {
		if err := checkEnum("Status", f.Status, Enabled, Disabled); err != nil {
			return Listed[User]{}, err
		}
	}
	if f.ProvisionType != "" {
		if err := checkEnum("ProvisionType", f.ProvisionType, ProvisionManual, ProvisionSynchronized); err != nil {
			return Listed[User]{}, err
		}
	}
	prefix, exact := scoped(d.ID, ""), ""
	if f.Filter != "" {
		v, isPrefix, err := parseFilter(f.Filter, "UserName")
		if err != nil {
			return Listed[User]{}, err
		}
		prefix += v
		if !isPrefix {
			exact = v
		}
	}
	return page(tx, users, store.Query{AccountID: accountID, Prefix: prefix}, p, MaxMaxResults, func(u *User) (User, bool, error) {
		keep := (exact == "" || strings.ToLower(u.Name) == exact) &&
			(f.Status == "" || u.Status == f.Status) && (f.ProvisionType == "" || u.ProvisionType == f.ProvisionType)
		return *u, keep, nil
	})
}

// UpdateUser changes a user's profile (its name never changes).
func (s *Service) UpdateUser(tx store.Tx, accountID, directoryID, userID string, up UserUpdate, now time.Time) (*User, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	u, rec, err := userByID(tx, d, userID)
	if err != nil {
		return nil, err
	}
	if err := checkProfile("New", up.DisplayName, up.FirstName, up.LastName, up.Description); err != nil {
		return nil, err
	}
	if up.Email != nil {
		if err := checkEmail("NewEmail", *up.Email); err != nil {
			return nil, err
		}
		if !strings.EqualFold(*up.Email, u.Email) {
			if err := claimEmail(tx, d, *up.Email, u.ID, now); err != nil {
				return nil, err
			}
			if err := releaseEmail(tx, d, u.Email); err != nil {
				return nil, err
			}
		}
		u.Email = *up.Email
	}
	for _, set := range []struct {
		dst *string
		v   *string
	}{{&u.DisplayName, up.DisplayName}, {&u.FirstName, up.FirstName}, {&u.LastName, up.LastName}, {&u.Description, up.Description}} {
		if set.v != nil {
			*set.dst = *set.v
		}
	}
	u.Updated = now
	return u, users.Update(tx, rec, u, now)
}

// UpdateUserStatus enables or disables a user; a disabled user cannot sign
// in to the portal.
func (s *Service) UpdateUserStatus(tx store.Tx, accountID, directoryID, userID, status string, now time.Time) error {
	if status == "" {
		return missingParameter.Of("NewStatus").New("The parameter NewStatus is required.")
	}
	if err := checkEnum("NewStatus", status, Enabled, Disabled); err != nil {
		return err
	}
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return err
	}
	u, rec, err := userByID(tx, d, userID)
	if err != nil || u.Status == status {
		return err
	}
	u.Status, u.Updated = status, now
	return users.Update(tx, rec, u, now)
}

// DeleteUser deletes a user that has no MFA device, belongs to no group
// and has no access assignment (each must be removed first).
func (s *Service) DeleteUser(tx store.Tx, accountID, directoryID, userID string, now time.Time) error {
	d, drec, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return err
	}
	u, _, err := userByID(tx, d, userID)
	if err != nil {
		return err
	}
	if n, err := mfaDevices.Count(tx, store.Query{AccountID: accountID, Prefix: scoped(d.ID, u.ID, "")}); err != nil {
		return err
	} else if n > 0 {
		return codeUserHasMFA.New("The user %s still has %d MFA devices: delete them first (DeleteMFADeviceForUser).", u.ID, n)
	}
	if n, err := groupMembers.Count(tx, store.Query{AccountID: accountID, Ref: u.ID}); err != nil {
		return err
	} else if n > 0 {
		return codeUserInGroup.New("The user %s still belongs to %d groups: remove it from them first (RemoveUserFromGroup).", u.ID, n)
	}
	for _, inUse := range userInUse {
		if err := inUse(tx, d, u); err != nil {
			return err
		}
	}
	if err := users.Delete(tx, accountID, scoped(d.ID, strings.ToLower(u.Name))); err != nil {
		return err
	}
	if err := releaseEmail(tx, d, u.Email); err != nil {
		return err
	}
	if err := credentials.Delete(tx, accountID, scoped(d.ID, u.ID)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d.Users--
	return directories.Update(tx, drec, d, now)
}
