package cloud

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/gru-iac/gru/internal/emulator"
)

// runToken is a bearer token for the local cloud of one run: 32 random bytes.
func runToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a token for the local cloud: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// endpointRoots are the certificate authorities gru trusts for an emulator at endpoint: nil (the
// system's) for plain HTTP or when there is nothing to add, else the system's and caFile's
// ($GRU_EMULATOR_CA when caFile is ""). For an HTTPS endpoint on loopback without either, the
// certificate `gru emulator serve --tls` keeps beside the default local database is trusted
// when it exists: gru trusts its own emulator, as it serves by default.
func endpointRoots(endpoint, caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		caFile = os.Getenv("GRU_EMULATOR_CA")
	}
	u, err := url.Parse(endpoint)
	if err != nil || !strings.EqualFold(u.Scheme, "https") {
		return nil, nil
	}
	explicit := caFile != ""
	if !explicit {
		if !isLoopback(endpoint) {
			return nil, nil
		}
		db, err := DefaultLocalDB()
		if err != nil {
			return nil, nil
		}
		caFile, _ = emulator.CertificateFiles(db)
	}
	data, err := os.ReadFile(caFile)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the certificate to trust for %s: %w", endpoint, err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate to trust for %s", caFile, endpoint)
	}
	return roots, nil
}
