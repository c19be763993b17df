// Package notify delivers email and SMS messages (invitations,
// confirmations, verification codes) through one interface, Sender.
//
// This package holds the interface, the message type, the RFC 5322
// rendering and the file outbox; it imports neither net/http nor net/smtp,
// so domain packages may depend on it. SMTP delivery lives in notify/smtp.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind says how a message travels.
type Kind string

const (
	Email Kind = "email"
	SMS   Kind = "sms"
)

// Message is one email or SMS. An SMS has no subject.
type Message struct {
	Kind    Kind
	To      string // an email address (optionally "Name <addr>"), or a phone number such as 86-13800000000
	Subject string // email only
	Body    string // plain UTF-8 text
}

// Sender delivers messages. Send returns once the message is delivered
// (SMTP server accepted it) or stored (outbox file in place).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// DefaultFrom is the From address of emails when none is configured.
const DefaultFrom = "Canopy <canopy@localhost>"

// ErrUnsupported is returned by a sender asked to deliver a kind it cannot.
var ErrUnsupported = errors.New("notify: message kind not supported by this sender")

// Validate reports a message that cannot be delivered as given. It refuses
// line breaks and other control characters in To and Subject, so a value
// taken from a request can never add a header.
func (m Message) Validate() error {
	if !utf8.ValidString(m.Body) {
		return errors.New("notify: body is not valid UTF-8")
	}
	switch m.Kind {
	case Email:
		if _, err := ParseAddress(m.To); err != nil {
			return fmt.Errorf("notify: recipient %q: %w", m.To, err)
		}
		if hasControl(m.Subject) || !utf8.ValidString(m.Subject) {
			return errors.New("notify: subject must be one line of UTF-8 text")
		}
	case SMS:
		if !validPhone(m.To) {
			return fmt.Errorf("notify: SMS recipient %q must be a phone number (digits, optionally a leading + and - separators)", m.To)
		}
		if m.Subject != "" {
			return errors.New("notify: an SMS has no subject")
		}
	default:
		return fmt.Errorf("notify: unknown message kind %q", m.Kind)
	}
	return nil
}

// ParseAddress parses one email address, "Name <addr>" or "addr"
// (RFC 5322), refusing control characters.
func ParseAddress(s string) (*mail.Address, error) {
	if hasControl(s) {
		return nil, errors.New("control characters in address")
	}
	return mail.ParseAddress(s)
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

func validPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// RenderEmail renders an email as an RFC 5322 message with CRLF line
// endings: From, To, Subject, Date, Message-ID and MIME headers, then the
// body as quoted-printable UTF-8 text. from is checked with ParseAddress.
func RenderEmail(m Message, from string, date time.Time) ([]byte, error) {
	if m.Kind != Email {
		return nil, ErrUnsupported
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	f, err := ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("notify: From address %q: %w", from, err)
	}
	to, _ := ParseAddress(m.To)
	id, err := messageID(f.Address)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", f.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	// Text mode: every line break in the body is written as CRLF.
	if _, err := qp.Write([]byte(m.Body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(b.String(), "\r\n") {
		b.WriteString("\r\n")
	}
	return []byte(b.String()), nil
}

// RenderSMS renders an SMS as the outbox stores it: a "To:" line, a blank
// line, then the body, ending with a line break.
func RenderSMS(m Message) ([]byte, error) {
	if m.Kind != SMS {
		return nil, ErrUnsupported
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	s := "To: " + m.To + "\n\n" + m.Body
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return []byte(s), nil
}

// messageID is <random@domain of the sender>.
func messageID(fromAddr string) (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	domain := fromAddr[strings.LastIndexByte(fromAddr, '@')+1:]
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">", nil
}

// ByKind sends each message through the sender for its kind; a nil sender
// refuses that kind with ErrUnsupported.
type ByKind struct {
	Email Sender
	SMS   Sender
}

// Send implements Sender.
func (r ByKind) Send(ctx context.Context, m Message) error {
	var s Sender
	switch m.Kind {
	case Email:
		s = r.Email
	case SMS:
		s = r.SMS
	}
	if s == nil {
		return fmt.Errorf("%w: %q", ErrUnsupported, m.Kind)
	}
	return s.Send(ctx, m)
}
