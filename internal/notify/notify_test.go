package notify_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/notify"
)

var fixed = time.Date(2026, 3, 4, 5, 6, 7, 891, time.FixedZone("CST", 8*3600))

func frozen() time.Time { return fixed }

// files lists the outbox, failing on anything but finished messages.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
		names = append(names, e.Name())
	}
	return names
}

var namePattern = regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{8}\.(eml|sms)$`)

func TestOutboxEmailReadsBackAsRFC5322(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := &notify.Outbox{Dir: dir, From: "Canopy Admin <admin@canopy.example>", Now: frozen}
	body := "Hello Zoë,\n\nyour invitation: https://console.example/invite?token=abc=def\n" +
		strings.Repeat("a long line ", 20) + "\nBye"
	m := notify.Message{Kind: notify.Email, To: "Alice Example <alice@example.com>", Subject: "Invitation — join «Example»", Body: body}
	if err := o.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("outbox directory: %v, mode %v; want 0700", err, st.Mode().Perm())
	}
	names := files(t, dir)
	if len(names) != 1 || !namePattern.MatchString(names[0]) || !strings.HasPrefix(names[0], "20260303T210607.000000891Z-") || !strings.HasSuffix(names[0], ".eml") {
		t.Fatalf("outbox holds %v; want one <UTC time>-<random>.eml", names)
	}
	path := filepath.Join(dir, names[0])
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("message file mode %v; want 0600", st.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
		t.Fatal("line breaks must all be CRLF")
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Canopy Admin" || from[0].Address != "admin@canopy.example" {
		t.Fatalf("From %q: %v %v", h.Get("From"), from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Alice Example" || to[0].Address != "alice@example.com" {
		t.Fatalf("To %q: %v %v", h.Get("To"), to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Fatalf("Subject %q decodes to %q (%v)", h.Get("Subject"), subject, err)
	}
	date, err := h.Date()
	if err != nil || !date.Equal(fixed.Truncate(time.Second)) {
		t.Fatalf("Date %q = %v (%v); want %v", h.Get("Date"), date, err, fixed)
	}
	if id := h.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{32}@canopy\.example>$`).MatchString(id) {
		t.Fatalf("Message-ID %q", id)
	}
	for k, want := range map[string]string{"MIME-Version": "1.0", "Content-Type": "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	decoded, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(decoded), strings.ReplaceAll(body, "\n", "\r\n")+"\r\n"; got != want {
		t.Fatalf("body reads back as\n%q\nwant\n%q", got, want)
	}
}

func TestOutboxDefaultFrom(t *testing.T) {
	dir := t.TempDir()
	if err := (&notify.Outbox{Dir: dir}).Send(context.Background(), notify.Message{Kind: notify.Email, To: "bob@example.com", Subject: "Hi", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	names := files(t, dir)
	raw, _ := os.ReadFile(filepath.Join(dir, names[0]))
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("From"); got != `"Canopy" <canopy@localhost>` {
		t.Fatalf("default From = %q", got)
	}
}

func TestOutboxSMSFormatIsExact(t *testing.T) {
	dir := t.TempDir()
	o := &notify.Outbox{Dir: dir, Now: frozen}
	for _, body := range []string{"Your verification code is 123456.", "Two\nlines\n"} {
		if err := o.Send(context.Background(), notify.Message{Kind: notify.SMS, To: "86-13800000000", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	names := files(t, dir)
	want := []string{"To: 86-13800000000\n\nYour verification code is 123456.\n", "To: 86-13800000000\n\nTwo\nlines\n"}
	if len(names) != len(want) {
		t.Fatalf("outbox holds %v", names)
	}
	for i, name := range names {
		if !namePattern.MatchString(name) || !strings.HasSuffix(name, ".sms") {
			t.Errorf("file name %q", name)
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(raw) != want[i] {
			t.Errorf("%s holds %q (%v); want %q", name, raw, err, want[i])
		}
	}
}

func TestOutboxNamesSortInSendOrderAndNeverCollide(t *testing.T) {
	for _, clock := range map[string]func() time.Time{"frozen": frozen, "real": nil} {
		dir := t.TempDir()
		o := &notify.Outbox{Dir: dir, Now: clock}
		const n = 50
		for i := range n {
			m := notify.Message{Kind: notify.SMS, To: "86-13800000000", Body: strings.Repeat("x", i+1)}
			if err := o.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		names := files(t, dir)
		if len(names) != n || !slices.IsSorted(names) {
			t.Fatalf("%d names, sorted %v", len(names), slices.IsSorted(names))
		}
		for i, name := range names { // os.ReadDir sorts by name: that order is the send order
			raw, _ := os.ReadFile(filepath.Join(dir, name))
			if want := "To: 86-13800000000\n\n" + strings.Repeat("x", i+1) + "\n"; string(raw) != want {
				t.Fatalf("file %d (%s) holds %q; want %q", i, name, raw, want)
			}
		}
	}
}

func TestInvalidMessagesAreRefusedAndWriteNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := &notify.Outbox{Dir: dir, Now: frozen}
	cases := map[string]notify.Message{
		"header injection in To":      {Kind: notify.Email, To: "a@example.com\r\nBcc: evil@example.com", Subject: "s", Body: "b"},
		"header injection in Subject": {Kind: notify.Email, To: "a@example.com", Subject: "s\r\nBcc: evil@example.com", Body: "b"},
		"two recipients":              {Kind: notify.Email, To: "a@example.com, b@example.com", Body: "b"},
		"not an address":              {Kind: notify.Email, To: "nobody", Body: "b"},
		"invalid UTF-8 body":          {Kind: notify.Email, To: "a@example.com", Body: "\xff"},
		"SMS to an email":             {Kind: notify.SMS, To: "a@example.com", Body: "b"},
		"SMS with a line break in To": {Kind: notify.SMS, To: "86-138\nX: y", Body: "b"},
		"SMS with a subject":          {Kind: notify.SMS, To: "86-13800000000", Subject: "s", Body: "b"},
		"unknown kind":                {Kind: "fax", To: "86-13800000000", Body: "b"},
	}
	for name, m := range cases {
		if err := o.Send(context.Background(), m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused messages created the outbox (%v)", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, notify.Message{Kind: notify.SMS, To: "86-13800000000", Body: "b"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}

type recorder struct{ got []notify.Message }

func (r *recorder) Send(_ context.Context, m notify.Message) error {
	r.got = append(r.got, m)
	return nil
}

func TestByKindRoutesEachKind(t *testing.T) {
	email, sms := &recorder{}, &recorder{}
	r := notify.ByKind{Email: email, SMS: sms}
	ctx := context.Background()
	r.Send(ctx, notify.Message{Kind: notify.Email, To: "a@example.com"})
	r.Send(ctx, notify.Message{Kind: notify.SMS, To: "86-1"})
	if len(email.got) != 1 || email.got[0].Kind != notify.Email || len(sms.got) != 1 || sms.got[0].Kind != notify.SMS {
		t.Fatalf("email %v, sms %v", email.got, sms.got)
	}
	if err := (notify.ByKind{Email: email}).Send(ctx, notify.Message{Kind: notify.SMS}); !errors.Is(err, notify.ErrUnsupported) {
		t.Fatalf("no SMS sender: %v", err)
	}
}
