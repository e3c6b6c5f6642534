package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gru-iac/gru"
)

// session is a connection to a cloud and, for the commands that need one, the project.
type session struct {
	gru  *gru.Session
	proj *gru.Project
}

// open connects to the cloud the global flags name; events, when set, receives what apply and
// destroy do.
func (g *globalOptions) open(ctx context.Context, cmd *cobra.Command, events func(gru.Event)) (*gru.Session, error) {
	o := gru.Options{Local: g.local, Endpoint: g.endpoint, Token: os.Getenv("GRU_TOKEN"), Subscription: g.subscription,
		TypesDir: g.typesDir, Parallelism: g.parallelism, Events: events,
		Console: cmd.ErrOrStderr()} // a project's console.log: never on stdout, where --json goes
	if g.debug {
		o.Debug = cmd.ErrOrStderr()
	}
	return gru.Open(ctx, o)
}

// openProject connects and loads the project of -C.
func (g *globalOptions) openProject(ctx context.Context, cmd *cobra.Command, events func(gru.Event)) (*session, error) {
	s, err := g.open(ctx, cmd, events)
	if err != nil {
		return nil, err
	}
	return g.loadProject(ctx, s)
}

// loadProject loads the project of -C into a session, and closes the session when it fails.
func (g *globalOptions) loadProject(ctx context.Context, s *gru.Session) (*session, error) {
	proj, err := s.LoadProject(ctx, g.dir)
	if err != nil {
		s.Close()
		return nil, err
	}
	return &session{gru: s, proj: proj}, nil
}

func (s *session) close() { s.gru.Close() }

// handOver gives the project to a plan and keeps no reference to it: the plan keeps what it
// needs of it (its target), and the public copy of 10,000 resources (5 MB) goes once the
// target is made.
func (s *session) handOver() *gru.Project {
	p := s.proj
	s.proj = nil
	return p
}

