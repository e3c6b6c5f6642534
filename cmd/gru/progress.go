package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/gru-iac/gru"
)

// The ways progress is shown (--progress).
const (
	progressAuto  = "auto"  // live on a terminal, plain elsewhere
	progressPlain = "plain" // a line as each step starts and ends, and a heartbeat
	progressLive  = "live"  // a block of what is in flight, redrawn in place
	progressNone  = "none"  // nothing
)

var progressModes = []string{progressAuto, progressPlain, progressLive, progressNone}

// The pace of the views.
const (
	// defaultHeartbeat is the longest the plain view stays silent while a step is in flight.
	defaultHeartbeat = 10 * time.Second
	// liveTick is how often the live view is redrawn: five times a second.
	liveTick = 200 * time.Millisecond
	// liveRows is how many steps in flight the live view lists at most.
	liveRows = 10
)

// progress shows an apply or a destroy as it goes, from its events.
//
// Plain (the zero value's mode, for logs and CI) writes a line as each step starts and ends,
// "[elapsed settled/total] message", and, when nothing was written for a heartbeat while steps
// are in flight, a line naming them and how long each has run: a run is never silent.
//
// Live (a terminal) keeps a block at the bottom of the screen, redrawn in place at most five
// times a second: the counts, and each step in flight with how long it has run. What ends
// (done, failed, retried, waited for) is written above it as a permanent line, the same line
// the plain view writes. Close clears the block, so what follows prints cleanly. The few ANSI
// sequences this takes (cursor up, erase down) are written here rather than through a
// terminal library: the libraries on offer draw bars or take over the terminal and its
// input, and a block of text needs neither.
//
// Every method may be called from any goroutine; events come from the steps' goroutines and
// the redraws from a ticker of its own, started by the first step and stopped by Close.
type progress struct {
	w    io.Writer
	mode string // progressPlain when ""

	// heartbeat is the plain view's longest silence while steps are in flight (default
	// defaultHeartbeat; below zero: none). tick is the live view's redraw interval (default
	// liveTick). width and height are the terminal's, asked of it when 0.
	heartbeat, tick time.Duration
	width, height   int
	now             func() time.Time

	mu      sync.Mutex // guards what follows, and every write to w
	start   time.Time  // when the run started (the first event less its Elapsed)
	settled int        // changes ended, of total (the last event's)
	total   int
	failed  int                // steps failed
	flying  map[string]*flight // steps in flight, by step and resource
	last    time.Time          // when plain last wrote a line
	pending []string           // live: permanent lines not yet written above the block
	drawn   int                // live: the lines of the block on the screen
	stop    chan struct{}      // closed by Close to stop the ticker; nil before it starts
	ticking sync.WaitGroup
	closed  bool
}

// flight is a step in flight.
type flight struct {
	doing, resource string
	since           time.Time
	retrying        bool
}

// newProgress returns a view of mode (plain, live or none; auto is settled by
// progressModeFor) written to w.
func newProgress(w io.Writer, mode string) *progress {
	return &progress{w: w, mode: mode}
}

// progressFor is the view of apply and destroy, written to w: none with --json (their JSON
// is the record), else as --progress says.
func (g *globalOptions) progressFor(w io.Writer) *progress {
	if g.json {
		return newProgress(w, progressNone)
	}
	return newProgress(w, progressModeFor(g.progress, w, g.debug, os.Getenv))
}

// progressModeFor settles --progress auto: live when w is a terminal that understands ANSI
// sequences (TERM is not dumb; not Windows, whose console needs them switched on), not in
// CI ($CI set) and not with --debug (whose log lines would break the block); plain otherwise.
func progressModeFor(mode string, w io.Writer, debug bool, getenv func(string) string) string {
	if mode != progressAuto && mode != "" {
		return mode
	}
	if debug || getenv("CI") != "" || getenv("TERM") == "dumb" || runtime.GOOS == "windows" || !isTerminal(w) {
		return progressPlain
	}
	return progressLive
}

// isTerminal reports a writer that is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progress) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

