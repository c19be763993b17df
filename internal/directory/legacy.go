package directory

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/store"
)

// The two legacy e-mail flows ("not maintained" in the cloud, served for
// the automation that still calls them): CreateCloudAccount and
// PromoteResourceAccount. Each opens a record (RecordId, a UUID) and mails
// a confirmation link valid MailValidity to the future owner; the owner
// follows it, sets the root password and the flow completes. A resend
// replaces the mail (older links stop working), a cancel or the expiry
// closes the record.
//
// Where a CreateCloudAccount member stands while it waits: its account row
// exists from the start (so the AccountId returned is real and every member
// call works on it), as a cloud account with no e-mail, no password, no key,
// no RAM identity and no access role, so nothing can authenticate as it or
// reach it. It counts against the member quota, holds its display name and
// is listed with Status CreateVerifying. Confirmation gives the account its
// e-mail and root password and completes the join (membership, access
// role). Cancel and expiry take it out of the directory again (member,
// name, quota slot) and mark the unused account row Deleted; the record
// keeps the final status, which Resend and Cancel report.

// MailValidity is how long a confirmation mail's link works.
const MailValidity = 24 * time.Hour

// ResendInterval is the least time between two mails of one record. The
// cloud documents LimitExceeded.Frequency without a figure; one minute is
// Canopy's choice (the same as the SMS codes').
const ResendInterval = time.Minute

// The flows of a legacy record.
const (
	flowCreate  = "create"
	flowPromote = "promote"
)

// legacyRecord is one legacy flow, kept in the management account under
// its RecordId.
type legacyRecord struct {
	ID        string
	Flow      string // flowCreate | flowPromote
	AccountID string
	Email     string // as given; the account stores it lower-cased
	// Status is the member status the flow is in: <Flow>Verifying until
	// it ends as Success, Cancelled or Expired.
	Status string
	// The current mail: the SHA-256 of its link's secret (never the secret
	// itself), its number (1 = the first), when it was sent and until when
	// its link works.
	MailHash string
	MailSeq  int
	Sent     time.Time
	Expires  time.Time
	Created  time.Time
	Updated  time.Time
}

var legacyRecords = store.Collection[legacyRecord]{Kind: "rd-legacy-record", Key: "record id", Ref: "account id"}

// statuses of each flow.
type flowStatuses struct{ verifying, success, cancelled, expired string }

func (r *legacyRecord) statuses() flowStatuses {
	if r.Flow == flowPromote {
		return flowStatuses{StatusPromoteVerify, StatusPromoteSuccess, StatusPromoteCancel, StatusPromoteExpired}
	}
	return flowStatuses{StatusCreateVerifying, StatusCreateSuccess, StatusCreateCancelled, StatusCreateExpired}
}

// open reports whether the record still waits for its confirmation at now
// (expiry is read lazily here; the expiry job writes it down).
func (r *legacyRecord) open(now time.Time) bool {
	return r.Status == r.statuses().verifying && now.Before(r.Expires)
}

// newRecordID is a random (version 4) UUID, the shape of the cloud's
// RecordId.
func newRecordID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func isRecordID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// checkEmail validates the Email parameter: one plain address, as
// `canopy account create` accepts (so a confirmation never fails on it).
func checkEmail(email string) error {
	if email == "" {
		return missing("Email")
	}
	addr, err := notify.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > 128 || strings.ContainsAny(email, " \t\r\n") {
		return invalid("Email", "The parameter Email %q is not one e-mail address.", clip(email))
	}
	return nil
}

// checkEmailFree refuses an address that is already the login of an
// account other than self ("" = any account): a member switched from a
// cloud account may be promoted back with its own e-mail.
func checkEmailFree(tx store.Tx, email, self string) error {
	a, err := tx.Accounts().GetByEmail(strings.ToLower(email))
	switch {
	case err == nil && a.ID == self:
		return nil
	case err == nil:
		return emailUsed(email)
	case errors.Is(err, store.ErrNotFound):
		return nil
	default:
		return err
	}
}

