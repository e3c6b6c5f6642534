// Package dag walks a directed acyclic graph in parallel: a vertex runs as soon as every
// vertex it depends on has succeeded, at most a given number at a time. A failure marks its
// dependents skipped without repeating the error downstream; independent work goes on. It
// knows nothing of what its vertices are.
package dag

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Graph is a set of vertices, named by strings, and the edges "a depends on b".
type Graph struct {
	deps map[string][]string // vertex -> what it depends on
}

// New returns an empty graph.
func New() *Graph { return &Graph{deps: map[string][]string{}} }

// Add adds a vertex (again: no change).
func (g *Graph) Add(v string) {
	if _, ok := g.deps[v]; !ok {
		g.deps[v] = nil
	}
}

// Connect records that from depends on to, adding both vertices.
func (g *Graph) Connect(from, to string) {
	g.Add(from)
	g.Add(to)
	for _, d := range g.deps[from] {
		if d == to {
			return
		}
	}
	g.deps[from] = append(g.deps[from], to)
}

// Vertices lists the vertices, sorted.
func (g *Graph) Vertices() []string {
	out := make([]string, 0, len(g.deps))
	for v := range g.deps {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// DependsOn lists what v depends on, sorted.
func (g *Graph) DependsOn(v string) []string {
	out := append([]string{}, g.deps[v]...)
	sort.Strings(out)
	return out
}

// Cycle returns a cycle of the graph as a path a -> b -> ... -> a, or nil when it has none.
func (g *Graph) Cycle() []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(v string) []string
	visit = func(v string) []string {
		state[v] = onPath
		path = append(path, v)
		for _, d := range g.DependsOn(v) {
			switch state[d] {
			case onPath:
				for i, p := range path {
					if p == d {
						return append(append([]string{}, path[i:]...), d)
					}
				}
			case unseen:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[v] = done
		return nil
	}
	for _, v := range g.Vertices() {
		if state[v] == unseen {
			if c := visit(v); c != nil {
				return c
			}
		}
	}
	return nil
}

// Reverse returns the graph with every edge turned around (for deleting in dependency order).
func (g *Graph) Reverse() *Graph {
	r := New()
	for v, deps := range g.deps {
		r.Add(v)
		for _, d := range deps {
			r.Connect(d, v)
		}
	}
	return r
}

// State is how a vertex ended.
type State int

// The ends of a vertex.
const (
	Succeeded State = iota
	Failed
	Skipped  // a dependency failed or was skipped
	Canceled // the walk's context ended before it started
)

// Result is the end of one vertex.
type Result struct {
	State State
	Err   error
	// Cause is the failed dependency a skipped vertex waited for.
	Cause string
}

// ErrCycle is returned by Walk for a graph with a cycle.
type ErrCycle struct{ Path []string }

func (e *ErrCycle) Error() string {
	return "dependency cycle: " + strings.Join(e.Path, " -> ")
}

// Walk runs fn for every vertex, each once its dependencies succeeded, at most parallelism at
// a time (0: no limit). Of the vertices ready, those with the longest chain of dependents
// after them start first: a chain that would start late would end the walk late. When ctx
// ends, vertices not yet started are Canceled and those running finish (fn gets ctx to cancel
// them). Every vertex gets a result.
func (g *Graph) Walk(ctx context.Context, parallelism int, fn func(ctx context.Context, v string) error) (map[string]Result, error) {
	if c := g.Cycle(); c != nil {
		return nil, &ErrCycle{Path: c}
	}
	// Invariants: results is written once per vertex, under mu; waiting counts the
	// unfinished dependencies of each vertex not yet started, under mu; ready holds the
	// vertices whose dependencies all succeeded, not yet started, under mu.
	var mu sync.Mutex
	results := make(map[string]Result, len(g.deps))
	dependents := map[string][]string{}
	waiting := map[string]int{}
	for v, deps := range g.deps {
		waiting[v] = len(deps)
		for _, d := range deps {
			dependents[d] = append(dependents[d], v)
		}
	}
	ready := &readyQueue{height: heights(g.deps, dependents)}
	more := sync.NewCond(&mu) // ready grew, or the walk ended
	var wg sync.WaitGroup
	var start func(v string)
	// finish records v's result and readies, skips or cancels its dependents; call with mu
	// held.
	var finish func(v string, r Result)
	finish = func(v string, r Result) {
		results[v] = r
		for _, d := range dependents[v] {
			if _, ended := results[d]; ended {
				continue
			}
			switch {
			case r.State != Succeeded:
				cause := v
				if r.State == Skipped || r.State == Canceled && r.Cause != "" {
					cause = r.Cause
				}
				state := Skipped
				if r.State == Canceled {
					state = Canceled
				}
				finish(d, Result{State: state, Cause: cause})
			default:
				waiting[d]--
				if waiting[d] == 0 {
					start(d)
				}
			}
		}
		if len(results) == len(g.deps) {
			more.Broadcast() // workers waiting for more end
		}
	}
	runOne := func(v string) {
		var r Result
		if ctx.Err() != nil {
			r = Result{State: Canceled}
		} else if err := run(ctx, fn, v); err != nil {
			r = Result{State: Failed, Err: err}
		}
		mu.Lock()
		finish(v, r)
		mu.Unlock()
	}
	if parallelism <= 0 {
		start = func(v string) { wg.Go(func() { runOne(v) }) }
	} else {
		start = func(v string) {
			heap.Push(ready, v)
			more.Signal()
		}
		for range min(parallelism, len(g.deps)) {
			wg.Go(func() {
				for {
					mu.Lock()
					for ready.Len() == 0 && len(results) < len(g.deps) {
						more.Wait()
					}
					if ready.Len() == 0 {
						mu.Unlock()
						return
					}
					v := heap.Pop(ready).(string)
					mu.Unlock()
					runOne(v)
				}
			})
		}
	}
	mu.Lock()
	for _, v := range g.Vertices() {
		if waiting[v] == 0 {
			start(v)
		}
	}
	mu.Unlock()
	wg.Wait()
	return results, nil
}

// heights gives each vertex the length of the longest chain of dependents that starts at it,
// itself counted (1 for a vertex nothing depends on).
func heights(deps, dependents map[string][]string) map[string]int {
	height := make(map[string]int, len(deps))
	var of func(v string) int
	of = func(v string) int {
		if h, ok := height[v]; ok {
			return h
		}
		h := 1
		for _, d := range dependents[v] {
			h = max(h, of(d)+1)
		}
		height[v] = h
		return h
	}
	for v := range deps {
		of(v)
	}
	return height
}

// readyQueue is a heap of vertices, the highest first, then by name.
type readyQueue struct {
	height   map[string]int
	vertices []string
}

func (q *readyQueue) Len() int { return len(q.vertices) }
func (q *readyQueue) Less(i, j int) bool {
	a, b := q.vertices[i], q.vertices[j]
	if q.height[a] != q.height[b] {
		return q.height[a] > q.height[b]
	}
	return a < b
}
func (q *readyQueue) Swap(i, j int) { q.vertices[i], q.vertices[j] = q.vertices[j], q.vertices[i] }
func (q *readyQueue) Push(v any)    { q.vertices = append(q.vertices, v.(string)) }
func (q *readyQueue) Pop() any {
	v := q.vertices[len(q.vertices)-1]
	q.vertices = q.vertices[:len(q.vertices)-1]
	return v
}

// run calls fn, turning a panic into an error so that one vertex cannot stop the walk.
func run(ctx context.Context, fn func(context.Context, string) error, v string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(ctx, v)
}
