package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/notify"
)

func serveCommand() *cobra.Command {
	var sf storeFlags
	var addr string
	var notifyCfg app.Config // the notification fields only
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server",
		Long: `Run the API server. The official Alibaba Cloud SDKs reach every product
(Ram, Ims, Sts, Actiontrail) at this one HTTP endpoint. GET /healthz answers
200 once the server accepts API calls. SIGINT or SIGTERM stops accepting,
finishes in-flight requests and closes the store cleanly.

Email and SMS (nothing sends them yet; invitations and verification codes
will) are written as files to the outbox, <data>/outbox unless --outbox is
given. With --smtp-addr, email goes to that SMTP server instead (STARTTLS
when the server offers it; AUTH PLAIN with --smtp-username and the
password in $CANOPY_SMTP_PASSWORD); SMS always goes to the outbox.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg := notifyCfg
			cfg.Addr, cfg.DataDir, cfg.DB, cfg.Log = addr, sf.data, sf.db, log
			cfg.SMTPPassword = os.Getenv(app.EnvSMTPPassword)
			a, err := app.New(ctx, cfg)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", a.Config.Addr)
			if err != nil {
				a.Shutdown(context.Background())
				return err
			}
			log.Info("canopy listening", "addr", ln.Addr().String(), "store", a.Store.Dialect(), "data", absPath(a.Config.DataDir))
			if a.Config.SMTPAddr != "" {
				log.Info("email goes to SMTP, SMS to the outbox", "smtp", a.Config.SMTPAddr, "outbox", absPath(a.Config.Outbox))
			} else {
				log.Info("email and SMS go to the outbox", "outbox", absPath(a.Config.Outbox))
			}
			done := make(chan error, 1)
			go func() { done <- a.Serve(ln) }()
			select {
			case err = <-done:
			case <-ctx.Done():
				log.Info("shutting down")
			}
			shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if serr := a.Shutdown(shutCtx); serr != nil && err == nil {
				err = fmt.Errorf("shutdown: %w", serr)
			}
			return err
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "HOST:PORT to listen on")
	f := cmd.Flags()
	f.StringVar(&notifyCfg.Outbox, "outbox", "", "directory where outgoing email (.eml) and SMS (.sms) are written as files, one per message (default <data>/outbox)")
	f.StringVar(&notifyCfg.SMTPAddr, "smtp-addr", "", "HOST:PORT of an SMTP server for outgoing email (default: email goes to the outbox)")
	f.StringVar(&notifyCfg.SMTPFrom, "smtp-from", "", `From address of outgoing email, e.g. "Canopy <no-reply@example.com>" (default "`+notify.DefaultFrom+`")`)
	f.StringVar(&notifyCfg.SMTPUsername, "smtp-username", "", "SMTP AUTH PLAIN username; the password comes from $"+app.EnvSMTPPassword)
	return cmd
}
