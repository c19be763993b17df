package directory

import (
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Binding a security phone to a resource account
// (SendVerificationCodeForBindSecureMobilePhone, BindSecureMobilePhone):
// the first step of upgrading it to a cloud account, whose root needs a
// security phone. Only a RAM identity of the management account may do
// it; the code goes to the phone being bound, and its limits count against
// the member.

// SendBindMobileCode sends a code to phone for binding it to the member
// accountID; it returns when the code expires.
func (s *Service) SendBindMobileCode(tx store.Tx, caller *model.Principal, accountID, phone string, now time.Time) (time.Time, error) {
	if err := checkBindInput(accountID, phone); err != nil {
		return time.Time{}, err
	}
	if caller.Kind == model.Root {
		return time.Time{}, ramIdentityOnly(codeCallerIdentity, "send a code to bind a member's security phone")
	}
	if _, err := s.phoneless(tx, caller.AccountID, accountID); err != nil {
		return time.Time{}, err
	}
	memberAccount := accountID // the code, and its limits, belong to the member
	return s.sendCode(tx, memberAccount, purposeBindMobile, phone, "to bind this phone to the account "+accountID, now)
}

// BindSecureMobilePhone makes phone the security phone of the resource
// account accountID, when code is the one sent to that phone for it.
func (s *Service) BindSecureMobilePhone(tx store.Tx, caller *model.Principal, accountID, phone, code string, now time.Time) error {
	if err := checkBindInput(accountID, phone); err != nil {
		return err
	}
	if code == "" {
		return missing("VerificationCode")
	}
	if caller.Kind == model.Root {
		return ramIdentityOnly(codeCallerIdentity, "bind a member's security phone")
	}
	acct, err := s.phoneless(tx, caller.AccountID, accountID)
	if err != nil {
		return err
	}
	memberAccount := accountID
	if err := s.checkCode(tx, memberAccount, purposeBindMobile, phone, code, now); err != nil {
		return err
	}
	acct.Mobile, acct.Updated = phone, now
	return tx.Accounts().Update(*acct)
}

func checkBindInput(accountID, phone string) error {
	if err := checkAccountID(accountID); err != nil {
		return err
	}
	return checkPhone("SecureMobilePhone", phone, func(msg string) error { return invalid("SecureMobilePhone", "%s", msg) })
}

// phoneless returns the account of a resource-account member of the
// directory managementID manages that has no security phone yet.
func (s *Service) phoneless(tx store.Tx, managementID, accountID string) (*store.Account, error) {
	d, _, err := managed(tx, managementID)
	if err != nil {
		return nil, err
	}
	m, _, err := member(tx, d, accountID)
	if err != nil {
		return nil, err
	}
	acct, err := tx.Accounts().Get(accountID)
	if err != nil {
		return nil, err
	}
	if m.Type != TypeResourceAccount || acct.Type != accounts.TypeResourceAccount {
		return nil, codeTypeMismatch.New("The member %s is a %s: only a resource account binds a security phone this way.", accountID, m.Type)
	}
	if acct.Mobile != "" {
		return nil, codeMobileExists.New("The member %s already has a security phone; it cannot be changed here.", accountID)
	}
	return &acct, nil
}
