package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/gru-iac/gru/internal/emulator"
)

// served is a `gru emulator serve` process.
type served struct {
	cmd      *exec.Cmd
	endpoint string
	mu       sync.Mutex
	stdout   []string
	stderr   chan string
	exited   chan error
}

// serveProcess runs `gru emulator serve --addr 127.0.0.1:0` with more arguments (a later --addr
// wins) and environment variables, and returns it once it has printed its endpoint. It is
// killed at the end of the test if it still runs.
func serveProcess(t *testing.T, bin string, env []string, args ...string) *served {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"emulator", "serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, stderr: make(chan string, 100), exited: make(chan error, 1)}
	first := make(chan string, 1)
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.mu.Lock()
			s.stdout = append(s.stdout, sc.Text())
			if len(s.stdout) == 1 {
				first <- sc.Text()
			}
			s.mu.Unlock()
		}
		close(first)
	}()
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.stderr <- sc.Text()
		}
		close(s.stderr)
	}()
	go func() { pipes.Wait(); s.exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	select {
	case line, ok := <-first:
		if !ok {
			t.Fatalf("the emulator printed no endpoint: %v", s.rest())
		}
		s.endpoint = strings.TrimPrefix(line, "ARM emulator listening on ")
		var banner struct{ Endpoint string }
		if json.Unmarshal([]byte(line), &banner) == nil { // --json
			s.endpoint = banner.Endpoint
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator printed no endpoint")
	}
	return s
}

// rest is what the emulator wrote to stderr, once it has ended.
func (s *served) rest() []string {
	var lines []string
	for l := range s.stderr {
		lines = append(lines, l)
	}
	return lines
}

// waitStderr waits for a line of stderr with want in it.
func (s *served) waitStderr(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second) // a failsafe
	for {
		select {
		case line, ok := <-s.stderr:
			if !ok {
				t.Fatalf("the emulator ended without saying %q", want)
			}
			if strings.Contains(line, want) {
				return
			}
		case <-deadline:
			t.Fatalf("the emulator did not say %q", want)
		}
	}
}

// wait waits for the process to end and returns its error.
func (s *served) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.exited:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator did not end")
		return nil
	}
}

const subscriptionsPath = "/subscriptions?api-version=2022-12-01"

// statusWith sends a GET with an Authorization header and returns the status.
func statusWith(t *testing.T, url, auth string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestEmulatorTokenPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	t.Setenv("GRU_EMULATOR_TOKEN", "from-env")
	for _, tc := range []struct {
		flagSet         bool
		flag, file      string
		want, wantError string
	}{
		{false, "", "", "from-env", ""},
		{true, "from-flag", "", "from-flag", ""},
		{false, "", file, "from-file", ""},
		{true, "from-flag", file, "", "choose one"},
		{false, "", empty, "", "one token"},
		{false, "", filepath.Join(dir, "missing"), "", "--token-file"},
		{true, "", "", "", "--token is empty"},
	} {
		got, err := emulatorToken(tc.flagSet, tc.flag, tc.file, io.Discard)
		if got != tc.want || (err == nil) != (tc.wantError == "") || err != nil && !strings.Contains(err.Error(), tc.wantError) {
			t.Errorf("%+v: %q %v", tc, got, err)
		}
	}
	t.Setenv("GRU_EMULATOR_TOKEN", "")
	if got, err := emulatorToken(false, "", "", io.Discard); got != "" || err != nil {
		t.Errorf("no token anywhere: %q %v", got, err)
	}
	loose := filepath.Join(dir, "loose")
	os.WriteFile(loose, []byte("t"), 0o644)
	os.Chmod(loose, 0o644)
	var warned bytes.Buffer
	if _, err := emulatorToken(false, "", loose, &warned); err != nil || os.PathSeparator == '/' && !strings.Contains(warned.String(), "other users") {
		t.Errorf("a token file others can read: %v %q", err, warned.String())
	}
}

