package armclient

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

func breakerClient(t *testing.T, endpoint string) *Client {
	t.Helper()
	c, err := New(Options{Endpoint: endpoint, Credential: StaticToken("t"), InsecureHTTP: true, Subscription: "s",
		Retry:       policy.RetryOptions{MaxRetries: 20, RetryDelay: 20 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond},
		Unreachable: Unreachable{Window: 300 * time.Millisecond, MinFailures: 3, Cooldown: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBreakerStopsOnADeadEndpoint: requests to a port where nothing listens fail with an
// UnreachableError naming the endpoint once the window has passed, and later ones fail at once,
// without retries.
func TestBreakerStopsOnADeadEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	c := breakerClient(t, endpoint)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = c.Get(context.Background(), "/subscriptions/s/resourceGroups/rg", "2021-04-01")
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if !IsUnreachable(err) || !strings.Contains(err.Error(), endpoint+" does not answer") {
			t.Errorf("error: %v", err)
		}
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the window", took)
	}
	again := time.Now()
	if _, err := c.Get(context.Background(), "/subscriptions/s/resourceGroups/rg", "2021-04-01"); !IsUnreachable(err) || time.Since(again) > 50*time.Millisecond {
		t.Errorf("once open, a request: %v after %v", err, time.Since(again))
	}
}

// TestBreakerLeavesAnswersAlone: an endpoint that answers, even 503 every time, is not
// unreachable: its answers keep their retries and their errors.
func TestBreakerLeavesAnswersAlone(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		w.Write([]byte(`{"error":{"code":"ServerBusy","message":"busy"}}`))
	}))
	defer srv.Close()
	c := breakerClient(t, srv.URL)
	_, err := c.Get(context.Background(), "/subscriptions/s/resourceGroups/rg", "2021-04-01")
	if IsUnreachable(err) || !IsCode(err, "ServerBusy") || calls.Load() != 21 {
		t.Errorf("%d calls: %v", calls.Load(), err)
	}
}

// TestBreakerStopsOnASilentEndpoint: an endpoint that accepts connections and never answers
// fails after the response timeout, as unreachable.
func TestBreakerStopsOnASilentEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	endpoint := "http://" + ln.Addr().String()
	c, err := New(Options{Endpoint: endpoint, Credential: StaticToken("t"), InsecureHTTP: true, Subscription: "s",
		Retry:           policy.RetryOptions{MaxRetries: 20, RetryDelay: 20 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond},
		Unreachable:     Unreachable{Window: 200 * time.Millisecond, MinFailures: 3, Cooldown: time.Minute},
		ResponseTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Get(context.Background(), "/subscriptions/s/resourceGroups/rg", "2021-04-01")
	if !IsUnreachable(err) || !strings.Contains(err.Error(), endpoint+" does not answer") {
		t.Errorf("error: %v", err)
	}
	t.Logf("gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestUntrustedCertificateIsNotRetried: a TLS endpoint whose certificate gru does not trust
// fails on the first attempt with an error that says how to trust it, not as a dead endpoint.
func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	var handshakes atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { handshakes.Add(1); return nil, nil }}
	srv.StartTLS()
	defer srv.Close()
	c, err := New(Options{Endpoint: srv.URL, Credential: StaticToken("t"), Subscription: "s",
		Retry:       policy.RetryOptions{MaxRetries: 5, RetryDelay: 10 * time.Millisecond},
		Unreachable: Unreachable{Window: time.Minute, MinFailures: 3, Cooldown: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "/subscriptions/s/resourceGroups/rg", "2021-04-01")
	var untrusted *UntrustedCertificateError
	if !errors.As(err, &untrusted) || IsUnreachable(err) || !strings.Contains(err.Error(), "--ca-file") {
		t.Fatalf("error: %v", err)
	}
	if n := handshakes.Load(); n != 1 {
		t.Errorf("%d handshakes: the request was retried", n)
	}
}
