package emulator

import (
	"net/http"
	"time"
)

// Timeouts bound how long a connection may hold the server without making progress.
type Timeouts struct {
	// ReadHeader bounds the reading of a request's headers.
	ReadHeader time.Duration
	// Read bounds the reading of a whole request, body included: a client that stalls in the
	// middle of a body loses its connection.
	Read time.Duration
	// Idle bounds how long a kept-alive connection waits for its next request.
	Idle time.Duration
}

// DefaultTimeouts are generous for the largest body (MaxBodyBytes) over a slow link and short
// enough that stalled clients do not pile up.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 120 * time.Second}

// NewHTTPServer is an http.Server for a handler with timeouts (zero fields: DefaultTimeouts').
// Write timeouts are left unset: the emulator's answers are small and written at once, and
// long-running operations are polled, never waited for on one request.
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	if t.ReadHeader <= 0 {
		t.ReadHeader = DefaultTimeouts.ReadHeader
	}
	if t.Read <= 0 {
		t.Read = DefaultTimeouts.Read
	}
	if t.Idle <= 0 {
		t.Idle = DefaultTimeouts.Idle
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
}