// TestEmulatorServeTakesTokenFromEnvironmentAndFile: the token need not be on the command line.
func TestEmulatorServeTakesTokenFromEnvironmentAndFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	dir := t.TempDir()
	s := serveProcess(t, bin, []string{"GRU_EMULATOR_TOKEN=from-env"}, "--db", filepath.Join(dir, "a.db"))
	for auth, want := range map[string]int{"Bearer from-env": 200, "Bearer other": 401, "": 401} {
		if got := statusWith(t, s.endpoint+subscriptionsPath, auth); got != want {
			t.Errorf("$GRU_EMULATOR_TOKEN, %q: %d, want %d", auth, got, want)
		}
	}
	// gru --endpoint, in the same environment, sends that token.
	t.Setenv("GRU_TOKEN", "")
	t.Setenv("GRU_EMULATOR_TOKEN", "from-env")
	if code, out, errOut := runGru(t, "", "info", "--endpoint", s.endpoint, "--json"); code != 0 {
		t.Errorf("gru info with $GRU_EMULATOR_TOKEN: %d %s %s", code, out, errOut)
	}
	file := filepath.Join(dir, "token")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	s = serveProcess(t, bin, []string{"GRU_EMULATOR_TOKEN=from-env"}, "--db", filepath.Join(dir, "b.db"), "--token-file", file)
	for auth, want := range map[string]int{"Bearer from-file": 200, "Bearer from-env": 401} {
		if got := statusWith(t, s.endpoint+subscriptionsPath, auth); got != want {
			t.Errorf("--token-file, %q: %d, want %d", auth, got, want)
		}
	}
}

func TestEmulatorServeRefusesOpenAddressWithoutToken(t *testing.T) {
	t.Setenv("GRU_EMULATOR_TOKEN", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0", "192.0.2.10:4280", "myhost.example:4280"} {
		code, _, errOut := runGru(t, "", "emulator", "serve", "--addr", addr, "--db", db)
		if code == 0 || !strings.Contains(errOut, "--token-file") || !strings.Contains(errOut, "--insecure-no-token") {
			t.Errorf("--addr %s without a token: %d %s", addr, code, errOut)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused serve touched the database: %v", err)
	}
	if testing.Short() {
		return
	}
	s := serveProcess(t, buildGru(t), nil, "--db", db, "--addr", "0.0.0.0:0", "--insecure-no-token", "--latency", "0")
	s.waitStderr(t, "WARNING: --insecure-no-token")
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.endpoint, "http://"))
	if got := statusWith(t, "http://127.0.0.1:"+port+subscriptionsPath, "Bearer anything"); got != 200 {
		t.Errorf("--insecure-no-token: %d", got)
	}
}

// TestEmulatorServeDropsStalledRequests: a client that stops in the middle of a body, or keeps
// a connection idle, loses it after --read-timeout and --idle-timeout.
func TestEmulatorServeDropsStalledRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	s := serveProcess(t, buildGru(t), nil, "--db", filepath.Join(t.TempDir(), "a.db"), "--read-timeout", "300ms", "--idle-timeout", "300ms")
	addr := strings.TrimPrefix(s.endpoint, "http://")
	closed := func(conn net.Conn, what string) {
		conn.SetReadDeadline(time.Now().Add(20 * time.Second)) // a failsafe, far beyond the timeouts
		_, err := io.Copy(io.Discard, conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the emulator kept the connection", what)
		}
		conn.Close()
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "PUT /subscriptions/"+emulator.LocalSubscriptionID+"/resourceGroups/rg?api-version=2021-04-01 HTTP/1.1\r\nHost: x\r\n"+
		"Authorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"location\":")
	closed(conn, "a stalled body")

	conn, err = net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a request: %v %v", resp, err)
	}
	resp.Body.Close()
	closed(conn, "an idle connection")
}

