package directory

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/queue"
	"github.com/canopy-iam/canopy/internal/store"
)

// The confirmation link of a legacy mail is <confirmURL>?token=<token>,
// the token being <management account id>.<record id>.<secret>: the first
// two find the record, the secret (32 random bytes) proves the mail was
// read. Only the secret's SHA-256 is stored, one per record: a resend
// replaces it, so an older link stops working, and the record's status
// makes a link single use.

// SetConfirmationURL sets the absolute URL the legacy flows' e-mail links
// point to (the server's public URL and the confirmation page's path); the
// app sets it once, before serving.
func (s *Service) SetConfirmationURL(u string) { s.confirmURL = u }

// LegacyExpiryJob is the job kind that writes down the expiry of a legacy
// record's mail when its validity ends (internal/app runs it with
// RunLegacyExpiry).
const LegacyExpiryJob = "rd.legacy.expire"

// ErrNotDue is RunLegacyExpiry's answer to a job that ran before its mail
// expired on the domain clock (clocks of nodes disagree): retry later.
var ErrNotDue = errors.New("directory: the confirmation mail has not expired yet")

type expiryJob struct {
	ManagementID string
	RecordID     string
	Seq          int
}

const secretBytes = 32

// mail sends r's next confirmation mail for member m: a new secret, valid
// MailValidity from now, with the job that writes down its expiry. rrec
// is r's stored record, nil for a record still to insert.
func (s *Service) mail(tx store.Tx, d *Directory, m *Member, r *legacyRecord, rrec *store.Record, now time.Time) error {
	var secret [secretBytes]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return err
	}
	encoded := base64.RawURLEncoding.EncodeToString(secret[:])
	r.MailHash, r.MailSeq, r.Sent, r.Expires, r.Updated = secretHash(encoded), r.MailSeq+1, now, now.Add(MailValidity), now
	var err error
	if rrec == nil {
		err = legacyRecords.Insert(tx, d.MasterAccountID, r.ID, r.AccountID, r, now)
	} else {
		err = legacyRecords.Update(tx, *rrec, r, now)
	}
	if err != nil {
		return err
	}
	link := s.confirmURL + "?token=" + d.MasterAccountID + "." + r.ID + "." + encoded
	if err := queue.Enqueue(tx, mailOf(d, m, r, link)); err != nil {
		return err
	}
	payload, err := json.Marshal(expiryJob{ManagementID: d.MasterAccountID, RecordID: r.ID, Seq: r.MailSeq})
	if err != nil {
		return err
	}
	_, err = tx.Jobs().Enqueue(store.Job{Kind: LegacyExpiryJob, Key: r.ID + "/" + strconv.Itoa(r.MailSeq), Payload: payload, RunAt: r.Expires})
	return err
}

func secretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// mailOf writes the confirmation mail.
func mailOf(d *Directory, m *Member, r *legacyRecord, link string) notify.Message {
	var subject, what string
	if r.Flow == flowPromote {
		subject = "Confirm the upgrade of your account to a cloud account"
		what = fmt.Sprintf("The resource directory %s (management account %s) asks to make the member account %q (%s) a cloud account whose login is this e-mail address.",
			d.ID, d.MasterAccountName, m.DisplayName, m.AccountID)
	} else {
		subject = "Confirm your new cloud account"
		what = fmt.Sprintf("The resource directory %s (management account %s) created the member account %q (%s) with this e-mail address as its login.",
			d.ID, d.MasterAccountName, m.DisplayName, m.AccountID)
	}
	body := what + "\n\n" +
		"To confirm, open this link and choose the password of the account's root user:\n\n" + link + "\n\n" +
		"The link works until " + r.Expires.UTC().Format(time.RFC1123) + " and only once; a newer e-mail about the same account replaces it.\n" +
		"If you did not expect this e-mail, ignore it: nothing happens without your confirmation.\n"
	return notify.Message{Kind: notify.Email, To: r.Email, Subject: subject, Body: body}
}

// Confirmation is what a confirmation link confirms, as its page shows it.
type Confirmation struct {
	Action              string // CreateCloudAccount | PromoteResourceAccount
	RecordID            string
	AccountID           string
	DisplayName         string
	Email               string
	DirectoryID         string
	ManagementAccountID string
	ManagementName      string
	Expires             time.Time
}

// link is an opened confirmation link.
type link struct {
	d    *Directory
	drec store.Record
	m    *Member
	r    *legacyRecord
	rrec store.Record
}

// OpenConfirmation checks a confirmation link's token at now and says what
// it confirms. Refusals: a malformed token (InvalidParameter.Token), one
// that is not, or no longer, the current mail's (EntityNotExists.
// ConfirmationLink: a guess learns nothing), a record no longer waiting
// (AccountTypeOrStatusMismatch saying why: used, cancelled, expired).
func (s *Service) OpenConfirmation(tx store.Tx, token string, now time.Time) (*Confirmation, error) {
	l, err := s.open(tx, token, now)
	if err != nil {
		return nil, err
	}
	return l.confirmation(), nil
}

func (s *Service) open(tx store.Tx, token string, now time.Time) (*link, error) {
	managementID, recordID, secret, ok := parseToken(token)
	if !ok {
		return nil, invalid("Token", "This confirmation link is incomplete or malformed: open the link of the e-mail exactly as it was sent.")
	}
	bad := notExists("ConfirmationLink", "This confirmation link is not valid: a newer e-mail about the same account may have replaced it. Use the link of the latest e-mail.")
	d, drec, err := managed(tx, managementID)
	if err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return nil, bad
		}
		return nil, err
	}
	r, rrec, err := legacyRecords.Get(tx, managementID, recordID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(secretHash(secret)), []byte(r.MailHash)) != 1 {
		return nil, bad
	}
	if r.Status == r.statuses().success {
		return nil, codeTypeOrStatus.New("This link was used already: the %s of account %s was confirmed. Nothing more to do.", flowAction(r.Flow), r.AccountID)
	}
	m, err := s.recordMember(tx, d, r, now)
	if err != nil {
		return nil, err
	}
	return &link{d: d, drec: drec, m: m, r: r, rrec: rrec}, nil
}

