package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestKeepHeapNear: the soft limit is the target, rises with a live heap beyond two thirds of
// it (never below it), is put back when following ends, and $GOMEMLIMIT is left alone;
// collectByLimit raises GOGC until restored, unless $GOGC is set.
func TestKeepHeapNear(t *testing.T) {
	current := func() int64 { return debug.SetMemoryLimit(-1) }
	percent := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	before, percentBefore := current(), percent()
	const target = 64 << 20
	stop := keepHeapNear(target)
	if got := current(); got < target || got > before {
		t.Errorf("limit %d, want about %d", got, target)
	}

	held := make([]byte, 96<<20) // live, beyond two thirds of the target
	for i := range held {
		held[i] = 1
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for current() < 2*int64(len(held)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := current(); got < 2*int64(len(held)) {
		t.Errorf("with %d live the limit is %d: it must follow, at twice the live heap", len(held), got)
	}
	runtime.KeepAlive(held)
	stop()
	if got := current(); got != before {
		t.Errorf("after: %d, want the limit before, %d", got, before)
	}
	// Planning, the limit alone paces collection; after, GOGC is as it was.
	restore := collectByLimit()
	if got := percent(); got != planningGCPercent {
		t.Errorf("GOGC while planning: %d, want %d", got, planningGCPercent)
	}
	restore()
	restore()
	if got := percent(); got != percentBefore {
		t.Errorf("GOGC after planning: %d, want %d", got, percentBefore)
	}
	t.Setenv("GOGC", "200")
	restore = collectByLimit()
	if got := percent(); got != percentBefore {
		t.Errorf("with $GOGC: %d, want it left at %d", got, percentBefore)
	}
	restore()
	t.Setenv("GOMEMLIMIT", "1GiB")
	keepHeapNear(target)()
	if got := current(); got != before {
		t.Errorf("with $GOMEMLIMIT: %d, want %d", got, before)
	}
}
