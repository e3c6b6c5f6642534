// Package executor carries a plan out: each step (a resource's write, a resource's deletion)
// starts as soon as the steps before it in the plan's order have succeeded, at most Parallelism
// at a time, on the dag walker. It validates every body once its IDs are filled in, before it
// is sent; retries deletions that ARM refuses while the resource is still in use; stops
// starting work when the endpoint stops answering; and lets what is in flight finish when the
// context ends (Ctrl-C). It reports through typed events and writes no text.
package executor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/dag"
	"github.com/gru-iac/gru/internal/plan"
	"github.com/gru-iac/gru/internal/secret"
	"github.com/gru-iac/gru/internal/target"
	"github.com/gru-iac/gru/internal/validate"
)

// Cloud is what the executor needs of ARM.
type Cloud interface {
	Put(ctx context.Context, id, version string, body any) (map[string]any, error)
	Delete(ctx context.Context, id, version string) error
	List(ctx context.Context, collection, version string, query url.Values) ([]map[string]any, error)
}

// EventKind says what happened to a step.
type EventKind string

// The events of a run.
const (
	Started  EventKind = "started"
	Done     EventKind = "done"
	Failed   EventKind = "failed"
	Retrying EventKind = "retrying" // a deletion refused while in use, tried again later
	Stopping EventKind = "stopping" // the endpoint does not answer: nothing new starts
)

// Event is one thing that happened during a run. Events come one at a time.
type Event struct {
	Kind EventKind
	// Step is plan.StepPut or plan.StepDelete; Key and Action the change's.
	Step   string
	Key    string
	Action plan.Action
	// Took is how long the step ran (Done, Failed); Elapsed the time since the run started.
	Took, Elapsed time.Duration
	Err           error
	// Settled counts the changes that have ended, of Total.
	Settled, Total int
}

// State is how a change ended.
type State string

// The ends of a change.
const (
	StateDone     State = "done"
	StateFailed   State = "failed"
	StateSkipped  State = "skipped"
	StateCanceled State = "canceled"
)

// Outcome is how one change fared.
type Outcome struct {
	Key    string        `json:"resource"`
	Action plan.Action   `json:"action"`
	State  State         `json:"state"`
	Error  string        `json:"error,omitempty"`
	Took   time.Duration `json:"tookNanoseconds"`
}

// Executor runs plans.
type Executor struct {
	Cloud Cloud
	// Parallelism bounds the steps in flight (default 20).
	Parallelism int
	// Events, when set, is told of each step as it starts and ends.
	Events func(Event)
	// InUseRetries is how many times a deletion refused as in use is tried again (default 6),
	// InUseDelay the first wait, doubled each time up to 30s (default 2s).
	InUseRetries int
	InUseDelay   time.Duration
}

// run is the state of one run of a plan.
type run struct {
	x       *Executor
	p       *plan.Plan
	start   time.Time
	mu      sync.Mutex // guards what follows, and serialises events
	ids     map[string]string
	live    map[string]map[string]any // what the writes of this run answered, by key
	took    map[string]time.Duration
	steps   map[string]int // steps left, by change key
	settled int
	total   int
	secrets []string
	stop    context.CancelCauseFunc
}

// Run carries out a plan and reports how each change fared, in the plan's order. When ctx
// ends, nothing new starts and what is in flight finishes; a later run carries on.
func (x *Executor) Run(ctx context.Context, p *plan.Plan) ([]Outcome, error) {
	r := &run{x: x, p: p, start: time.Now(), ids: map[string]string{}, live: map[string]map[string]any{}, took: map[string]time.Duration{}, steps: map[string]int{}}
	for _, c := range p.Changes {
		if c.ID != "" {
			r.ids[c.Key] = c.ID
		}
		if c.Action == plan.NoOp {
			continue
		}
		r.total++
		if c.Puts() {
			r.steps[c.Key]++
		}
		if c.Deletes() {
			r.steps[c.Key]++
		}
		if body := c.SendBody(); body != nil && c.Resource != nil {
			r.secrets = append(r.secrets, secret.Values(body, c.Resource.Schema.Body)...)
		}
	}
	g := p.Graph()
	walkCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	r.stop = stop
	inFlight := context.WithoutCancel(ctx)
	parallelism := x.Parallelism
	if parallelism <= 0 {
		parallelism = 20
	}
	results, err := g.Walk(walkCtx, parallelism, func(_ context.Context, step string) error {
		kind, key, _ := strings.Cut(step, " ")
		return r.step(inFlight, walkCtx, kind, p.Change(key))
	})
	if err != nil {
		return nil, err
	}
	return r.outcomes(results, context.Cause(walkCtx)), nil
}

