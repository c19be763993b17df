package accounts

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

func TestValidate(t *testing.T) {
	good := NewAccount{Email: "owner@example.com", RealName: "Example Ltd", Password: "Sturdy-Pass-42", Mobile: "86-13800000000"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	cases := map[string]struct {
		mutate func(*NewAccount)
		code   string
	}{
		"missing email":     {func(n *NewAccount) { n.Email = "" }, "MissingParameter.Email"},
		"display-name mail": {func(n *NewAccount) { n.Email = "Owner <owner@example.com>" }, "InvalidParameter.Email.Format"},
		"not an email":      {func(n *NewAccount) { n.Email = "owner" }, "InvalidParameter.Email.Format"},
		"missing name":      {func(n *NewAccount) { n.RealName = " " }, "MissingParameter.RealName"},
		"bad mobile":        {func(n *NewAccount) { n.Mobile = "+86 138" }, "InvalidParameter.MobilePhone.Format"},
		"short password":    {func(n *NewAccount) { n.Password = "Ab1!" }, "InvalidParameter.Password.TooWeak"},
		"one kind":          {func(n *NewAccount) { n.Password = "onlylowercase" }, "InvalidParameter.Password.TooWeak"},
		"password = email":  {func(n *NewAccount) { n.Password = "Owner@Example.com" }, "InvalidParameter.Password.TooWeak"},
		"overlong password": {func(n *NewAccount) { n.Password = strings.Repeat("aB1", 50) }, "InvalidParameter.Password.TooWeak"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			n := good
			c.mutate(&n)
			var e *apperr.Error
			if err := n.Validate(); !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("got %v; want %s", err, c.code)
			}
		})
	}
}

// A cloud account keeps requiring an email and a root password, although
// the store now also holds accounts without them.
func TestCreateRequiresEmailAndPassword(t *testing.T) {
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "accounts.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ring, err := keyring.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	good := NewAccount{Email: "Owner@Example.com", RealName: "Example Ltd", Password: "Sturdy-Pass-42"}
	create := func(n NewAccount, hash string) (*Created, error) {
		var out *Created
		err := st.Write(context.Background(), func(tx store.Tx) (err error) {
			out, err = Create(tx, ring, n, hash, time.Now())
			return err
		})
		return out, err
	}
	noEmail := good
	noEmail.Email = ""
	var e *apperr.Error
	if _, err := create(noEmail, "$argon2id$hash"); !errors.As(err, &e) || e.Code != "MissingParameter.Email" {
		t.Errorf("Create without email: %v", err)
	}
	if _, err := create(good, ""); err == nil {
		t.Errorf("Create without a password hash succeeded")
	}
	c, err := create(good, "$argon2id$hash")
	if err != nil || c.Account.Email != "owner@example.com" || c.Account.PasswordHash != "$argon2id$hash" {
		t.Fatalf("Create = %+v, %v", c, err)
	}
	if _, err := create(good, "$argon2id$hash"); !errors.As(err, &e) || e.Code != "EntityAlreadyExists.Account" {
		t.Errorf("Create with a taken email: %v", err)
	}
}
