package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// MaxGroups is the number of groups an account may have.
const MaxGroups = 300

// Group is a user group, as stored.
type Group struct {
	ID          string
	Name        string
	DisplayName string `json:",omitempty"` // IMS only
	Comments    string
	Created     time.Time
	Updated     time.Time
}

// NewGroup is the input of CreateGroup.
type NewGroup struct {
	Name        string
	DisplayName string
	Comments    string
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(tx store.Tx, accountID string, n NewGroup, now time.Time) (*Group, error) {
	if err := checkName("GroupName", n.Name, groupNameRule); err != nil {
		return nil, err
	}
	if n.DisplayName != "" {
		if err := CheckDisplayName("DisplayName", n.DisplayName, maxDisplayName); err != nil {
			return nil, err
		}
	}
	if err := checkLength("Comments", n.Comments, maxComments); err != nil {
		return nil, err
	}
	count, err := groups.Count(tx, store.Query{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	if count >= MaxGroups {
		return nil, limitExceeded("Group", "The account already has %d groups, the maximum.", MaxGroups)
	}
	g := &Group{ID: model.NewEntityID(), Name: n.Name, DisplayName: n.DisplayName, Comments: n.Comments, Created: now, Updated: now}
	if err := groups.Insert(tx, accountID, lookupKey(g.Name), g.ID, g, now); err != nil {
		if isConflict(err) {
			return nil, alreadyExists("Group", "The group %q already exists (group names are unique regardless of case).", n.Name)
		}
		return nil, err
	}
	return g, nil
}

func groupRecord(tx store.Tx, accountID, name string) (*Group, store.Record, error) {
	g, rec, err := groups.Get(tx, accountID, lookupKey(name))
	if isNotFound(err) {
		return nil, rec, groupNotExist(name)
	}
	if err != nil {
		return nil, rec, err
	}
	return g, rec, nil
}

// lookupGroup validates a group name parameter and finds the group.
func lookupGroup(tx store.Tx, accountID, name string) (*Group, store.Record, error) {
	if err := checkName("GroupName", name, groupNameRule); err != nil {
		return nil, store.Record{}, err
	}
	return groupRecord(tx, accountID, name)
}

// GetGroup returns a group by name, in any case, with its stored spelling.
func (s *Service) GetGroup(tx store.Tx, accountID, name string) (*Group, error) {
	g, _, err := lookupGroup(tx, accountID, name)
	return g, err
}

// GroupUpdate lists the changes of UpdateGroup; "" leaves a field as is.
type GroupUpdate struct {
	NewName        string
	NewDisplayName string
	NewComments    string
}

// UpdateGroup renames or re-describes a group. Memberships and attachments
// are keyed by the group id, so a rename moves only the group record.
func (s *Service) UpdateGroup(tx store.Tx, accountID, name string, up GroupUpdate, now time.Time) (*Group, error) {
	if err := checkName("GroupName", name, groupNameRule); err != nil {
		return nil, err
	}
	if up.NewName != "" {
		if err := checkName("NewGroupName", up.NewName, groupNameRule); err != nil {
			return nil, err
		}
	}
	if up.NewDisplayName != "" {
		if err := CheckDisplayName("NewDisplayName", up.NewDisplayName, maxDisplayName); err != nil {
			return nil, err
		}
	}
	if err := checkLength("NewComments", up.NewComments, maxComments); err != nil {
		return nil, err
	}
	g, rec, err := groupRecord(tx, accountID, name)
	if err != nil {
		return nil, err
	}
	setIf(&g.DisplayName, up.NewDisplayName)
	setIf(&g.Comments, up.NewComments)
	g.Updated = now
	if up.NewName == "" || lookupKey(up.NewName) == rec.Key {
		setIf(&g.Name, up.NewName)
		return g, groups.Update(tx, rec, g, now)
	}
	g.Name = up.NewName
	if err := groups.Insert(tx, accountID, lookupKey(g.Name), g.ID, g, now); err != nil {
		if isConflict(err) {
			return nil, alreadyExists("Group", "The group %q already exists (group names are unique regardless of case).", up.NewName)
		}
		return nil, err
	}
	return g, groups.Delete(tx, accountID, rec.Key)
}

// DeleteGroup deletes a group without members or attached policies.
func (s *Service) DeleteGroup(tx store.Tx, accountID, name string) error {
	g, rec, err := lookupGroup(tx, accountID, name)
	if err != nil {
		return err
	}
	if n, err := memberships.Count(tx, store.Query{AccountID: accountID, Prefix: g.ID + "/"}); err != nil {
		return err
	} else if n > 0 {
		return deleteConflict("Group.User", "The group %q still has %d member(s); remove them first.", name, n)
	}
	if n, err := attachments.Count(tx, store.Query{AccountID: accountID, Prefix: principalPrefix(PrincipalGroup, g.ID)}); err != nil {
		return err
	} else if n > 0 {
		return deleteConflict("Group.Policy", "The group %q still has %d attached policy(ies); detach them first.", name, n)
	}
	return groups.Delete(tx, accountID, rec.Key)
}

// ListGroups pages through the groups in name order.
func (s *Service) ListGroups(tx store.Tx, accountID string, req PageRequest) (Page[Group], error) {
	items, end, err := listPage(s, tx, groups, store.Query{AccountID: accountID}, req, nil)
	if err != nil {
		return Page[Group]{}, err
	}
	return pageOf(items, end), nil
}

// groupByID finds a group by id (memberships and attachments name ids).
func groupByID(tx store.Tx, accountID, id string) (*Group, error) {
	return byRef(tx, groups, accountID, id)
}

// userByID finds a user by id; nil when there is none.
func userByID(tx store.Tx, accountID, id string) (*User, error) {
	return byRef(tx, users, accountID, id)
}

// byRef finds the one document of c whose ref is ref (users, groups and
// roles by id); nil when there is none.
func byRef[T any](tx store.Tx, c store.Collection[T], accountID, ref string) (*T, error) {
	found, err := c.List(tx, store.Query{AccountID: accountID, Ref: ref, Limit: 1})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return &found[0], nil
}
