package cloud

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/emulator"
)

// TestLocalCloudTakesOnlyItsRunToken: the local cloud's port is open to every process of the
// machine, but only gru, which made the run's token, gets answers.
func TestLocalCloudTakesOnlyItsRunToken(t *testing.T) {
	c, err := Connect(context.Background(), Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, auth := range []string{"", "Bearer gru-local", "Bearer gru", "Bearer anything"} {
		req, _ := http.NewRequest("GET", c.Endpoint+"/subscriptions?api-version=2022-12-01", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("another process with %q got %d", auth, resp.StatusCode)
		}
	}
	if _, err := c.Client.ListResourceGroups(context.Background()); err != nil {
		t.Errorf("gru itself is refused: %v", err)
	}
	a, _ := runToken()
	b, _ := runToken()
	if len(a) != 64 || a == b {
		t.Errorf("run tokens %q %q", a, b)
	}
}

// serveTLS serves an emulator over HTTPS with the certificate kept for db.
func serveTLS(t *testing.T, db string) (endpoint, certFile string) {
	t.Helper()
	certFile, keyFile := emulator.CertificateFiles(db)
	cert, err := emulator.Certificate(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(context.Background(), emulator.Options{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(func() { srv.Close(); emu.Close() })
	return srv.URL, certFile
}

// TestEndpointTrustsItsEmulatorsCertificate: gru verifies an emulator's certificate against the
// one the emulator keeps beside its database: given with CAFile or $GRU_EMULATOR_CA, or found
// beside the default local database; never another emulator's, and never without checking.
func TestEndpointTrustsItsEmulatorsCertificate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GRU_EMULATOR_CA", "")
	t.Setenv("GRU_LOCAL_DB", filepath.Join(dir, "nothing-served-here.db"))
	one, oneCert := serveTLS(t, filepath.Join(dir, "one.db"))
	_, twoCert := serveTLS(t, filepath.Join(dir, "two.db"))
	if !strings.HasPrefix(one, "https://127.0.0.1:") {
		t.Fatalf("endpoint %s", one)
	}
	// Through gru's client (which retries a failed handshake for a few seconds: once).
	reach := func(o Options) error {
		o.Endpoint = one
		c, err := Connect(context.Background(), o)
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Client.ListResourceGroups(context.Background())
		return err
	}
	if err := reach(Options{CAFile: oneCert}); err != nil {
		t.Errorf("with its certificate: %v", err)
	}
	if err := reach(Options{}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("with no certificate to trust: %v", err)
	}
	// The roots gru's client is given, with a handshake each.
	handshake := func(caFile string) error {
		roots, err := endpointRoots(one, caFile)
		if err != nil {
			return err
		}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
		resp, err := client.Get(one + "/subscriptions?api-version=2022-12-01")
		if err == nil {
			resp.Body.Close()
		}
		client.CloseIdleConnections()
		return err
	}
	if err := handshake(twoCert); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("with another emulator's certificate: %v", err)
	}
	if err := handshake(filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("a CA file that is not there was ignored")
	}
	t.Setenv("GRU_EMULATOR_CA", oneCert)
	if err := handshake(""); err != nil {
		t.Errorf("with $GRU_EMULATOR_CA: %v", err)
	}
	t.Setenv("GRU_EMULATOR_CA", "")
	if err := handshake(""); err == nil {
		t.Error("no certificate to trust, and the handshake succeeded")
	}
	t.Setenv("GRU_LOCAL_DB", filepath.Join(dir, "one.db"))
	if err := handshake(""); err != nil {
		t.Errorf("serving the default local database: %v", err)
	}
	if err := reach(Options{}); err != nil {
		t.Errorf("serving the default local database, through gru's client: %v", err)
	}
}
