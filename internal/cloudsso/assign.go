package cloudsso

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Access assignments (reference 2.4, 5.5): a user or group is given an
// access configuration on a member account. Creating and deleting one are
// tasks; the assignment record is written (or deleted) by the task, with
// the provisioning it needs, in one transaction.

// Principal types.
const (
	PrincipalUser  = "User"
	PrincipalGroup = "Group"
)

// Deprovision strategies of DeleteAccessAssignment.
const (
	DeprovisionNone            = "None"
	DeprovisionForLastOnTarget = "DeprovisionForLastAccessAssignmentOnAccount"
)

// Assignment is one (principal, account, configuration) triple.
type Assignment struct {
	DirectoryID           string
	AccessConfigurationID string
	TargetType            string
	TargetID              string
	PrincipalType         string
	PrincipalID           string
	Created               time.Time
}

// AssignmentRequest names an assignment (the five parameters of Create-
// and DeleteAccessAssignment).
type AssignmentRequest struct {
	AccessConfigurationID string
	TargetType            string
	TargetID              string
	PrincipalType         string
	PrincipalID           string
}

func assignmentKey(d *Directory, acID, targetID, principalType, principalID string) string {
	return scoped(d.ID, acID, targetID, principalType, principalID)
}

// principal returns the name of a user or group of the directory.
func principal(tx store.Tx, d *Directory, principalType, principalID string) (string, error) {
	if principalType == "" {
		return "", missingParameter.Of("PrincipalType").New("The parameter PrincipalType is required.")
	}
	if err := checkEnum("PrincipalType", principalType, PrincipalUser, PrincipalGroup); err != nil {
		return "", err
	}
	if principalID == "" {
		return "", missingParameter.Of("PrincipalId").New("The parameter PrincipalId is required.")
	}
	if principalType == PrincipalUser {
		u, _, err := userByID(tx, d, principalID)
		if err != nil {
			return "", err
		}
		return u.Name, nil
	}
	g, _, err := groupByID(tx, d, principalID)
	if err != nil {
		return "", err
	}
	return g.Name, nil
}

// assignmentTask checks an assignment request and returns the task that
// would carry it out (not yet started).
func (s *Service) assignmentTask(tx store.Tx, d *Directory, r AssignmentRequest, taskType string) (*Task, error) {
	ac, _, err := accessConfigurationByID(tx, d, r.AccessConfigurationID)
	if err != nil {
		return nil, err
	}
	find := s.target
	if taskType == TaskDeleteAssignment {
		find = s.formerTarget
	}
	tg, err := find(tx, d, r.TargetType, r.TargetID)
	if err != nil {
		return nil, err
	}
	name, err := principal(tx, d, r.PrincipalType, r.PrincipalID)
	if err != nil {
		return nil, err
	}
	return &Task{Type: taskType, AccessConfigurationID: ac.ID, AccessConfigurationName: ac.Name,
		TargetType: TargetTypeAccount, Target: *tg, PrincipalType: r.PrincipalType, PrincipalID: r.PrincipalID,
		PrincipalName: name}, nil
}

// CreateAccessAssignment starts the task that assigns the configuration
// and provisions it in the account when it is not yet.
func (s *Service) CreateAccessAssignment(tx store.Tx, accountID, directoryID string, r AssignmentRequest, now time.Time) (*Task, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	t, err := s.assignmentTask(tx, d, r, TaskCreateAssignment)
	if err != nil {
		return nil, err
	}
	key := assignmentKey(d, t.AccessConfigurationID, t.Target.ID, t.PrincipalType, t.PrincipalID)
	if ok, err := assignments.Exists(tx, accountID, key); err != nil {
		return nil, err
	} else if ok {
		return nil, codeAssignmentExists.New("The %s %s already has the access configuration %s on the account %s.",
			lowerASCII(t.PrincipalType), t.PrincipalID, t.AccessConfigurationID, t.Target.ID)
	}
	return s.startTask(tx, d, t, now)
}

