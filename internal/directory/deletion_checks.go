package directory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/store"
)

// The pre-deletion checks. The cloud checks billing and the products a
// member uses; Canopy has neither, so it checks what it does hold and what
// deleting the member would break:
//
//   - PAYER_FOR_MEMBERS blocks: other members name this one as their payer
//     (CreateResourceAccount's PayerAccountId). Deleting it would leave them
//     without a settlement account; delete those members first.
//     DeleteAccount refuses it with NotSupport.HasPayerAccount.
//   - RAM_USER_ACCESS_KEYS may be abandoned: RAM users of the member hold
//     AccessKeys, so programs may still be using the account.
//   - RAM_ROLES may be abandoned: the member has RAM roles besides its
//     access role, which other accounts or services may be assuming.
//
// A check that finds something lists it (a few names) and says what to do.
const (
	CheckPayer      = "PAYER_FOR_MEMBERS"
	CheckAccessKeys = "RAM_USER_ACCESS_KEYS"
	CheckRoles      = "RAM_ROLES"
)

var (
	blockingChecks    = []string{CheckPayer}
	abandonableChecks = []string{CheckAccessKeys, CheckRoles}
)

// CheckResult is one check that found something.
type CheckResult struct {
	ID          string
	Name        string
	Description string
}

// checkFindings are the checks that found something, by kind.
type checkFindings struct {
	blocking    []CheckResult
	abandonable []CheckResult
}

// failing returns the findings a deletion that abandons the given checks
// still fails on.
func (f checkFindings) failing(abandoned []string) []CheckResult {
	out := append([]CheckResult(nil), f.blocking...)
	for _, c := range f.abandonable {
		if !slices.Contains(abandoned, c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// blockingFindings runs the checks that block a deletion (DeleteAccount
// runs them at once, before it accepts a deletion).
func blockingFindings(tx store.Tx, d *Directory, m *Member) ([]CheckResult, error) {
	paid, err := membersPaidBy(tx, d, m.AccountID)
	if err != nil || len(paid) == 0 {
		return nil, err
	}
	return []CheckResult{{ID: CheckPayer, Name: checkName(CheckPayer),
		Description: fmt.Sprintf("The member pays for %s: delete those members first.", names(paid, "member"))}}, nil
}

// runChecks runs every check on member m of directory d.
func (s *Service) runChecks(tx store.Tx, d *Directory, m *Member) (checkFindings, error) {
	var f checkFindings
	var err error
	if f.blocking, err = blockingFindings(tx, d, m); err != nil {
		return f, err
	}
	holders, err := s.usersWithAccessKeys(tx, m.AccountID)
	if err != nil {
		return f, err
	}
	if len(holders) > 0 {
		f.abandonable = append(f.abandonable, CheckResult{ID: CheckAccessKeys, Name: checkName(CheckAccessKeys),
			Description: fmt.Sprintf("%s of the member hold AccessKeys that stop working when it is deleted: delete the keys, or abandon this check.", names(holders, "RAM user"))})
	}
	roles, err := s.otherRoles(tx, m.AccountID)
	if err != nil {
		return f, err
	}
	if len(roles) > 0 {
		f.abandonable = append(f.abandonable, CheckResult{ID: CheckRoles, Name: checkName(CheckRoles),
			Description: fmt.Sprintf("The member has %s besides %s, which others may be assuming: delete them, or abandon this check.", names(roles, "RAM role"), AccessRoleName)})
	}
	return f, nil
}

// membersPaidBy lists the other members of d that name payer as theirs
// (at most the member quota: read in one go).
func membersPaidBy(tx store.Tx, d *Directory, payer string) ([]string, error) {
	all, err := members.List(tx, store.Query{AccountID: d.MasterAccountID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range all {
		if o.PayerAccountID == payer && o.AccountID != payer {
			out = append(out, o.AccountID)
		}
	}
	return out, nil
}

// checkPage is how many users or roles a check reads at a time.
var checkPage = iam.MaxMaxItems

// usersWithAccessKeys lists the RAM users of an account that hold at least
// one AccessKey.
func (s *Service) usersWithAccessKeys(tx store.Tx, accountID string) ([]string, error) {
	var out []string
	for marker := ""; ; {
		page, err := s.iam.ListUsers(tx, accountID, iam.PageRequest{Marker: marker, MaxItems: &checkPage}, nil)
		if err != nil {
			return nil, err
		}
		for _, u := range page.Items {
			n, err := tx.AccessKeys().CountForUser(accountID, u.Name)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				out = append(out, u.Name)
			}
		}
		if !page.IsTruncated {
			return out, nil
		}
		marker = page.Marker
	}
}

// otherRoles lists the roles of an account besides the access role.
func (s *Service) otherRoles(tx store.Tx, accountID string) ([]string, error) {
	var out []string
	for marker := ""; ; {
		page, err := s.iam.ListRoles(tx, accountID, iam.PageRequest{Marker: marker, MaxItems: &checkPage})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Items {
			if !strings.EqualFold(r.Name, AccessRoleName) {
				out = append(out, r.Name)
			}
		}
		if !page.IsTruncated {
			return out, nil
		}
		marker = page.Marker
	}
}

// names shows a few of a list: `the RAM users "a", "b" and 3 more`.
func names(list []string, what string) string {
	const shown = 3
	if len(list) == 1 {
		return fmt.Sprintf("the %s %q", what, list[0])
	}
	quoted := make([]string, 0, shown)
	for _, n := range list[:min(len(list), shown)] {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	out := fmt.Sprintf("the %ss %s", what, strings.Join(quoted, ", "))
	if len(list) > shown {
		out += fmt.Sprintf(" and %d more", len(list)-shown)
	}
	return out
}

// refuseBlocked is DeleteAccount's refusal when a blocking check found
// something. The only blocking check is the payer's, whose documented
// code is NotSupport.HasPayerAccount.
func refuseBlocked(accountID string, blocking []CheckResult) error {
	return codeHasPayer.New("Member %s cannot be deleted: %s", accountID, blocking[0].Description)
}
