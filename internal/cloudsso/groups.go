package cloudsso

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// GroupFilter narrows ListGroups.
type GroupFilter struct {
	Filter        string // "GroupName eq <v>" or "GroupName sw <v>"
	ProvisionType string
}

// Member is a user as ListGroupMembers shows it.
type Member struct {
	User   User
	Joined time.Time
}

// JoinedGroup is a group as ListJoinedGroupsForUser shows it.
type JoinedGroup struct {
	Group  Group
	UserID string
	Joined time.Time
}

// groupInUse are further checks DeleteGroup runs (access assignments, in
// the files that keep them, appended in an init func).
var groupInUse []func(tx store.Tx, d *Directory, g *Group) error

func checkGroupName(param, name string) error {
	if name == "" {
		return missingParameter.Of(param).New("The parameter %s is required.", param)
	}
	if len(name) > MaxGroupName {
		return invalidParameter.Of(param).New("The parameter %s must be at most %d characters long.", param, MaxGroupName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return invalidParameter.Of(param).New("The parameter %s may contain only letters, digits and _ - . characters.", param)
		}
	}
	return nil
}

func groupKey(d *Directory, name string) string { return scoped(d.ID, strings.ToLower(name)) }

// groupByID finds a group of the directory by id: EntityNotExists.Group
// when none.
func groupByID(tx store.Tx, d *Directory, groupID string) (*Group, store.Record, error) {
	return byID(tx, groups, d, "GroupId", "g-", groupID, func() error {
		return codeNoGroup.New("The group %q does not exist in the directory %s.", clip(groupID), d.ID)
	})
}

// Group returns one group of a directory of the caller's account.
func (s *Service) Group(tx store.Tx, accountID, directoryID, groupID string) (*Directory, *Group, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, nil, err
	}
	g, _, err := groupByID(tx, d, groupID)
	return d, g, err
}

// CreateGroup adds an empty group.
func (s *Service) CreateGroup(tx store.Tx, accountID, directoryID, name, description string, now time.Time) (*Group, error) {
	d, drec, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	if err := checkGroupName("GroupName", name); err != nil {
		return nil, err
	}
	if err := checkLength("Description", description, MaxDescription); err != nil {
		return nil, err
	}
	if d.Groups >= s.limits.MaxGroups {
		return nil, codeGroupQuota.New("The directory already has %d groups, its quota.", s.limits.MaxGroups)
	}
	g := &Group{ID: newGroupID(), DirectoryID: d.ID, Name: name, Description: description,
		ProvisionType: ProvisionManual, Created: now, Updated: now}
	err = groups.Insert(tx, accountID, groupKey(d, name), g.ID, g, now)
	if errors.Is(err, store.ErrConflict) {
		return nil, codeGroupExists.New("The directory already has a group named %q (names are unique regardless of case).", name)
	}
	if err != nil {
		return nil, err
	}
	d.Groups++
	return g, directories.Update(tx, drec, d, now)
}

// GetGroup returns one group.
func (s *Service) GetGroup(tx store.Tx, accountID, directoryID, groupID string) (*Group, error) {
	_, g, err := s.Group(tx, accountID, directoryID, groupID)
	return g, err
}

// ListGroups lists the directory's groups by name.
func (s *Service) ListGroups(tx store.Tx, accountID, directoryID string, f GroupFilter, p Page) (Listed[Group], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[Group]{}, err
	}
	if f.ProvisionType != "" {
		if err := checkEnum("ProvisionType", f.ProvisionType, ProvisionManual, ProvisionSynchronized); err != nil {
			return Listed[Group]{}, err
		}
	}
	prefix, exact := scoped(d.ID, ""), ""
	if f.Filter != "" {
		v, isPrefix, err := parseFilter(f.Filter, "GroupName")
		if err != nil {
			return Listed[Group]{}, err
		}
		prefix += v
		if !isPrefix {
			exact = v
		}
	}
	return page(tx, groups, store.Query{AccountID: accountID, Prefix: prefix}, p, MaxMaxResults, func(g *Group) (Group, bool, error) {
		keep := (exact == "" || strings.ToLower(g.Name) == exact) && (f.ProvisionType == "" || g.ProvisionType == f.ProvisionType)
		return *g, keep, nil
	})
}

// UpdateGroup renames a group or changes its description; nil fields stay.
func (s *Service) UpdateGroup(tx store.Tx, accountID, directoryID, groupID string, newName, newDescription *string, now time.Time) (*Group, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	g, rec, err := groupByID(tx, d, groupID)
	if err != nil {
		return nil, err
	}
	if newName != nil {
		if err := checkGroupName("NewGroupName", *newName); err != nil {
			return nil, err
		}
	}
	if newDescription != nil {
		if err := checkLength("NewDescription", *newDescription, MaxDescription); err != nil {
			return nil, err
		}
		g.Description = *newDescription
	}
	g.Updated = now
	if newName == nil || *newName == g.Name {
		return g, groups.Update(tx, rec, g, now)
	}
	// The name is the key: a rename moves the record (its id, the ref,
	// stays, and so do memberships, which are keyed by id). A change of
	// case only keeps the key.
	old := g.Name
	g.Name = *newName
	if strings.EqualFold(old, *newName) {
		return g, groups.Update(tx, rec, g, now)
	}
	err = groups.Insert(tx, accountID, groupKey(d, *newName), g.ID, g, now)
	if errors.Is(err, store.ErrConflict) {
		return nil, codeGroupExists.New("The directory already has a group named %q (names are unique regardless of case).", *newName)
	}
	if err != nil {
		return nil, err
	}
	return g, groups.Delete(tx, accountID, rec.Key)
}

