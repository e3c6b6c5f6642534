package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gru-iac/gru"
)

// progress writes a line as each step of an apply or destroy starts and ends:
// "[elapsed settled/total] message".
type progress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *progress) event(e gru.Event) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var msg string
	doing := verb(e.Step, e.Action)
	switch e.Kind {
	case gru.EventWaiting:
		fmt.Fprintf(p.w, "waiting for %s, still %s from an earlier run ...\n", e.Resource, e.State)
		return
	case gru.EventStarted:
		msg = doing + " " + e.Resource + " ..."
	case gru.EventDone:
		msg = fmt.Sprintf("%s %s done in %v", doing, e.Resource, e.Took.Round(time.Millisecond))
	case gru.EventFailed:
		msg = fmt.Sprintf("%s %s failed after %v: %v", doing, e.Resource, e.Took.Round(time.Millisecond), e.Err)
	case gru.EventRetrying:
		msg = fmt.Sprintf("%s %s: still in use, trying again later (%v)", doing, e.Resource, e.Err)
	case gru.EventStopping:
		msg = fmt.Sprintf("stopping: nothing new starts: %v", e.Err)
	}
	fmt.Fprintf(p.w, "[%6.1fs %d/%d] %s\n", e.Elapsed.Seconds(), e.Settled, e.Total, msg)
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
