package directory

import (
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/credentials"
	"github.com/canopy-iam/canopy/internal/store"
)

// Switching a member's type (UpdateAccount with NewAccountType). UpdateAccount
// has refused the management root already; the caller is a RAM identity of
// the management account.
//
// Cloud -> resource disables the member's root user: the account row's
// type says so, every node drops what it cached of the account's keys from
// the change feed, and loadCredential and accounts.RootSignIn refuse the
// root from the next request on. The root password is discarded. The
// member keeps everything else: its RAM users, roles, policies and keys.
//
// Resource -> cloud enables the root user again, without a password (the
// owner sets one through password recovery, as in the cloud; Canopy has no
// recovery yet, so until then the account is reached through its RAM
// identities and its access role) and without active AccessKeys.

// switchable are the statuses of a member whose type may be switched: it
// has settled in the directory (not a pending legacy creation or promotion).
var switchable = map[string]bool{StatusCreateSuccess: true, StatusInviteSuccess: true, StatusSwitchSuccess: true, StatusPromoteSuccess: true}

func (s *Service) switchType(tx store.Tx, managementID, accountID, newType string, now time.Time) (*Member, error) {
	if newType != TypeResourceAccount && newType != TypeCloudAccount {
		return nil, invalid("NewAccountType", "The parameter NewAccountType must be %s or %s; got %q.", TypeResourceAccount, TypeCloudAccount, clip(newType))
	}
	d, _, err := managed(tx, managementID)
	if err != nil {
		return nil, err
	}
	m, rec, err := member(tx, d, accountID)
	if err != nil {
		return nil, err
	}
	memberAccount := accountID // the switch writes the member's own account row
	acct, err := tx.Accounts().Get(memberAccount)
	if err != nil {
		return nil, err
	}
	if newType == TypeResourceAccount {
		err = s.checkToResource(tx, managementID, m, acct)
		acct.Type, acct.PasswordHash = accounts.TypeResourceAccount, ""
	} else {
		err = checkToCloud(m, acct)
		acct.Type = accounts.TypeCloudAccount
	}
	if err != nil {
		return nil, err
	}
	acct.Updated = now
	if err := tx.Accounts().Update(acct); err != nil {
		return nil, err
	}
	m.Type, m.Status, m.ModifyTime = newType, StatusSwitchSuccess, now
	return m, members.Update(tx, rec, m, now)
}

// checkToResource checks the documented preconditions of a cloud account
// becoming a resource account, in the documented order, each with its code.
func (s *Service) checkToResource(tx store.Tx, managementID string, m *Member, acct store.Account) error {
	if m.Type != TypeCloudAccount || acct.Type != accounts.TypeCloudAccount || !switchable[m.Status] {
		return codeTypeMismatch.New("The member %s is a %s in status %s: only a cloud account that has joined can become a resource account.",
			m.AccountID, m.Type, m.Status)
	}
	ma, err := tx.Accounts().Get(managementID)
	if err != nil {
		return err
	}
	if acct.RealName != ma.RealName {
		return codeLegalEntity.New("The member %s belongs to another legal entity than the management account: only an account of the same legal entity can become a resource account.", m.AccountID)
	}
	if acct.Mobile == "" && acct.Email == "" {
		return codeMissingSecurity.New("The member %s has neither a security phone nor a security email.", m.AccountID)
	}
	rootKeys, err := tx.AccessKeys().ListForUser(acct.ID, "")
	if err != nil {
		return err
	}
	for _, k := range rootKeys {
		if k.Status == credentials.Active {
			return codePrimaryAkInUse.New("The root user of the member %s still has an active AccessKey: its owner must disable it (UpdateAccessKey with Status Inactive) first, as the switch disables the root user.",
				m.AccountID)
		}
	}
	return nil
}

// checkToCloud checks that a resource account can become a cloud account:
// its root will need a security phone or email to recover a password.
func checkToCloud(m *Member, acct store.Account) error {
	if m.Type != TypeResourceAccount || acct.Type != accounts.TypeResourceAccount || !switchable[m.Status] {
		return codeTypeMismatch.New("The member %s is a %s in status %s: only a resource account can become a cloud account.", m.AccountID, m.Type, m.Status)
	}
	if acct.Mobile == "" && acct.Email == "" {
		return codeMissingSecurity.New("The member %s has no security phone: bind one first (SendVerificationCodeForBindSecureMobilePhone, then BindSecureMobilePhone).", m.AccountID)
	}
	return nil
}
