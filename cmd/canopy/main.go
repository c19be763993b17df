// Command canopy is the Canopy server and its operator tools.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/canopy-iam/canopy/internal/keyring"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status: 0 on
// success, 1 when the command failed, 2 when the command line is wrong.
func run(args []string, stdout, stderr io.Writer) int {
	root := rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := checkCommand(root, args)
	if err == nil {
		err = root.Execute()
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "canopy:", err)
	var u *usageError
	if errors.As(err, &u) {
		if u.full {
			fmt.Fprint(stderr, "\n"+u.cmd.UsageString())
		} else {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", u.cmd.CommandPath())
		}
		return 2
	}
	return 1
}

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "canopy",
		Short: "Canopy: a multi-account access-control plane, wire-compatible with Alibaba Cloud RAM, IMS, STS and ActionTrail",
		Long: `Canopy: a multi-account access-control plane in one binary, wire-compatible
with Alibaba Cloud RAM (2015-05-01), IMS (2019-08-15), STS (2015-04-01) and
ActionTrail (2020-07-06). Point the official SDKs at the endpoint that
"canopy serve" listens on.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Every command is listed below and in the README; no shell-completion
	// command is generated behind the user's back.
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &usageError{cmd: cmd, err: err} })
	root.AddCommand(serveCommand(), accountCommand(), versionCommand())
	root.InitDefaultHelpCmd() // now, so that checkCommand knows "help"
	return root
}

// usageError is a wrong command line (exit status 2).
type usageError struct {
	cmd  *cobra.Command
	err  error
	full bool // print the command's usage, not just a pointer to --help
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// checkCommand refuses a command line naming a command that does not
// exist, at any level ("canopy serv", "canopy account crate"): cobra would
// print the group's help and succeed for the latter.
func checkCommand(root *cobra.Command, args []string) error {
	cmd, rest, err := root.Find(args)
	if cmd == nil {
		return err
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return nil // a real command; its own Args check its arguments
	}
	for _, a := range rest {
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		msg := fmt.Sprintf("unknown command %q for %q", a, cmd.CommandPath())
		if s := cmd.SuggestionsFor(a); len(s) > 0 {
			msg += fmt.Sprintf(" (did you mean %q?)", s[0])
		}
		return &usageError{cmd: cmd, err: errors.New(msg), full: true}
	}
	return nil
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{cmd: cmd, err: fmt.Errorf("%q takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version and the commit Canopy was built from",
		Long: `Print the module version and the VCS commit Canopy was built from, as Go
recorded them in the binary: "(devel)" and "unknown" when it recorded
none, "(modified)" when the working tree had uncommitted changes.`,
		Args: noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			bi, ok := debug.ReadBuildInfo()
			fmt.Fprint(cmd.OutOrStdout(), versionText(bi, ok))
		},
	}
}

// versionText renders what Go recorded about the build.
func versionText(bi *debug.BuildInfo, ok bool) string {
	version, commit, modified := "(devel)", "unknown", ""
	if ok && bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && s.Value != "":
				commit = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				modified = " (modified)"
			}
		}
	}
	return fmt.Sprintf("canopy %s\ncommit %s%s\n%s %s/%s\n", version, commit, modified, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// storeFlags are shared by every command that opens the store.
type storeFlags struct {
	data string
	db   string
}

func (f *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", "canopy-data", "directory for the SQLite database, the key-encryption key file, the outbox and other local state (created if missing)")
	cmd.Flags().StringVar(&f.db, "db", "", "PostgreSQL URL (postgres://user:pass@host:port/db); empty keeps everything in SQLite under --data. The key-encryption key still comes from --data or $CANOPY_KEK")
}

// describe says which store the flags name, in words a user can act on;
// a password in a PostgreSQL URL is masked.
func (f *storeFlags) describe() string {
	if f.db == "" {
		return fmt.Sprintf("SQLite database in data directory %s", absPath(f.data))
	}
	kek := "$" + keyring.EnvKEK
	if strings.TrimSpace(os.Getenv(keyring.EnvKEK)) == "" {
		kek = filepath.Join(absPath(f.data), keyring.FileName)
	}
	return fmt.Sprintf("PostgreSQL database %s (key-encryption key from %s)", redactURL(f.db), kek)
}

// absPath is path made absolute, for messages ("canopy-data" means little
// when read later, far from the working directory).
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// redactURL masks the password of a database URL, in the user part or in
// a password query parameter.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a database URL that does not parse)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
