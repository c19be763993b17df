package accounts

import (
	"errors"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
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
