// Package engine is gru's main job, composed of its stages: a target (package target) is
// planned against what is live (packages inventory and plan), and the plan is carried out
// (package executor). It adds the rules between the stages: a refused plan is not applied, a
// saved plan is applied only while it is still exactly what apply would do. It reaches ARM
// through the Cloud interface, so that it runs the same against Azure, the emulator and the
// in-memory fake cloud of its tests.
package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/executor"
	"github.com/gru-iac/gru/internal/inventory"
	"github.com/gru-iac/gru/internal/plan"
	"github.com/gru-iac/gru/internal/target"
)

// Cloud is what the engine needs of ARM.
type Cloud interface {
	inventory.Cloud
	executor.Cloud
}

// Engine plans and applies targets against a cloud.
type Engine struct {
	Cloud Cloud
	// Parallelism bounds the operations in flight (default 20).
	Parallelism int
	// Events, when set, is told of each step of an apply or destroy as it starts and ends.
	Events func(executor.Event)
	// OnWait, when set, is told of each resource a plan waits for (still provisioning).
	OnWait func(key, state string)
	// InUseRetries and InUseDelay tune the retries of deletions refused while in use.
	InUseRetries int
	InUseDelay   time.Duration
}

func (e *Engine) executor() *executor.Executor {
	return &executor.Executor{Cloud: e.Cloud, Parallelism: e.Parallelism, Events: e.Events, InUseRetries: e.InUseRetries, InUseDelay: e.InUseDelay}
}

// Plan compares a target with what is live.
func (e *Engine) Plan(ctx context.Context, t *target.Target, opts plan.Options) (*plan.Plan, error) {
	if opts.OnWait == nil {
		opts.OnWait = e.OnWait
	}
	return plan.Make(ctx, e.Cloud, t, opts)
}

// RefusedError says why a plan is not applied.
type RefusedError struct{ Reasons []string }

func (r *RefusedError) Error() string {
	return "the plan is refused: " + strings.Join(r.Reasons, "; ")
}

// Apply carries a plan out and reports how each change fared. A plan with refusals is not
// applied.
func (e *Engine) Apply(ctx context.Context, p *plan.Plan) ([]executor.Outcome, error) {
	if len(p.Refusals) > 0 {
		return nil, &RefusedError{Reasons: p.Refusals}
	}
	return e.executor().Run(ctx, p)
}

// StaleError says how live or the project changed since a saved plan was made.
type StaleError struct{ Changes []string }

func (s *StaleError) Error() string {
	return fmt.Sprintf("the saved plan is out of date, nothing was changed: %s; make a new plan", strings.Join(s.Changes, "; "))
}

// ApplySaved applies a saved plan to the target it was made for: it plans again with the
// saved options and applies only if the new plan is the saved one (same changes, bodies and
// live versions). Secrets come from the target, as saved plans hold none.
func (e *Engine) ApplySaved(ctx context.Context, saved *plan.Plan, t *target.Target) (*plan.Plan, []executor.Outcome, error) {
	fresh, err := e.Plan(ctx, t, saved.Options)
	if err != nil {
		return nil, nil, err
	}
	if stale := plan.Stale(saved, fresh); len(stale) > 0 {
		return fresh, nil, &StaleError{Changes: stale}
	}
	out, err := e.Apply(ctx, fresh)
	return fresh, out, err
}

// Destroy plans the deletion of what the target's project manages.
func (e *Engine) Destroy(ctx context.Context, t *target.Target, opts plan.DestroyOptions) (*plan.Plan, error) {
	if opts.OnWait == nil {
		opts.OnWait = e.OnWait
	}
	return plan.Destroy(ctx, e.Cloud, t, opts)
}