// openForCleanup is openProject for list and destroy, which must work while the project does
// not: see byTagsAlone.
func (g *globalOptions) openForCleanup(ctx context.Context, cmd *cobra.Command, events func(gru.Event), filtered bool) (*session, error) {
	s, err := g.open(ctx, cmd, events)
	if err != nil {
		return nil, err
	}
	proj, err := s.LoadProject(ctx, g.dir)
	if err != nil {
		proj, err = g.byTagsAlone(ctx, cmd, s, err, filtered)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return &session{gru: s, proj: proj}, nil
}

// byTagsAlone answers an error of the project (its code fails to run, or a resource is wrong)
// for list and destroy: when config.js still runs, it returns a project of no resources, whose
// ownership tags still say what the project manages, and a warning says so. Filters need the
// resources: with them, and for other errors, the error stays.
func (g *globalOptions) byTagsAlone(ctx context.Context, cmd *cobra.Command, s *gru.Session, err error, filtered bool) (*gru.Project, error) {
	var pe *gru.ProjectError
	if !errors.As(err, &pe) || !isProject(g.dir) || ctx.Err() != nil {
		return nil, err
	}
	tags, cerr := s.LoadProjectConfig(ctx, g.dir)
	if cerr != nil {
		return nil, err
	}
	if filtered {
		return nil, fmt.Errorf("%w\n(filters need the project's resources: fix the project, or leave the filters out to go by the ownership tags alone)", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "gru: warning: the project fails, so gru goes by its ownership tags alone (gc-project-name=%s, gc-stage=%s); resources it declares readOnly are not known:\n  %v\n",
		tags.Name, tags.Stage, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	return tags, nil
}

// isProject reports a folder holding a project (resources.js or iac.js).
func isProject(dir string) bool {
	for _, f := range []string{"resources.js", "iac.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// planFlags are the flags that shape a plan, shared by plan and apply.
type planFlags struct {
	prune, allowReplace, drift, strict bool
	replaceSecrets                     []string
}

func (f *planFlags) add(cmd *cobra.Command, verb string) {
	fl := cmd.Flags()
	fl.BoolVar(&f.prune, "prune", false, verb+" the deletion of what the project manages but no longer declares")
	fl.BoolVar(&f.allowReplace, "allow-replace", false, "allow replacing a resource group, or a resource with others inside it (deleted with it, and made again when declared)")
	fl.StringSliceVar(&f.replaceSecrets, "replace-secrets", nil, "send the secrets (passwords, keys: never compared with live) of these resources again, by name; alone: of every resource")
	fl.Lookup("replace-secrets").NoOptDefVal = "*"
	fl.BoolVar(&f.strict, "strict", false, "make validation warnings errors: unknown properties, and bodies that cannot be validated (an apiVersion gru has no type data for)")
}

func (f *planFlags) options() gru.PlanOptions {
	return gru.PlanOptions{Prune: f.prune, AllowReplace: f.allowReplace, ReplaceSecrets: f.replaceSecrets, Drift: f.drift, Strict: f.strict}
}

var marks = map[gru.Action]string{gru.Create: "+", gru.Update: "~", gru.Replace: "-/+", gru.Delete: "-", gru.NoOp: "="}

// writePlan shows a plan: a line per resource with why, the values it changes, the warnings,
// the drift, the counts and, if any, why it is refused.
func writePlan(w io.Writer, p *gru.Plan) { writePlanAtMost(w, p, 0) }

// writeDeletions shows what a destroy deletes: how many of each type, then each resource, up to
// a screenful on a terminal.
func writeDeletions(w io.Writer, p *gru.Plan) {
	byType := map[string]int{}
	for _, c := range p.Changes {
		if c.Action == gru.Delete {
			typ, _, _ := strings.Cut(c.Resource, " ")
			byType[typ]++
		}
	}
	types := slices.Sorted(maps.Keys(byType))
	fmt.Fprintf(w, "To delete, by type:\n")
	for _, t := range types {
		fmt.Fprintf(w, "  %5d  %s\n", byType[t], t)
	}
	most := 0 // all
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if _, rows, err := term.GetSize(int(f.Fd())); err == nil {
			most = max(rows-len(types)-8, 10)
		}
	}
	writePlanAtMost(w, p, most)
}

// writePlanAtMost is writePlan showing at most that many changes (0: all).
func writePlanAtMost(w io.Writer, p *gru.Plan, most int) {
	for i, c := range p.Changes {
		if most > 0 && i == most {
			fmt.Fprintf(w, "... and %d more (--json lists every one)\n", len(p.Changes)-most)
			break
		}
		line := fmt.Sprintf("%s %-9s %s", marks[c.Action], c.Action, c.Resource)
		var why []string
		for _, r := range c.Reasons {
			if r != "properties differ" && r != "does not exist" && r != "destroy" {
				why = append(why, r)
			}
		}
		if c.DeletedWith != "" && !slices.ContainsFunc(why, func(r string) bool { return strings.Contains(r, c.DeletedWith) }) {
			why = append(why, "deleted with "+c.DeletedWith)
		}
		if len(why) > 0 {
			line += "  (" + strings.Join(why, "; ") + ")"
		}
		fmt.Fprintln(w, line)
		for _, d := range c.Diffs {
			fmt.Fprintf(w, "      %s: %s -> %s\n", d.Path, showValue(d.Before), showValue(d.After))
		}
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "Warnings (--strict makes them errors):")
		for _, pr := range p.Warnings {
			fmt.Fprintf(w, "  %s\n", pr)
		}
	}
	drift := false
	for _, c := range p.Changes {
		if len(c.Drift) > 0 && !drift {
			fmt.Fprintln(w, "Drift (writable values live has and the project does not declare; a PUT may reset them):")
			drift = true
		}
		for _, d := range c.Drift {
			fmt.Fprintf(w, "  %s: %s: %s\n", c.Resource, d.Path, showValue(d.Before))
		}
	}
	n := p.Counts()
	fmt.Fprintf(w, "Plan: %d to create, %d to update, %d to replace, %d to delete, %d unchanged.\n", n[gru.Create], n[gru.Update], n[gru.Replace], n[gru.Delete], n[gru.NoOp])
	if len(p.Undeclared) > 0 {
		fmt.Fprintf(w, "Managed by the project, no longer declared, left alone (--prune deletes them): %s.\n", elide(p.Undeclared, 5))
	}
	for _, r := range p.Refusals {
		fmt.Fprintf(w, "Refused: %s\n", r)
	}
}

// elide joins at most n items, saying how many more there are.
func elide(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// showValue writes a diff's value: JSON, "(none)" for absent, masks and unknowns as they are.
func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		if x == "(sensitive)" {
			return x
		}
	case gru.Unknown:
		return x.String()
	}
	data, _ := json.Marshal(v)
	s := string(data)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func newPlanCommand(g *globalOptions) *cobra.Command {
	var exitCode bool
	var out string
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show exactly what apply would do",
		Long: `Load the project, validate every resource, list what is live (a request per collection, not
per resource), and show what apply would do to each resource and why, with each value it
changes:

  +   create     not live
  ~   update     values differ; or live provisioning failed (a PUT repairs it)
  -/+ replace    a value that cannot change in place (location, ...) differs: deleted, then
                 made again, with what is inside it or depends on it
  -   delete     --prune: managed by the project but no longer declared; or inside a replaced
                 resource group

Strings compare exactly, except where ARM does not (IDs, names, enum values, locations,
types). Tags that only live has show as removed (a PUT replaces tags whole); other values
only live has (Azure's defaults, changes made elsewhere) are left out: --drift lists the
writable ones. Secrets show as (sensitive); write-only ones (passwords) are never compared
with live, as Azure never returns them: --replace-secrets sends them again.

What is inside a replaced resource, or depends on it, is replaced too (or deleted, when the
project does not declare it), and shown. Replacing a resource group, or a resource with others
inside it, is refused without --allow-replace. Resources still provisioning (an interrupted
run) are waited for.

-o writes the plan to a file for gru apply FILE, which applies exactly it, or refuses if
live or the project changed since. With --exit-code the exit status says the result: 0
when live matches the code, 2 when changes are pending, 1 on error or a refused plan.`,
		Example: `  gru plan --local
  gru plan --local -o plan.json && gru apply --local plan.json
  gru plan -C examples/storage-private-endpoint --local --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			defer keepHeapNear(heapTarget)()
			defer collectByLimit()()
			// Waits for resources still provisioning are told on stderr.
			s, err := g.openProject(cmd.Context(), cmd, (&progress{w: cmd.ErrOrStderr()}).event)
			if err != nil {
				return err
			}
			defer s.close()
			stop := tellReading(cmd.ErrOrStderr(), s.gru, readingEvery)
			p, err := s.gru.Plan(cmd.Context(), s.handOver(), f.options())
			stop()
			if err != nil {
				return err
			}
			if out != "" {
				var b bytes.Buffer
				if err := p.Save(&b); err != nil {
					return err
				}
				if err := os.WriteFile(out, b.Bytes(), 0o600); err != nil {
					return err
				}
			}
			if g.json {
				err = p.Save(cmd.OutOrStdout()) // the saved plan's format, written change by change
			} else {
				writePlan(cmd.OutOrStdout(), p)
				if out != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "Saved the plan to %s: gru apply %s (with the same --local, --endpoint or --subscription) carries it out.\n", out, out)
				}
			}
			if err != nil {
				return err
			}
			if len(p.Refusals) > 0 {
				return refused(g, p)
			}
			if exitCode && p.Pending() {
				return exitError{2}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit 2 when changes are pending, 0 when none")
	cmd.Flags().StringVarP(&out, "out", "o", "", "save the plan to this file, for gru apply FILE (no secrets in it)")
	cmd.Flags().BoolVar(&f.drift, "drift", false, "also list the writable values live has that the project does not declare")
	f.add(cmd, "also show")
	return cmd
}

// refusedRun ends a run whose plan is refused: with --json the plan is written (its refusals
// in it), and the error says so.
func refusedRun(out io.Writer, g *globalOptions, p *gru.Plan) error {
	if g.json {
		writeRun(out, p, nil)
	}
	return refused(g, p)
}

// refused is the error of a refused plan: its reasons were written with the plan, in text;
// with --json they are in the JSON, and said again here.
func refused(g *globalOptions, p *gru.Plan) error {
	if g.json {
		return fmt.Errorf("the plan is refused, nothing changed: %s", strings.Join(p.Refusals, "; "))
	}
	return fmt.Errorf("the plan is refused (%s above), nothing changed", count(len(p.Refusals), "reason"))
}

// addForce adds -f (--force) and its aliases --yes and --auto-approve, as Terraform and the
// Azure CLI spell it.
func addForce(cmd *cobra.Command, force *bool) {
	cmd.Flags().BoolVarP(force, "force", "f", false, "do not ask (also --yes, --auto-approve)")
	cmd.Flags().BoolVar(force, "yes", false, "do not ask (as -f)")
	cmd.Flags().BoolVar(force, "auto-approve", false, "do not ask (as -f)")
}

// confirm asks before changing anything, unless -f. It never asks when stdin is not a
// terminal: then -f is required.
func confirm(cmd *cobra.Command, g *globalOptions, force bool, question string) error {
	if force {
		return nil
	}
	if g.json {
		return &codedError{code: "confirmation-needed", msg: "--json does not ask: review the plan (gru plan --json), then pass -f (--yes, --auto-approve) to go ahead"}
	}
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return &codedError{code: "confirmation-needed", msg: "not asking on a non-interactive input: pass -f (--yes, --auto-approve) to go ahead"}
	}
	// On stderr: the question must be seen when stdout goes to a file.
	fmt.Fprintf(cmd.ErrOrStderr(), "%s [y/N] ", question)
	var answer string
	fmt.Fscanln(in, &answer)
	if strings.EqualFold(answer, "y") || strings.EqualFold(answer, "yes") {
		return nil
	}
	return &codedError{code: "declined", msg: "nothing changed: the answer was not yes"}
}

// deleteQuestion asks before deleting n resources.
func deleteQuestion(n int) string {
	if n == 1 {
		return "Delete this resource?"
	}
	return fmt.Sprintf("Delete these %d resources?", n)
}

// failedRun is the error of a run in which something did not end done (exit status 1).
func failedRun(outcomes []gru.Outcome) error {
	for _, o := range outcomes {
		if o.State != gru.Done {
			return exitError{1}
		}
	}
	return nil
}

// writeRun writes a run's plan and outcomes as JSON, and fails as the text would.
func writeRun(w io.Writer, p *gru.Plan, outcomes []gru.Outcome) error {
	if outcomes == nil {
		outcomes = []gru.Outcome{}
	}
	if err := writeJSON(w, map[string]any{"plan": p, "outcomes": outcomes}); err != nil {
		return err
	}
	return failedRun(outcomes)
}

// summarize prints outcomes and returns an error when any failed or was skipped.
func summarize(w io.Writer, what string, outcomes []gru.Outcome, took time.Duration) error {
	counts := map[gru.State]int{}
	for _, o := range outcomes {
		counts[o.State]++
		if o.State != gru.Done {
			fmt.Fprintf(w, "  %s %s: %s\n", o.State, o.Resource, o.Error)
		}
	}
	fmt.Fprintf(w, "%s: %d done, %d failed, %d skipped, %d canceled in %v.\n", what, counts[gru.Done], counts[gru.Failed], counts[gru.Skipped], counts[gru.Canceled], took.Round(time.Millisecond))
	if counts[gru.Failed]+counts[gru.Skipped]+counts[gru.Canceled] > 0 {
		fmt.Fprintln(w, "Run the command again once the cause is fixed: gru carries on from what is live.")
		return exitError{1}
	}
	return nil
}

func newApplyCommand(g *globalOptions) *cobra.Command {
	var force bool
	var f planFlags
	cmd := &cobra.Command{
		Use:   "apply [PLAN-FILE]",
		Short: "Make live match the code",
		Long: `Plan (see gru plan), then create, update, replace and delete resources so that live matches
the project: each resource starts as soon as what it needs is done (--parallelism at a time),
deletions run after what uses them; long-running operations are waited for, and a failure
skips what depends on it while independent work goes on. A resource whose provisioning
failed is repaired by writing it again.

With a PLAN-FILE (gru plan -o), apply carries out exactly that plan: it plans again and
refuses, changing nothing, if live or the project changed since the plan was made.

It asks before changing anything unless -f; when its input is not a terminal it needs -f.
When the endpoint stops answering, nothing new starts and apply fails: within about ten
seconds when connections are refused, a minute when they hang.
Ctrl-C stops starting new work, lets what is in flight end, and says what was done: a
second run carries on.

Exit status: 0 when every change is done (or there is none), 1 when any failed, was skipped
or canceled, when the plan is refused, or on error. With --json the plan and each change's
outcome are written as JSON, and the exit status is the same.`,
		Example: `  gru apply -f --local
  gru plan --local -o plan.json && gru apply -f --local plan.json
  gru apply -C examples/storage-private-endpoint --local -f`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			defer keepHeapNear(heapTarget)()
			planning := collectByLimit()
			defer planning()
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			prog := g.progressFor(out)
			defer prog.Close()
			if len(args) == 1 {
				for _, name := range []string{"prune", "allow-replace", "replace-secrets", "strict"} {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("--%s shapes a plan: the plan in %s was made with its own options; make a new one with gru plan --%s -o %s", name, args[0], name, args[0])
					}
				}
				planning() // a saved plan is checked, then applied: collected as usual
				return applySaved(cmd, g, args[0], force, prog)
			}
			s, err := g.openProject(ctx, cmd, prog.event)
			if err != nil {
				return err
			}
			defer s.close()
			stop := tellReading(cmd.ErrOrStderr(), s.gru, readingEvery)
			p, err := s.gru.Plan(ctx, s.handOver(), f.options())
			stop()
			planning()
			if err != nil {
				return err
			}
			if !g.json {
				writePlan(out, p)
			}
			if len(p.Refusals) > 0 {
				return refusedRun(out, g, p)
			}
			if !p.Pending() {
				if g.json {
					return writeRun(out, p, nil)
				}
				fmt.Fprintln(out, "Nothing to do: live matches the code.")
				return nil
			}
			if err := confirm(cmd, g, force, "Apply these changes?"); err != nil {
				return err
			}
			start := time.Now()
			outcomes, err := s.gru.Apply(ctx, p)
			prog.Close() // the live view's block goes before the summary
			if err != nil {
				return err
			}
			if g.json {
				return writeRun(out, p, outcomes)
			}
			if err := summarize(out, "Apply", outcomes, time.Since(start)); err != nil {
				return err
			}
			writeNext(out, g, s.gru)
			return nil
		},
	}
	addForce(cmd, &force)
	f.add(cmd, "also make")
	return cmd
}

// writeNext says, after a successful apply, where the resources are and what to run next.
func writeNext(w io.Writer, g *globalOptions, s *gru.Session) {
	kind, endpoint, db := s.Where()
	where := ""
	switch kind {
	case "local":
		where = " --local"
		fmt.Fprintf(w, "The local cloud keeps its data in %s (gru emulator serve --db %s serves it to other tools).\n", db, db)
	case "endpoint":
		where = " --endpoint " + endpoint
	}
	if g.dir != "." {
		where += " -C " + g.dir
	}
	fmt.Fprintf(w, "Next:\n  gru list%s --our    what the project manages, live\n  gru plan%s          no change until the code or live changes\n  gru destroy%s       deletes what the project manages\n", where, where, where)
}

// applySaved applies a plan file to the project it was made in (or -C).
func applySaved(cmd *cobra.Command, g *globalOptions, file string, force bool, prog *progress) error {
	ctx := cmd.Context()
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("dir") {
		dir, err := gru.SavedPlanDir(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if dir != "" {
			g.dir = dir
		}
	}
	s, err := g.openProject(ctx, cmd, prog.event)
	if err != nil {
		return err
	}
	defer s.close()
	if err := confirm(cmd, g, force, "Apply the plan of "+file+"?"); err != nil {
		return err
	}
	start := time.Now()
	p, outcomes, err := s.gru.ApplySaved(ctx, bytes.NewReader(data), s.proj)
	prog.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	out := cmd.OutOrStdout()
	if g.json {
		return writeRun(out, p, outcomes)
	}
	if len(outcomes) == 0 {
		fmt.Fprintln(out, "Nothing to do: the plan changes nothing.")
		return nil
	}
	return summarize(out, "Apply", outcomes, time.Since(start))
}

func newDestroyCommand(g *globalOptions) *cobra.Command {
	var force, all bool
	var o gru.DestroyOptions
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "Delete what the project manages",
		Long: `Delete the live resources of the project that carry its ownership tags (gc-managed-by,
gc-project-name, gc-stage), or whose parent does, dependents first (found in the live
bodies). A resource group is deleted whole, with what it holds: the list shows it. Without
filters, what the project manages but no longer declares goes too. Resources the project
declares readOnly are never deleted. With --types, --group or --name only declared resources
are deleted: filters that name no declared resource are an error with the nearest names;
filters that name declared resources none of which is live print Nothing to delete. While the
project fails (its code does not run, or a resource is wrong), destroy without filters goes by
the ownership tags alone, with a warning.

It asks before deleting unless -f. Exit status: 0 when every deletion is done, 1 when any
failed, was skipped or canceled, or on error; --json writes the plan and the outcomes. When
the endpoint stops answering, nothing new starts.`,
		Example: `  gru destroy -f --local
  gru destroy -f --local --types Network::PrivateEndpoint`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			defer keepHeapNear(heapTarget)()
			planning := collectByLimit()
			defer planning()
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			prog := g.progressFor(out)
			defer prog.Close()
			s, err := g.openForCleanup(ctx, cmd, prog.event, len(o.Types) > 0 || o.Name != "" || o.Group != "")
			if err != nil {
				return err
			}
			defer s.close()
			o.All = all
			stop := tellReading(cmd.ErrOrStderr(), s.gru, readingEvery)
			p, err := s.gru.PlanDestroy(ctx, s.proj, o)
			stop()
			if err != nil {
				// The code runs, but a resource is wrong: the tags still say what to delete.
				if s.proj, err = g.byTagsAlone(ctx, cmd, s.gru, err, o.Types != nil || o.Name != "" || o.Group != ""); err != nil {
					return err
				}
				if p, err = s.gru.PlanDestroy(ctx, s.proj, o); err != nil {
					return err
				}
			}
			planning()
			if !p.Pending() {
				if g.json {
					return writeRun(out, p, nil)
				}
				fmt.Fprintln(out, "Nothing to delete.")
				return nil
			}
			if !g.json {
				writeDeletions(out, p)
			}
			if len(p.Refusals) > 0 {
				return refusedRun(out, g, p)
			}
			if err := confirm(cmd, g, force, deleteQuestion(len(p.Changes))); err != nil {
				return err
			}
			start := time.Now()
			outcomes, err := s.gru.Apply(ctx, p)
			prog.Close() // the live view's block goes before the summary
			if err != nil {
				return err
			}
			if g.json {
				return writeRun(out, p, outcomes)
			}
			return summarize(out, "Destroy", outcomes, time.Since(start))
		},
	}
	addForce(cmd, &force)
	cmd.Flags().StringSliceVar(&o.Types, "types", nil, "only these declared types (Group::Type or ARM type); a type gru does not know, or the project does not declare, is an error")
	cmd.Flags().StringVar(&o.Name, "name", "", "only the declared resource of this name (or full name rg::name), among the other filters; no such resource is an error")
	cmd.Flags().StringVar(&o.Group, "group", "", "only declared types of this group (Network, Storage, ...); an unknown or undeclared group is an error")
	cmd.Flags().BoolVar(&all, "all", false, "also the project's resources that gru does not manage (no ownership tags)")
	return cmd
}

func newListCommand(g *globalOptions) *cobra.Command {
	var o gru.ListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List live resources",
		Long: `List the live resources of the subscription: resource groups, top-level resources, and, in a
project folder, the child resources the project declares. --our keeps what this project
manages (it needs the project's folder). Outside a project folder it lists the subscription. A
resource whose provisioning failed is marked: gru apply repairs it.`,
		Example: `  gru list --local --our
  gru list --local --types Storage::StorageAccount --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var s *session
			var err error
			if isProject(g.dir) || o.Our {
				s, err = g.openForCleanup(ctx, cmd, nil, false)
			} else {
				// Outside a project folder: the subscription, as the help says.
				var gs *gru.Session
				if gs, err = g.open(ctx, cmd, nil); err == nil {
					s = &session{gru: gs}
				}
			}
			if err != nil {
				return err
			}
			defer s.close()
			stop := tellReading(cmd.ErrOrStderr(), s.gru, readingEvery)
			rows, err := s.gru.List(ctx, s.proj, o)
			stop()
			if err != nil && s.proj != nil {
				if s.proj, err = g.byTagsAlone(ctx, cmd, s.gru, err, false); err == nil {
					rows, err = s.gru.List(ctx, s.proj, o)
				}
			}
			if err != nil {
				return err
			}
			if g.json {
				if rows == nil {
					rows = []gru.Listed{}
				}
				return writeJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			// A private endpoint connection's status, in a column of its own when one is listed.
			connections := slices.ContainsFunc(rows, func(r gru.Listed) bool { return r.Connection != "" })
			header := "TYPE\tNAME\tMANAGED\tSTATE"
			if connections {
				header += "\tCONNECTION"
			}
			fmt.Fprintln(tw, header)
			failed := 0
			for _, r := range rows {
				managed := "no"
				if r.Managed {
					managed = "yes"
				}
				state := r.State
				if r.Failed {
					state += " (!)"
					failed++
				}
				line := fmt.Sprintf("%s\t%s\t%s\t%s", r.Type, r.Name, managed, state)
				if connections {
					line += "\t" + r.Connection
				}
				fmt.Fprintln(tw, line)
			}
			tw.Flush()
			fmt.Fprintln(cmd.ErrOrStderr(), count(len(rows), "resource"))
			if failed > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "(!) %s: provisioning failed or was canceled; gru apply repairs what the project declares.\n", count(failed, "resource"))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.Our, "our", false, "only what this project manages")
	cmd.Flags().StringSliceVar(&o.Types, "types", nil, "only these types (Group::Type or ARM type; an unknown type is an error, a known one with nothing live lists nothing)")
	cmd.Flags().StringVar(&o.Group, "group", "", "only types of this group (Network, Storage, ...; an unknown group is an error)")
	return cmd
}

func newInitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Make a new project in the current folder (or -C)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(g.dir, 0o755); err != nil {
				return err
			}
			abs, _ := filepath.Abs(g.dir)
			files := map[string]string{
				"package.json": fmt.Sprintf("{ \"name\": %q, \"version\": \"1.0.0\" }\n", filepath.Base(abs)),
				"config.js":    "const pkg = require(\"./package.json\");\nmodule.exports = () => ({\n  projectName: pkg.name,\n  location: \"westeurope\",\n});\n",
				"resources.js": "exports.createResources = () => [\n  {\n    type: \"ResourceGroup\",\n    group: \"Resources\",\n    name: \"rg-" + filepath.Base(abs) + "\",\n  },\n];\n",
			}
			for _, name := range []string{"package.json", "config.js", "resources.js"} {
				p := filepath.Join(g.dir, name)
				if _, err := os.Stat(p); err == nil {
					return fmt.Errorf("%s exists already: gru init does not overwrite a project", p)
				}
			}
			for _, name := range []string{"package.json", "config.js", "resources.js"} {
				if err := os.WriteFile(filepath.Join(g.dir, name), []byte(files[name]), 0o644); err != nil {
					return err
				}
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"dir": g.dir, "files": []string{"package.json", "config.js", "resources.js"}})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Made a project in %s: edit resources.js, then gru plan --local.\n", g.dir)
			return nil
		},
	}
}

