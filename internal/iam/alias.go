package iam

import (
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// DomainSuffix ends every default domain: <alias>.onaliyun.com.
const DomainSuffix = ".onaliyun.com"

// Alias rules: 3-32 lower-case letters, digits and single inner hyphens.
const (
	MinAliasLength = 3
	MaxAliasLength = 32
	// MaxDefaultDomainLength bounds <alias>.onaliyun.com.
	MaxDefaultDomainLength = 64
)

type aliasSetting struct{ Alias string }

// checkAlias validates an account alias for parameter param.
func checkAlias(param, alias string) error {
	if n := len(alias); n < MinAliasLength || n > MaxAliasLength {
		return invalid(param, "Length", "The parameter %s must be %d to %d characters long.", param, MinAliasLength, MaxAliasLength)
	}
	digitsOnly := true
	for i := 0; i < len(alias); i++ {
		c := alias[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return invalid(param, "Format", "The parameter %s may contain only lower-case letters, digits and hyphens.", param)
		}
		digitsOnly = digitsOnly && c >= '0' && c <= '9'
	}
	if strings.HasPrefix(alias, "-") || strings.HasSuffix(alias, "-") || strings.Contains(alias, "--") {
		return invalid(param, "Format", "The parameter %s must not start or end with a hyphen or contain two hyphens in a row.", param)
	}
	// An all-digit alias could be another account's id, whose default domain
	// <id>.onaliyun.com always names that account.
	if digitsOnly {
		return invalid(param, "Format", "The parameter %s must contain a letter or a hyphen; all-digit names are account ids.", param)
	}
	return nil
}

// accountAlias returns the alias an account set ("" when none).
func accountAlias(tx store.Tx, accountID string) (string, error) {
	var a aliasSetting
	_, err := accountAliasSetting.load(tx, accountID, &a)
	return a.Alias, err
}

// GetAccountAlias returns the account alias; an account that never set one
// is known by its id.
func (s *Service) GetAccountAlias(tx store.Tx, accountID string) (string, error) {
	alias, err := accountAlias(tx, accountID)
	if alias == "" {
		alias = accountID
	}
	return alias, err
}

// SetAccountAlias sets the alias, which must not belong to another account.
func (s *Service) SetAccountAlias(tx store.Tx, accountID, alias string, now time.Time) error {
	if err := checkAlias("AccountAlias", alias); err != nil {
		return err
	}
	return s.setAlias(tx, accountID, alias, now)
}

func (s *Service) setAlias(tx store.Tx, accountID, alias string, now time.Time) error {
	current, err := accountAlias(tx, accountID)
	if err != nil || current == alias {
		return err
	}
	owner, err := aliasOwnerOf(tx, alias)
	if err != nil {
		return err
	}
	if owner != "" && owner != accountID {
		return alreadyExists("AccountAlias", "The account alias %q is already used by another account.", alias)
	}
	return accountAliasSetting.save(tx, accountID, &aliasSetting{Alias: alias}, now)
}

// aliasOwnerOf returns the account whose alias is alias ("" when none).
// Records belong to an account (the store has no global scope), so the
// lookup walks the accounts' alias settings; aliases change rarely and the
// walk runs in the caller's transaction, which serializes it with any
// concurrent SetAccountAlias.
func aliasOwnerOf(tx store.Tx, alias string) (string, error) {
	const batch = 500
	after := ""
	for {
		accounts, err := tx.Accounts().List(after, batch)
		if err != nil {
			return "", err
		}
		for _, a := range accounts {
			got, err := accountAlias(tx, a.ID)
			if err != nil {
				return "", err
			}
			if got == alias {
				return a.ID, nil
			}
		}
		if len(accounts) < batch {
			return "", nil
		}
		after = accounts[len(accounts)-1].ID
	}
}

// ClearAccountAlias removes the alias; the account is known by its id again.
func (s *Service) ClearAccountAlias(tx store.Tx, accountID string, now time.Time) error {
	current, err := accountAlias(tx, accountID)
	if err != nil || current == "" {
		return err
	}
	return accountAliasSetting.save(tx, accountID, &aliasSetting{}, now)
}

// AccountByAlias returns the account an alias (or an account id, the
// default alias) names; store.ErrNotFound (wrapped) when none (console
// sign-in by <user>@<alias>.onaliyun.com).
func (s *Service) AccountByAlias(tx store.Tx, alias string) (string, error) {
	owner, err := aliasOwnerOf(tx, alias)
	if err != nil || owner != "" {
		return owner, err
	}
	if _, err := tx.Accounts().Get(alias); err != nil {
		return "", err
	}
	return alias, nil
}

// DefaultDomain is <alias>.onaliyun.com, the suffix of IMS user principal
// names.
func (s *Service) DefaultDomain(tx store.Tx, accountID string) (string, error) {
	alias, err := s.GetAccountAlias(tx, accountID)
	return alias + DomainSuffix, err
}

// SetDefaultDomain changes the default domain by changing the alias;
// <account id>.onaliyun.com clears the alias.
func (s *Service) SetDefaultDomain(tx store.Tx, accountID, domain string, now time.Time) (string, error) {
	alias, ok := strings.CutSuffix(domain, DomainSuffix)
	if !ok || len(domain) > MaxDefaultDomainLength {
		return "", invalid("DefaultDomainName", "Format", "The parameter DefaultDomainName must be <alias>%s and at most %d characters.", DomainSuffix, MaxDefaultDomainLength)
	}
	if alias == accountID {
		return domain, s.ClearAccountAlias(tx, accountID, now)
	}
	if err := checkAlias("DefaultDomainName", alias); err != nil {
		return "", err
	}
	return domain, s.setAlias(tx, accountID, alias, now)
}

// UserNameFromPrincipal resolves an IMS user principal name
// (<user>@<domain>) to the RAM user name. The domain must be the account's
// default domain or <account id>.onaliyun.com, which always works.
func (s *Service) UserNameFromPrincipal(tx store.Tx, accountID, param, upn string) (string, error) {
	name, domain, ok := strings.Cut(upn, "@")
	if !ok || name == "" || len(upn) > 128 {
		return "", invalid(param, "Format", "The parameter %s must look like <user>@<default domain>, e.g. alice@%s%s.", param, accountID, DomainSuffix)
	}
	if err := checkName(param, name, userNameRule); err != nil {
		return "", err
	}
	if domain == accountID+DomainSuffix {
		return name, nil
	}
	current, err := s.DefaultDomain(tx, accountID)
	if err != nil {
		return "", err
	}
	if domain != current {
		return "", invalid(param, "Format", "The domain of %s must be the account's default domain %s; got %q.", param, current, domain)
	}
	return name, nil
}