// parseToken splits <management id>.<record id>.<secret>, checking shapes.
func parseToken(token string) (managementID, recordID, secret string, ok bool) {
	if len(token) > 200 {
		return "", "", "", false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !isDigits(parts[0]) || len(parts[0]) > 32 || !isRecordID(parts[1]) {
		return "", "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != secretBytes {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func (l *link) confirmation() *Confirmation {
	return &Confirmation{Action: flowAction(l.r.Flow), RecordID: l.r.ID, AccountID: l.m.AccountID, DisplayName: l.m.DisplayName,
		Email: strings.ToLower(l.r.Email), DirectoryID: l.d.ID, ManagementAccountID: l.d.MasterAccountID,
		ManagementName: l.d.MasterAccountName, Expires: l.r.Expires}
}

// HashRootPassword checks the root password chosen on the confirmation
// page against the root password rules of `canopy account create` (and
// that it was typed the same twice), and hashes it: call it outside the
// write transaction, argon2 is slow on purpose.
func (c *Confirmation) HashRootPassword(password, again string) (string, error) {
	if password != again {
		return "", invalid("Password", "The two passwords differ: type the same password twice.")
	}
	// The account's other fields are known good; the legal entity only
	// has to be non-empty for the check.
	return accounts.HashPassword(accounts.NewAccount{Email: c.Email, RealName: "legal entity", Password: password})
}

// Confirm completes the flow of a confirmation link: the account gets its
// e-mail as login and security e-mail and its root password (hashed by
// HashRootPassword); a created account joins (membership, access role)
// as CreateSuccess, a promoted one becomes a cloud account,
// PromoteSuccess. The link is used up.
func (s *Service) Confirm(tx store.Tx, token, passwordHash string, now time.Time) (*Confirmation, error) {
	if passwordHash == "" {
		return nil, errors.New("directory: Confirm needs the root password's hash (HashRootPassword)")
	}
	l, err := s.open(tx, token, now)
	if err != nil {
		return nil, err
	}
	email := strings.ToLower(l.r.Email)
	if err := checkEmailFree(tx, email, l.m.AccountID); err != nil {
		return nil, err
	}
	acct, err := tx.Accounts().Get(l.m.AccountID)
	if err != nil {
		return nil, err
	}
	if !accounts.Live(acct) {
		return nil, codeTypeOrStatus.New("The account %s was deleted: there is nothing to confirm.", acct.ID)
	}
	acct.Email, acct.PasswordHash, acct.Type, acct.Updated = email, passwordHash, accounts.TypeCloudAccount, now
	if err := tx.Accounts().Update(acct); errors.Is(err, store.ErrConflict) {
		return nil, emailUsed(email)
	} else if err != nil {
		return nil, err
	}
	m, st := l.m, l.r.statuses()
	m.Status, m.ModifyTime = st.success, now
	if l.r.Flow == flowCreate {
		// join lists and counts the member, which it already is: take it
		// out first, so the whole join (and whatever join grows to do)
		// runs as for any other member.
		if err := removeMember(tx, l.d, m.AccountID); err != nil {
			return nil, err
		}
		if err := s.join(tx, l.d, l.drec, m, now); err != nil {
			return nil, err
		}
	} else {
		previous := m.AccountName
		m.Type, m.AccountName = TypeCloudAccount, email
		_, mrec, err := members.Get(tx, l.d.MasterAccountID, m.AccountID)
		if err != nil {
			return nil, err
		}
		if err := members.Update(tx, mrec, m, now); err != nil {
			return nil, err
		}
		// Its resource-account login name is free again.
		if err := loginNames.Delete(tx, l.d.MasterAccountID, lowerKey(previous)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	l.r.Status, l.r.Updated = st.success, now
	if err := legacyRecords.Update(tx, l.rrec, l.r, now); err != nil {
		return nil, err
	}
	return l.confirmation(), nil
}

// RunLegacyExpiry is the LegacyExpiryJob handler's work: it writes down
// the expiry of the mail the job was queued for (CreateExpired: the member
// leaves the directory; PromoteExpired: it stays a resource account).
// A job whose mail was replaced, or whose record ended, has nothing to do;
// one that runs early gets ErrNotDue.
func (s *Service) RunLegacyExpiry(tx store.Tx, payload []byte, now time.Time) error {
	var j expiryJob
	if err := json.Unmarshal(payload, &j); err != nil {
		return fmt.Errorf("legacy expiry job: %w", err)
	}
	d, _, err := directories.Get(tx, j.ManagementID, directoryKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	r, rrec, err := legacyRecords.Get(tx, j.ManagementID, j.RecordID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	st := r.statuses()
	if r.MailSeq != j.Seq || r.Status != st.verifying {
		return nil
	}
	if now.Before(r.Expires) {
		return ErrNotDue
	}
	return s.close(tx, d, r, rrec, st.expired, now)
}

// RecordMemberPath is the ResourceDirectoryPath of the member of a legacy
// record of the directory managementID manages, which Resend and Cancel
// are authorized on; "" when there is none.
func (s *Service) RecordMemberPath(tx store.Tx, managementID, recordID string) (string, error) {
	if !isRecordID(recordID) {
		return "", nil
	}
	r, _, err := legacyRecords.Get(tx, managementID, recordID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return s.MemberPath(tx, managementID, r.AccountID)
}