func emailUsed(email string) error {
	return codeEmailUsed.New("The e-mail %s is already the login of an account.", clip(email))
}

// NewCloudAccount is the input of CreateCloudAccount.
type NewCloudAccount struct {
	DisplayName    string
	ParentFolderID string // "" = Root
	Email          string
	PayerAccountID string // "" = the member pays for itself
}

// CreateCloudAccount starts the legacy creation of a cloud-account member:
// the member waits in CreateVerifying (see above) and a confirmation mail
// goes to Email.
func (s *Service) CreateCloudAccount(tx store.Tx, managementID string, n NewCloudAccount, now time.Time) (*Member, error) {
	if err := displayNameRule.check(n.DisplayName); err != nil {
		return nil, err
	}
	if err := checkEmail(n.Email); err != nil {
		return nil, err
	}
	d, drec, err := managed(tx, managementID)
	if err != nil {
		return nil, err
	}
	parent, _, err := s.folder(tx, d, "ParentFolderId", n.ParentFolderID)
	if err != nil {
		return nil, err
	}
	if d.Members >= s.limits.MaxMembers {
		return nil, codeMemberQuota.New("The resource directory already has %d members, its quota.", s.limits.MaxMembers)
	}
	if n.PayerAccountID != "" && n.PayerAccountID != managementID {
		if _, _, err := member(tx, d, n.PayerAccountID); err != nil {
			return nil, codePayerNotMember.New("The payer account %q is neither the management account nor a member of this resource directory.", clip(n.PayerAccountID))
		}
	}
	if err := checkEmailFree(tx, n.Email, ""); err != nil {
		return nil, err
	}
	ma, err := tx.Accounts().Get(managementID)
	if err != nil {
		return nil, err
	}
	// The e-mail is set at confirmation, not now: an address nobody has
	// confirmed must not block its owner from signing up elsewhere.
	acct := store.Account{ID: model.NewAccountID(), RealName: ma.RealName, Type: accounts.TypeCloudAccount,
		Status: accounts.StatusActive, Created: now, Updated: now}
	if err := tx.Accounts().Insert(acct); err != nil {
		return nil, err // a clash of random 16-digit ids: the caller may retry
	}
	m := &Member{AccountID: acct.ID, AccountName: strings.ToLower(n.Email), DisplayName: n.DisplayName,
		Type: TypeCloudAccount, JoinMethod: JoinCreated, Status: StatusCreateVerifying, FolderID: parent.ID,
		FolderPath: parent.Path(d.ID), PayerAccountID: n.PayerAccountID, RecordID: newRecordID(), JoinTime: now, ModifyTime: now}
	if err := claimName(tx, memberNames, managementID, m.DisplayName, m.AccountID, now, displayNameTaken(m.DisplayName)); err != nil {
		return nil, err
	}
	// Listed and counted now; the rest of join (membership, access role)
	// waits for the confirmation.
	if err := addMember(tx, d, m, now); err != nil {
		return nil, err
	}
	if err := directories.Update(tx, drec, d, now); err != nil {
		return nil, err
	}
	r := &legacyRecord{ID: m.RecordID, Flow: flowCreate, AccountID: m.AccountID, Email: n.Email,
		Status: StatusCreateVerifying, Created: now}
	if err := s.mail(tx, d, m, r, nil, now); err != nil {
		return nil, err
	}
	return m, nil
}