// DeleteAccessAssignment starts the task that removes an assignment and,
// with DeprovisionForLastAccessAssignmentOnAccount, the provisioning when
// it was the configuration's last assignment on the account.
func (s *Service) DeleteAccessAssignment(tx store.Tx, accountID, directoryID string, r AssignmentRequest, strategy string, now time.Time) (*Task, error) {
	if strategy == "" {
		strategy = DeprovisionNone
	}
	if err := checkEnum("DeprovisionStrategy", strategy, DeprovisionForLastOnTarget, DeprovisionNone); err != nil {
		return nil, err
	}
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	t, err := s.assignmentTask(tx, d, r, TaskDeleteAssignment)
	if err != nil {
		return nil, err
	}
	key := assignmentKey(d, t.AccessConfigurationID, t.Target.ID, t.PrincipalType, t.PrincipalID)
	if ok, err := assignments.Exists(tx, accountID, key); err != nil {
		return nil, err
	} else if !ok {
		return nil, codeNoAccessAssignment.New("The %s %s has no access configuration %s on the account %s.",
			lowerASCII(t.PrincipalType), t.PrincipalID, t.AccessConfigurationID, t.Target.ID)
	}
	t.DeprovisionStrategy = strategy
	return s.startTask(tx, d, t, now)
}

// AssignmentView is an assignment with the names ListAccessAssignments
// shows.
type AssignmentView struct {
	Assignment
	AccessConfigurationName string
	PrincipalName           string
	Target                  Target
}

// AssignmentFilter narrows ListAccessAssignments; each pair filters only
// when both halves are given.
type AssignmentFilter struct {
	AccessConfigurationID string
	TargetType, TargetID  string
	PrincipalType         string
	PrincipalID           string
}

// ListAccessAssignments lists the directory's assignments.
func (s *Service) ListAccessAssignments(tx store.Tx, accountID, directoryID string, f AssignmentFilter, p Page) (Listed[AssignmentView], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[AssignmentView]{}, err
	}
	if f.PrincipalType != "" {
		if err := checkEnum("PrincipalType", f.PrincipalType, PrincipalUser, PrincipalGroup); err != nil {
			return Listed[AssignmentView]{}, err
		}
	}
	if f.TargetType != "" {
		if err := checkEnum("TargetType", f.TargetType, TargetTypeAccount); err != nil {
			return Listed[AssignmentView]{}, err
		}
	}
	byPrincipal := f.PrincipalType != "" && f.PrincipalID != ""
	byTarget := f.TargetType != "" && f.TargetID != ""
	q := store.Query{AccountID: accountID, Prefix: scoped(d.ID, "")}
	if f.AccessConfigurationID != "" {
		if _, _, err := accessConfigurationByID(tx, d, f.AccessConfigurationID); err != nil {
			return Listed[AssignmentView]{}, err
		}
		q.Prefix = scoped(d.ID, f.AccessConfigurationID, "")
		if byTarget {
			q.Prefix = scoped(d.ID, f.AccessConfigurationID, f.TargetID, "")
		}
	}
	if byPrincipal {
		q.Ref = f.PrincipalID
	}
	n := s.namer(tx, d)
	return page(tx, assignments, q, p, MaxTaskResults, func(a *Assignment) (AssignmentView, bool, error) {
		if byTarget && a.TargetID != f.TargetID || byPrincipal && a.PrincipalType != f.PrincipalType {
			return AssignmentView{}, false, nil
		}
		tg, err := n.target(a.TargetID)
		v := AssignmentView{Assignment: *a, AccessConfigurationName: n.configuration(a.AccessConfigurationID), Target: tg}
		if name, err := principal(tx, d, a.PrincipalType, a.PrincipalID); err == nil {
			v.PrincipalName = name
		}
		return v, err == nil, err
	})
}

// assignedPrincipal refuses deleting a user or group that has
// assignments (the observed, misspelt codes).
func assignedPrincipal(tx store.Tx, d *Directory, principalID string) (int, error) {
	return assignments.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, ""), Ref: principalID})
}

func init() {
	userInUse = append(userInUse, func(tx store.Tx, d *Directory, u *User) error {
		n, err := assignedPrincipal(tx, d, u.ID)
		if err == nil && n > 0 {
			return codeUserAssigned.New("The user %s still has %d access assignments: delete them first.", u.ID, n)
		}
		return err
	})
	groupInUse = append(groupInUse, func(tx store.Tx, d *Directory, g *Group) error {
		n, err := assignedPrincipal(tx, d, g.ID)
		if err == nil && n > 0 {
			return codeGroupAssigned.New("The group %s still has %d access assignments: delete them first.", g.ID, n)
		}
		return err
	})
	directoryParts = append(directoryParts, directoryPart{
		statistics: func(tx store.Tx, d *Directory, st *DirectoryStatistics) error {
			n, err := assignments.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, "")})
			st.AccessAssignmentCount = n
			return err
		},
		inUse: func(tx store.Tx, d *Directory) error { return nil },
	})
}
