package directory

import (
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Member deletion, as the cloud runs it: the management account allows it
// once (SetMemberDeletionPermission), a RAM identity of the management
// account asks for a pre-deletion check (CheckAccountDelete, a job) and
// reads its result, then submits the deletion (DeleteAccount, a job that
// checks again and purges the member) and follows it
// (GetAccountDeletionStatus). Only resource accounts the directory created
// can be deleted. The deletion record stays in the management account
// after the member is gone, so its status can still be read.

// Pre-deletion check statuses.
const (
	CheckRunning  = "PreChecking"
	CheckComplete = "PreCheckComplete"
)

// Deletion statuses.
const (
	DeletionChecking     = "Checking"
	DeletionDeleting     = "Deleting"
	DeletionSuccess      = "Success"
	DeletionCheckFailed  = "CheckFailed"
	DeletionDeleteFailed = "DeleteFailed"
)

// DeletionImmediate is the only deletion type Canopy has: no silence
// period (the cloud's "0"; "1" waits out a silence period for accounts
// with recent pay-as-you-go usage, which Canopy does not bill).
const DeletionImmediate = "0"

// Deletion is what the management account keeps about deleting one
// member: the last pre-deletion check and the last deletion submitted.
type Deletion struct {
	AccountID string
	// Path is the member's ResourceDirectoryPath when last checked or
	// submitted: calls on a deleted member are still authorized on it.
	Path  string
	Check *DeletionCheck `json:",omitempty"`
	Run   *DeletionRun   `json:",omitempty"`
}

// DeletionCheck is one pre-deletion check.
type DeletionCheck struct {
	Token       string // names the job that runs it: a later check makes an earlier job moot
	Status      string // CheckRunning | CheckComplete
	NotAllowed  []CheckResult
	Abandonable []CheckResult
	Started     time.Time
	Completed   time.Time `json:",omitzero"`
}

// AllowDelete is the check's verdict as the cloud spells it: "true" or
// "false" once complete, "" while it runs.
func (c *DeletionCheck) AllowDelete() string {
	switch {
	case c.Status != CheckComplete:
		return ""
	case len(c.NotAllowed) == 0:
		return "true"
	default:
		return "false"
	}
}

// DeletionRun is one submitted deletion.
type DeletionRun struct {
	Token       string
	Status      string // Deletion*
	Type        string // DeletionImmediate
	Abandoned   []string
	FailReasons []FailReason
	Created     time.Time
	Deleted     time.Time `json:",omitzero"`
}

// FailReason is why a deletion failed.
type FailReason struct {
	Name        string // the failed check's id, or what failed
	Description string
}

func (r *DeletionRun) active() bool {
	return r != nil && (r.Status == DeletionChecking || r.Status == DeletionDeleting)
}

// deletions keeps one Deletion per member, in the management account.
var deletions = store.Collection[Deletion]{Kind: "rd-deletion", Key: "member account id"}

// deletionOf reads the deletion record of a member (nil when none).
func deletionOf(tx store.Tx, managementID, accountID string) (*Deletion, store.Record, error) {
	del, rec, err := deletions.Get(tx, managementID, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, nil
	}
	return del, rec, err
}

// saveDeletion inserts or updates a deletion record.
func saveDeletion(tx store.Tx, managementID string, del *Deletion, rec store.Record, now time.Time) error {
	if rec.Kind == "" {
		return deletions.Insert(tx, managementID, del.AccountID, "", del, now)
	}
	return deletions.Update(tx, rec, del, now)
}

// SetMemberDeletionPermission turns deleting members on or off for the
// directory accountID manages. Its root user may do this (the cloud allows
// it); members may not.
func (s *Service) SetMemberDeletionPermission(tx store.Tx, accountID, status string, now time.Time) (*Directory, error) {
	switch status {
	case "":
		return nil, missing("Status")
	case Enabled, Disabled:
	default:
		return nil, invalid("Status", "The parameter Status must be %s or %s; got %q.", Enabled, Disabled, clip(status))
	}
	m, err := membershipOf(tx, accountID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, noDirectory()
	}
	if m.ManagementAccountID != accountID {
		return nil, codeMemberAccessDenied.New("Account %s is a member of the resource directory %s: only its management account may allow or forbid deleting members.", accountID, m.DirectoryID)
	}
	d, rec, err := managed(tx, accountID)
	if err != nil {
		return nil, err
	}
	if d.MemberDeletion != status {
		d.MemberDeletion = status
		if err := directories.Update(tx, rec, d, now); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// deletable returns the member a RAM identity of the management account
// may check or delete (forDelete), refusing with the cloud's codes: the
// root user, deletion not allowed, not a member (DeleteAccount says when
// it was deleted already), not a resource account the directory created.
func (s *Service) deletable(tx store.Tx, caller *model.Principal, accountID string, forDelete bool) (*Directory, *Member, error) {
	if err := checkAccountID(accountID); err != nil {
		return nil, nil, err
	}
	d, _, err := managed(tx, caller.AccountID)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckDeletionCaller(caller, forDelete); err != nil {
		return nil, nil, err
	}
	if d.MemberDeletion != Enabled {
		return nil, nil, codeNoDeletionLicense.New("Deleting members is not enabled in the resource directory %s: enable it with SetMemberDeletionPermission (Status=Enabled) first.", d.ID)
	}
	m, _, err := member(tx, d, accountID)
	if err != nil {
		if gone, gerr := s.deleted(tx, d.MasterAccountID, accountID); gerr != nil {
			return nil, nil, gerr
		} else if gone && forDelete {
			return nil, nil, codeAccountGoneDelete.New("Member %s was already deleted.", accountID)
		}
		return nil, nil, err
	}
	if m.Type != TypeResourceAccount || m.JoinMethod != JoinCreated {
		return nil, nil, codeMemberTypeDelete.New("Only resource accounts the resource directory created can be deleted; member %s is a %s that joined by %s. A cloud account leaves the directory with RemoveCloudAccount.",
			m.AccountID, m.Type, m.JoinMethod)
	}
	if m.Status == StatusPromoteVerify {
		return nil, nil, codeTypeOrStatus.New("Member %s waits for the confirmation of its promotion to a cloud account: cancel it with CancelPromoteResourceAccount first.", m.AccountID)
	}
	return d, m, nil
}

// CheckAccountDelete starts a pre-deletion check of a member, run as a
// job; its result is read with GetAccountDeletionCheckResult. Asking again
// while a check runs changes nothing.
func (s *Service) CheckAccountDelete(tx store.Tx, caller *model.Principal, accountID string, now time.Time) error {
	d, m, err := s.deletable(tx, caller, accountID, false)
	if err != nil {
		return err
	}
	del, rec, err := deletionOf(tx, d.MasterAccountID, m.AccountID)
	if err != nil {
		return err
	}
	if del == nil {
		del = &Deletion{AccountID: m.AccountID}
	}
	if del.Run.active() {
		return codeDeleting.New("Member %s is being deleted: follow it with GetAccountDeletionStatus.", m.AccountID)
	}
	if del.Check != nil && del.Check.Status == CheckRunning {
		return nil
	}
	del.Path = m.Path()
	del.Check = &DeletionCheck{Token: model.NewAlphanumeric(16), Status: CheckRunning, Started: now}
	if err := saveDeletion(tx, d.MasterAccountID, del, rec, now); err != nil {
		return err
	}
	return enqueueDeletionJob(tx, CheckJobKind, d.MasterAccountID, m.AccountID, del.Check.Token)
}

// GetAccountDeletionCheckResult returns the last pre-deletion check of a
// member.
func (s *Service) GetAccountDeletionCheckResult(tx store.Tx, managementID, accountID string) (*DeletionCheck, error) {
	del, err := s.deletionRecord(tx, managementID, accountID)
	if err != nil {
		return nil, err
	}
	if del == nil || del.Check == nil {
		return nil, codeNoCheck.New("No deletion check was run for member %s: start one with CheckAccountDelete.", accountID)
	}
	return del.Check, nil
}

// GetAccountDeletionStatus returns the last deletion submitted for a
// member, also after the member is gone.
func (s *Service) GetAccountDeletionStatus(tx store.Tx, managementID, accountID string) (*DeletionRun, error) {
	del, err := s.deletionRecord(tx, managementID, accountID)
	if err != nil {
		return nil, err
	}
	if del == nil || del.Run == nil {
		return nil, codeNoCheck.New("No deletion was submitted for member %s: submit one with DeleteAccount.", accountID)
	}
	return del.Run, nil
}

// deletionRecord reads the deletion record of a member of the directory
// managementID manages: nil when there is none but the member exists,
// EntityNotExists.Account when there is neither.
func (s *Service) deletionRecord(tx store.Tx, managementID, accountID string) (*Deletion, error) {
	if err := checkAccountID(accountID); err != nil {
		return nil, err
	}
	d, _, err := managed(tx, managementID)
	if err != nil {
		return nil, err
	}
	del, _, err := deletionOf(tx, managementID, accountID)
	if err != nil || del != nil {
		return del, err
	}
	if _, _, err := member(tx, d, accountID); err != nil {
		return nil, err
	}
	return nil, nil
}

// DeleteAccount submits the deletion of a member, run as a job that checks
// again and then purges the member. abandonable is the AbandonableCheckId
// parameter: a JSON array of the abandonable checks to ignore ("" or the
// classic SDK's "null" for none). A blocking check refuses at once.
func (s *Service) DeleteAccount(tx store.Tx, caller *model.Principal, accountID, abandonable string, now time.Time) (*DeletionRun, error) {
	if err := checkAccountID(accountID); err != nil {
		return nil, err
	}
	abandoned, err := parseAbandoned(abandonable)
	if err != nil {
		return nil, err
	}
	d, m, err := s.deletable(tx, caller, accountID, true)
	if err != nil {
		return nil, err
	}
	del, rec, err := deletionOf(tx, d.MasterAccountID, m.AccountID)
	if err != nil {
		return nil, err
	}
	if del == nil {
		del = &Deletion{AccountID: m.AccountID}
	}
	switch {
	case del.Run.active():
		return nil, codeDeleting.New("Member %s is already being deleted: follow it with GetAccountDeletionStatus.", m.AccountID)
	case del.Check != nil && del.Check.Status == CheckRunning:
		return nil, codeChecking.New("A deletion check of member %s is running: read its result with GetAccountDeletionCheckResult, then delete.", m.AccountID)
	}
	if blocking, err := blockingFindings(tx, d, m); err != nil {
		return nil, err
	} else if len(blocking) > 0 {
		return nil, refuseBlocked(m.AccountID, blocking)
	}
	del.Path = m.Path()
	del.Run = &DeletionRun{Token: model.NewAlphanumeric(16), Status: DeletionChecking, Type: DeletionImmediate,
		Abandoned: abandoned, Created: now}
	if err := saveDeletion(tx, d.MasterAccountID, del, rec, now); err != nil {
		return nil, err
	}
	return del.Run, enqueueDeletionJob(tx, DeletionJobKind, d.MasterAccountID, m.AccountID, del.Run.Token)
}

// deleted reports whether a member of the directory managementID manages
// was deleted.
func (s *Service) deleted(tx store.Tx, managementID, accountID string) (bool, error) {
	del, _, err := deletionOf(tx, managementID, accountID)
	if err != nil || del == nil || del.Run == nil {
		return false, err
	}
	return del.Run.Status == DeletionSuccess, nil
}

// maxAbandoned bounds AbandonableCheckId: there are only a few checks.
const maxAbandoned = 4096

// parseAbandoned reads AbandonableCheckId: a JSON array of check ids, each
// one of the abandonable checks.
func parseAbandoned(param string) ([]string, error) {
	if param == "" || param == "null" {
		return nil, nil
	}
	var ids []string
	if len(param) > maxAbandoned || json.Unmarshal([]byte(param), &ids) != nil {
		return nil, invalid("AbandonableCheckId", "The parameter AbandonableCheckId must be a JSON array of check ids, e.g. [%q]; got %q.", CheckAccessKeys, clip(param))
	}
	for _, id := range ids {
		switch {
		case slices.Contains(abandonableChecks, id):
		case slices.Contains(blockingChecks, id):
			return nil, invalid("AbandonableCheckId", "The check %s blocks the deletion and cannot be abandoned.", id)
		default:
			return nil, invalid("AbandonableCheckId", "The check %q does not exist: the abandonable checks are %v.", clip(id), abandonableChecks)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// DeletionPath is the ResourceDirectoryPath deletion calls on a member are
// authorized on: the member's, or once it is gone the one its deletion
// record kept; "" when neither exists.
func (s *Service) DeletionPath(tx store.Tx, managementID, accountID string) (string, error) {
	path, err := s.MemberPath(tx, managementID, accountID)
	if err != nil || path != "" {
		return path, err
	}
	if !isDigits(accountID) || len(accountID) > 32 {
		return "", nil
	}
	del, _, err := deletionOf(tx, managementID, accountID)
	if err != nil || del == nil {
		return "", err
	}
	return del.Path, nil
}
