// Package accounts creates top-level accounts (tenants): a cloud account
// whose root user signs in with its email and password, optionally with a
// root AccessKey pair.
package accounts

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/credentials"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Account types and statuses.
const (
	TypeCloudAccount = "CloudAccount"
	StatusActive     = "Active"
)

// Password rules for root users: at least MinPasswordLength characters with
// at least two kinds of character (lower, upper, digit, symbol). Long
// passphrases are welcome up to password.MaxLength bytes; nothing is
// truncated.
const MinPasswordLength = 8

// NewAccount is the input of Create.
type NewAccount struct {
	Email     string
	RealName  string
	Password  string
	Mobile    string // optional security phone, "<country code>-<number>"
	AccessKey bool   // also issue a root AccessKey pair
}

// Created is the result of Create; Key is set only when asked for.
type Created struct {
	Account store.Account
	Key     *credentials.Issued
}

var mobilePattern = regexp.MustCompile(`^[0-9]{1,4}-[0-9]{4,15}$`)

// Validate checks the input without touching storage.
func (n *NewAccount) Validate() error {
	email := strings.TrimSpace(n.Email)
	if email == "" {
		return apperr.MissingParameter("Email")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > 128 || strings.ContainsAny(email, " \t\r\n") {
		return codeEmailFormat.New("The email %q is not a valid address.", n.Email)
	}
	if strings.TrimSpace(n.RealName) == "" {
		return apperr.MissingParameter("RealName")
	}
	if utf8.RuneCountInString(n.RealName) > 128 || !utf8.ValidString(n.RealName) {
		return codeRealNameLength.New("The real name must be 1 to 128 characters.")
	}
	if n.Mobile != "" && !mobilePattern.MatchString(n.Mobile) {
		return codeMobileFormat.New("The mobile phone %q must look like <country code>-<number>, e.g. 86-13800000000.", n.Mobile)
	}
	return checkPassword(n.Password, email)
}

func checkPassword(pw, email string) error {
	if pw == "" {
		return apperr.MissingParameter("Password")
	}
	if len(pw) > password.MaxLength {
		return codeWeakPassword.New("The password is longer than %d bytes.", password.MaxLength)
	}
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return codeWeakPassword.New("The password must have at least %d characters.", MinPasswordLength)
	}
	var lower, upper, digit, symbol int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			symbol = 1
		}
	}
	if lower+upper+digit+symbol < 2 {
		return codeWeakPassword.New("The password must mix at least two kinds of character: lower case, upper case, digits, symbols.")
	}
	if strings.EqualFold(pw, email) {
		return codeWeakPassword.New("The password must not be the email address.")
	}
	return nil
}

// Create stores the account (and its root key) in tx. n must have passed
// HashPassword, which validates it and computes passwordHash outside the
// transaction (argon2 is deliberately slow). The store also keeps accounts
// without an email or a password (Resource Directory resource accounts);
// a cloud account always has both, so Create checks again.
func Create(tx store.Tx, ring *keyring.Keyring, n NewAccount, passwordHash string, now time.Time) (*Created, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if passwordHash == "" {
		return nil, errors.New("accounts: a cloud account needs its root password hash (see HashPassword)")
	}
	a := store.Account{Email: strings.ToLower(strings.TrimSpace(n.Email)),
		RealName: strings.TrimSpace(n.RealName), Mobile: n.Mobile, PasswordHash: passwordHash,
		Type: TypeCloudAccount, Status: StatusActive, Created: now, Updated: now}
	if _, err := tx.Accounts().GetByEmail(a.Email); err == nil {
		return nil, emailTaken(a.Email)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	// The email is free, so a conflict can only be a (vanishingly rare)
	// clash of random ids: draw again.
	for attempt := 0; ; attempt++ {
		a.ID = model.NewAccountID()
		err := tx.Accounts().Insert(a)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrConflict) || attempt == 2 {
			return nil, err
		}
	}
	out := &Created{Account: a}
	if n.AccessKey {
		k, err := credentials.Issue(tx, ring, a.ID, "", now)
		if err != nil {
			return nil, err
		}
		out.Key = &k
	}
	return out, nil
}

// HashPassword validates n and hashes its password.
func HashPassword(n NewAccount) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	return password.Hash(n.Password)
}

func emailTaken(email string) error {
	return codeAccountExists.New("An account with the email %s already exists.", email)
}
