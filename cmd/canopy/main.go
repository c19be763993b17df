// Command canopy is the Canopy server and its operator tools.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "canopy",
		Short:         "Canopy: a multi-account directory and access-control plane, wire-compatible with Alibaba Cloud RAM, STS, Resource Directory and ActionTrail",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCommand(), accountCommand(), versionCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "canopy:", err)
		os.Exit(1)
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the Canopy version",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), version) },
	}
}

// storeFlags are shared by every command that opens the store.
type storeFlags struct {
	data string
	db   string
}

func (f *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", "canopy-data", "directory for the SQLite database, the key-encryption key file and other local state (created if missing)")
	cmd.Flags().StringVar(&f.db, "db", "", "PostgreSQL URL (postgres://user:pass@host:port/db); empty keeps everything in SQLite under --data. The key-encryption key still comes from --data or $CANOPY_KEK")
}