// PromoteResourceAccount starts the legacy upgrade of a resource account
// to a cloud account whose login and security e-mail is Email: the member
// is PromoteVerifying until the owner confirms.
func (s *Service) PromoteResourceAccount(tx store.Tx, managementID, accountID, email string, now time.Time) (*Member, error) {
	if err := checkAccountID(accountID); err != nil {
		return nil, err
	}
	if err := checkEmail(email); err != nil {
		return nil, err
	}
	d, _, err := managed(tx, managementID)
	if err != nil {
		return nil, err
	}
	m, mrec, err := member(tx, d, accountID)
	if err != nil {
		return nil, err
	}
	if !promotable(m) {
		return nil, codeTypeOrStatus.New("The member %s is a %s in status %s: only a resource account that is not being promoted can be promoted.",
			m.AccountID, m.Type, m.Status)
	}
	if err := checkEmailFree(tx, email, m.AccountID); err != nil {
		return nil, err
	}
	r := &legacyRecord{ID: newRecordID(), Flow: flowPromote, AccountID: m.AccountID, Email: email,
		Status: StatusPromoteVerify, Created: now}
	m.Status, m.RecordID, m.ModifyTime = StatusPromoteVerify, r.ID, now
	if err := members.Update(tx, mrec, m, now); err != nil {
		return nil, err
	}
	if err := s.mail(tx, d, m, r, nil, now); err != nil {
		return nil, err
	}
	return m, nil
}

// promotable: a resource account at rest. An allow-list, so a state some
// other flow adds (a deletion under way) is refused rather than raced.
func promotable(m *Member) bool {
	if m.Type != TypeResourceAccount {
		return false
	}
	switch m.Status {
	case StatusCreateSuccess, StatusSwitchSuccess, StatusPromoteCancel, StatusPromoteExpired:
		return true
	}
	return false
}

// ResendCreateCloudAccountEmail mails a new confirmation link for a
// pending CreateCloudAccount; the previous link stops working.
func (s *Service) ResendCreateCloudAccountEmail(tx store.Tx, managementID, recordID string, now time.Time) (*Member, error) {
	return s.resend(tx, managementID, recordID, flowCreate, now)
}

// ResendPromoteResourceAccountEmail is the same for a pending promotion.
func (s *Service) ResendPromoteResourceAccountEmail(tx store.Tx, managementID, recordID string, now time.Time) (*Member, error) {
	return s.resend(tx, managementID, recordID, flowPromote, now)
}

func (s *Service) resend(tx store.Tx, managementID, recordID, flow string, now time.Time) (*Member, error) {
	d, m, r, rrec, err := s.pending(tx, managementID, recordID, flow, now)
	if err != nil {
		return nil, err
	}
	if wait := r.Sent.Add(ResendInterval).Sub(now); wait > 0 {
		return nil, codeFrequency.New("The confirmation e-mail of record %s was sent less than %s ago: resend in %d seconds.",
			r.ID, ResendInterval, int(wait.Seconds())+1)
	}
	if err := s.mail(tx, d, m, r, &rrec, now); err != nil {
		return nil, err
	}
	return m, nil
}

// CancelCreateCloudAccount ends a pending CreateCloudAccount: the member
// leaves the directory (see above) and the record is CreateCancelled.
func (s *Service) CancelCreateCloudAccount(tx store.Tx, managementID, recordID string, now time.Time) error {
	d, _, r, rrec, err := s.pending(tx, managementID, recordID, flowCreate, now)
	if err != nil {
		return err
	}
	return s.close(tx, d, r, rrec, StatusCreateCancelled, now)
}

// CancelPromoteResourceAccount ends a pending promotion: the member stays
// a resource account, PromoteCancelled.
func (s *Service) CancelPromoteResourceAccount(tx store.Tx, managementID, recordID string, now time.Time) error {
	d, _, r, rrec, err := s.pending(tx, managementID, recordID, flowPromote, now)
	if err != nil {
		return err
	}
	return s.close(tx, d, r, rrec, StatusPromoteCancel, now)
}

// record reads one legacy record of the directory managementID manages.
func (s *Service) record(tx store.Tx, managementID, recordID string) (*legacyRecord, store.Record, error) {
	if recordID == "" {
		return nil, store.Record{}, missing("RecordId")
	}
	if !isRecordID(recordID) {
		return nil, store.Record{}, recordNotExists(recordID)
	}
	r, rrec, err := legacyRecords.Get(tx, managementID, recordID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rrec, recordNotExists(recordID)
	}
	return r, rrec, err
}

