package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/emulator"
)

// target says where a command's ARM requests go.
type target struct {
	client *armclient.Client
	kind   string // "local", "endpoint" or "azure"
	// endpoint is the ARM endpoint; db the local cloud's database (local only).
	endpoint, db string
	close        func()
}

// localDB is the local cloud's database: $GRU_LOCAL_DB, else local-arm.db in the state folder.
func localDB() (string, error) {
	if p := os.Getenv("GRU_LOCAL_DB"); p != "" {
		return p, nil
	}
	dir, err := stateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "local-arm.db"), nil
}

// isLoopback reports an endpoint on this machine, where a bearer token may travel over HTTP.
func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// connect builds the ARM client of a command: an in-process emulator with --local (served on
// a loopback port, so that requests cross real HTTP), an emulator elsewhere with --endpoint,
// else Azure with the default credential chain.
func (g *globalOptions) connect(ctx context.Context, cmd *cobra.Command) (*target, error) {
	cat, err := g.catalog()
	if err != nil {
		return nil, err
	}
	opts := armclient.Options{Catalog: cat}
	if g.debug {
		opts.Debug = cmd.ErrOrStderr()
	}
	switch {
	case g.local && g.endpoint != "":
		return nil, errors.New("--local and --endpoint both name a cloud: choose one")
	case g.local:
		db, err := localDB()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
			return nil, err
		}
		emu, err := emulator.New(ctx, emulator.Options{DBPath: db, Catalog: cat, TypeLatency: emulator.RealisticLatencies()})
		if err != nil {
			return nil, fmt.Errorf("starting the local cloud (%s): %w", db, err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			emu.Close()
			return nil, err
		}
		srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		endpoint := "http://" + ln.Addr().String()
		opts.Endpoint, opts.Credential, opts.InsecureHTTP = endpoint, armclient.StaticToken("gru-local"), true
		opts.Subscription = emulator.LocalSubscriptionID
		opts.PollFrequency = time.Second // azcore's minimum; the emulator's Retry-After (in ms) sets the pace
		c, err := armclient.New(opts)
		if err != nil {
			srv.Close()
			emu.Close()
			return nil, err
		}
		return &target{client: c, kind: "local", endpoint: endpoint, db: db, close: func() { srv.Close(); emu.Close() }}, nil
	case g.endpoint != "":
		sub := g.subscription
		if sub == "" {
			sub = emulator.LocalSubscriptionID
		}
		token := os.Getenv("GRU_TOKEN")
		if token == "" {
			token = "gru"
		}
		opts.Endpoint, opts.Credential, opts.Subscription = g.endpoint, armclient.StaticToken(token), sub
		opts.InsecureHTTP = isLoopback(g.endpoint)
		opts.PollFrequency = time.Second // azcore's minimum; the emulator's Retry-After (in ms) sets the pace
		c, err := armclient.New(opts)
		if err != nil {
			return nil, err
		}
		return &target{client: c, kind: "endpoint", endpoint: g.endpoint, close: func() {}}, nil
	}
	sub, err := armclient.ResolveSubscription(g.subscription)
	if err != nil {
		return nil, err
	}
	cred, err := armclient.AzureCredential()
	if err != nil {
		return nil, err
	}
	opts.Credential, opts.Subscription = cred, sub
	c, err := armclient.New(opts)
	if err != nil {
		return nil, err
	}
	return &target{client: c, kind: "azure", endpoint: armclient.DefaultEndpoint, close: func() {}}, nil
}

func newInfoCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
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
			defer t.close()
			sub := t.client.Subscription()
			info := map[string]any{"cloud": t.kind, "endpoint": t.endpoint, "subscription": sub}
			if t.db != "" {
				info["database"] = t.db
			}
			res, err := t.client.Get(ctx, "/subscriptions/"+sub, "2022-12-01")
			if err != nil {
				return fmt.Errorf("the subscription does not answer: %w", err)
			}
			info["displayName"], info["state"] = armclient.Field(res, "displayName"), armclient.Field(res, "state")
			groups, err := t.client.ListResourceGroups(ctx)
			if err != nil {
				return err
			}
			info["resourceGroups"] = len(groups)
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), info)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "cloud            %s\n", t.kind)
			if t.kind == "local" {
				fmt.Fprintf(out, "database         %s\n", t.db)
			} else {
				fmt.Fprintf(out, "endpoint         %s\n", t.endpoint)
			}
			fmt.Fprintf(out, "subscription     %s (%s, %s)\n", sub, info["displayName"], info["state"])
			fmt.Fprintf(out, "resource groups  %d\n", len(groups))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write JSON for scripts")
	return cmd
}
