package accounts

import (
	"errors"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/store"
)

// Only an enabled root with its own password signs in; every refusal is
// the same one.
func TestRootSignIn(t *testing.T) {
	hash, err := password.Hash("Sturdy-Pass-42")
	if err != nil {
		t.Fatal(err)
	}
	cloud := store.Account{ID: "1000000000000001", Email: "owner@example.com", PasswordHash: hash, Type: TypeCloudAccount, Status: StatusActive}
	if err := RootSignIn(cloud, "Sturdy-Pass-42"); err != nil {
		t.Fatalf("the owner with the right password: %v", err)
	}
	switched := cloud
	switched.Type = TypeResourceAccount
	deleted := cloud
	deleted.Status = StatusDeleted
	noPassword := cloud
	noPassword.PasswordHash = ""
	var first string
	for name, c := range map[string]struct {
		acct store.Account
		pw   string
	}{
		"wrong password":             {cloud, "Sturdy-Pass-43"},
		"resource account":           {switched, "Sturdy-Pass-42"},
		"deleted account":            {deleted, "Sturdy-Pass-42"},
		"no password, empty given":   {noPassword, ""},
		"no password, anything else": {noPassword, "Sturdy-Pass-42"},
	} {
		err := RootSignIn(c.acct, c.pw)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != "InvalidCredentials" || e.Kind != apperr.KindDenied {
			t.Fatalf("%s: %v; want InvalidCredentials", name, err)
		}
		if first == "" {
			first = e.Message
		} else if e.Message != first {
			t.Errorf("%s: the message %q tells this refusal from others", name, e.Message)
		}
	}
}

func TestValidMobile(t *testing.T) {
	for phone, want := range map[string]bool{"86-13800000000": true, "1-5550100": true, "13800000000": false, "+86-138": false, "86-": false} {
		if ValidMobile(phone) != want {
			t.Errorf("ValidMobile(%q) = %v", phone, !want)
		}
	}
}
