package dag

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWalkOrderAndParallelism(t *testing.T) {
	g := New()
	// rg <- vnet <- subnet <- pe -> acct -> rg ; pe <- pec -> acct
	g.Connect("vnet", "rg")
	g.Connect("subnet", "vnet")
	g.Connect("acct", "rg")
	g.Connect("pe", "subnet")
	g.Connect("pe", "acct")
	g.Connect("pec", "pe")
	g.Connect("pec", "acct")
	var mu sync.Mutex
	done := map[string]bool{}
	var running, most atomic.Int32
	res, err := g.Walk(context.Background(), 2, func(_ context.Context, v string) error {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		defer running.Add(-1)
		mu.Lock()
		for _, d := range g.DependsOn(v) {
			if !done[d] {
				t.Errorf("%s started before %s was done", v, d)
			}
		}
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		done[v] = true
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 6 || most.Load() > 2 || most.Load() < 2 {
		t.Errorf("%d results, at most %d at once", len(res), most.Load())
	}
}

func TestFailureSkipsDependentsOnly(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	g.Connect("c", "b")
	g.Add("independent")
	boom := errors.New("boom")
	res, _ := g.Walk(context.Background(), 0, func(_ context.Context, v string) error {
		if v == "a" {
			return boom
		}
		return nil
	})
	if res["a"].State != Failed || !errors.Is(res["a"].Err, boom) {
		t.Errorf("a: %+v", res["a"])
	}
	if res["b"].State != Skipped || res["c"].State != Skipped || res["c"].Cause != "a" || res["c"].Err != nil {
		t.Errorf("b %+v c %+v", res["b"], res["c"])
	}
	if res["independent"].State != Succeeded {
		t.Errorf("independent: %+v", res["independent"])
	}
}

func TestCycle(t *testing.T) {
	g := New()
	g.Connect("a", "b")
	g.Connect("b", "c")
	g.Connect("c", "a")
	_, err := g.Walk(context.Background(), 1, func(context.Context, string) error { return nil })
	var ce *ErrCycle
	if !errors.As(err, &ce) || len(ce.Path) != 4 || ce.Path[0] != ce.Path[3] {
		t.Errorf("%v", err)
	}
}

func TestCancelStopsNewWork(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	g.Connect("c", "b")
	ctx, cancel := context.WithCancel(context.Background())
	res, _ := g.Walk(ctx, 1, func(ctx context.Context, v string) error {
		if v == "a" {
			cancel()
		}
		return nil
	})
	if res["a"].State != Succeeded || res["b"].State != Canceled || res["c"].State != Canceled {
		t.Errorf("%+v", res)
	}
}

func TestPanicIsAFailure(t *testing.T) {
	g := New()
	g.Add("a")
	res, _ := g.Walk(context.Background(), 1, func(context.Context, string) error { panic("oops") })
	if res["a"].State != Failed {
		t.Errorf("%+v", res["a"])
	}
}

// TestLongestChainFirst: of the vertices ready, those with the longest chain of dependents
// after them start first (by name among equals), so that a chain does not wait behind work
// nothing waits on.
func TestLongestChainFirst(t *testing.T) {
	g := New()
	g.Connect("z2", "z1")
	g.Connect("z3", "z2")
	g.Connect("y2", "y1")
	for _, v := range []string{"a", "b", "c"} {
		g.Add(v)
	}
	var order []string
	_, err := g.Walk(context.Background(), 1, func(_ context.Context, v string) error {
		order = append(order, v) // one at a time
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"z1", "y1", "z2", "a", "b", "c", "y2", "z3"}
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}
