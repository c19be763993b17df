package directory

import (
	"errors"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// member reads one member of directory d.
func member(tx store.Tx, d *Directory, id string) (*Member, store.Record, error) {
	if err := checkAccountID(id); err != nil {
		return nil, store.Record{}, err
	}
	m, rec, err := members.Get(tx, d.MasterAccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rec, accountNotExists(id)
	}
	return m, rec, err
}

// managedMember reads a member of the directory managementID manages,
// with the directory: what every call on one member starts with.
func managedMember(tx store.Tx, managementID, accountID string) (*Directory, store.Record, *Member, store.Record, error) {
	d, drec, err := managed(tx, managementID)
	if err != nil {
		return nil, drec, nil, store.Record{}, err
	}
	m, mrec, err := member(tx, d, accountID)
	return d, drec, m, mrec, err
}

// claimName reserves name (ignoring case) for accountID in the collection
// of claims c, refusing with taken when another member holds it.
func claimName(tx store.Tx, c store.Collection[nameClaim], managementID, name, accountID string, now time.Time, taken func() error) error {
	err := c.Insert(tx, managementID, lowerKey(name), accountID, &nameClaim{AccountID: accountID}, now)
	if errors.Is(err, store.ErrConflict) {
		return taken()
	}
	return err
}

func displayNameTaken(name string) func() error {
	return func() error {
		return codeDisplayNameUsed.New("Another member of the resource directory is already named %q.", name)
	}
}

// NewResourceAccount is the input of CreateResourceAccount.
type NewResourceAccount struct {
	DisplayName       string
	AccountNamePrefix string // "" = random
	ParentFolderID    string // "" = Root
	PayerAccountID    string // "" = the member pays for itself
	Tags              []Tag
}

// CreateResourceAccount creates a member without a root user in the
// directory managementID manages, in one transaction with everything the
// member needs: its account (the management account's legal entity, no
// email, no password), its membership and its access role.
func (s *Service) CreateResourceAccount(tx store.Tx, managementID string, n NewResourceAccount, now time.Time) (*Member, error) {
	if err := displayNameRule.check(n.DisplayName); err != nil {
		return nil, err
	}
	if n.AccountNamePrefix != "" {
		if err := checkAccountNamePrefix(n.AccountNamePrefix); err != nil {
			return nil, err
		}
	}
	if err := checkTags(n.Tags); err != nil {
		return nil, err
	}
	d, drec, parent, err := s.placeNewMember(tx, managementID, n.ParentFolderID, n.PayerAccountID)
	if err != nil {
		return nil, err
	}
	ma, err := tx.Accounts().Get(managementID)
	if err != nil {
		return nil, err
	}
	acct := store.Account{ID: model.NewAccountID(), RealName: ma.RealName, Type: accounts.TypeResourceAccount,
		Status: accounts.StatusActive, Created: now, Updated: now}
	if err := tx.Accounts().Insert(acct); err != nil {
		return nil, err // a clash of random 16-digit ids: the caller may retry
	}
	m := &Member{AccountID: acct.ID, DisplayName: n.DisplayName, Type: TypeResourceAccount, JoinMethod: JoinCreated,
		Status: StatusCreateSuccess, FolderID: parent.ID, FolderPath: parent.Path(d.ID), PayerAccountID: n.PayerAccountID,
		Tags: n.Tags, JoinTime: now, ModifyTime: now}
	if err := claimName(tx, memberNames, managementID, m.DisplayName, m.AccountID, now, displayNameTaken(m.DisplayName)); err != nil {
		return nil, err
	}
	if m.AccountName, err = s.claimLoginName(tx, d, n.AccountNamePrefix, m.AccountID, now); err != nil {
		return nil, err
	}
	if err := s.join(tx, d, drec, m, now); err != nil {
		return nil, err
	}
	return m, nil
}

// placeNewMember checks that the directory managementID manages can take
// one more member in folder parentID ("" = Root), paid for by payerID
// ("" = itself): the folder exists, the quota allows, and the payer is the
// management account or a member.
func (s *Service) placeNewMember(tx store.Tx, managementID, parentID, payerID string) (*Directory, store.Record, *Folder, error) {
	d, drec, err := managed(tx, managementID)
	if err != nil {
		return nil, drec, nil, err
	}
	parent, _, err := s.folder(tx, d, "ParentFolderId", parentID)
	if err != nil {
		return nil, drec, nil, err
	}
	if d.Members >= s.limits.MaxMembers {
		return nil, drec, nil, codeMemberQuota.New("The resource directory already has %d members, its quota.", s.limits.MaxMembers)
	}
	if payerID != "" && payerID != managementID {
		if _, _, err := member(tx, d, payerID); err != nil {
			return nil, drec, nil, codePayerNotMember.New("The payer account %q is neither the management account nor a member of this resource directory.", clip(payerID))
		}
	}
	return d, drec, parent, nil
}

// join makes an account a member: its member record in the management
// account, the directory's count, its membership and, written in the
// member's own account, its access role.
func (s *Service) join(tx store.Tx, d *Directory, drec store.Record, m *Member, now time.Time) error {
	if err := addMember(tx, d, m, now); err != nil {
		return err
	}
	if err := directories.Update(tx, drec, d, now); err != nil {
		return err
	}
	memberAccount := m.AccountID
	if err := memberships.Insert(tx, memberAccount, membershipKey, d.MasterAccountID,
		&Membership{DirectoryID: d.ID, ManagementAccountID: d.MasterAccountID}, now); err != nil {
		return err
	}
	return s.grantAccessRole(tx, memberAccount, d.MasterAccountID, now)
}

// claimLoginName reserves <prefix>@<rd-id>.aliyunid.com, drawing a random
// prefix when none is given.
func (s *Service) claimLoginName(tx store.Tx, d *Directory, prefix, accountID string, now time.Time) (string, error) {
	domain := "@" + strings.ToLower(d.ID) + ".aliyunid.com"
	for attempt := 0; ; attempt++ {
		p := prefix
		if p == "" {
			p = "member-" + strings.ToLower(model.NewAlphanumeric(8))
		}
		name := p + domain
		err := claimName(tx, loginNames, d.MasterAccountID, name, accountID, now, func() error {
			return codeAccountNameUsed.New("The login name %q is already used in the resource directory.", name)
		})
		if err == nil || prefix != "" || attempt == 2 {
			return name, err
		}
	}
}

// AccountView is a member with what GetAccount adds.
type AccountView struct {
	Member
	DirectoryID string
	// IdentityInformation is the member's legal entity.
	IdentityInformation string
	// Location is the human path of the member's folder, e.g. root/dev/web.
	Location string
}

// GetAccount returns one member of the directory managementID manages.
func (s *Service) GetAccount(tx store.Tx, managementID, accountID string) (*AccountView, error) {
	d, _, m, _, err := managedMember(tx, managementID, accountID)
	if err != nil {
		return nil, err
	}
	acct, err := tx.Accounts().Get(accountID)
	if err != nil {
		return nil, err
	}
	f, _, err := s.folder(tx, d, "FolderId", m.FolderID)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.Ancestors)+1)
	for _, a := range f.Ancestors {
		names = append(names, a.Name)
	}
	names = append(names, f.Name)
	return &AccountView{Member: *m, DirectoryID: d.ID, IdentityInformation: acct.RealName, Location: strings.Join(names, "/")}, nil
}