// TestEmulatorServeStopsCleanlyOnSIGTERM: on SIGTERM the emulator lets the request in flight
// finish, closes the database (SQLite folds its -wal and -shm back into it), and exits 0; the
// data is there after a restart.
func TestEmulatorServeStopsCleanlyOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	db := filepath.Join(t.TempDir(), "arm.db")
	s := serveProcess(t, bin, nil, "--db", db, "--latency", "0")
	if _, err := os.Stat(db + "-wal"); err != nil {
		t.Fatalf("the emulator keeps no write-ahead log, so the test shows nothing: %v", err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The request's headers ask to be told when the emulator reads the body: the 100 Continue
	// says that the request is in the emulator's hands.
	body := `{"location":"westeurope"}`
	io.WriteString(conn, "PUT /subscriptions/"+emulator.LocalSubscriptionID+"/resourceGroups/inflight?api-version=2021-04-01 HTTP/1.1\r\nHost: x\r\n"+
		"Authorization: Bearer t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(20 * time.Second)) // a failsafe
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.Contains(line, " 100 ") {
		t.Fatalf("no 100 Continue: %q %v", line, err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", line, err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitStderr(t, "stopping")
	io.WriteString(conn, body) // the body, once the emulator is stopping
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("the request in flight got %d", resp.StatusCode)
	}
	if err := s.wait(t); err != nil {
		t.Errorf("exit: %v", err)
	}
	for _, f := range []string{db + "-wal", db + "-shm"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left after a clean stop: %v", filepath.Base(f), err)
		}
	}
	s = serveProcess(t, bin, nil, "--db", db)
	if got := statusWith(t, s.endpoint+"/subscriptions/"+emulator.LocalSubscriptionID+"/resourceGroups/inflight?api-version=2021-04-01", "Bearer t"); got != 200 {
		t.Errorf("after a restart the group written during the stop: %d", got)
	}
}

// TestEmulatorServeUsesTheLocalDatabase: without --db, `serve` serves $GRU_LOCAL_DB, the
// database of --local.
func TestEmulatorServeUsesTheLocalDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "mine", "local.db")
	s := serveProcess(t, buildGru(t), []string{"GRU_LOCAL_DB=" + local, "XDG_STATE_HOME=" + filepath.Join(dir, "state")})
	if _, err := os.Stat(local); err != nil {
		t.Errorf("$GRU_LOCAL_DB is not served: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "gru", "local-arm.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state folder's database was opened: %v", err)
	}
	// The banner's lines are read one by one: wait for the database's.
	var printed string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		printed = strings.Join(s.stdout, "\n")
		s.mu.Unlock()
		if strings.Contains(printed, "database      ") {
			break
		}
	}
	if !strings.Contains(printed, "database      "+local) {
		t.Errorf("printed:\n%s", printed)
	}
}

// TestEmulatorServeJSONBanner: with --json, the banner is one line of JSON saying where the
// emulator is, and nothing else is printed on stdout.
func TestEmulatorServeJSONBanner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "arm.db")
	s := serveProcess(t, buildGru(t), nil, "--db", db, "--json")
	if code := statusWith(t, s.endpoint+subscriptionsPath, "Bearer x"); code != 200 {
		t.Fatalf("GET through the JSON banner's endpoint: %d", code)
	}
	s.cmd.Process.Signal(os.Interrupt)
	s.wait(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	var banner map[string]string
	if len(s.stdout) != 1 || json.Unmarshal([]byte(s.stdout[0]), &banner) != nil || banner["database"] != db ||
		!strings.HasPrefix(banner["blobEndpoint"], "http://127.0.0.1:") || banner["subscription"] == "" {
		t.Errorf("stdout: %q", s.stdout)
	}
}

// TestGruTrustsItsTLSEmulator: two TLS emulators on two databases keep two certificates, each
// beside its database, and gru verifies each with the right one: given with --ca-file, or
// found beside the default local database.
func TestGruTrustsItsTLSEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	dir := t.TempDir()
	t.Setenv("GRU_EMULATOR_CA", "")
	t.Setenv("GRU_TOKEN", "")
	t.Setenv("GRU_EMULATOR_TOKEN", "")
	one, two := filepath.Join(dir, "one.db"), filepath.Join(dir, "two.db")
	s1 := serveProcess(t, bin, nil, "--db", one, "--tls")
	s2 := serveProcess(t, bin, nil, "--db", two, "--tls")
	cert1, key1 := emulator.CertificateFiles(one)
	cert2, _ := emulator.CertificateFiles(two)
	pem1, err1 := os.ReadFile(cert1)
	pem2, err2 := os.ReadFile(cert2)
	if err1 != nil || err2 != nil || bytes.Equal(pem1, pem2) {
		t.Fatalf("certificates: %v %v, equal %v", err1, err2, bytes.Equal(pem1, pem2))
	}
	if info, err := os.Stat(key1); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the key: %v %v", info, err)
	}
	info := func(endpoint string, args ...string) {
		t.Helper()
		code, out, errOut := runGru(t, "", append([]string{"info", "--endpoint", endpoint, "--json"}, args...)...)
		var v map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["endpoint"] != endpoint {
			t.Errorf("gru info --endpoint %s %v: %d %s %s", endpoint, args, code, out, errOut)
		}
	}
	info(s1.endpoint, "--ca-file", cert1)
	info(s2.endpoint, "--ca-file", cert2)
	t.Setenv("GRU_EMULATOR_CA", cert2)
	info(s2.endpoint)
	t.Setenv("GRU_EMULATOR_CA", "")
	t.Setenv("GRU_LOCAL_DB", one)
	info(s1.endpoint)
}