// event takes an event of the run.
func (p *progress) event(e gru.Event) {
	if p == nil || p.w == nil || p.mode == progressNone {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock()
	if e.Kind != gru.EventWaiting {
		if p.start.IsZero() {
			p.start = now.Add(-e.Elapsed)
		}
		p.settled, p.total = e.Settled, e.Total
	}
	doing := verb(e.Step, e.Action)
	key := e.Step + " " + e.Resource
	var msg string
	switch e.Kind {
	case gru.EventWaiting:
		p.line(fmt.Sprintf("waiting for %s, still %s from an earlier run ...", e.Resource, e.State))
		return
	case gru.EventStarted:
		if p.flying == nil {
			p.flying = map[string]*flight{}
		}
		p.flying[key] = &flight{doing: doing, resource: e.Resource, since: now}
		p.startTicker()
		if p.live() {
			return // the block shows it
		}
		msg = doing + " " + e.Resource + " ..."
	case gru.EventDone:
		delete(p.flying, key)
		msg = fmt.Sprintf("%s %s done in %v", doing, e.Resource, e.Took.Round(time.Millisecond))
	case gru.EventFailed:
		delete(p.flying, key)
		p.failed++
		msg = fmt.Sprintf("%s %s failed after %v: %v", doing, e.Resource, e.Took.Round(time.Millisecond), e.Err)
	case gru.EventRetrying:
		if f := p.flying[key]; f != nil {
			f.retrying = true
		}
		msg = fmt.Sprintf("%s %s: still in use, trying again later (%v)", doing, e.Resource, e.Err)
	case gru.EventStopping:
		msg = fmt.Sprintf("stopping: nothing new starts: %v", e.Err)
	default:
		return
	}
	p.line(fmt.Sprintf("[%6.1fs %d/%d] %s", e.Elapsed.Seconds(), e.Settled, e.Total, msg))
}

// note writes a message of gru's own (an interrupt) as a permanent line; call without p.mu.
func (p *progress) note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line(msg)
	if p.live() && p.stop != nil {
		p.redraw()
	}
}

func (p *progress) live() bool { return p.mode == progressLive && !p.closed }

// line writes a permanent line: above the block at the next redraw while the live view runs,
// else at once. Call with p.mu held.
func (p *progress) line(s string) {
	if p.live() && p.stop != nil {
		p.pending = append(p.pending, s)
		return
	}
	fmt.Fprintln(p.w, s)
	p.last = p.clock()
}

// startTicker starts the heartbeat (plain) or the redraws (live) once; call with p.mu held.
func (p *progress) startTicker() {
	if p.stop != nil || p.closed {
		return
	}
	every := p.tick
	if every <= 0 {
		every = liveTick
	}
	if !p.live() {
		hb := p.beat()
		if hb < 0 {
			return
		}
		every = max(hb/4, time.Millisecond)
	} else {
		setLiveView(p)
	}
	p.stop = make(chan struct{})
	p.ticking.Add(1)
	go func() {
		defer p.ticking.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				switch {
				case p.closed: // Close waits for this goroutine to end
				case p.live():
					p.redraw()
				default:
					p.heartbeatNow()
				}
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) beat() time.Duration {
	if p.heartbeat == 0 {
		return defaultHeartbeat
	}
	return p.heartbeat
}

// heartbeatNow writes, in plain, a line naming what is in flight when nothing was written
// for a heartbeat; call with p.mu held.
func (p *progress) heartbeatNow() {
	now := p.clock()
	if len(p.flying) == 0 || now.Sub(p.last) < p.beat() {
		return
	}
	fs := p.inFlight()
	var parts []string
	for i, f := range fs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(fs)-3))
			break
		}
		parts = append(parts, f.describe(now))
	}
	p.line(fmt.Sprintf("[%6.1fs %d/%d] still in flight: %s", now.Sub(p.start).Seconds(), p.settled, p.total, strings.Join(parts, ", ")))
}

// inFlight lists the steps in flight, the longest running first.
func (p *progress) inFlight() []*flight {
	fs := make([]*flight, 0, len(p.flying))
	for _, f := range p.flying {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool {
		if !fs[i].since.Equal(fs[j].since) {
			return fs[i].since.Before(fs[j].since)
		}
		return fs[i].resource < fs[j].resource
	})
	return fs
}

func (f *flight) describe(now time.Time) string {
	s := fmt.Sprintf("%s %s (%v", f.doing, f.resource, now.Sub(f.since).Round(time.Second))
	if f.retrying {
		s += ", in use: trying again"
	}
	return s + ")"
}

