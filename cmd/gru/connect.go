package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/cloud"
)

// target is a connected cloud.
type target = cloud.Connection

// connect connects to the cloud the global flags name.
func (g *globalOptions) connect(ctx context.Context, cmd *cobra.Command) (*target, error) {
	cat, err := g.catalog()
	if err != nil {
		return nil, err
	}
	token := os.Getenv("GRU_TOKEN")
	if token == "" {
		token = os.Getenv("GRU_EMULATOR_TOKEN") // the token `gru emulator serve` takes from the environment
	}
	o := cloud.Options{Local: g.local, Endpoint: g.endpoint, Token: token, CAFile: g.caFile, Subscription: g.subscription, Catalog: cat}
	if g.debug {
		o.Debug = cmd.ErrOrStderr()
	}
	return cloud.Connect(ctx, o)
}

func newInfoCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show which cloud and subscription gru works against",
		Long: `Show where gru's requests go (Azure, the local emulator with --local, or an emulator at
--endpoint), the subscription, and whether it answers.`,
		Example: `  gru info --local
  gru info --subscription 00000000-0000-0000-0000-000000000000 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			t, err := g.connect(ctx, cmd)
			if err != nil {
				return err
			}
			defer t.Close()
			sub := t.Client.Subscription()
			info := map[string]any{"cloud": t.Kind, "endpoint": t.Endpoint, "subscription": sub}
			if t.DB != "" {
				info["database"] = t.DB
			}
			res, err := t.Client.Get(ctx, "/subscriptions/"+sub, "2022-12-01")
			if err != nil {
				return fmt.Errorf("the subscription does not answer: %w", err)
			}
			info["displayName"], info["state"], info["tenant"] = armclient.Field(res, "displayName"), armclient.Field(res, "state"), armclient.Field(res, "tenantId")
			groups, err := t.Client.ListResourceGroups(ctx)
			if err != nil {
				return err
			}
			info["resourceGroups"] = len(groups)
			if g.json {
				return writeJSON(cmd.OutOrStdout(), info)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "cloud            %s\n", t.Kind)
			if t.Kind == "local" {
				fmt.Fprintf(out, "database         %s\n", t.DB)
			} else {
				fmt.Fprintf(out, "endpoint         %s\n", t.Endpoint)
			}
			fmt.Fprintf(out, "subscription     %s (%s, %s)\n", sub, info["displayName"], info["state"])
			fmt.Fprintf(out, "tenant           %s\n", info["tenant"])
			fmt.Fprintf(out, "resource groups  %d\n", len(groups))
			return nil
		},
	}
	return cmd
}
