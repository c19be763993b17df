package directory

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/queue"
	"github.com/canopy-iam/canopy/internal/store"
)

// An invitation (handshake) asks an existing cloud account to join a
// directory. It is kept in the management account (key = id, ref = the
// invitee) and indexed in the invitee's account, so each side lists its
// own with one range read. It is Pending until the invitee accepts or
// declines, the inviter cancels, or 14 days pass; expiry is read against
// the injected clock whenever the invitation is read, so no sweep is
// needed to enforce it.

// InvitationValidity is how long an invitation may be accepted.
const InvitationValidity = 14 * 24 * time.Hour

// MaxNoteLength bounds the note shown to the invitee.
const MaxNoteLength = 1024

// Invitation target types and statuses.
const (
	TargetAccount = "Account"
	TargetEmail   = "Email"

	HandshakePending   = "Pending"
	HandshakeAccepted  = "Accepted"
	HandshakeDeclined  = "Declined"
	HandshakeCancelled = "Cancelled"
	HandshakeExpired   = "Expired"
)

// Handshake is one invitation.
type Handshake struct {
	ID                string
	DirectoryID       string
	MasterAccountID   string
	MasterAccountName string
	TargetEntity      string
	TargetType        string
	InviteeAccountID  string
	Note              string `json:",omitempty"`
	Tags              []Tag  `json:",omitempty"`
	Status            string
	Created           time.Time
	Modified          time.Time
	Expires           time.Time
}

// StatusAt is the invitation's status at now: a pending one past its
// expiry is Expired.
func (h *Handshake) StatusAt(now time.Time) string {
	if h.Status == HandshakePending && !now.Before(h.Expires) {
		return HandshakeExpired
	}
	return h.Status
}

// invitation indexes a handshake in the invitee's account.
type invitation struct{ ManagementAccountID string }

var (
	handshakes  = store.Collection[Handshake]{Kind: "rd-handshake", Key: "handshake id", Ref: "invitee account id"}
	invitations = store.Collection[invitation]{Kind: "rd-invitation", Key: "handshake id", Ref: "management account id"}
)

// newHandshakeID is h- and 16 letters and digits whose first 7 encode the
// creation time in milliseconds (in an alphabet that sorts like the
// bytes), so key order is creation order and lists need no sort.
func newHandshakeID(now time.Time) string {
	const sortable = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	ms := now.UnixMilli()
	if ms < 0 {
		ms = 0
	}
	var stamp [7]byte
	for i := len(stamp) - 1; i >= 0; i-- {
		stamp[i] = sortable[ms%62]
		ms /= 62
	}
	return "h-" + string(stamp[:]) + model.NewAlphanumeric(9)
}

func checkHandshakeID(id string) error {
	if id == "" {
		return missing("HandshakeId")
	}
	if !hasAlnumSuffix(id, "h-", 16) {
		return codeHandshakeFormat.New("The HandshakeId %q is not an invitation id (h- and 16 letters or digits).", clip(id))
	}
	return nil
}

// Invite is the input of InviteAccountToResourceDirectory.
type Invite struct {
	TargetEntity string
	TargetType   string
	Note         string
	Tags         []Tag
}

func (in Invite) validate() error {
	switch {
	case in.TargetEntity == "":
		return missing("TargetEntity")
	case in.TargetType == "":
		return missing("TargetType")
	case in.TargetType != TargetAccount && in.TargetType != TargetEmail:
		return codeTargetType.New("The TargetType must be %s or %s; got %q.", TargetAccount, TargetEmail, clip(in.TargetType))
	case !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > MaxNoteLength:
		return codeNoteLength.New("The Note must be valid text of at most %d characters.", MaxNoteLength)
	}
	return checkTags(in.Tags)
}

// invitee finds the account an invitation targets.
func invitee(tx store.Tx, in Invite) (store.Account, error) {
	var acct store.Account
	var err error
	if in.TargetType == TargetAccount {
		if !isDigits(in.TargetEntity) || len(in.TargetEntity) > 32 {
			return acct, codeTargetEntity.New("The TargetEntity %q is not an account id.", clip(in.TargetEntity))
		}
		acct, err = tx.Accounts().Get(in.TargetEntity)
	} else {
		acct, err = tx.Accounts().GetByEmail(strings.TrimSpace(in.TargetEntity))
	}
	if errors.Is(err, store.ErrNotFound) {
		return acct, codeTargetEntity.New("No account matches the %s %q.", strings.ToLower(in.TargetType), clip(in.TargetEntity))
	}
	return acct, err
}

