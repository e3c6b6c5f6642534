package emulator

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawRequest sends text as one request over a new connection and returns the answer.
func rawRequest(t *testing.T, addr, text string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) // a failsafe: answers come at once
	if _, err := io.WriteString(conn, text); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestMalformedRequestsGetARMErrors(t *testing.T) {
	srv := newServer(t, Options{Token: "t"})
	addr := strings.TrimPrefix(srv.URL, "http://")
	get := func(target string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n"
	}
	for name, target := range map[string]string{
		"invalid escape in the query":     "/subscriptions?api-version=2022-12-01&x=%zz",
		"invalid escape in api-version":   "/subscriptions?api-version=%zz",
		"semicolon in the query":          "/subscriptions?api-version=2022-12-01;x=1",
		"encoded slash":                   sub + "/resourceGroups/a%2Fb?api-version=2021-04-01",
		"not a resource":                  "/nothing/here?api-version=2021-04-01",
		"no api-version, query malformed": "/subscriptions?%",
	} {
		resp, body := rawRequest(t, addr, get(target))
		if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			!strings.HasPrefix(body, `{"error":{"code":"`) || !strings.Contains(body, `"message":"`) {
			t.Errorf("%s: %d %s %s", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// A path with an invalid escape never reaches the emulator: net/http refuses the request
	// line with its own plain-text 400 (documented in badrequest.go). Should net/http ever let
	// it through, the emulator's answer must be an ARM error: this test then says so.
	resp, body := rawRequest(t, addr, get(sub+"/resourceGroups/%zz?api-version=2021-04-01"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a path with %%zz: %d %s", resp.StatusCode, body)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Logf("a path with %%zz is refused by net/http before the emulator: %q", body)
	} else if !strings.HasPrefix(body, `{"error":{"code":"`) {
		t.Errorf("a path with %%zz reached the emulator, which answered %s", body)
	}
}
