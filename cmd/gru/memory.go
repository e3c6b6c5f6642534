package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// planningGCPercent is GOGC while planning (collectByLimit).
const planningGCPercent = 400

// heapTarget is the soft memory limit gru keeps the Go runtime to while what it holds allows.
// The limit counts all the runtime holds (the live heap, what collection has yet to reclaim,
// fragmentation, metadata); SQLite's caches and the binary's own pages add 25 to 30 MB to what
// the system sees. At 66 MiB a plan of 10,000 live resources on the local cloud peaks at 93
// to 95 MB, where it would take 128 MB at 100 MiB and 190 MB with no limit, for about a sixth
// more time collecting (0.80 s rather than 0.68 s with no limit).
const heapTarget = 66 << 20

// minHeadroom is the least room keepHeapNear leaves the heap above what is live: less, and the
// runtime would collect over and over.
const minHeadroom = 24 << 20

// keepHeapNear sets a soft memory limit for the Go runtime that follows the live heap: target
// while the live heap leaves it minHeadroom of room, the live heap and minHeadroom when it does
// not, and twice the live heap once the live heap grows beyond two thirds of target, which is
// what the runtime does without a limit: it never collects without end. A plan of thousands
// of resources holds its heap near target rather than at twice its live heap; plan, apply and
// destroy keep to it (a heap that grows far, as gru doc --all's, would collect more often on
// its way up). $GOMEMLIMIT, when set, is the user's choice: gru leaves it alone. It returns
// the function that ends following and puts the previous limit back.
func keepHeapNear(target int64) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := target
	previous := debug.SetMemoryLimit(limit)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			live := int64(sample[0].Value.Uint64())
			want := live + minHeadroom
			if live > target*2/3 {
				want = 2 * live // beyond it, as without a limit: a large heap costs no time
			}
			if want > limit {
				limit = want
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		debug.SetMemoryLimit(previous)
	}
}

// collectByLimit has the runtime collect at five times the live heap rather than twice
// (GOGC=400), the memory limit capping it, unless $GOGC or $GOMEMLIMIT says otherwise: while a
// plan loads a project and reads what is live, it does not collect over and over at twice a
// small live heap, far under the limit (a plan of 10,000 resources: a sixth less CPU, the same
// peak). For planning, with keepHeapNear: an apply's long run after its plan collects as
// usual. It returns the function that puts the previous setting back (once; calling it again
// does nothing).
func collectByLimit() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	previous := debug.SetGCPercent(planningGCPercent)
	restored := false
	return func() {
		if !restored {
			restored = true
			debug.SetGCPercent(previous)
		}
	}
}
