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

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

func serveCommand() *cobra.Command {
	var sf storeFlags
	var addr string
	var flagCfg app.Config // the fields flags set as they are: notification, TLS
	var consoleDev bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server",
		Long: `Run the API server. The official Alibaba Cloud SDKs reach every product
(ResourceManager, Ram, Ims, Sts, Actiontrail) at this one HTTP endpoint. GET /healthz answers
200 once the server accepts API calls. SIGINT or SIGTERM stops accepting,
finishes in-flight requests and closes the store cleanly.

Email and SMS (Resource Directory invitations, confirmations and
verification codes) are written as files to the outbox, <data>/outbox unless --outbox is
given. With --smtp-addr, email goes to that SMTP server instead (STARTTLS
when the server offers it; AUTH PLAIN with --smtp-username and the
password in $CANOPY_SMTP_PASSWORD); SMS always goes to the outbox.

With --tls-addr, the same API is also served over HTTPS (TLS 1.2 or later),
which credential providers that hard-code https:// need. The certificate
comes from a local CA that Canopy creates in --data on first start (also
with --db) and reuses afterwards: clients trust <data>/ca.pem (a Go program
on Linux: SSL_CERT_FILE=<data>/ca.pem).
The server certificate it issues (<data>/tls-cert.pem) names localhost,
127.0.0.1, ::1 and every --tls-host, and is re-issued at start when those
names change or it nears expiry. Give --tls-cert and --tls-key to serve a
certificate of your own instead.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg := flagCfg
			cfg.Addr, cfg.DataDir, cfg.DB, cfg.Log = addr, sf.data, sf.db, log
			cfg.SMTPPassword = os.Getenv(app.EnvSMTPPassword)
			if cmd.Flags().Changed("console-dev") {
				cfg.ConsoleDev = &consoleDev
			}
			app.TuneGC()
			a, err := app.New(ctx, cfg)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", a.Config.Addr)
			if err != nil {
				a.Shutdown(context.Background())
				return err
			}
			var tlsLn net.Listener
			if a.Config.TLSAddr != "" {
				if tlsLn, err = net.Listen("tcp", a.Config.TLSAddr); err != nil {
					ln.Close()
					a.Shutdown(context.Background())
					return fmt.Errorf("--tls-addr: %w", err)
				}
			}
			log.Info("canopy listening", "addr", ln.Addr().String(), "store", a.Store.Dialect(), "data", absPath(a.Config.DataDir))
			switch {
			case tlsLn != nil && a.CAFile != "":
				log.Info("canopy listening over TLS; clients trust the local CA", "tls_addr", tlsLn.Addr().String(), "ca", absPath(a.CAFile))
			case tlsLn != nil:
				log.Info("canopy listening over TLS", "tls_addr", tlsLn.Addr().String(), "cert", absPath(a.Config.TLSCert))
			}
			if a.Config.SMTPAddr != "" {
				log.Info("email goes to SMTP, SMS to the outbox", "smtp", a.Config.SMTPAddr, "outbox", absPath(a.Config.Outbox))
			} else {
				log.Info("email and SMS go to the outbox", "outbox", absPath(a.Config.Outbox))
			}
			done := make(chan error, 2)
			go func() { done <- a.Serve(ln) }()
			if tlsLn != nil {
				go func() { done <- a.ServeTLS(tlsLn) }()
			}
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
	f.StringVar(&flagCfg.Outbox, "outbox", "", "directory where outgoing email (.eml) and SMS (.sms) are written as files, one per message (default <data>/outbox)")
	f.StringVar(&flagCfg.SMTPAddr, "smtp-addr", "", "HOST:PORT of an SMTP server for outgoing email (default: email goes to the outbox)")
	f.StringVar(&flagCfg.SMTPFrom, "smtp-from", "", `From address of outgoing email, e.g. "Canopy <no-reply@example.com>" (default "`+notify.DefaultFrom+`")`)
	f.StringVar(&flagCfg.SMTPUsername, "smtp-username", "", "SMTP AUTH PLAIN username; the password comes from $"+app.EnvSMTPPassword)
	f.StringVar(&flagCfg.TLSAddr, "tls-addr", "", "also serve the API over TLS on `HOST:PORT` (default: no TLS listener)")
	f.StringArrayVar(&flagCfg.TLSHosts, "tls-host", nil, "another host `NAME` (DNS name or IP address) for the local CA's server certificate, which always names localhost, 127.0.0.1 and ::1 (repeatable)")
	f.StringVar(&flagCfg.TLSCert, "tls-cert", "", "serve the PEM certificate in `FILE` (server certificate first, then its chain) instead of the local CA's; needs --tls-key")
	f.StringVar(&flagCfg.TLSKey, "tls-key", "", "the PEM private key `FILE` of --tls-cert")
	f.IntVar(&flagCfg.AuthFailBurst, "auth-fail-burst", api.DefaultAuthFailBurst, "failed authentications a source address (an IPv6 /64) may make at once before its requests are refused with Throttling; negative: no limit")
	f.IntVar(&flagCfg.AuthFailPerMinute, "auth-fail-per-minute", api.DefaultAuthFailPerMinute, "failed authentications a source address earns back per minute; negative: no limit")
	f.IntVar(&flagCfg.KeyAttemptBurst, "key-attempt-burst", api.DefaultKeyAttemptBurst, "failed attempts against one AccessKey (wrong signature, stale timestamp) its owner's trail keeps at once; the rest are counted, not stored; negative: keep all")
	f.IntVar(&flagCfg.KeyAttemptsPerHour, "key-attempts-per-hour", api.DefaultKeyAttemptsPerHour, "failed attempts against one AccessKey its owner's trail keeps per hour past the burst; negative: keep all")
	f.Int64Var(&flagCfg.SQLiteWALLimit, "sqlite-wal-limit", sqlstore.DefaultWALLimit, "`BYTES` of SQLite write-ahead log past which it is checkpointed and truncated")
	f.Int64Var(&flagCfg.SQLiteMaxSize, "sqlite-max-size", 0, "cap the SQLite database at about `BYTES`; past it, calls answer 503 ServiceUnavailable as on a full disk, until space is freed (default: no cap)")
	f.StringVar(&flagCfg.PublicURL, "public-url", "", "`URL` at which the recipients of Canopy's e-mails reach this server, for the links in them (default http://<addr>)")
	d := directory.DefaultLimits()
	f.BoolVar(&consoleDev, "console-dev", true, "development mode of the web console at /console/ (its Outbox page shows the sent e-mails and SMS with their codes); default on with SQLite, off with --db")
	f.IntVar(&flagCfg.Directory.MaxFolders, "rd-max-folders", d.MaxFolders, "Resource Directory quota: folders besides Root per directory")
	f.IntVar(&flagCfg.Directory.MaxMembers, "rd-max-members", d.MaxMembers, "Resource Directory quota: member accounts per directory")
	f.IntVar(&flagCfg.Directory.InvitationsPerDay, "rd-invitations-per-day", d.InvitationsPerDay, "Resource Directory quota: invitations a directory may send in 24 hours")
	sso := cloudsso.DefaultLimits()
	f.IntVar(&flagCfg.CloudSSO.MaxUsers, "sso-max-users", sso.MaxUsers, "CloudSSO quota: users per directory")
	f.IntVar(&flagCfg.CloudSSO.MaxGroups, "sso-max-groups", sso.MaxGroups, "CloudSSO quota: groups per directory")
	return cmd
}