func newOutputCommand(g *globalOptions) *cobra.Command {
	var typ, name, field string
	cmd := &cobra.Command{
		Use:   "output",
		Short: "Print a live resource of the project, or one of its properties (secrets masked)",
		Example: `  gru output --local --type Storage::StorageAccount --name mystorageaccount
  gru output --local --type Storage::StorageAccount --name mystorageaccount --field properties.primaryEndpoints.blob`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if typ == "" || name == "" {
				return errors.New("--type and --name are required")
			}
			ctx := cmd.Context()
			s, err := g.openProject(ctx, cmd, nil)
			if err != nil {
				return err
			}
			defer s.close()
			declared, err := s.gru.Declared(ctx, s.proj, true)
			if err != nil {
				return err
			}
			var found []*gru.Declared
			for i, d := range declared {
				// Group::Type, the ARM type, or the type's name alone (StorageAccount)
				_, short, _ := strings.Cut(d.Type, "::")
				sameType := strings.EqualFold(typ, d.Type) || strings.EqualFold(typ, d.ARMType) || !strings.Contains(typ, "::") && strings.EqualFold(typ, short)
				if sameType && (strings.EqualFold(name, d.Name) || strings.EqualFold(name, d.FullName)) {
					found = append(found, &declared[i])
				}
			}
			if len(found) != 1 {
				var names []string
				for _, d := range declared {
					names = append(names, d.Type+" "+d.FullName)
				}
				if len(found) > 1 {
					return fmt.Errorf("%s %q names %d resources of the project: give the type as Group::Type and the full name (rg::name)", typ, name, len(found))
				}
				return fmt.Errorf("the project has no %s named %q; it declares %s", typ, name, elide(names, 8))
			}
			d := found[0]
			var v any = d.Live
			if d.Live == nil {
				return fmt.Errorf("%s does not exist yet: gru apply makes it", d.Key)
			}
			if field != "" {
				var err error
				if v, err = fieldOf(v, field); err != nil {
					return fmt.Errorf("%s: %w", d.Key, err)
				}
				if str, ok := v.(string); ok && !g.json { // a string as it is; JSON with --json
					fmt.Fprintln(cmd.OutOrStdout(), str)
					return nil
				}
			}
			return writeJSON(cmd.OutOrStdout(), v)
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "type of the resource (Group::Type, the ARM type, or the type's name alone when no other type of the project has it)")
	cmd.Flags().StringVar(&name, "name", "", "name of the resource")
	cmd.Flags().StringVar(&field, "field", "", "a property path, such as properties.provisioningState; array items by index: properties.subnets[0].name or properties.subnets.0.name")
	return cmd
}

// fieldOf follows a property path (names joined by dots, array items by index: a[0] or a.0)
// into a value.
func fieldOf(v any, path string) (any, error) {
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	at := ""
	for _, k := range strings.Split(path, ".") {
		if k == "" {
			return nil, fmt.Errorf("--field %q: a property name is empty (write them joined by dots: properties.provisioningState)", path)
		}
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[k]
			if !ok {
				return nil, fmt.Errorf("no %s", strings.TrimPrefix(at+"."+k, "."))
			}
			v = e
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("%s is an array of %d: index it from 0, as %s[0], not with %q", at, len(x), at, k)
			}
			v = x[i]
		default:
			return nil, fmt.Errorf("%s is %v, which has no %s", at, x, k)
		}
		at = strings.TrimPrefix(at+"."+k, ".")
	}
	return v, nil
}
