package cloudsso

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/canopy-iam/canopy/internal/store"
)

// An MFA code works once: the code that bound the device cannot sign in,
// a code that signed in cannot sign in again (replayed within its window),
// and an older code is refused once a newer one was used.
func TestPortalMFACodeReplay(t *testing.T) {
	e := newAccessEnv(t)
	now := e.now.Add(7 * time.Second)
	var u *User
	p, err := NewPendingMFA(e.dir, &User{Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	code := func(step int64) string {
		c, err := totp.GenerateCodeCustom(p.Secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cur := totpStep(now)
	e.write(func(tx store.Tx) error {
		if u, err = e.sso.CreateUser(tx, e.ma, e.dir.ID, NewUser{Name: "alice"}, now); err != nil {
			return err
		}
		_, err := e.sso.BindPortalMFA(tx, e.dir, u.ID, p.Secret, code(cur-1), code(cur), now)
		return err
	})
	verify := func(c string, at time.Time) error {
		var verr error
		e.write(func(tx store.Tx) error { verr = e.sso.VerifyPortalMFA(tx, e.dir, u.ID, c, at); return nil })
		return verr
	}
	if err := verify(code(cur), now); !codeWrongMFACode.Is(err) {
		t.Fatalf("the binding's code signed in: %v", err)
	}
	later := now.Add(totpPeriod * time.Second)
	if err := verify(code(cur+1), later); err != nil {
		t.Fatalf("the next code was refused: %v", err)
	}
	if err := verify(code(cur+1), later); !codeWrongMFACode.Is(err) {
		t.Fatalf("a replayed code signed in: %v", err)
	}
	if err := verify(code(cur), later); !codeWrongMFACode.Is(err) {
		t.Fatalf("an older code signed in after a newer one: %v", err)
	}
}
