package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CertificateFiles are where the TLS certificate (PEM, for clients to trust) and its private
// key (PEM, its owner's alone) of the emulator serving a database are kept: beside the
// database, named after it, as SQLite's -wal and -shm are. Emulators on different databases
// have different certificates; one emulator keeps its certificate across restarts.
func CertificateFiles(dbPath string) (certFile, keyFile string) {
	return dbPath + "-cert.pem", dbPath + "-key.pem"
}

// certificateRenewal is how long before it expires a kept certificate is replaced.
const certificateRenewal = 7 * 24 * time.Hour

// Certificate returns the emulator's TLS certificate kept in certFile and keyFile, or, when
// there is none, when it expires within a week or does not name every host, a new one, which it
// keeps there (the key with mode 0600).
//
// The certificate is self-signed and valid for localhost, 127.0.0.1 and ::1, and for hosts (IP
// addresses or DNS names). It is a CA, so that any client can take it as a root, but its name
// constraints restrict it to those names: if its key leaked, it could not vouch for any other
// site, even where it is trusted.
func Certificate(certFile, keyFile string, hosts ...string) (tls.Certificate, error) {
	dns, ips := certificateNames(hosts)
	if cert, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil && usable(cert.Leaf, dns, ips) {
		os.Chmod(keyFile, 0o600)
		return cert, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, err
	}
	var ipRanges []*net.IPNet
	for _, ip := range ips {
		bits := 8 * len(ip)
		ipRanges = append(ipRanges, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
	}
	tmpl := &x509.Certificate{
		SerialNumber:                serial,
		Subject:                     pkix.Name{CommonName: "gru local ARM emulator"},
		NotBefore:                   time.Now().Add(-time.Hour),
		NotAfter:                    time.Now().AddDate(1, 0, 0),
		KeyUsage:                    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:                 []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid:       true,
		IsCA:                        true,
		MaxPathLenZero:              true,
		DNSNames:                    dns,
		IPAddresses:                 ips,
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         dns,
		PermittedIPRanges:           ipRanges,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return tls.Certificate{}, fmt.Errorf("keeping the emulator's TLS key: %w", err)
	}
	if err := writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, fmt.Errorf("writing the emulator's certificate: %w", err)
	}
	return tls.LoadX509KeyPair(certFile, keyFile)
}

// certificateNames are the names a certificate is for: the loopback ones, then hosts.
func certificateNames(hosts []string) (dns []string, ips []net.IP) {
	dns = []string{"localhost"}
	ips = []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if ip4 := ip.To4(); ip4 != nil {
				ip = ip4
			}
			if !ip.IsLoopback() && !ip.IsUnspecified() {
				ips = append(ips, ip)
			}
		} else if h != "" && h != "localhost" {
			dns = append(dns, h)
		}
	}
	return dns, ips
}

// usable reports a kept certificate that is valid for a while yet and names every host.
func usable(leaf *x509.Certificate, dns []string, ips []net.IP) bool {
	if leaf == nil || time.Now().Before(leaf.NotBefore) || time.Now().Add(certificateRenewal).After(leaf.NotAfter) {
		return false
	}
	for _, d := range dns {
		if leaf.VerifyHostname(d) != nil {
			return false
		}
	}
	for _, ip := range ips {
		if leaf.VerifyHostname(ip.String()) != nil {
			return false
		}
	}
	return true
}

// writeFileAtomic writes a file through a temporary one beside it, so that a reader never sees
// half of it, with mode perm whatever the umask.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
