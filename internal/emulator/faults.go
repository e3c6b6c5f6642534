package emulator

import (
	"math/rand/v2"
	"net/http"
	"sync"
)

// Fault kinds the emulator injects for drills.
const (
	faultNone = iota
	fault500
	fault503
	faultDropBefore // the connection drops before the request is handled: nothing changed
	faultDropAfter  // the connection drops after the request was handled: the answer is lost
	faultFailOperation
)

// faults draws, for each request, whether to inject a fault and which, from a seeded source:
// the same seed and the same sequence of requests give the same faults.
type faults struct {
	rate float64
	mu   sync.Mutex
	rng  *rand.Rand
}

func newFaults(rate float64, seed uint64) *faults {
	if rate <= 0 {
		return nil
	}
	return &faults{rate: rate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// draw picks the fault for one request. Long-running operations can fail only where there is one.
func (f *faults) draw(method string) int {
	if f == nil {
		return faultNone
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.rate {
		return faultNone
	}
	kinds := []int{fault500, fault503, faultDropBefore, faultDropAfter}
	if method == http.MethodPut || method == http.MethodDelete {
		kinds = append(kinds, faultFailOperation)
	}
	return kinds[f.rng.IntN(len(kinds))]
}

// dropConnection closes the client's connection without an answer, as a network fault would.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // the server then drops the connection
}
