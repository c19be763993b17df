package app

import (
	"errors"
	"fmt"
	"net"

	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/smtp"
)

// EnvSMTPPassword names the environment variable holding the SMTP password;
// there is no flag, so the password never shows in a process listing.
const EnvSMTPPassword = "CANOPY_SMTP_PASSWORD"

// NewSender returns the Sender the configuration asks for. Without SMTP,
// every message is a file in the outbox (cfg.Outbox, by default
// <DataDir>/outbox). With SMTPAddr, email goes to that server and SMS still
// goes to the outbox: Canopy has no SMS gateway. cfg must have passed
// Defaults and Validate.
func NewSender(cfg Config) notify.Sender {
	outbox := &notify.Outbox{Dir: cfg.Outbox, From: cfg.SMTPFrom}
	if cfg.SMTPAddr == "" {
		return outbox
	}
	return notify.ByKind{
		Email: &smtp.Sender{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword},
		SMS:   outbox,
	}
}

// validateNotify reports SMTP settings that cannot work, at start rather
// than at the first message.
func (c *Config) validateNotify() error {
	if c.SMTPFrom != "" {
		if _, err := notify.ParseAddress(c.SMTPFrom); err != nil {
			return fmt.Errorf("--smtp-from %q is not an email address: %v", c.SMTPFrom, err)
		}
	}
	if c.SMTPAddr == "" {
		if c.SMTPUsername != "" {
			return errors.New("--smtp-username needs --smtp-addr")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(c.SMTPAddr)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("--smtp-addr must be host:port, got %q", c.SMTPAddr)
	}
	if c.SMTPUsername != "" && c.SMTPPassword == "" {
		return fmt.Errorf("--smtp-username needs the password in $%s", EnvSMTPPassword)
	}
	if c.SMTPUsername == "" && c.SMTPPassword != "" {
		return fmt.Errorf("$%s is set but --smtp-username is not", EnvSMTPPassword)
	}
	return nil
}
