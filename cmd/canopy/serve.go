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
)

func serveCommand() *cobra.Command {
	var sf storeFlags
	var addr, outbox string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server",
		Long: `Run the API server. The official Alibaba Cloud SDKs reach every product
(Ram, Ims, Sts, Actiontrail) at this one HTTP endpoint. GET /healthz answers
200 once the server accepts API calls. SIGINT or SIGTERM stops accepting,
finishes in-flight requests and closes the store cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			a, err := app.New(ctx, app.Config{Addr: addr, DataDir: sf.data, DB: sf.db, Outbox: outbox, Log: log})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", a.Config.Addr)
			if err != nil {
				a.Shutdown(context.Background())
				return err
			}
			log.Info("canopy listening", "addr", ln.Addr().String(), "store", a.Store.Dialect())
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
	cmd.Flags().StringVar(&outbox, "outbox", "", "directory where outgoing email (.eml) and SMS messages are written as files instead of being sent")
	return cmd
}
