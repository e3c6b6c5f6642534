package emulator

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCertificateKeptPerDatabase(t *testing.T) {
	dir := t.TempDir()
	c1, k1 := CertificateFiles(filepath.Join(dir, "one.db"))
	c2, k2 := CertificateFiles(filepath.Join(dir, "two.db"))
	first, err := Certificate(c1, k1)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Certificate(c2, k2)
	if err != nil {
		t.Fatal(err)
	}
	if first.Leaf.Equal(second.Leaf) {
		t.Error("two databases share a certificate")
	}
	again, err := Certificate(c1, k1)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Leaf.Equal(first.Leaf) {
		t.Error("a restart on the same database made a new certificate")
	}
	for _, k := range []string{k1, k2} {
		if info, err := os.Stat(k); err != nil || info.Mode().Perm() != 0o600 && os.PathSeparator == '/' {
			t.Errorf("key %s: %v %v", k, info.Mode(), err)
		}
	}
	// The kept certificate does not name a host asked for now: a new one does.
	lan, err := Certificate(c1, k1, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if lan.Leaf.Equal(first.Leaf) || lan.Leaf.VerifyHostname("192.0.2.7") != nil || lan.Leaf.VerifyHostname("127.0.0.1") != nil {
		t.Error("no certificate for the host of --addr")
	}

	// The certificate is a root that vouches only for its own names.
	roots := x509.NewCertPool()
	roots.AddCert(first.Leaf)
	if _, err := first.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"}); err != nil {
		t.Errorf("the certificate does not verify for localhost: %v", err)
	}
	sign := func(name string) *x509.Certificate {
		key := first.PrivateKey.(*ecdsa.PrivateKey)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, first.Leaf, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	if _, err := sign("localhost").Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"}); err != nil {
		t.Errorf("a certificate it signs for localhost: %v", err)
	}
	if _, err := sign("management.azure.com").Verify(x509.VerifyOptions{Roots: roots, DNSName: "management.azure.com"}); err == nil {
		t.Error("its key could vouch for management.azure.com")
	}
}