// emit sends an event; call with r.mu held.
func (r *run) emit(e Event) {
	if r.x.Events == nil {
		return
	}
	e.Elapsed, e.Settled, e.Total = time.Since(r.start), r.settled, r.total
	if e.Err != nil {
		if scrubbed := secret.Scrub(e.Err.Error(), r.secrets); scrubbed != e.Err.Error() {
			e.Err = errors.New(scrubbed)
		}
	}
	r.x.Events(e)
}

// step runs one step of a change.
func (r *run) step(ctx, walkCtx context.Context, kind string, c *plan.Change) error {
	r.mu.Lock()
	r.emit(Event{Kind: Started, Step: kind, Key: c.Key, Action: c.Action})
	r.mu.Unlock()
	start := time.Now()
	var err error
	if kind == plan.StepDelete {
		err = r.delete(ctx, walkCtx, c)
	} else {
		err = r.put(ctx, c)
	}
	took := time.Since(start)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.took[c.Key] += took
	r.steps[c.Key]--
	if kind == plan.StepDelete {
		// What the deletion takes with it ends with it.
		for _, o := range r.p.Changes {
			if o.DeletedWith == c.Key {
				r.settled++
			}
		}
	}
	if err != nil {
		r.settled++
		r.emit(Event{Kind: Failed, Step: kind, Key: c.Key, Action: c.Action, Took: took, Err: err})
		if armclient.IsUnreachable(err) && context.Cause(walkCtx) == nil {
			r.emit(Event{Kind: Stopping, Err: err})
			r.stop(err)
		}
		return err
	}
	if r.steps[c.Key] == 0 {
		r.settled++
	}
	r.emit(Event{Kind: Done, Step: kind, Key: c.Key, Action: c.Action, Took: took})
	return nil
}

// ID is the ID of the resource of a key, known once it is made (target.Lookup; r.mu held).
func (r *run) ID(key string) string { return r.ids[key] }

// Value is a value of what the write of a resource of this run answered (target.Lookup;
// r.mu held).
func (r *run) Value(key, path string) (any, bool) {
	if body := r.live[key]; body != nil {
		return target.PathValue(body, path)
	}
	return nil, false
}

