package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/queue"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// codeBench is a directory service over a real SQLite store with one
// account, and the codes it has queued for delivery.
type codeBench struct {
	t       *testing.T
	st      store.Backend
	svc     *Service
	account string
	now     time.Time
}

func newCodeBench(t *testing.T) *codeBench {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "codes.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ring, err := keyring.New(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	svc := New(nil, Limits{})
	svc.HashCodesWith(ring.Derive("test-codes"))
	b := &codeBench{t: t, st: st, svc: svc, account: "1000000000000001", now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b.write(func(tx store.Tx) error {
		return tx.Accounts().Insert(store.Account{ID: b.account, RealName: "Example Ltd", Type: "ResourceAccount",
			Status: "Active", Created: b.now, Updated: b.now})
	})
	return b
}

// write runs fn in a write and returns its error; like the invoker, it
// commits a refusal built with apperr.KeepWrites.
func (b *codeBench) write(fn func(tx store.Tx) error) error {
	b.t.Helper()
	var refused error
	err := b.st.Write(context.Background(), func(tx store.Tx) error {
		refused = nil
		err := fn(tx)
		if _, kept := apperr.KeptWrites(err); kept {
			refused = err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return refused
}

const benchPhone = "86-13800000000"

// send sends a code to phone and returns it, read from the queued SMS.
func (b *codeBench) send(phone string) (string, error) {
	b.t.Helper()
	var code string
	err := b.write(func(tx store.Tx) error {
		before, err := tx.Jobs().List(store.JobQuery{Kind: queue.Kind})
		if err != nil {
			return err
		}
		if _, err := b.svc.sendCode(tx, b.account, purposeBindMobile, phone, "for a test", b.now); err != nil {
			return err
		}
		after, err := tx.Jobs().List(store.JobQuery{Kind: queue.Kind})
		if err != nil {
			return err
		}
		if len(after) != len(before)+1 {
			return fmt.Errorf("%d messages queued; want one", len(after)-len(before))
		}
		queued := map[string]bool{}
		for _, j := range before {
			queued[j.ID] = true
		}
		var m notify.Message
		for _, j := range after {
			if !queued[j.ID] {
				if err := json.Unmarshal(j.Payload, &m); err != nil {
					return err
				}
			}
		}
		if m.Kind != notify.SMS || m.To != phone {
			return fmt.Errorf("queued %+v; want an SMS to %s", m, phone)
		}
		_, err = fmt.Sscanf(m.Body, "Canopy: %6s is your verification code", &code)
		return err
	})
	return code, err
}

func (b *codeBench) check(phone, code string) error {
	b.t.Helper()
	return b.write(func(tx store.Tx) error {
		return b.svc.checkCode(tx, b.account, purposeBindMobile, phone, code, b.now)
	})
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: %v; want %s", what, err, code)
	}
}

func other(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestCodeIsSingleUseAndBoundToItsPhone(t *testing.T) {
	b := newCodeBench(t)
	code, err := b.send(benchPhone)
	if err != nil || len(code) != 6 {
		t.Fatalf("send: %q %v", code, err)
	}
	wantCode(t, "another phone", b.check("86-13900000000", code), "Invalid.VerificationCode")
	if err := b.check(benchPhone, code); err != nil {
		t.Fatalf("the right code: %v", err)
	}
	wantCode(t, "the code again", b.check(benchPhone, code), "Invalid.VerificationCode")
}

func TestCodeIsStoredOnlyAsAKeyedHash(t *testing.T) {
	b := newCodeBench(t)
	code, err := b.send(benchPhone)
	if err != nil {
		t.Fatal(err)
	}
	var rec store.Record
	b.st.Read(context.Background(), func(tx store.Tx) (err error) {
		rec, err = tx.Records().Get(b.account, verifications.Kind, purposeBindMobile)
		return err
	})
	var v verification
	if err := json.Unmarshal(rec.Data, &v); err != nil || len(v.MAC) != 32 {
		t.Fatalf("stored %s (%v)", rec.Data, err)
	}
	if bytes.Contains(rec.Data, []byte(code)) {
		t.Fatalf("the code %s is in the stored record %s", code, rec.Data)
	}
}

func TestCodeExpiresAfterFiveMinutes(t *testing.T) {
	b := newCodeBench(t)
	code, err := b.send(benchPhone)
	if err != nil {
		t.Fatal(err)
	}
	b.now = b.now.Add(CodeValidity)
	wantCode(t, "at five minutes", b.check(benchPhone, code), "Invalid.VerificationCode")

	b.now = b.now.Add(CodeResendInterval)
	code, err = b.send(benchPhone)
	if err != nil {
		t.Fatal(err)
	}
	b.now = b.now.Add(CodeValidity - time.Second)
	if err := b.check(benchPhone, code); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
}

// Wrong tries are committed although each is refused, and the fifth voids
// the code: the right code then fails too.
func TestWrongTriesVoidTheCode(t *testing.T) {
	b := newCodeBench(t)
	code, err := b.send(benchPhone)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= MaxCodeGuesses; i++ {
		wrong := b.check(benchPhone, other(code))
		wantCode(t, fmt.Sprintf("wrong try %d", i), wrong, "Invalid.VerificationCode")
		if _, kept := apperr.KeptWrites(wrong); !kept {
			t.Fatalf("wrong try %d is not committed: %v", i, wrong)
		}
	}
	wantCode(t, "the right code after five wrong ones", b.check(benchPhone, code), "Invalid.VerificationCode")

	// A new code starts afresh.
	b.now = b.now.Add(CodeResendInterval)
	code, err = b.send(benchPhone)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, "one wrong try", b.check(benchPhone, "12345"), "Invalid.VerificationCode")
	if err := b.check(benchPhone, code); err != nil {
		t.Fatalf("the new code: %v", err)
	}
}

// One code a minute, a hundred in any 24 hours; a new code replaces the
// one before.
func TestCodeSendingLimits(t *testing.T) {
	b := newCodeBench(t)
	first, err := b.send(benchPhone)
	if err != nil {
		t.Fatal(err)
	}
	b.now = b.now.Add(CodeResendInterval - time.Second)
	_, err = b.send(benchPhone)
	wantCode(t, "a resend within the minute", err, "LimitExceeded.Frequency")
	start := b.now.Add(time.Second - CodeResendInterval)
	var last string
	for i := 2; i <= CodesPerDay; i++ {
		b.now = start.Add(time.Duration(i-1) * CodeResendInterval)
		if last, err = b.send(benchPhone); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if first != last {
		wantCode(t, "the replaced first code", b.check(benchPhone, first), "Invalid.VerificationCode")
	}
	b.now = b.now.Add(CodeResendInterval)
	_, err = b.send(benchPhone)
	wantCode(t, "send 101", err, "SendValidateCodeExceedsLimitForAccount")
	b.now = start.Add(24 * time.Hour) // the first send leaves the window
	if _, err := b.send(benchPhone); err != nil {
		t.Fatalf("a day after the first send: %v", err)
	}
}

func TestCodesFailClosedWithoutAKey(t *testing.T) {
	b := newCodeBench(t)
	b.svc.codeKey = nil
	if _, err := b.send(benchPhone); err == nil || apperr.As(err).Kind != apperr.KindInternal {
		t.Fatalf("send without a key: %v", err)
	}
}