// DeleteGroup deletes a group without members or access assignments.
func (s *Service) DeleteGroup(tx store.Tx, accountID, directoryID, groupID string, now time.Time) error {
	d, drec, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return err
	}
	g, rec, err := groupByID(tx, d, groupID)
	if err != nil {
		return err
	}
	if g.Members > 0 {
		return codeGroupHasUsers.New("The group %s still has %d members: remove them first (RemoveUserFromGroup).", g.ID, g.Members)
	}
	for _, inUse := range groupInUse {
		if err := inUse(tx, d, g); err != nil {
			return err
		}
	}
	if err := groups.Delete(tx, accountID, rec.Key); err != nil {
		return err
	}
	d.Groups--
	return directories.Update(tx, drec, d, now)
}

// membershipOf finds the directory, group and user a membership call
// names.
func membershipOf(tx store.Tx, accountID, directoryID, groupID, userID string) (*Group, store.Record, *User, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, store.Record{}, nil, err
	}
	g, grec, err := groupByID(tx, d, groupID)
	if err != nil {
		return nil, grec, nil, err
	}
	u, _, err := userByID(tx, d, userID)
	return g, grec, u, err
}

// AddUserToGroup makes a user a member of a group.
func (s *Service) AddUserToGroup(tx store.Tx, accountID, directoryID, groupID, userID string, now time.Time) error {
	g, grec, u, err := membershipOf(tx, accountID, directoryID, groupID, userID)
	if err != nil {
		return err
	}
	m := &GroupMember{DirectoryID: g.DirectoryID, GroupID: g.ID, UserID: u.ID, Joined: now}
	err = groupMembers.Insert(tx, accountID, scoped(g.DirectoryID, g.ID, u.ID), u.ID, m, now)
	if errors.Is(err, store.ErrConflict) {
		return codeGroupMemberExists.New("The user %s is already a member of the group %s.", u.ID, g.ID)
	}
	if err != nil {
		return err
	}
	g.Members++
	return groups.Update(tx, grec, g, now)
}

// RemoveUserFromGroup ends a membership.
func (s *Service) RemoveUserFromGroup(tx store.Tx, accountID, directoryID, groupID, userID string, now time.Time) error {
	g, grec, u, err := membershipOf(tx, accountID, directoryID, groupID, userID)
	if err != nil {
		return err
	}
	err = groupMembers.Delete(tx, accountID, scoped(g.DirectoryID, g.ID, u.ID))
	if errors.Is(err, store.ErrNotFound) {
		return codeNoGroupMember.New("The user %s is not a member of the group %s.", u.ID, g.ID)
	}
	if err != nil {
		return err
	}
	g.Members--
	return groups.Update(tx, grec, g, now)
}

// ListGroupMembers lists a group's users, in the order of their ids.
func (s *Service) ListGroupMembers(tx store.Tx, accountID, directoryID, groupID string, p Page) (Listed[Member], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[Member]{}, err
	}
	g, _, err := groupByID(tx, d, groupID)
	if err != nil {
		return Listed[Member]{}, err
	}
	return page(tx, groupMembers, store.Query{AccountID: accountID, Prefix: scoped(d.ID, g.ID, "")}, p, MaxMaxResults, func(m *GroupMember) (Member, bool, error) {
		u, _, err := userByID(tx, d, m.UserID)
		if err != nil {
			return Member{}, false, err
		}
		return Member{User: *u, Joined: m.Joined}, true, nil
	})
}

// ListJoinedGroupsForUser lists the groups a user belongs to.
func (s *Service) ListJoinedGroupsForUser(tx store.Tx, accountID, directoryID, userID string, p Page) (Listed[JoinedGroup], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[JoinedGroup]{}, err
	}
	u, _, err := userByID(tx, d, userID)
	if err != nil {
		return Listed[JoinedGroup]{}, err
	}
	q := store.Query{AccountID: accountID, Ref: u.ID, Prefix: scoped(d.ID, "")}
	return page(tx, groupMembers, q, p, MaxMaxResults, func(m *GroupMember) (JoinedGroup, bool, error) {
		g, _, err := groupByID(tx, d, m.GroupID)
		if err != nil {
			return JoinedGroup{}, false, err
		}
		return JoinedGroup{Group: *g, UserID: u.ID, Joined: m.Joined}, true, nil
	})
}

// GroupsOfUser returns the ids of the groups a user belongs to (the
// portal and access assignments: a group's assignments reach its members).
func (s *Service) GroupsOfUser(tx store.Tx, d *Directory, userID string) ([]string, error) {
	ms, err := groupMembers.List(tx, store.Query{AccountID: d.AccountID, Ref: userID, Prefix: scoped(d.ID, "")})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.GroupID
	}
	return ids, nil
}