func TestNextPort(t *testing.T) {
	for addr, want := range map[string]string{"127.0.0.1:4280": "127.0.0.1:4281", "0.0.0.0:8080": "127.0.0.1:8081", "[::1]:0": "127.0.0.1:0", "localhost:1": "127.0.0.1:2"} {
		if got, err := nextPort(addr); err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", addr, got, err, want)
		}
	}
	for _, addr := range []string{"127.0.0.1:65535", "127.0.0.1", "127.0.0.1:http"} {
		if got, err := nextPort(addr); err == nil {
			t.Errorf("%s: %s", addr, got)
		}
	}
}

// TestEmulatorServesBlobs: `serve` prints its blob service's address, the storage accounts
// show it as their blob endpoint, and Microsoft's blob SDK works there with a key of listKeys.
func TestEmulatorServesBlobs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	s := serveProcess(t, buildGru(t), nil, "--db", filepath.Join(t.TempDir(), "arm.db"), "--latency", "0")
	var blobEndpoint string
	for deadline := time.Now().Add(10 * time.Second); blobEndpoint == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		for _, line := range s.stdout {
			if rest, ok := strings.CutPrefix(line, "  blob service  "); ok {
				blobEndpoint, _, _ = strings.Cut(rest, "/<account>/")
			}
		}
		s.mu.Unlock()
	}
	if !strings.HasPrefix(blobEndpoint, "http://127.0.0.1:") || strings.HasSuffix(blobEndpoint, ":0") || blobEndpoint == s.endpoint {
		t.Fatalf("blob service %q (ARM %s)", blobEndpoint, s.endpoint)
	}
	arm := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, s.endpoint+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, v)
		}
		return v
	}
	rg := "/subscriptions/" + emulator.LocalSubscriptionID + "/resourceGroups/blobs"
	arm("PUT", rg+"?api-version=2021-04-01", `{"location":"westeurope"}`)
	account := rg + "/providers/Microsoft.Storage/storageAccounts/served"
	arm("PUT", account+"?api-version=2023-05-01", `{"location":"westeurope","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
	arm("PUT", account+"/blobServices/default/containers/data?api-version=2023-05-01", `{}`)
	got := arm("GET", account+"?api-version=2023-05-01", "")
	endpoint := got["properties"].(map[string]any)["primaryEndpoints"].(map[string]any)["blob"]
	if endpoint != blobEndpoint+"/served/" {
		t.Fatalf("primaryEndpoints.blob %v, want %s/served/", endpoint, blobEndpoint)
	}
	key := arm("POST", account+"/listKeys?api-version=2023-05-01", "")["keys"].([]any)[1].(map[string]any)["value"].(string)
	cred, err := azblob.NewSharedKeyCredential("served", key)
	if err != nil {
		t.Fatal(err)
	}
	client, err := azblob.NewClientWithSharedKeyCredential(endpoint.(string), cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.UploadBuffer(ctx, "data", "a/b.txt", []byte("served blob"), nil); err != nil {
		t.Fatal(err)
	}
	resp, err := client.DownloadStream(ctx, "data", "a/b.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "served blob" {
		t.Errorf("downloaded %q", data)
	}
}
