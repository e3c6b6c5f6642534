package armclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Unreachable says when the client gives up on an endpoint that answers nothing at all
// (refused or dropped connections, timeouts): after MinFailures requests in a row got no answer
// over Window, or one request went unanswered for 2.5 × Window. Throttling (429) and server
// errors (5xx) are answers: they keep their retries. A connection that is accepted but never
// answered fails after the transport's response timeout (a minute), and counts then.
type Unreachable struct {
	Window      time.Duration // default 8s
	MinFailures int           // default 3
	// Cooldown is how long requests fail at once before one is let through again (default 30s).
	Cooldown time.Duration
}

// UnreachableError is the error of every request once the endpoint is found not to answer.
type UnreachableError struct {
	Endpoint string
	Failures int
	Over     time.Duration
	Last     error
}

func (e *UnreachableError) Error() string {
	requests := fmt.Sprintf("%d requests in a row got", e.Failures)
	if e.Failures == 1 {
		requests = "1 request got"
	}
	return fmt.Sprintf("%s does not answer: %s no answer over %v (last: %v); gru stops here: check the endpoint, the network or --endpoint", e.Endpoint, requests, e.Over.Round(time.Second), e.Last)
}

// NonRetriable tells azcore's retry policy not to retry.
func (e *UnreachableError) NonRetriable() {}

// UntrustedCertificateError is a TLS endpoint whose certificate gru does not trust. It is
// not retried.
type UntrustedCertificateError struct {
	Endpoint string
	Err      error
}

func (e *UntrustedCertificateError) Error() string {
	return fmt.Sprintf("%s presents a certificate gru does not trust (%v): for a gru emulator started with --tls, pass --ca-file with the certificate kept beside its database (DB-cert.pem) or set GRU_EMULATOR_CA; otherwise check the endpoint", e.Endpoint, e.Err)
}

func (e *UntrustedCertificateError) Unwrap() error { return e.Err }

// NonRetriable tells azcore's retry policy not to try again.
func (e *UntrustedCertificateError) NonRetriable() {}

// untrusted reports a TLS handshake that failed on the server's certificate.
func untrusted(err error) bool {
	var verify *tls.CertificateVerificationError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &host) || errors.As(err, &invalid)
}

// IsUnreachable reports an error of a request to an endpoint that does not answer.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}

// breaker is a per-attempt pipeline policy that counts attempts that got no answer, and fails
// every request at once, without retries, once the endpoint is found not to answer.
type breaker struct {
	endpoint string
	cfg      Unreachable
	now      func() time.Time

	mu          sync.Mutex
	failures    int
	streakStart time.Time
	lastAnswer  time.Time
	lastErr     error
	open        *UnreachableError
	openedAt    time.Time
	probing     bool // once cooled down, one request goes through to see whether it answers
}

func newBreaker(endpoint string, cfg Unreachable) *breaker {
	if cfg.Window <= 0 {
		cfg.Window = 8 * time.Second
	}
	if cfg.MinFailures <= 0 {
		cfg.MinFailures = 3
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = 30 * time.Second
	}
	return &breaker{endpoint: endpoint, cfg: cfg, now: time.Now}
}

func (b *breaker) Do(req *policy.Request) (*http.Response, error) {
	if err := b.refuse(); err != nil {
		return nil, err
	}
	start := b.now()
	resp, err := req.Next()
	switch {
	case err == nil:
		b.answered()
	case untrusted(err):
		// The endpoint answered, with a certificate gru does not trust: trying again changes
		// nothing.
		b.answered()
		return nil, &UntrustedCertificateError{Endpoint: b.endpoint, Err: err}
	case errors.Is(req.Raw().Context().Err(), context.Canceled):
		// The caller gave up (Ctrl-C): says nothing of the endpoint.
		b.mu.Lock()
		b.probing = false
		b.mu.Unlock()
	default:
		// No answer, or none before the try's deadline.
		if open := b.failed(start, err); open != nil {
			return nil, open
		}
	}
	return resp, err
}

// refuse returns the open breaker's error, or nil when a request may go: the breaker is
// closed, or it has cooled down and no other request is seeing whether the endpoint answers.
func (b *breaker) refuse() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		return nil
	}
	if !b.probing && b.now().Sub(b.openedAt) >= b.cfg.Cooldown {
		b.probing = true
		return nil
	}
	return b.open
}

func (b *breaker) answered() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.open, b.probing, b.lastAnswer = 0, nil, false, b.now()
}

func (b *breaker) failed(start time.Time, err error) *UnreachableError {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.failures == 0 {
		b.streakStart = start
		if b.lastAnswer.After(start) {
			b.streakStart = b.lastAnswer
		}
	}
	b.failures++
	b.lastErr = err
	over := now.Sub(b.streakStart)
	b.probing = false
	if b.open != nil || b.failures >= b.cfg.MinFailures && over >= b.cfg.Window || over >= b.cfg.Window*5/2 {
		b.open = &UnreachableError{Endpoint: b.endpoint, Failures: b.failures, Over: over, Last: err}
		b.openedAt = now
		return b.open
	}
	return nil
}
