// Package cloud chooses where gru's ARM requests go and connects to it: the local cloud (an
// emulator in this process, served on a loopback port so that requests cross real HTTP, with
// its storage accounts' blob service on another), an emulator served elsewhere, or Azure with
// Microsoft's credential chain. The command line and the public Go API share it.
package cloud

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/emulator"
	"github.com/gru-iac/gru/internal/storagedata"
)

// Options say which cloud to use. The zero value is Azure.
type Options struct {
	// Local uses gru's local cloud, whose data is in LocalDB (default: DefaultLocalDB()).
	Local   bool
	LocalDB string
	// Endpoint is an emulator served elsewhere; Token its bearer token (default "gru").
	Endpoint string
	Token    string
	// CAFile is a PEM certificate to trust, besides the system's, for an HTTPS Endpoint
	// (default $GRU_EMULATOR_CA; for a loopback endpoint without either, the certificate that
	// `gru emulator serve --tls` keeps beside the default local database, when there is one).
	CAFile string
	// Subscription for Azure (default $AZURE_SUBSCRIPTION_ID, then the Azure CLI's).
	Subscription string
	// Debug receives a log of every request, secrets redacted.
	Debug   io.Writer
	Catalog *catalog.Catalog
}

// Connection is a connected cloud. Close it when done.
type Connection struct {
	// Client is ARM's, carrying out the Blob service's types (Storage::Blob) with azblob.
	Client *storagedata.Client
	// Kind is "local", "endpoint" or "azure"; Endpoint the ARM endpoint; DB the local database.
	Kind, Endpoint, DB string
	// BlobEndpoint is where the local cloud serves the blob service of its storage accounts
	// (path-style: BlobEndpoint/<account>/<container>/<blob>); "" for other clouds.
	BlobEndpoint string
	close        func()
}

// Close stops what the connection started (the local emulator).
func (c *Connection) Close() { c.close() }

// StateDir is where gru keeps its state: $XDG_STATE_HOME/gru, or ~/.local/state/gru.
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "gru"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding a folder for gru's state: %w (set XDG_STATE_HOME)", err)
	}
	return filepath.Join(home, ".local", "state", "gru"), nil
}

// DefaultLocalDB is the local cloud's database: $GRU_LOCAL_DB, else local-arm.db in the state
// folder. One local cloud is shared by every project, as a subscription is.
func DefaultLocalDB() (string, error) {
	if p := os.Getenv("GRU_LOCAL_DB"); p != "" {
		return p, nil
	}
	dir, err := StateDir()
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

// Connect connects to the cloud the options name.
func Connect(ctx context.Context, o Options) (*Connection, error) {
	if o.Catalog == nil {
		c, err := catalog.Open(catalog.Options{})
		if err != nil {
			return nil, err
		}
		o.Catalog = c
	}
	opts := armclient.Options{Catalog: o.Catalog, Debug: o.Debug}
	switch {
	case o.Local && o.Endpoint != "":
		return nil, errors.New("--local and --endpoint both name a cloud: choose one")
	case o.Local:
		db := o.LocalDB
		if db == "" {
			var err error
			if db, err = DefaultLocalDB(); err != nil {
				return nil, err
			}
		}
		if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
			return nil, err
		}
		// The emulator listens on a loopback port, which every process of the machine can reach:
		// it takes only a token made for this run, which no other process knows.
		token, err := runToken()
		if err != nil {
			return nil, err
		}
		// ARM and the storage accounts' blob service each listen on a loopback port of their own.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		blobLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ln.Close()
			return nil, err
		}
		blobEndpoint := "http://" + blobLn.Addr().String()
		emu, err := emulator.New(ctx, emulator.Options{DBPath: db, Catalog: o.Catalog, Token: token, TypeLatency: emulator.RealisticLatencies(), BlobEndpoint: blobEndpoint})
		if err != nil {
			ln.Close()
			blobLn.Close()
			return nil, fmt.Errorf("starting the local cloud (%s): %w", db, err)
		}
		srv := emulator.NewHTTPServer(emu, emulator.DefaultTimeouts)
		go srv.Serve(ln)
		blobSrv := emulator.NewHTTPServer(emu.BlobHandler(), emulator.DefaultTimeouts)
		go blobSrv.Serve(blobLn)
		stop := func() { srv.Close(); blobSrv.Close(); emu.Close() }
		endpoint := "http://" + ln.Addr().String()
		opts.Endpoint, opts.Credential, opts.InsecureHTTP = endpoint, armclient.StaticToken(token), true
		opts.Subscription = emulator.LocalSubscriptionID
		opts.PollFrequency = time.Second // azcore's minimum; the emulator's Retry-After (in ms) sets the pace
		c, err := armclient.New(opts)
		if err != nil {
			stop()
			return nil, err
		}
		return &Connection{Client: storagedata.New(c, nil), Kind: "local", Endpoint: endpoint, DB: db, BlobEndpoint: blobEndpoint, close: stop}, nil
	case o.Endpoint != "":
		sub := o.Subscription
		if sub == "" {
			sub = emulator.LocalSubscriptionID
		}
		token := o.Token
		if token == "" {
			token = "gru"
		}
		opts.Endpoint, opts.Credential, opts.Subscription = o.Endpoint, armclient.StaticToken(token), sub
		opts.InsecureHTTP = isLoopback(o.Endpoint)
		roots, err := endpointRoots(o.Endpoint, o.CAFile)
		if err != nil {
			return nil, err
		}
		opts.RootCAs = roots
		opts.PollFrequency = time.Second
		c, err := armclient.New(opts)
		if err != nil {
			return nil, err
		}
		// The emulator's blob service (--tls) has the same certificate as its ARM endpoint.
		var blobs policy.Transporter
		if roots != nil {
			blobs = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
		}
		return &Connection{Client: storagedata.New(c, blobs), Kind: "endpoint", Endpoint: o.Endpoint, close: func() {}}, nil
	}
	sub, err := armclient.ResolveSubscription(o.Subscription)
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
	return &Connection{Client: storagedata.New(c, nil), Kind: "azure", Endpoint: armclient.DefaultEndpoint, close: func() {}}, nil
}
