package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// startProfiles profiles the run for gru's developers when $GRU_PROFILE names a folder: it
// writes there cpu.pprof (the whole run), peak.pprof (the live heap at its largest, sampled
// every 10 ms) and allocs.pprof (everything allocated), for `go tool pprof`, and says on
// stderr how much memory the Go runtime held. It returns the function that ends profiling;
// without $GRU_PROFILE it does nothing.
func startProfiles(stderr io.Writer) (stop func()) {
	dir := os.Getenv("GRU_PROFILE")
	if dir == "" {
		return func() {}
	}
	fail := func(err error) { fmt.Fprintf(stderr, "gru: GRU_PROFILE: %v\n", err) }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return func() {}
	}
	write := func(name, profile string) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			fail(err)
			return
		}
		defer f.Close()
		if err := pprof.Lookup(profile).WriteTo(f, 0); err != nil {
			fail(err)
		}
	}
	cpu, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err == nil {
		err = pprof.StartCPUProfile(cpu)
	}
	if err != nil {
		fail(err)
	}
	done, sampled := make(chan struct{}), make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				sampled <- peak
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak {
				peak = v
				write("peak.pprof", "heap") // the heap as of the last collection
			}
		}
	}()
	return func() {
		close(done)
		peak := <-sampled
		pprof.StopCPUProfile()
		if cpu != nil {
			cpu.Close()
		}
		write("allocs.pprof", "allocs")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(stderr, "gru: profiles in %s; live heap at most %d MiB, Go runtime memory %d MiB (heap %d MiB), %d collections\n",
			dir, peak>>20, ms.Sys>>20, ms.HeapSys>>20, ms.NumGC)
	}
}
