package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru/internal/cloud"
	"github.com/gru-iac/gru/internal/emulator"
)

// parseLatency reads --latency: "realistic" (the default: a few hundred milliseconds for the
// slow types), one duration for every type ("0" for none), or Type=duration pairs.
func parseLatency(s string) (time.Duration, map[string]time.Duration, error) {
	switch {
	case s == "realistic":
		return 0, emulator.RealisticLatencies(), nil
	case !strings.Contains(s, "="):
		d, err := time.ParseDuration(s)
		if s == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			return 0, nil, fmt.Errorf("--latency %q: want realistic, a duration such as 200ms, or Type=duration pairs", s)
		}
		return d, nil, nil
	}
	m := map[string]time.Duration{}
	for _, pair := range strings.Split(s, ",") {
		typ, ds, _ := strings.Cut(pair, "=")
		d, err := time.ParseDuration(strings.TrimSpace(ds))
		if err != nil || d < 0 || strings.TrimSpace(typ) == "" {
			return 0, nil, fmt.Errorf("--latency %q: %q is not Type=duration (Microsoft.Storage/storageAccounts=400ms)", s, pair)
		}
		m[strings.TrimSpace(typ)] = d
	}
	return 0, m, nil
}

func newEmulatorCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run gru's local Azure Resource Manager emulator",
	}
	var addr, db, token, latency, throttle string
	var useTLS bool
	var faultRate float64
	var seed uint64
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the ARM emulator over HTTP for gru and the Azure SDK",
		Long: `Serve a local Azure Resource Manager that speaks the ARM protocol for every resource type in
gru's catalogue: resource groups, resources at every scope, long-running operations, errors
as ARM writes them. Bodies are validated against the catalogue's schemas. Everything is kept
in a SQLite file, so the emulated cloud survives restarts.

It listens on loopback only, unless --addr says otherwise, and requires a bearer token on
every request (any token, or exactly --token). The Azure SDK sends bearer tokens only over
HTTPS unless told otherwise: use --tls, or set InsecureAllowCredentialWithHTTP in the SDK's
client options. With --tls the certificate is self-signed for localhost, 127.0.0.1 and ::1,
and kept beside the database (DB-cert.pem; its key DB-key.pem, mode 0600), so that each
database has its own, kept across restarts.`,
		Example: `  gru emulator serve
  gru emulator serve --addr 127.0.0.1:8443 --tls --token secret
  gru emulator serve --db /tmp/arm.db --latency 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			base, latencies, err := parseLatency(latency)
			if err != nil {
				return err
			}
			var limits *emulator.Throttle
			if throttle != "" && throttle != "off" {
				if limits, err = emulator.ParseThrottle(throttle); err != nil {
					return err
				}
			}
			if faultRate < 0 || faultRate > 1 {
				return fmt.Errorf("--fault-rate %v: want a share between 0 and 1", faultRate)
			}
			state, err := cloud.StateDir()
			if err != nil {
				return err
			}
			if db == "" {
				db = filepath.Join(state, "local-arm.db")
			}
			if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
				return err
			}
			cat, err := g.catalog()
			if err != nil {
				return err
			}
			emu, err := emulator.New(ctx, emulator.Options{
				DBPath: db, Catalog: cat, Token: token, Latency: base, TypeLatency: latencies,
				Throttle: limits, FaultRate: faultRate, Seed: seed,
			})
			if err != nil {
				return err
			}
			defer emu.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listening on %s: %w", addr, err)
			}
			scheme, certFile := "http", ""
			if useTLS {
				var keyFile string
				certFile, keyFile = emulator.CertificateFiles(db)
				cert, err := emulator.Certificate(certFile, keyFile)
				if err != nil {
					return err
				}
				ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
				scheme = "https"
			}
			endpoint := scheme + "://" + ln.Addr().String()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "ARM emulator listening on %s\n", endpoint)
			fmt.Fprintf(out, "  database      %s\n", db)
			fmt.Fprintf(out, "  subscription  %s\n", emulator.LocalSubscriptionID)
			if limits != nil {
				fmt.Fprintf(out, "  throttle      reads %g tokens at %g/s, writes %g at %g/s, deletes %g at %g/s\n",
					limits.Reads.Capacity, limits.Reads.PerSecond, limits.Writes.Capacity, limits.Writes.PerSecond, limits.Deletes.Capacity, limits.Deletes.PerSecond)
			}
			if faultRate > 0 {
				fmt.Fprintf(out, "  faults        %.0f%% of requests (seed %d)\n", 100*faultRate, seed)
			}
			if certFile != "" {
				fmt.Fprintf(out, "  certificate   %s (trust it: SSL_CERT_FILE=%s, or add it to the client's root CAs)\n", certFile, certFile)
			}
			fmt.Fprintf(out, "Point gru at it with --endpoint %s; the Azure SDK with a cloud.Configuration whose ResourceManager endpoint is %s.\n", endpoint, endpoint)
			srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
				fmt.Fprintln(cmd.ErrOrStderr(), "stopping: waiting for requests in flight")
				shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
		},
	}
	serve.Flags().StringVar(&addr, "addr", "127.0.0.1:4280", "address to listen on (port 0 picks a free one)")
	serve.Flags().StringVar(&db, "db", "", "SQLite file of the emulated cloud (default: local-arm.db in gru's state folder)")
	serve.Flags().StringVar(&token, "token", "", "accept only this bearer token (default: any)")
	serve.Flags().StringVar(&latency, "latency", "realistic", "how long long-running operations take: realistic, a duration for every type (0 for none), or Type=duration pairs")
	serve.Flags().BoolVar(&useTLS, "tls", false, "serve HTTPS with a self-signed certificate kept beside the database (DB-cert.pem)")
	serve.Flags().StringVar(&throttle, "throttle", "off", "limit requests per subscription: arm (ARM's limits since 2024), or reads:writes:deletes refill rates per second (capacity@rate for each to set the bucket size)")
	serve.Flags().Float64Var(&faultRate, "fault-rate", 0, "share of requests that get an injected fault: 500, 503, dropped connection, failed operation (0 to 1)")
	serve.Flags().Uint64Var(&seed, "seed", 1, "seed of the injected faults, to replay a drill")
	cmd.AddCommand(serve)
	return cmd
}