// canJoin checks that acct may become a member of d now (at invitation
// and again at acceptance).
func (s *Service) canJoin(tx store.Tx, d *Directory, acct store.Account) error {
	if acct.Type != accounts.TypeCloudAccount || !accounts.Live(acct) {
		return codeInvalidAccount.New("Only a cloud account can be invited; account %s is a %s.", acct.ID, acct.Type)
	}
	m, err := membershipOf(tx, acct.ID)
	if err != nil {
		return err
	}
	switch {
	case m != nil && m.DirectoryID == d.ID:
		return codeAlreadyMember.New("The account %s is already in the resource directory %s.", acct.ID, d.ID)
	case m != nil:
		return codeInAnotherDirectory.New("The account %s already manages or belongs to a resource directory.", acct.ID)
	case d.Members >= s.limits.MaxMembers:
		return codeMemberQuota.New("The resource directory already has %d members, its quota.", s.limits.MaxMembers)
	}
	return nil
}

// InviteAccount invites an existing cloud account into the directory
// managementID manages and mails the invitee.
func (s *Service) InviteAccount(tx store.Tx, managementID string, in Invite, now time.Time) (*Handshake, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	d, drec, err := managed(tx, managementID)
	if err != nil {
		return nil, err
	}
	target, err := invitee(tx, in)
	if err != nil {
		return nil, err
	}
	if err := s.canJoin(tx, d, target); err != nil {
		return nil, err
	}
	ma, err := tx.Accounts().Get(managementID)
	if err != nil {
		return nil, err
	}
	if target.RealName != ma.RealName {
		return nil, codeLegalEntityInvite.New("The account %s belongs to another legal entity than the management account.", target.ID)
	}
	if pending, err := s.pendingFor(tx, managementID, target.ID, now); err != nil {
		return nil, err
	} else if pending != "" {
		return nil, codeHandshakeExists.New("The invitation %s to account %s is still pending.", pending, target.ID)
	}
	d.Invitations = recent(d.Invitations, now)
	if len(d.Invitations) >= s.limits.InvitationsPerDay {
		return nil, codeInvitationRate.New("The resource directory sent %d invitations in the last 24 hours, its limit.", len(d.Invitations))
	}
	h := &Handshake{ID: newHandshakeID(now), DirectoryID: d.ID, MasterAccountID: managementID, MasterAccountName: d.MasterAccountName,
		TargetEntity: in.TargetEntity, TargetType: in.TargetType, InviteeAccountID: target.ID, Note: in.Note, Tags: in.Tags,
		Status: HandshakePending, Created: now, Modified: now, Expires: now.Add(InvitationValidity)}
	if err := handshakes.Insert(tx, managementID, h.ID, target.ID, h, now); err != nil {
		return nil, err
	}
	if err := invitations.Insert(tx, target.ID, h.ID, managementID, &invitation{ManagementAccountID: managementID}, now); err != nil {
		return nil, err
	}
	d.Invitations = append(d.Invitations, now)
	if err := directories.Update(tx, drec, d, now); err != nil {
		return nil, err
	}
	if target.Email != "" {
		if err := queue.Enqueue(tx, invitationMail(h, target.Email)); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func invitationMail(h *Handshake, to string) notify.Message {
	body := fmt.Sprintf("The account %s (%s) invites your account %s to join its resource directory %s.\n\n",
		h.MasterAccountName, h.MasterAccountID, h.InviteeAccountID, h.DirectoryID)
	if h.Note != "" {
		body += "Note from the inviter:\n" + h.Note + "\n\n"
	}
	body += fmt.Sprintf("Invitation: %s, valid until %s.\nAccept it with AcceptHandshake (HandshakeId=%s), or decline it with DeclineHandshake.\n",
		h.ID, h.Expires.UTC().Format(time.RFC3339), h.ID)
	return notify.Message{Kind: notify.Email, To: to, Subject: "Invitation to join resource directory " + h.DirectoryID, Body: body}
}

// recent keeps the times of the last 24 hours.
func recent(times []time.Time, now time.Time) []time.Time {
	kept := times[:0]
	for _, t := range times {
		if now.Sub(t) < 24*time.Hour {
			kept = append(kept, t)
		}
	}
	return kept
}

// pendingFor returns the id of a pending invitation from managementID to
// inviteeID, "" when there is none.
func (s *Service) pendingFor(tx store.Tx, managementID, inviteeID string, now time.Time) (string, error) {
	sent, err := handshakes.List(tx, store.Query{AccountID: managementID, Ref: inviteeID})
	if err != nil {
		return "", err
	}
	for i := range sent {
		if sent[i].StatusAt(now) == HandshakePending {
			return sent[i].ID, nil
		}
	}
	return "", nil
}

// received reads an invitation addressed to inviteeID.
func received(tx store.Tx, inviteeID, id string) (*Handshake, store.Record, error) {
	if err := checkHandshakeID(id); err != nil {
		return nil, store.Record{}, err
	}
	idx, _, err := invitations.Get(tx, inviteeID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Record{}, handshakeNotExists(id)
	}
	if err != nil {
		return nil, store.Record{}, err
	}
	h, rec, err := handshakes.Get(tx, idx.ManagementAccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, handshakeNotExists(id)
	}
	return h, rec, err
}

// sent reads an invitation managementID sent.
func sent(tx store.Tx, managementID, id string) (*Handshake, store.Record, error) {
	if err := checkHandshakeID(id); err != nil {
		return nil, store.Record{}, err
	}
	h, rec, err := handshakes.Get(tx, managementID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, handshakeNotExists(id)
	}
	return h, rec, err
}

// settle moves a pending invitation to status; an invitation that is no
// longer pending refuses every transition.
func settle(tx store.Tx, h *Handshake, rec store.Record, status string, now time.Time) error {
	if current := h.StatusAt(now); current != HandshakePending {
		return codeHandshakeStatus.New("The invitation %s is %s, not Pending.", h.ID, current)
	}
	h.Status, h.Modified = status, now
	return handshakes.Update(tx, rec, h, now)
}

// AcceptHandshake makes the invitee a member of the inviting directory:
// a cloud account that joined by invitation, in Root, with its access role.
func (s *Service) AcceptHandshake(tx store.Tx, inviteeID, id string, now time.Time) (*Handshake, error) {
	h, rec, err := received(tx, inviteeID, id)
	if err != nil {
		return nil, err
	}
	if current := h.StatusAt(now); current != HandshakePending {
		return nil, codeHandshakeStatus.New("The invitation %s is %s, not Pending.", h.ID, current)
	}
	d, drec, err := managed(tx, h.MasterAccountID)
	switch {
	case entityNotExists.Has(err) || err == nil && d.ID != h.DirectoryID:
		return nil, codeDirectoryGone.New("The resource directory %s that sent the invitation no longer exists.", h.DirectoryID)
	case err != nil:
		return nil, err
	}
	acct, err := tx.Accounts().Get(inviteeID)
	if err != nil {
		return nil, err
	}
	if err := s.canJoin(tx, d, acct); err != nil {
		return nil, err
	}
	if err := settle(tx, h, rec, HandshakeAccepted, now); err != nil {
		return nil, err
	}
	return h, s.joinCloudAccount(tx, d, drec, acct, h.Tags, now)
}

// joinCloudAccount makes an existing cloud account a member that joined
// from outside (JoinMethod invited, in Root), named after its login.
func (s *Service) joinCloudAccount(tx store.Tx, d *Directory, drec store.Record, acct store.Account, tags []Tag, now time.Time) error {
	name := acct.Email
	if name == "" {
		name = acct.ID
	}
	m := &Member{AccountID: acct.ID, AccountName: name, DisplayName: name, Type: TypeCloudAccount, JoinMethod: JoinInvited,
		Status: StatusInviteSuccess, FolderID: d.RootFolderID, FolderPath: d.ID + "/" + d.RootFolderID, Tags: tags,
		JoinTime: now, ModifyTime: now}
	if err := claimName(tx, memberNames, d.MasterAccountID, name, acct.ID, now, displayNameTaken(name)); codeDisplayNameUsed.Is(err) {
		// Another member renamed itself to this account's login name:
		// the account id keeps the new member's display name unique.
		m.DisplayName = name + " (" + acct.ID + ")"
		if err := claimName(tx, memberNames, d.MasterAccountID, m.DisplayName, acct.ID, now, displayNameTaken(m.DisplayName)); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	return s.join(tx, d, drec, m, now)
}

// DeclineHandshake refuses an invitation addressed to inviteeID.
func (s *Service) DeclineHandshake(tx store.Tx, inviteeID, id string, now time.Time) (*Handshake, error) {
	h, rec, err := received(tx, inviteeID, id)
	if err != nil {
		return nil, err
	}
	return h, settle(tx, h, rec, HandshakeDeclined, now)
}

// CancelHandshake withdraws an invitation managementID sent.
func (s *Service) CancelHandshake(tx store.Tx, managementID, id string, now time.Time) (*Handshake, error) {
	h, rec, err := sent(tx, managementID, id)
	if err != nil {
		return nil, err
	}
	return h, settle(tx, h, rec, HandshakeCancelled, now)
}

// HandshakeView is an invitation as one side sees it: the invitee also
// sees both legal entities.
type HandshakeView struct {
	Handshake
	MasterAccountRealName  string
	InvitedAccountRealName string
}

// GetHandshake returns an invitation to whichever side asks: the invitee
// or the management account that sent it.
func (s *Service) GetHandshake(tx store.Tx, accountID, id string) (*HandshakeView, error) {
	h, _, err := received(tx, accountID, id)
	if err == nil {
		v := &HandshakeView{Handshake: *h}
		for _, side := range []struct {
			id   string
			into *string
		}{{h.MasterAccountID, &v.MasterAccountRealName}, {h.InviteeAccountID, &v.InvitedAccountRealName}} {
			acct, err := tx.Accounts().Get(side.id)
			if err != nil {
				return nil, err
			}
			*side.into = acct.RealName
		}
		return v, nil
	}
	if !entityNotExists.Has(err) {
		return nil, err
	}
	h, _, err = sent(tx, accountID, id)
	if err != nil {
		return nil, err
	}
	return &HandshakeView{Handshake: *h}, nil
}

// ListHandshakesForAccount lists the invitations addressed to accountID,
// oldest first.
func (s *Service) ListHandshakesForAccount(tx store.Tx, accountID string, page Page) (Listed[Handshake], error) {
	number, size, err := page.resolve()
	if err != nil {
		return Listed[Handshake]{}, err
	}
	q := store.Query{AccountID: accountID}
	total, err := invitations.Count(tx, q)
	if err != nil {
		return Listed[Handshake]{}, err
	}
	q.Offset, q.Limit = (number-1)*size, size
	recs, err := invitations.Records(tx, q)
	if err != nil {
		return Listed[Handshake]{}, err
	}
	items := make([]Handshake, 0, len(recs))
	for _, rec := range recs {
		h, _, err := handshakes.Get(tx, rec.Ref, rec.Key)
		if errors.Is(err, store.ErrNotFound) {
			continue // the directory was destroyed with its invitations
		}
		if err != nil {
			return Listed[Handshake]{}, err
		}
		items = append(items, *h)
	}
	return Listed[Handshake]{Items: items, TotalCount: total, PageNumber: number, PageSize: size}, nil
}

// ListHandshakesForDirectory lists the invitations the directory
// managementID manages has sent, oldest first.
func (s *Service) ListHandshakesForDirectory(tx store.Tx, managementID string, page Page) (Listed[Handshake], error) {
	number, size, err := page.resolve()
	if err != nil {
		return Listed[Handshake]{}, err
	}
	if _, _, err := managed(tx, managementID); err != nil {
		return Listed[Handshake]{}, err
	}
	q := store.Query{AccountID: managementID}
	total, err := handshakes.Count(tx, q)
	if err != nil {
		return Listed[Handshake]{}, err
	}
	q.Offset, q.Limit = (number-1)*size, size
	items, err := handshakes.List(tx, q)
	return Listed[Handshake]{Items: items, TotalCount: total, PageNumber: number, PageSize: size}, err
}

// RemoveCloudAccount lets a cloud account leave the directory: its member
// record and membership go, and its access role is removed from it; the
// account itself stays, standalone.
func (s *Service) RemoveCloudAccount(tx store.Tx, managementID, accountID string, now time.Time) error {
	d, drec, err := managed(tx, managementID)
	if err != nil {
		return err
	}
	m, _, err := member(tx, d, accountID)
	if err != nil {
		return err
	}
	if m.Type != TypeCloudAccount || (m.Status != StatusInviteSuccess && m.Status != StatusCreateSuccess &&
		m.Status != StatusSwitchSuccess && m.Status != StatusPromoteSuccess) {
		return codeTypeOrStatus.New("Only a cloud account member can be removed; %s is a %s (%s). Resource accounts are deleted instead.", m.AccountID, m.Type, m.Status)
	}
	return s.leave(tx, d, drec, m, now)
}

// leave undoes join: the member record, its claims, the directory's count,
// the membership and (in the member's account) the access role.
func (s *Service) leave(tx store.Tx, d *Directory, drec store.Record, m *Member, now time.Time) error {
	if err := removeMember(tx, d, m.AccountID); err != nil {
		return err
	}
	if err := memberNames.Delete(tx, d.MasterAccountID, lowerKey(m.DisplayName)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if m.JoinMethod == JoinCreated && m.AccountName != "" {
		if err := loginNames.Delete(tx, d.MasterAccountID, lowerKey(m.AccountName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if err := directories.Update(tx, drec, d, now); err != nil {
		return err
	}
	memberAccount := m.AccountID
	if err := memberships.Delete(tx, memberAccount, membershipKey); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.revokeAccessRole(tx, memberAccount)
}
