// Package smtp delivers notify emails to an SMTP server (net/smtp): it
// upgrades the connection with STARTTLS whenever the server offers it and
// authenticates with PLAIN when a username is set. net/smtp's PLAIN refuses
// to send a password over an unencrypted connection to any host other than
// localhost.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	gosmtp "net/smtp"
	"time"

	"github.com/canopy-iam/canopy/internal/notify"
)

// DefaultTimeout bounds one delivery when the context has no deadline.
const DefaultTimeout = 30 * time.Second

// Sender sends emails through one SMTP server. It refuses SMS
// (notify.ErrUnsupported).
type Sender struct {
	Addr     string // host:port of the SMTP server
	From     string // From header and envelope sender; notify.DefaultFrom when empty
	Username string // "" = no authentication
	Password string
	// TLS configures STARTTLS; nil verifies the server against the system
	// roots. ServerName defaults to the host of Addr.
	TLS     *tls.Config
	Now     func() time.Time // clock for the Date header; time.Now when nil
	Timeout time.Duration    // DefaultTimeout when zero and the context has no deadline
}

// Send implements notify.Sender.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	if m.Kind != notify.Email {
		return fmt.Errorf("%w: SMTP delivers email only, not %q", notify.ErrUnsupported, m.Kind)
	}
	from := s.From
	if from == "" {
		from = notify.DefaultFrom
	}
	fromAddr, err := notify.ParseAddress(from)
	if err != nil {
		return fmt.Errorf("notify: smtp: From address %q: %w", from, err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	data, err := notify.RenderEmail(m, from, now())
	if err != nil {
		return err
	}
	to, _ := notify.ParseAddress(m.To) // validated by RenderEmail
	if err := s.deliver(ctx, fromAddr.Address, to.Address, data); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return fmt.Errorf("notify: smtp %s: %w", s.Addr, err)
	}
	return nil
}

func (s *Sender) deliver(ctx context.Context, from, to string, data []byte) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		timeout := s.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// A cancelled context interrupts any read or write in progress.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := gosmtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.TLS != nil {
			cfg = s.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("server offers no AUTH, but a username is configured")
		}
		if err := c.Auth(gosmtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The server has accepted the message; a failed QUIT must not make the
	// caller send it twice.
	c.Quit()
	return nil
}