// AccountFilter narrows a member list.
type AccountFilter struct {
	Tags    []Tag  // every tag must match (an empty value matches any value)
	Keyword string // display name contains it, ignoring case (ListAccountsForParent)
}

func (f AccountFilter) empty() bool { return len(f.Tags) == 0 && f.Keyword == "" }

// check applies the tag rules to the filter's tags (Tag.N.Key and
// Tag.N.Value of the lists are documented with the same rules as a
// member's tags).
func (f AccountFilter) check() error { return checkTags(f.Tags) }

func (f AccountFilter) match(m *Member) bool {
	if f.Keyword != "" && !containsFold(m.DisplayName, f.Keyword) && !strings.Contains(m.AccountID, f.Keyword) {
		return false
	}
	for _, want := range f.Tags {
		found := false
		for _, t := range m.Tags {
			if t.Key == want.Key && (want.Value == "" || t.Value == want.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ListAccounts lists the members of the directory managementID manages,
// one page at a time. Without a filter a page costs one bounded read (the
// total is the directory's counter), whatever the number of members.
func (s *Service) ListAccounts(tx store.Tx, managementID string, filter AccountFilter, page Page) (Listed[Member], string, error) {
	d, _, err := managed(tx, managementID)
	if err != nil {
		return Listed[Member]{}, "", err
	}
	l, err := s.listMembers(tx, store.Query{AccountID: managementID}, d.Members, filter, page, d)
	return l, d.ID, err
}

// ListAccountsForParent lists the members directly in one folder.
func (s *Service) ListAccountsForParent(tx store.Tx, managementID, parentID string, filter AccountFilter, page Page) (Listed[Member], string, error) {
	d, _, err := managed(tx, managementID)
	if err != nil {
		return Listed[Member]{}, "", err
	}
	f, _, err := s.folder(tx, d, "ParentFolderId", parentID)
	if err != nil {
		return Listed[Member]{}, "", err
	}
	q := store.Query{AccountID: managementID, Ref: f.ID}
	total := -1
	if filter.empty() {
		if total, err = members.Count(tx, q); err != nil {
			return Listed[Member]{}, "", err
		}
	}
	l, err := s.listMembers(tx, q, total, filter, page, nil)
	return l, d.ID, err
}

// listMembers pages through the members q selects. Unfiltered, the store
// pages (total is known), starting from the page index when q selects all
// of indexed's members; filtered, the matches are counted in memory (a
// directory has at most its member quota).
func (s *Service) listMembers(tx store.Tx, q store.Query, total int, filter AccountFilter, page Page, indexed *Directory) (Listed[Member], error) {
	number, size, err := page.resolve()
	if err != nil {
		return Listed[Member]{}, err
	}
	if err := filter.check(); err != nil {
		return Listed[Member]{}, err
	}
	if filter.empty() && total >= 0 {
		q.Offset, q.Limit = (number-1)*size, size
		if indexed != nil {
			q, _ = pageQuery(indexed, q, q.Offset)
		}
		items, err := listMembersFast(tx, q)
		if err != nil {
			return Listed[Member]{}, err
		}
		return Listed[Member]{Items: items, TotalCount: total, PageNumber: number, PageSize: size}, nil
	}
	all, err := listMembersFast(tx, q)
	if err != nil {
		return Listed[Member]{}, err
	}
	kept := all[:0]
	for i := range all {
		if filter.match(&all[i]) {
			kept = append(kept, all[i])
		}
	}
	return pageOf(kept, number, size), nil
}

// MoveAccount moves a member into another folder (Root allowed).
func (s *Service) MoveAccount(tx store.Tx, managementID, accountID, destinationID string, now time.Time) error {
	if destinationID == "" {
		return missing("DestinationFolderId")
	}
	d, _, m, rec, err := managedMember(tx, managementID, accountID)
	if err != nil {
		return err
	}
	dest, _, err := s.folder(tx, d, "DestinationFolderId", destinationID)
	if err != nil {
		return err
	}
	if m.FolderID == dest.ID {
		return nil
	}
	m.FolderID, m.FolderPath, m.ModifyTime = dest.ID, dest.Path(d.ID), now
	return members.UpdateRef(tx, rec, dest.ID, m, now)
}

// RenameAccount changes a member's display name (UpdateAccount with
// NewDisplayName).
func (s *Service) RenameAccount(tx store.Tx, managementID, accountID, name string, now time.Time) (*Member, error) {
	if err := displayNameRule.check(name); err != nil {
		return nil, err
	}
	_, _, m, rec, err := managedMember(tx, managementID, accountID)
	if err != nil {
		return nil, err
	}
	if m.DisplayName == name {
		return m, nil
	}
	if !strings.EqualFold(m.DisplayName, name) {
		if err := claimName(tx, memberNames, managementID, name, m.AccountID, now, displayNameTaken(name)); err != nil {
			return nil, err
		}
		if err := memberNames.Delete(tx, managementID, lowerKey(m.DisplayName)); err != nil {
			return nil, err
		}
	}
	m.DisplayName, m.ModifyTime = name, now
	return m, members.Update(tx, rec, m, now)
}

// Payer is the account that pays for a member.
type Payer struct {
	AccountID   string
	AccountName string
}

// GetPayerForAccount returns who pays for a member: the account it named
// at creation, else itself.
func (s *Service) GetPayerForAccount(tx store.Tx, managementID, accountID string) (*Payer, error) {
	d, _, m, _, err := managedMember(tx, managementID, accountID)
	if err != nil {
		return nil, err
	}
	if m.PayerAccountID == "" {
		return &Payer{AccountID: m.AccountID, AccountName: m.AccountName}, nil
	}
	if m.PayerAccountID == managementID {
		return &Payer{AccountID: managementID, AccountName: d.MasterAccountName}, nil
	}
	payer, _, err := member(tx, d, m.PayerAccountID)
	if err != nil {
		return &Payer{AccountID: m.PayerAccountID}, nil // the payer left the directory since
	}
	return &Payer{AccountID: payer.AccountID, AccountName: payer.AccountName}, nil
}

// MemberPath is the ResourceDirectoryPath of a member of the directory
// managementID manages, which member calls are authorized on; "" when
// there is no such member (the call's static resource then decides, and
// the handler reports what is missing).
func (s *Service) MemberPath(tx store.Tx, managementID, accountID string) (string, error) {
	if !isDigits(accountID) || len(accountID) > 32 {
		return "", nil
	}
	m, _, err := members.Get(tx, managementID, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return m.Path(), nil
}

// UpdateAccount renames a member or switches its type: exactly one of the
// two per call. The management account's root user may rename a member
// but not switch its type (only a RAM identity may: CallerIdentityError).
func (s *Service) UpdateAccount(tx store.Tx, caller *model.Principal, accountID, newName, newType string, now time.Time) (*Member, error) {
	if err := checkAccountID(accountID); err != nil {
		return nil, err
	}
	switch {
	case newName == "" && newType == "":
		return nil, codeNameOrTypeMissing.New("Give NewDisplayName or NewAccountType.")
	case newName != "" && newType != "":
		return nil, invalid("NewAccountType", "Give NewDisplayName or NewAccountType, not both: rename and switch type in two calls.")
	case newType != "" && CheckTypeSwitchCaller(caller) != nil:
		return nil, CheckTypeSwitchCaller(caller)
	case newName != "":
		return s.RenameAccount(tx, caller.AccountID, accountID, newName, now)
	default:
		return s.switchType(tx, caller.AccountID, accountID, newType, now)
	}
}
