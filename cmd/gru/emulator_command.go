package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
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
	var addr, blobAddr, db, token, tokenFile, latency, throttle string
	var useTLS, insecureNoToken bool
	var faultRate float64
	var seed uint64
	var timeouts emulator.Timeouts
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the ARM emulator and its storage accounts' blob service for gru and the Azure SDK",
		Long: `Serve a local Azure Resource Manager that speaks the ARM protocol for every resource type in
gru's catalogue: resource groups, resources at every scope, long-running operations, errors
as ARM writes them. Bodies are validated against the catalogue's schemas. Everything is kept
in a SQLite file (--db, else $GRU_LOCAL_DB, the database of --local, else local-arm.db in
gru's state folder), readable by its owner alone, so the emulated cloud survives restarts.

Every request needs a bearer token: any token, unless the emulator is given one, which it
then requires. The token is taken from, in this order:
  --token-file FILE       the file's content, trailing blanks and newline removed
  --token TOKEN           visible to every user of the machine in the process list
  $GRU_EMULATOR_TOKEN     gru --endpoint sends it too, when $GRU_TOKEN is not set
It listens on loopback only, unless --addr says otherwise. On any other address (0.0.0.0,
::, a LAN address) it refuses to serve without a token, unless --insecure-no-token accepts
that anyone who can reach the address may read and change the emulated cloud.

The Azure SDK sends bearer tokens only over HTTPS unless told otherwise: use --tls, or set
InsecureAllowCredentialWithHTTP in the SDK's client options. With --tls the emulator serves a
self-signed certificate for localhost, 127.0.0.1 and ::1 (and the hosts of --addr and
--blob-addr), kept beside the database (DB-cert.pem; its key DB-key.pem, mode 0600), so that
each database has its own and keeps it across restarts. gru trusts it for a loopback
--endpoint when the emulator serves the default database; otherwise give it to gru with
--ca-file or $GRU_EMULATOR_CA, and to the Azure SDK for Go with SSL_CERT_FILE or the client's
root CAs.

It also serves the blob service (Azure Blob Storage's data plane) of the storage accounts it
holds, Azurite-style, on an address of its own (--blob-addr; by default the next port after
--addr's on 127.0.0.1, or a free one when --addr's port is 0): path-style URLs
BLOB-ENDPOINT/<account>/<container>/<blob>, signed with Shared Key (the account's name and key1
or key2 of listKeys). The accounts' properties.primaryEndpoints.blob show it, so Microsoft's
blob SDKs find it there. Containers are made and deleted through ARM; block blobs, their
properties and metadata, lists and the service properties are served. The account keys are
derived from the accounts' IDs, not secret: a --blob-addr beyond loopback lets anyone who can
reach it read and change blobs. With --tls the blob service is HTTPS too, with the same
certificate.

A client that stalls sending a request loses its connection (--read-timeout), as does a
kept-alive connection idle for --idle-timeout. On SIGINT or SIGTERM the emulator stops
accepting connections, lets the requests in flight finish (10 s at most), and closes the
database, which folds SQLite's -wal and -shm files back into it.`,
		Example: `  gru emulator serve
  GRU_EMULATOR_TOKEN=secret gru emulator serve --addr 127.0.0.1:8443 --tls
  gru emulator serve --addr 0.0.0.0:4280 --tls --token-file ~/.config/gru/emulator-token
  gru emulator serve --db /tmp/arm.db --latency 0
  gru emulator serve --addr 127.0.0.1:0 --blob-addr 127.0.0.1:10000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stopSignals := signal.NotifyContext(cmd.Context(), syscall.SIGTERM)
			defer stopSignals()
			stderr := cmd.ErrOrStderr()
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
			token, err := emulatorToken(cmd.Flags().Changed("token"), token, tokenFile, stderr)
			if err != nil {
				return err
			}
			host, loopback, err := listenHost(addr)
			if err != nil {
				return err
			}
			switch {
			case !loopback && token == "" && !insecureNoToken:
				return fmt.Errorf("--addr %s accepts connections from other machines, and without a token anyone who reaches it can read and change the emulated cloud: "+
					"give a token (--token-file FILE, $GRU_EMULATOR_TOKEN or --token), or pass --insecure-no-token to accept that risk", addr)
			case !loopback && token == "":
				fmt.Fprintf(stderr, "WARNING: --insecure-no-token: the emulator on %s takes requests with any token, from anyone who can reach it.\n", addr)
			case !loopback && !useTLS:
				fmt.Fprintf(stderr, "WARNING: the token travels in clear text to %s: add --tls.\n", addr)
			}
			if blobAddr == "" {
				if blobAddr, err = nextPort(addr); err != nil {
					return err
				}
			}
			blobHost, blobLoopback, err := listenHost(blobAddr)
			if err != nil {
				return fmt.Errorf("--blob-addr: %w", err)
			}
			if !blobLoopback {
				fmt.Fprintf(stderr, "WARNING: the blob service on %s takes the account keys of listKeys, which are derived from the accounts' IDs: anyone who can reach it can read and change blobs.\n", blobAddr)
			}
			if db == "" {
				if db, err = cloud.DefaultLocalDB(); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
				return err
			}
			cat, err := g.catalog()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listening on %s: %w", addr, err)
			}
			defer ln.Close()
			blobLn, err := net.Listen("tcp", blobAddr)
			if err != nil {
				return fmt.Errorf("listening on %s (--blob-addr): %w", blobAddr, err)
			}
			defer blobLn.Close()
			scheme, certFile := "http", ""
			if useTLS {
				var keyFile string
				certFile, keyFile = emulator.CertificateFiles(db)
				cert, err := emulator.Certificate(certFile, keyFile, host, blobHost)
				if err != nil {
					return err
				}
				config := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
				ln, blobLn = tls.NewListener(ln, config), tls.NewListener(blobLn, config)
				scheme = "https"
			}
			blobEndpoint := scheme + "://" + reachable(blobLn.Addr())
			emu, err := emulator.New(ctx, emulator.Options{
				DBPath: db, Catalog: cat, Token: token, Latency: base, TypeLatency: latencies,
				Throttle: limits, FaultRate: faultRate, Seed: seed, BlobEndpoint: blobEndpoint,
			})
			if err != nil {
				return err
			}
			endpoint := scheme + "://" + reachable(ln.Addr())
			if g.json {
				// One line of JSON, for scripts that start an emulator and read where it is.
				banner := map[string]any{"endpoint": endpoint, "database": db, "subscription": emulator.LocalSubscriptionID, "blobEndpoint": blobEndpoint}
				if certFile != "" {
					banner["certificate"] = certFile
				}
				line, _ := json.Marshal(banner)
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n", line)
			}
			// The banner goes out in one write: a reader of the first line has it all.
			out := &strings.Builder{}
			fmt.Fprintf(out, "ARM emulator listening on %s\n", endpoint)
			fmt.Fprintf(out, "  database      %s\n", db)
			fmt.Fprintf(out, "  subscription  %s\n", emulator.LocalSubscriptionID)
			fmt.Fprintf(out, "  blob service  %s/<account>/ (Shared Key: the account's name and a key of listKeys)\n", blobEndpoint)
			if limits != nil {
				fmt.Fprintf(out, "  throttle      reads %g tokens at %g/s, writes %g at %g/s, deletes %g at %g/s\n",
					limits.Reads.Capacity, limits.Reads.PerSecond, limits.Writes.Capacity, limits.Writes.PerSecond, limits.Deletes.Capacity, limits.Deletes.PerSecond)
			}
			if faultRate > 0 {
				fmt.Fprintf(out, "  faults        %.0f%% of requests (seed %d)\n", 100*faultRate, seed)
			}
			if certFile != "" {
				fmt.Fprintf(out, "  certificate   %s (trust it: gru --ca-file or GRU_EMULATOR_CA, the Azure SDK for Go SSL_CERT_FILE)\n", certFile)
			}
			fmt.Fprintf(out, "Point gru at it with --endpoint %s; the Azure SDK with a cloud.Configuration whose ResourceManager endpoint is %s.\n", endpoint, endpoint)
			if !g.json {
				io.WriteString(cmd.OutOrStdout(), out.String())
			}
			err = serveUntilDone(ctx, stderr, listening{emulator.NewHTTPServer(emu, timeouts), ln}, listening{emulator.NewHTTPServer(emu.BlobHandler(), timeouts), blobLn})
			if cerr := emu.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("closing the emulator database %s: %w", db, cerr)
			}
			return err
		},
	}
	f := serve.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:4280", "address to listen on (port 0 picks a free one); beyond loopback a token is required")
	f.StringVar(&blobAddr, "blob-addr", "", "address of the storage accounts' blob service (default: 127.0.0.1 and the port after --addr's, 4281; a free one when --addr's port is 0)")
	f.StringVar(&db, "db", "", "SQLite file of the emulated cloud (default: $GRU_LOCAL_DB, else local-arm.db in gru's state folder)")
	f.StringVar(&token, "token", "", "accept only this bearer token; shows in the process list: prefer --token-file or $GRU_EMULATOR_TOKEN (default: any token)")
	f.StringVar(&tokenFile, "token-file", "", "accept only the bearer token in this file (before --token and $GRU_EMULATOR_TOKEN)")
	f.BoolVar(&insecureNoToken, "insecure-no-token", false, "serve an address beyond loopback without a token, to anyone who can reach it")
	f.StringVar(&latency, "latency", "realistic", "how long long-running operations take: realistic, a duration for every type (0 for none), or Type=duration pairs")
	f.BoolVar(&useTLS, "tls", false, "serve HTTPS with a self-signed certificate kept beside the database (DB-cert.pem)")
	f.StringVar(&throttle, "throttle", "off", "limit requests per subscription: arm (ARM's limits since 2024), or reads:writes:deletes refill rates per second (capacity@rate for each to set the bucket size)")
	f.Float64Var(&faultRate, "fault-rate", 0, "share of requests that get an injected fault: 500, 503, dropped connection, failed operation (0 to 1)")
	f.Uint64Var(&seed, "seed", 1, "seed of the injected faults, to replay a drill")
	f.DurationVar(&timeouts.Read, "read-timeout", emulator.DefaultTimeouts.Read, "longest time to read a request, body included")
	f.DurationVar(&timeouts.Idle, "idle-timeout", emulator.DefaultTimeouts.Idle, "longest time a kept-alive connection waits for its next request")
	cmd.AddCommand(serve)
	return cmd
}

// shutdownGrace is how long requests in flight get to finish when the emulator stops.
const shutdownGrace = 10 * time.Second

// reachable is an address a client can dial for a listener's: on every interface (0.0.0.0,
// ::), the loopback one of this machine.
func reachable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// nextPort is the default --blob-addr: 127.0.0.1 and the port after addr's, or port 0 (a free
// one) when addr's is 0.
func nextPort(addr string) (string, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: want host:port, such as 127.0.0.1:4280: %w", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n >= 65535 {
		return "", fmt.Errorf("--addr %q: the blob service takes the next port, which it has not: give --blob-addr", addr)
	}
	if n > 0 {
		n++
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(n)), nil
}

// listening is a server and the listener it serves.
type listening struct {
	srv *http.Server
	ln  net.Listener
}

// serveUntilDone serves until a listener fails or ctx ends (SIGINT, SIGTERM); then it stops
// accepting connections and lets the requests in flight finish, shutdownGrace at most.
func serveUntilDone(ctx context.Context, stderr io.Writer, servers ...listening) error {
	done := make(chan error, len(servers))
	for _, s := range servers {
		go func() { done <- s.srv.Serve(s.ln) }()
	}
	select {
	case err := <-done:
		for _, s := range servers {
			s.srv.Close()
		}
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "stopping: waiting for requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var cut []error
	for _, s := range servers {
		if err := s.srv.Shutdown(shutdown); err != nil {
			s.srv.Close()
			cut = append(cut, err)
		}
	}
	if len(cut) > 0 {
		return fmt.Errorf("stopping the emulator: requests still in flight after %v were cut off: %w", shutdownGrace, errors.Join(cut...))
	}
	return nil
}

// emulatorToken is the token `serve` requires: the content of tokenFile, else --token (when
// set on the command line), else $GRU_EMULATOR_TOKEN; "" for any token.
func emulatorToken(flagSet bool, flagToken, tokenFile string, stderr io.Writer) (string, error) {
	if tokenFile != "" && flagSet {
		return "", errors.New("--token and --token-file both give a token: choose one")
	}
	if tokenFile != "" {
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		token := strings.TrimRight(string(data), " \t\r\n")
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			return "", fmt.Errorf("--token-file %s: want one token on one line", tokenFile)
		}
		if info, err := os.Stat(tokenFile); err == nil && runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(stderr, "warning: the token file %s can be read by other users (chmod 600 it)\n", tokenFile)
		}
		return token, nil
	}
	if flagSet {
		if flagToken == "" {
			return "", errors.New("--token is empty: give a token, or leave the flag out to accept any")
		}
		return flagToken, nil
	}
	return os.Getenv("GRU_EMULATOR_TOKEN"), nil
}

// listenHost is the host of a listening address, and whether only this machine can reach it
// (localhost or a loopback IP; an empty host, 0.0.0.0, ::, any other IP or name is reachable).
func listenHost(addr string) (string, bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fmt.Errorf("--addr %q: want host:port, such as 127.0.0.1:4280: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return host, true, nil
	}
	ip := net.ParseIP(host)
	return host, ip != nil && ip.IsLoopback(), nil
}
