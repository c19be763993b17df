package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// MaxGroupsPerUser is the number of groups a user may join.
const MaxGroupsPerUser = 10

// membership links a user to a group. Its key <group id>/<user id> lists a
// group's members as a key range; its Ref (the user id) lists a user's
// groups.
type membership struct {
	GroupID string
	UserID  string
	Joined  time.Time
}

func membershipKey(groupID, userID string) string { return groupID + "/" + userID }

// GroupMembership is one group of a user, with the date the user joined.
type GroupMembership struct {
	Group  Group
	Joined time.Time
}

// UserMembership is one member of a group, with the date it joined.
type UserMembership struct {
	User   User
	Joined time.Time
}

// lookupUser validates a user name parameter and finds the user.
func lookupUser(tx store.Tx, accountID, name string) (*User, store.Record, error) {
	if err := checkName("UserName", name, userNameRule); err != nil {
		return nil, store.Record{}, err
	}
	return userRecord(tx, accountID, name)
}

// AddUserToGroup makes a user a member of a group.
func (s *Service) AddUserToGroup(tx store.Tx, accountID, userName, groupName string, now time.Time) error {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return err
	}
	g, _, err := lookupGroup(tx, accountID, groupName)
	if err != nil {
		return err
	}
	key := membershipKey(g.ID, u.ID)
	if exists, err := memberships.Exists(tx, accountID, key); err != nil {
		return err
	} else if exists {
		return alreadyExists("User.Group", "The user %q is already a member of the group %q.", userName, groupName)
	}
	n, err := memberships.Count(tx, store.Query{AccountID: accountID, Ref: u.ID})
	if err != nil {
		return err
	}
	if n >= MaxGroupsPerUser {
		return limitExceeded("User.Group", "The user %q is already in %d groups, the maximum.", userName, MaxGroupsPerUser)
	}
	err = memberships.Insert(tx, accountID, key, u.ID, &membership{GroupID: g.ID, UserID: u.ID, Joined: now}, now)
	if isConflict(err) {
		return alreadyExists("User.Group", "The user %q is already a member of the group %q.", userName, groupName)
	}
	return err
}

// RemoveUserFromGroup ends a membership.
func (s *Service) RemoveUserFromGroup(tx store.Tx, accountID, userName, groupName string) error {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return err
	}
	g, _, err := lookupGroup(tx, accountID, groupName)
	if err != nil {
		return err
	}
	err = memberships.Delete(tx, accountID, membershipKey(g.ID, u.ID))
	if isNotFound(err) {
		return notExist("User.Group", "The user %q is not a member of the group %q.", userName, groupName)
	}
	return err
}

// ListGroupsForUser lists the groups of a user (at most MaxGroupsPerUser).
func (s *Service) ListGroupsForUser(tx store.Tx, accountID, userName string) ([]GroupMembership, error) {
	u, _, err := lookupUser(tx, accountID, userName)
	if err != nil {
		return nil, err
	}
	ms, err := membershipsOfUser(tx, accountID, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]GroupMembership, 0, len(ms))
	for _, m := range ms {
		g, err := groupByID(tx, accountID, m.GroupID)
		if err != nil {
			return nil, err
		}
		if g != nil {
			out = append(out, GroupMembership{Group: *g, Joined: m.Joined})
		}
	}
	return out, nil
}

func membershipsOfUser(tx store.Tx, accountID, userID string) ([]membership, error) {
	return memberships.List(tx, store.Query{AccountID: accountID, Ref: userID})
}

// ListUsersForGroup pages through the members of a group (in user-id
// order: the order of the membership keys).
func (s *Service) ListUsersForGroup(tx store.Tx, accountID, groupName string, req PageRequest) (Page[UserMembership], error) {
	g, _, err := lookupGroup(tx, accountID, groupName)
	if err != nil {
		return Page[UserMembership]{}, err
	}
	ms, end, err := listPage(s, tx, memberships, store.Query{AccountID: accountID, Prefix: g.ID + "/"}, req, nil)
	if err != nil {
		return Page[UserMembership]{}, err
	}
	out := make([]UserMembership, 0, len(ms))
	for _, m := range ms {
		u, err := userByID(tx, accountID, m.UserID)
		if err != nil {
			return Page[UserMembership]{}, err
		}
		if u != nil {
			out = append(out, UserMembership{User: *u, Joined: m.Joined})
		}
	}
	return pageOf(out, end), nil
}
