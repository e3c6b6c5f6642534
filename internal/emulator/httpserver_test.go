package emulator

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// startTimed serves an emulator with timeouts on a loopback port and returns its address.
func startTimed(t *testing.T, to Timeouts) string {
	t.Helper()
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer(e, to)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); e.Close() })
	return ln.Addr().String()
}

// closedByServer reads conn until the server closes it. The deadline is a failsafe far beyond
// the server's timeouts: reaching it means that the server held the connection.
func closedByServer(t *testing.T, conn net.Conn, what string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("%s: the server kept the connection open", what)
	}
}

func TestServerTimeouts(t *testing.T) {
	addr := startTimed(t, Timeouts{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Idle: 300 * time.Millisecond})
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	// A body that stops half-way.
	conn := dial()
	io.WriteString(conn, "PUT "+sub+"/resourceGroups/rg?api-version=2021-04-01 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"location\":")
	closedByServer(t, conn, "a stalled body")

	// Headers that stop half-way.
	conn = dial()
	io.WriteString(conn, "GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\n")
	closedByServer(t, conn, "stalled headers")

	// A kept-alive connection that sends nothing more.
	conn = dial()
	io.WriteString(conn, "GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n")
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request: %d, close %v", resp.StatusCode, resp.Close)
	}
	closedByServer(t, conn, "an idle connection")
}

func TestDefaultTimeouts(t *testing.T) {
	srv := NewHTTPServer(http.NotFoundHandler(), Timeouts{})
	if srv.ReadHeaderTimeout != DefaultTimeouts.ReadHeader || srv.ReadTimeout != DefaultTimeouts.Read || srv.IdleTimeout != DefaultTimeouts.Idle ||
		srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 || srv.ReadHeaderTimeout <= 0 {
		t.Errorf("timeouts %v %v %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
}