func recordNotExists(id string) error {
	return notExists("AccountRecord", "The resource directory has no record %q of a CreateCloudAccount or PromoteResourceAccount.", clip(id))
}

// pending returns a record of flow that still waits for its confirmation,
// with its member; AccountTypeOrStatusMismatch, saying why, for any other.
func (s *Service) pending(tx store.Tx, managementID, recordID, flow string, now time.Time) (*Directory, *Member, *legacyRecord, store.Record, error) {
	d, _, err := managed(tx, managementID)
	if err != nil {
		return nil, nil, nil, store.Record{}, err
	}
	r, rrec, err := s.record(tx, managementID, recordID)
	if err != nil {
		return nil, nil, nil, store.Record{}, err
	}
	if r.Flow != flow {
		return nil, nil, nil, store.Record{}, codeTypeOrStatus.New("The record %s is not of a %s.", r.ID, flowAction(flow))
	}
	m, err := s.recordMember(tx, d, r, now)
	return d, m, r, rrec, err
}

// recordMember checks that r still waits at now and returns its member,
// which must still be waiting for this record.
func (s *Service) recordMember(tx store.Tx, d *Directory, r *legacyRecord, now time.Time) (*Member, error) {
	st := r.statuses()
	switch {
	case r.Status != st.verifying:
		return nil, codeTypeOrStatus.New("The %s of record %s is %s: it no longer waits for a confirmation.", flowAction(r.Flow), r.ID, r.Status)
	case !now.Before(r.Expires):
		return nil, codeTypeOrStatus.New("The %s of record %s is %s: its confirmation e-mail expired at %s.",
			flowAction(r.Flow), r.ID, st.expired, r.Expires.UTC().Format(time.RFC3339))
	}
	m, _, err := members.Get(tx, d.MasterAccountID, r.AccountID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (m.RecordID != r.ID || m.Status != st.verifying) {
		return nil, codeTypeOrStatus.New("The member %s of record %s changed since: the %s no longer waits for a confirmation.",
			r.AccountID, r.ID, flowAction(r.Flow))
	}
	return m, err
}

func flowAction(flow string) string {
	if flow == flowPromote {
		return "PromoteResourceAccount"
	}
	return "CreateCloudAccount"
}

// close ends a waiting record as cancelled or expired, and its member
// with it when the member still waits for this record.
func (s *Service) close(tx store.Tx, d *Directory, r *legacyRecord, rrec store.Record, status string, now time.Time) error {
	waiting := r.statuses().verifying
	r.Status, r.Updated = status, now
	if err := legacyRecords.Update(tx, rrec, r, now); err != nil {
		return err
	}
	m, mrec, err := members.Get(tx, d.MasterAccountID, r.AccountID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (m.RecordID != r.ID || m.Status != waiting) {
		return nil // the member left or moved on by another way
	} else if err != nil {
		return err
	}
	if r.Flow == flowPromote {
		m.Status, m.ModifyTime = status, now
		return members.Update(tx, mrec, m, now)
	}
	return s.unlist(tx, d, m, now)
}

// unlist takes a CreateCloudAccount member that never joined out of the
// directory again, and retires its unused account.
func (s *Service) unlist(tx store.Tx, d *Directory, m *Member, now time.Time) error {
	d, drec, err := managed(tx, d.MasterAccountID)
	if err != nil {
		return err
	}
	if err := removeMember(tx, d, m.AccountID); err != nil {
		return err
	}
	if err := memberNames.Delete(tx, d.MasterAccountID, lowerKey(m.DisplayName)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := directories.Update(tx, drec, d, now); err != nil {
		return err
	}
	acct, err := tx.Accounts().Get(m.AccountID)
	if err != nil {
		return err
	}
	acct.Status, acct.Updated = accounts.StatusDeleted, now
	return tx.Accounts().Update(acct)
}