// frame is the live block: the counts, then the steps in flight, each line cut to the
// terminal's width; call with p.mu held.
func (p *progress) frame() []string {
	width, height := p.size()
	now := p.clock()
	fs := p.inFlight()
	lines := []string{fmt.Sprintf("%v: %d in flight, %d done, %d failed, of %d",
		now.Sub(p.start).Round(time.Second), len(fs), p.settled-p.failed, p.failed, p.total)}
	rows := min(liveRows, max(height-3, 1))
	for i, f := range fs {
		if i == rows-1 && len(fs) > rows {
			lines = append(lines, fmt.Sprintf("  ... and %d more", len(fs)-i))
			break
		}
		head := fmt.Sprintf("  %6v  %s ", now.Sub(f.since).Round(time.Second), f.doing)
		tail := ""
		if f.retrying {
			tail = " (in use: trying again)"
		}
		room := width - 1 - utf8.RuneCountInString(head+tail)
		lines = append(lines, cut(head+elideMiddle(f.resource, room)+tail, width-1))
	}
	lines[0] = cut(lines[0], width-1) // a line that wraps would throw the next redraw off
	return lines
}

// size is the terminal's width and height: set, else asked of the terminal, else 80x24.
func (p *progress) size() (int, int) {
	w, h := p.width, p.height
	if f, ok := p.w.(*os.File); ok && (w == 0 || h == 0) {
		if tw, th, err := term.GetSize(int(f.Fd())); err == nil {
			w, h = cmp0(w, tw), cmp0(h, th)
		}
	}
	return cmp0(w, 80), cmp0(h, 24)
}

// cmp0 is a when set, else b.
func cmp0(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

// cut shortens s to n characters at most, ending it with "..." when cut.
func cut(s string, n int) string {
	if n < 4 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}

// elideMiddle shortens s to n characters at most by putting "..." for its middle: a resource's
// type and its name's end both tell.
func elideMiddle(s string, n int) string {
	if n < 8 || utf8.RuneCountInString(s) <= n {
		return cut(s, n)
	}
	r := []rune(s)
	head := (n - 3) / 2
	return string(r[:head]) + "..." + string(r[len(r)-(n-3-head):])
}

// The ANSI sequences of the live view.
const (
	ansiUp        = "\x1b[%dA" // the cursor up this many lines
	ansiEraseDown = "\x1b[J"   // erase from the cursor to the end of the screen
)

// redraw erases the block, writes the pending permanent lines and draws the block again,
// in one write; call with p.mu held.
func (p *progress) redraw() {
	var b strings.Builder
	p.erase(&b)
	for _, l := range p.pending {
		b.WriteString(l + "\n")
	}
	p.pending = p.pending[:0]
	lines := p.frame()
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	p.drawn = len(lines)
	io.WriteString(p.w, b.String())
}

// erase writes what erases the block; call with p.mu held.
func (p *progress) erase(b *strings.Builder) {
	if p.drawn > 0 {
		b.WriteString("\r")
		fmt.Fprintf(b, ansiUp, p.drawn)
		b.WriteString(ansiEraseDown)
		p.drawn = 0
	}
}

// Close stops the ticker and, in live, erases the block and writes the pending lines: what
// is written next starts on a clean line. It may be called more than once, and on nil.
func (p *progress) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	if p.live() {
		var b strings.Builder
		p.erase(&b)
		for _, l := range p.pending {
			b.WriteString(l + "\n")
		}
		p.pending = nil
		io.WriteString(p.w, b.String())
		clearLiveView(p)
	}
	p.closed = true // from now on, events write plain lines, and no tick draws or beats
	if p.stop != nil {
		close(p.stop)
	}
	p.mu.Unlock()
	p.ticking.Wait() // outside p.mu: a tick may be waiting for it
}

// liveView is the live view on the screen, if any: gru's own messages (an interrupt) go
// through it, so that they do not break its block.
var liveView struct {
	sync.Mutex
	p *progress
}

func setLiveView(p *progress) {
	liveView.Lock()
	liveView.p = p
	liveView.Unlock()
}

func clearLiveView(p *progress) {
	liveView.Lock()
	if liveView.p == p {
		liveView.p = nil
	}
	liveView.Unlock()
}

// say writes a message of gru's own to stderr, or above the live view's block when one is
// on the screen.
func say(msg string) {
	liveView.Lock()
	p := liveView.p
	liveView.Unlock()
	if p != nil {
		p.note(msg)
		return
	}
	fmt.Fprintln(os.Stderr, msg)
}

func verb(step string, a gru.Action) string {
	if step == "delete" {
		return "deleting"
	}
	switch a {
	case gru.Create:
		return "creating"
	case gru.Update:
		return "updating"
	case gru.Replace:
		return "creating again"
	}
	return "deleting"
}
