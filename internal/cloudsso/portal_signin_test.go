package cloudsso

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestPortalLockout: MaxLoginAttempts wrong passwords lock the user for
// LockoutDuration (the right password is refused meanwhile, PortalSignIn
// checks Locked before the password's answer); the count starts again
// after the lock; 0 attempts means never locked.
func TestPortalLockout(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	pol := defaultPasswordPolicy()
	pol.MaxLoginAttempts = 3
	c := &Credential{}
	for i := 1; i < 3; i++ {
		c.recordFailure(pol, now)
		if c.Locked(now) {
			t.Fatalf("locked after %d failures of 3", i)
		}
	}
	c.recordFailure(pol, now)
	if !c.Locked(now) || !c.Locked(now.Add(LockoutDuration-time.Second)) {
		t.Fatal("three failures did not lock the user for the lockout duration")
	}
	if c.Locked(now.Add(LockoutDuration)) {
		t.Fatal("the lock outlived its hour")
	}
	if c.FailedLogins != 0 {
		t.Fatalf("the count did not start again after the lock: %d", c.FailedLogins)
	}

	unlimited := pol
	unlimited.MaxLoginAttempts = 0
	free := &Credential{}
	for i := 0; i < 100; i++ {
		free.recordFailure(unlimited, now)
	}
	if free.Locked(now) || free.FailedLogins != 0 {
		t.Fatalf("MaxLoginAttempts 0 locked or counted: %+v", free)
	}
}

// TestPortalMFACodes: binding needs two consecutive codes of the secret;
// a code is 6 digits.
func TestPortalMFACodes(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 7, 0, time.UTC)
	p, err := NewPendingMFA(&Directory{Name: "corp"}, &User{Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	cur := totpStep(now)
	code := func(step int64) string {
		c, err := totp.GenerateCodeCustom(p.Secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if step, ok := consecutiveStep(p.Secret, code(cur-1), code(cur), now); !ok || step != cur {
		t.Fatalf("the current two codes were refused: %d %v", step, ok)
	}
	if _, ok := consecutiveStep(p.Secret, code(cur), code(cur-1), now); ok {
		t.Fatal("codes in the wrong order were accepted")
	}
	if _, ok := consecutiveStep(p.Secret, code(cur-3), code(cur-2), now); ok {
		t.Fatal("old codes were accepted")
	}
	for _, bad := range []string{"", "12345", "1234567", "12a456"} {
		if checkCode(bad) == nil {
			t.Errorf("code %q passed the format check", bad)
		}
	}
}
