package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gru-iac/gru"
)

// lockedBuffer is a buffer the test may read while a view writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits up to five seconds for the buffer to hold want.
func waitFor(t *testing.T, b *lockedBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(b.String(), want) {
			return
		}
	}
	t.Fatalf("no %q in:\n%s", want, b.String())
}

// screen is what a terminal shows after out: it follows the few sequences the live view
// writes (carriage return, newline, cursor up, erase down) and fails on any other.
func screen(t *testing.T, out string) []string {
	t.Helper()
	lines := []string{""}
	row, col := 0, 0
	for i := 0; i < len(out); {
		switch c := out[i]; {
		case c == '\n':
			row, col = row+1, 0
			if row == len(lines) {
				lines = append(lines, "")
			}
			i++
		case c == '\r':
			col = 0
			i++
		case c == 0x1b:
			j := i + 2
			for j < len(out) && out[j] >= '0' && out[j] <= '9' {
				j++
			}
			if i+1 >= len(out) || out[i+1] != '[' || j >= len(out) {
				t.Fatalf("a broken escape sequence at %d: %q", i, out[i:])
			}
			n, _ := strconv.Atoi(out[i+2 : j])
			switch out[j] {
			case 'A':
				if row -= n; row < 0 {
					t.Fatalf("the cursor went above the screen at %d", i)
				}
			case 'J':
				lines[row] = lines[row][:min(col, len(lines[row]))]
				lines = lines[:row+1]
			default:
				t.Fatalf("an unexpected escape sequence %q", out[i:j+1])
			}
			i = j + 1
		default:
			l := lines[row]
			for len(l) < col {
				l += " "
			}
			if col < len(l) {
				l = l[:col] + string(c) + l[col+1:]
			} else {
				l += string(c)
			}
			lines[row] = l
			col++
			i++
		}
	}
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// TestPlainHeartbeat: while a step is in flight and nothing else is said, the plain view
// writes a line at least every heartbeat naming it and how long it has run; once nothing is
// in flight, it is silent again.
func TestPlainHeartbeat(t *testing.T) {
	var out lockedBuffer
	p := &progress{w: &out, heartbeat: 40 * time.Millisecond}
	defer p.Close()
	p.event(gru.Event{Kind: gru.EventStarted, Step: "put", Resource: "Network::VirtualNetwork rg::vnet", Action: gru.Create, Total: 2})
	waitFor(t, &out, "still in flight: creating Network::VirtualNetwork rg::vnet (")
	if strings.Count(out.String(), "\n") < 2 {
		t.Fatalf("no start line before the heartbeat:\n%s", out.String())
	}
	p.event(gru.Event{Kind: gru.EventDone, Step: "put", Resource: "Network::VirtualNetwork rg::vnet", Action: gru.Create, Took: time.Second, Elapsed: time.Second, Settled: 1, Total: 2})
	said := out.String()
	time.Sleep(200 * time.Millisecond)
	if out.String() != said {
		t.Errorf("a heartbeat with nothing in flight:\n%s", strings.TrimPrefix(out.String(), said))
	}
	p.Close()
	p.Close() // twice is fine
	if !strings.Contains(said, "creating Network::VirtualNetwork rg::vnet done in 1s") || !strings.Contains(said, "] creating Network::VirtualNetwork rg::vnet ...") {
		t.Errorf("the plain lines:\n%s", said)
	}
}

// TestHeartbeatNamesTheLongestRunning: with many steps in flight, a heartbeat names the three
// that have run longest, and counts the rest.
func TestHeartbeatNamesTheLongestRunning(t *testing.T) {
	now := time.Unix(1000, 0)
	var out bytes.Buffer
	p := &progress{w: &out, heartbeat: -1, now: func() time.Time { return now }}
	for i := range 5 {
		p.event(gru.Event{Kind: gru.EventStarted, Step: "delete", Resource: fmt.Sprintf("r%d", i), Action: gru.Delete, Total: 5})
		now = now.Add(10 * time.Second)
	}
	p.event(gru.Event{Kind: gru.EventRetrying, Step: "delete", Resource: "r0", Action: gru.Delete, Err: errors.New("in use"), Total: 5})
	out.Reset()
	now = now.Add(time.Minute)
	p.mu.Lock()
	p.heartbeatNow()
	p.mu.Unlock()
	want := "[ 110.0s 0/5] still in flight: deleting r0 (1m50s, in use: trying again), deleting r1 (1m40s), deleting r2 (1m30s), and 2 more\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}

// TestLiveView draws the block to a buffer for a terminal 48 columns wide: the counts and
// what is in flight, redrawn in place; what ends is written above it; Close leaves only those
// lines.
func TestLiveView(t *testing.T) {
	now := time.Unix(1000, 0)
	var out bytes.Buffer
	p := &progress{w: &out, mode: progressLive, width: 48, height: 24, tick: time.Hour, now: func() time.Time { return now }}
	redraw := func() {
		p.mu.Lock()
		p.redraw()
		p.mu.Unlock()
	}
	long := "Storage::StorageAccount myResourceGroup::averyveryverylongaccountname"
	p.event(gru.Event{Kind: gru.EventStarted, Step: "put", Resource: "Resources::ResourceGroup rg", Action: gru.Create, Total: 3})
	now = now.Add(2 * time.Second)
	p.event(gru.Event{Kind: gru.EventStarted, Step: "put", Resource: long, Action: gru.Update, Elapsed: 2 * time.Second, Total: 3})
	now = now.Add(time.Second)
	redraw()
	got := screen(t, out.String())
	want := []string{
		"3s: 2 in flight, 0 done, 0 failed, of 3",
		"      3s  creating Resources::ResourceGroup rg",
		"      1s  updating Storage::Sto...ngaccountname",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the first frame:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got {
		if len(l) >= 48 {
			t.Errorf("a line as wide as the terminal wraps: %q", l)
		}
	}

	p.event(gru.Event{Kind: gru.EventDone, Step: "put", Resource: "Resources::ResourceGroup rg", Action: gru.Create, Took: 3 * time.Second, Elapsed: 3 * time.Second, Settled: 1, Total: 3})
	now = now.Add(time.Second)
	p.event(gru.Event{Kind: gru.EventFailed, Step: "put", Resource: long, Action: gru.Update, Took: 2 * time.Second, Elapsed: 4 * time.Second, Err: errors.New("409 Conflict"), Settled: 2, Total: 3})
	p.event(gru.Event{Kind: gru.EventStarted, Step: "delete", Resource: "Network::VirtualNetwork rg::old", Action: gru.Delete, Elapsed: 4 * time.Second, Settled: 2, Total: 3})
	now = now.Add(time.Second)
	redraw()
	got = screen(t, out.String())
	want = []string{
		"[   3.0s 1/3] creating Resources::ResourceGroup rg done in 3s",
		"[   4.0s 2/3] updating " + long + " failed after 2s: 409 Conflict",
		"5s: 1 in flight, 1 done, 1 failed, of 3",
		"      1s  deleting Network::Vir...twork rg::old",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the second frame:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Count(out.String(), "\x1b[3A\x1b[J") != 1 {
		t.Errorf("the first block was not erased once: %q", out.String())
	}

	p.event(gru.Event{Kind: gru.EventDone, Step: "delete", Resource: "Network::VirtualNetwork rg::old", Action: gru.Delete, Took: time.Second, Elapsed: 5 * time.Second, Settled: 3, Total: 3})
	p.Close()
	fmt.Fprintln(&out, "Apply: 2 done, 1 failed")
	got = screen(t, out.String())
	want = append(want[:2], "[   5.0s 3/3] deleting Network::VirtualNetwork rg::old done in 1s", "Apply: 2 done, 1 failed")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after Close:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLiveViewListsTenAtMost: a long list of steps in flight ends with how many more there
// are, and fits a short terminal.
func TestLiveViewListsTenAtMost(t *testing.T) {
	var out bytes.Buffer
	for _, c := range []struct{ height, lines int }{{24, 11}, {6, 4}} {
		out.Reset()
		p := &progress{w: &out, mode: progressLive, width: 80, height: c.height, tick: time.Hour}
		for i := range 30 {
			p.event(gru.Event{Kind: gru.EventStarted, Step: "put", Resource: fmt.Sprintf("r%02d", i), Action: gru.Create, Total: 30})
		}
		p.mu.Lock()
		lines := p.frame()
		p.mu.Unlock()
		p.Close()
		if len(lines) != c.lines || !strings.HasSuffix(lines[len(lines)-1], fmt.Sprintf("... and %d more", 30-c.lines+2)) {
			t.Errorf("height %d: %q", c.height, lines)
		}
	}
}

// TestProgressUnderConcurrentEvents sends events from many goroutines while the ticker
// draws (run it with -race): every line arrives whole, and the live view's block is gone
// after Close.
func TestProgressUnderConcurrentEvents(t *testing.T) {
	for _, mode := range []string{progressPlain, progressLive} {
		var out lockedBuffer
		p := &progress{w: &out, mode: mode, heartbeat: time.Millisecond, tick: time.Millisecond, width: 200, height: 50}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					r := fmt.Sprintf("g%d-r%d", g, i)
					p.event(gru.Event{Kind: gru.EventStarted, Step: "put", Resource: r, Action: gru.Create, Total: 400})
					if i%10 == 0 {
						time.Sleep(time.Millisecond)
					}
					kind := gru.EventDone
					if i%7 == 0 {
						kind = gru.EventFailed
					}
					p.event(gru.Event{Kind: kind, Step: "put", Resource: r, Action: gru.Create, Err: errors.New("no"), Total: 400})
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.note("a message of gru's own")
		}()
		wg.Wait()
		p.Close()
		lines := screen(t, out.String())
		ends := 0
		for _, l := range lines {
			switch {
			case strings.HasSuffix(l, "done in 0s") || strings.Contains(l, "failed after 0s: no"):
				ends++
			case strings.HasSuffix(l, " ...") && mode == progressPlain, strings.Contains(l, "still in flight: "), l == "a message of gru's own":
			default:
				t.Errorf("%s: a stray line %q", mode, l)
			}
		}
		if ends != 400 {
			t.Errorf("%s: %d steps ended, want 400", mode, ends)
		}
	}
}

// TestProgressModes: auto is plain when the output is no terminal, in CI and with --debug;
// --progress otherwise decides; --json shows nothing; a bad --progress is refused.
func TestProgressModes(t *testing.T) {
	env := func(vars ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(vars); i += 2 {
				if vars[i] == k {
					return vars[i+1]
				}
			}
			return ""
		}
	}
	var buf bytes.Buffer
	for _, c := range []struct {
		mode  string
		debug bool
		env   func(string) string
		want  string
	}{
		{progressAuto, false, env(), progressPlain}, // a buffer is no terminal
		{progressAuto, false, env("CI", "true"), progressPlain},
		{progressAuto, true, env(), progressPlain},
		{progressLive, false, env("CI", "true"), progressLive},
		{progressNone, false, env(), progressNone},
		{progressPlain, false, env(), progressPlain},
	} {
		if got := progressModeFor(c.mode, &buf, c.debug, c.env); got != c.want {
			t.Errorf("%s (debug %v): %s, want %s", c.mode, c.debug, got, c.want)
		}
	}
	if p := (&globalOptions{json: true, progress: progressLive}).progressFor(&buf); p.mode != progressNone {
		t.Errorf("--json: %s", p.mode)
	}
	none := newProgress(&buf, progressNone)
	none.event(gru.Event{Kind: gru.EventStarted, Resource: "r"})
	none.Close()
	var nilProgress *progress
	nilProgress.event(gru.Event{Kind: gru.EventStarted, Resource: "r"})
	nilProgress.Close()
	if buf.Len() != 0 {
		t.Errorf("none wrote %q", buf.String())
	}
	if code, _, errOut := runGru(t, "", "types", "--progress", "fancy"); code != 1 || !strings.Contains(errOut, `--progress "fancy": want auto, plain, live, none`) {
		t.Errorf("--progress fancy: exit %d %s", code, errOut)
	}
}

// TestApplyProgressFlag: apply and destroy write the plain lines when their output is no
// terminal, and none with --progress none; the summary is there either way.
func TestApplyProgressFlag(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	code, out, errOut := runGru(t, "", "apply", "-f", "--local", "--progress", "none", "-C", example)
	if code != 0 || strings.Contains(out, " done in ") || !strings.Contains(out, "Apply: 6 done, 0 failed") {
		t.Fatalf("apply --progress none: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runGru(t, "", "destroy", "-f", "--local", "-C", example)
	if code != 0 || !strings.Contains(out, "] deleting Resources::ResourceGroup myResourceGroup done in ") || !strings.Contains(out, "Destroy: 7 done") {
		t.Fatalf("destroy: exit %d\n%s\n%s", code, out, errOut)
	}
}
