package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/smtp"
)

var code = notify.Message{Kind: notify.SMS, To: "86-13800000000", Body: "Your code is 123456."}

// onlyFile returns the contents of the one message in dir.
func onlyFile(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("%s: %v %v; want one message", dir, entries, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestNewWiresTheOutboxUnderTheDataDirectory(t *testing.T) {
	data := t.TempDir()
	a, err := New(context.Background(), Config{DataDir: data, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if a.Config.Outbox != filepath.Join(data, "outbox") {
		t.Fatalf("Outbox = %q; want <data>/outbox", a.Config.Outbox)
	}
	if err := a.Notify.Send(context.Background(), code); err != nil {
		t.Fatal(err)
	}
	if got := onlyFile(t, filepath.Join(data, "outbox")); got != "To: 86-13800000000\n\nYour code is 123456.\n" {
		t.Fatalf("outbox holds %q", got)
	}
}

func TestOutboxFlagOverridesTheDefault(t *testing.T) {
	data, dir := t.TempDir(), filepath.Join(t.TempDir(), "mail")
	cfg := Config{DataDir: data, Outbox: dir, SMTPFrom: "Canopy <no-reply@canopy.example>"}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s := NewSender(cfg)
	if err := s.Send(context.Background(), notify.Message{Kind: notify.Email, To: "alice@example.com", Subject: "Hi", Body: "Hello"}); err != nil {
		t.Fatal(err)
	}
	if got := onlyFile(t, dir); !strings.Contains(got, "From: \"Canopy\" <no-reply@canopy.example>\r\n") {
		t.Fatalf("email in --outbox lacks the configured From:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(data, "outbox")); !os.IsNotExist(err) {
		t.Fatalf("<data>/outbox used although --outbox was given (%v)", err)
	}
}

func TestSMTPSendsEmailAndLeavesSMSInTheOutbox(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), SMTPAddr: "mail.example.com:587", SMTPFrom: "no-reply@canopy.example",
		SMTPUsername: "mailer", SMTPPassword: "s3cret"}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r, ok := NewSender(cfg).(notify.ByKind)
	if !ok {
		t.Fatalf("sender %T; want notify.ByKind", NewSender(cfg))
	}
	s, ok := r.Email.(*smtp.Sender)
	if !ok || s.Addr != "mail.example.com:587" || s.From != "no-reply@canopy.example" || s.Username != "mailer" || s.Password != "s3cret" {
		t.Fatalf("email sender %#v; want SMTP to mail.example.com:587 as mailer", r.Email)
	}
	if o, ok := r.SMS.(*notify.Outbox); !ok || o.Dir != cfg.Outbox {
		t.Fatalf("SMS sender %#v; want the outbox %s", r.SMS, cfg.Outbox)
	}
}

func TestNotifySettingsThatCannotWorkAreRefused(t *testing.T) {
	cases := map[string]Config{
		"address without port":      {SMTPAddr: "mail.example.com"},
		"address without host":      {SMTPAddr: ":25"},
		"bad From":                  {SMTPAddr: "mail.example.com:25", SMTPFrom: "not an address"},
		"bad From without SMTP":     {SMTPFrom: "a@b\r\nBcc: c@d"},
		"username without SMTP":     {SMTPUsername: "mailer", SMTPPassword: "x"},
		"username without password": {SMTPAddr: "mail.example.com:25", SMTPUsername: "mailer"},
		"password without username": {SMTPAddr: "mail.example.com:25", SMTPPassword: "x"},
	}
	for name, cfg := range cases {
		cfg.Defaults()
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := Config{SMTPAddr: "mail.example.com:25", SMTPFrom: "Canopy <no-reply@canopy.example>", SMTPPassword: ""}
	ok.Defaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("SMTP without auth refused: %v", err)
	}
}