// put writes a resource: its body with the IDs now known, validated, sent.
func (r *run) put(ctx context.Context, c *plan.Change) error {
	res := c.Resource
	if res == nil || c.SendBody() == nil {
		return fmt.Errorf("%s: the plan has no body to send", c.Key)
	}
	r.mu.Lock()
	body := target.Resolve(c.SendBody(), r).(map[string]any)
	id := r.ids[c.Key]
	depID := ""
	if c.Identity != nil {
		depID = r.ids[c.Identity.Dependency]
	}
	r.mu.Unlock()
	if unknown := target.Unknowns(body); len(unknown) > 0 {
		return fmt.Errorf("%s: the body still holds an ID that is not known (%v): what it depends on was not made", c.Key, unknown)
	}
	// A resource Azure names is found once its dependency is made; a replaced one has a new
	// name: the one planned is gone.
	if c.Identity != nil && (id == "" || c.Action == plan.Replace) {
		id = ""
		items, err := r.x.Cloud.List(ctx, c.Identity.Collection, c.APIVersion, nil)
		if err != nil {
			return err
		}
		for _, it := range items {
			if strings.EqualFold(target.EndpointOf(it), depID) {
				id = armclient.Field(it, "id")
			}
		}
		if id == "" {
			return fmt.Errorf("%s: %s made no connection in %s: Azure makes it when the endpoint links to the resource (check the endpoint's privateLinkServiceId)", c.Key, depID, c.Identity.Collection)
		}
	}
	if id == "" {
		return fmt.Errorf("%s: its ID is not known: a parent is named by Azure", c.Key)
	}
	name := id[strings.LastIndexByte(id, '/')+1:]
	var problems []string
	for _, p := range validate.Body(res.Schema, body, validate.Options{Name: name}) {
		if p.Severity == validate.Error {
			problems = append(problems, p.String())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: the body to send is not valid, nothing was sent: %s", c.Key, strings.Join(problems, "; "))
	}
	live, err := r.x.Cloud.Put(ctx, id, c.APIVersion, body)
	if err != nil {
		return err
	}
	if got := armclient.Field(live, "id"); got != "" {
		id = got
	}
	r.mu.Lock()
	r.ids[c.Key] = id
	r.live[c.Key] = live
	r.mu.Unlock()
	if live != nil && plan.Failed(live) {
		return fmt.Errorf("%s: ARM accepted the write but provisioning ended %s: run gru apply again to repair it", c.Key, armclient.Field(live["properties"].(map[string]any), "provisioningState"))
	}
	return nil
}

// delete deletes a resource; one ARM refuses as still in use is tried again, after a wait, as
// what uses it may be on its way out.
func (r *run) delete(ctx, walkCtx context.Context, c *plan.Change) error {
	retries := r.x.InUseRetries
	if retries <= 0 {
		retries = 6
	}
	delay := r.x.InUseDelay
	if delay <= 0 {
		delay = 2 * time.Second
	}
	start := time.Now()
	for attempt := 0; ; attempt++ {
		err := r.x.Cloud.Delete(ctx, c.ID, c.APIVersion)
		inUse, busy := armclient.IsInUse(err), armclient.IsBusy(err)
		if err == nil || !inUse && !busy {
			return err
		}
		if attempt == retries || walkCtx.Err() != nil {
			if busy {
				return fmt.Errorf("%s: another operation on it was still in progress after %d attempts over %v: %w; run gru again once it ends", c.Key, attempt+1, time.Since(start).Round(time.Second), err)
			}
			return fmt.Errorf("%s is still in use after %d attempts over %v: %w; delete or change what uses it, then run gru again", c.Key, attempt+1, time.Since(start).Round(time.Second), err)
		}
		r.mu.Lock()
		r.emit(Event{Kind: Retrying, Step: plan.StepDelete, Key: c.Key, Action: c.Action, Err: err})
		r.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-walkCtx.Done():
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// outcomes turns the steps' results into one outcome per change.
func (r *run) outcomes(results map[string]dag.Result, cause error) []Outcome {
	var out []Outcome
	for _, c := range r.p.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		var steps []string
		if c.Deletes() {
			steps = append(steps, plan.Step(plan.StepDelete, c.Key))
		} else if c.DeletedWith != "" {
			steps = append(steps, plan.Step(plan.StepDelete, c.DeletedWith))
		}
		if c.Puts() {
			steps = append(steps, plan.Step(plan.StepPut, c.Key))
		}
		o := Outcome{Key: c.Key, Action: c.Action, State: StateDone, Took: r.took[c.Key]}
		for _, s := range steps {
			res, ok := results[s]
			if !ok {
				continue
			}
			switch res.State {
			case dag.Failed:
				o.State, o.Error = StateFailed, res.Err.Error()
				if c.DeletedWith != "" && s == plan.Step(plan.StepDelete, c.DeletedWith) {
					o.Error = "deleted with " + c.DeletedWith + ", whose deletion failed"
				}
			case dag.Skipped:
				if o.State == StateDone {
					o.State, o.Error = StateSkipped, "not started: "+strings.TrimPrefix(strings.TrimPrefix(res.Cause, plan.StepPut+" "), plan.StepDelete+" ")+" failed"
				}
			case dag.Canceled:
				if o.State == StateDone {
					o.State, o.Error = StateCanceled, "interrupted before it started"
					if cause != nil && !errors.Is(cause, context.Canceled) {
						o.Error = "not started: " + cause.Error()
					}
				}
			}
			if o.State == StateFailed {
				break
			}
		}
		o.Error = secret.Scrub(o.Error, r.secrets)
		out = append(out, o)
	}
	return out
}
