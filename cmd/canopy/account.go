package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/store"
)

func accountCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Manage top-level accounts"}
	cmd.AddCommand(accountCreateCommand())
	return cmd
}

func accountCreateCommand() *cobra.Command {
	var sf storeFlags
	var n accounts.NewAccount
	var output string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a top-level cloud account (and optionally its root AccessKey)",
		Long: `Create a top-level Alibaba Cloud account: a cloud account whose root user signs
in with the email and password. Its 16-digit account id is random.

The account is written to the store that --data/--db name (default: SQLite
in ./canopy-data, relative to the current directory), which must be the
store "canopy serve" uses; the store used is named on stderr. Works while
the server runs; it accepts a new key on its very next request. Prints one
JSON object:
{"AccountId": "...", "AccessKeyId": "...", "AccessKeySecret": "..."}
(the key fields only with --access-key; the secret is shown only here).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "json" {
				return fmt.Errorf("--output must be json")
			}
			// Validate and hash before opening anything: bad input leaves
			// no trace, not even a data directory.
			hash, err := accounts.HashPassword(n)
			if err != nil {
				return cliError(err)
			}
			ctx := context.Background()
			st, ring, err := app.OpenStore(ctx, app.Config{DataDir: sf.data, DB: sf.db})
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Fprintln(cmd.ErrOrStderr(), "canopy: using the", sf.describe())
			var created *accounts.Created
			err = st.Write(ctx, func(tx store.Tx) error {
				created, err = accounts.Create(tx, ring, n, hash, time.Now())
				return err
			})
			if err != nil {
				return cliError(err)
			}
			out := map[string]string{"AccountId": created.Account.ID}
			if created.Key != nil {
				out["AccessKeyId"], out["AccessKeySecret"] = created.Key.Key.ID, created.Key.Secret
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			return enc.Encode(out)
		},
	}
	sf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&n.Email, "email", "", "login and security email of the root user (required, unique)")
	f.StringVar(&n.RealName, "real-name", "", "legal entity of the account's real-name verification (required)")
	f.StringVar(&n.Password, "password", "", "console password of the root user (required; at least 8 characters mixing two kinds of character)")
	f.StringVar(&n.Mobile, "mobile", "", "security phone, <country code>-<number>, e.g. 86-13800000000")
	f.BoolVar(&n.AccessKey, "access-key", false, "also create a root AccessKey pair and print it")
	f.StringVar(&output, "output", "json", "output format (json)")
	return cmd
}

// missingFlags names the flag behind each required input.
var missingFlags = map[string]string{"MissingParameter.Email": "--email", "MissingParameter.RealName": "--real-name",
	"MissingParameter.Password": "--password"}

// cliError speaks in flags rather than API parameters.
func cliError(err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return err
	}
	if flag, ok := missingFlags[e.Code]; ok {
		return fmt.Errorf("%s is required", flag)
	}
	if e.Kind == apperr.KindInternal {
		return err
	}
	return errors.New(e.Message)
}
