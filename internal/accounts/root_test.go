package accounts

import (
	"errors"
	"strings"
	"testing"
	"time"

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

// MaxRootSignInFailures wrong passwords within an hour lock the root for
// RootLockDuration, the right password included, with the same refusal;
// failures an hour apart do not add up; a success clears the count; other
// data of the account survives.
func TestRootSignInLockout(t *testing.T) {
	hash, err := password.Hash("Sturdy-Pass-42")
	if err != nil {
		t.Fatal(err)
	}
	acct := store.Account{ID: "1000000000000002", Email: "lock@example.com", PasswordHash: hash, Type: TypeCloudAccount,
		Status: StatusActive, Data: []byte(`{"other":"kept"}`)}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	want := RootSignIn(acct, "wrong").Error()
	fail := func(at time.Time, pw string) {
		t.Helper()
		if _, err := RootSignInAt(&acct, pw, at); err == nil || err.Error() != want {
			t.Fatalf("at %v with %q: %v; want the one refusal", at, pw, err)
		}
	}
	for i := 0; i < MaxRootSignInFailures-1; i++ {
		fail(now.Add(time.Duration(i)*time.Minute), "wrong")
	}
	// A success before the limit clears the count.
	if write, err := RootSignInAt(&acct, "Sturdy-Pass-42", now.Add(10*time.Minute)); err != nil || !write {
		t.Fatalf("the right password before the limit: write %v, %v", write, err)
	}
	if !strings.Contains(string(acct.Data), `"other":"kept"`) || strings.Contains(string(acct.Data), rootSignInKey) {
		t.Fatalf("data after a success: %s", acct.Data)
	}
	// Failures more than an hour apart start a new count.
	for i := 0; i < MaxRootSignInFailures-1; i++ {
		fail(now.Add(20*time.Minute), "wrong")
	}
	fail(now.Add(81*time.Minute), "wrong") // the window started at +20m: a new count of 1
	if _, err := RootSignInAt(&acct, "Sturdy-Pass-42", now.Add(82*time.Minute)); err != nil {
		t.Fatalf("locked after failures spread over more than an hour: %v", err)
	}
	// MaxRootSignInFailures within the hour lock it.
	start := now.Add(2 * time.Hour)
	for i := 0; i < MaxRootSignInFailures; i++ {
		fail(start.Add(time.Duration(i)*time.Second), "wrong")
	}
	fail(start.Add(time.Minute), "Sturdy-Pass-42")
	fail(start.Add(RootLockDuration), "Sturdy-Pass-42")
	if _, err := RootSignInAt(&acct, "Sturdy-Pass-42", start.Add(RootLockDuration+5*time.Second)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if !strings.Contains(string(acct.Data), `"other":"kept"`) {
		t.Fatalf("the account's other data was lost: %s", acct.Data)
	}
	// A root that cannot sign in (a resource account) is not counted: nothing to write.
	res := acct
	res.Type = TypeResourceAccount
	if write, err := RootSignInAt(&res, "wrong", start.Add(3*time.Hour)); err == nil || write {
		t.Fatalf("resource account: write %v, %v", write, err)
	}
}
