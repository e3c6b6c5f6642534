// Package gru is gru's Go API: declare Azure resources in Go (or load a GruCloud project),
// plan them against what is live, and apply or destroy the plan, on Azure, gru's local cloud
// or an emulator. The command line is built on it.
//
//	s, err := gru.Open(ctx, gru.Options{Local: true})
//	if err != nil { ... }
//	defer s.Close()
//	p := &gru.Project{Name: "demo", Location: "westeurope", Resources: []gru.Resource{
//		{Type: "ResourceGroup", Group: "Resources", Name: "rg-demo"},
//		{Type: "VirtualNetwork", Group: "Network", Name: "vnet",
//			Properties:   map[string]any{"properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}}}},
//			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rg-demo")}}},
//	}}
//	plan, err := s.Plan(ctx, p, gru.PlanOptions{})
//	outcomes, err := s.Apply(ctx, plan) // what failed is in outcomes, err is for the run
//
// Plans say exactly what apply does: an action per resource with its reasons and the values it
// changes. Secrets (write-only and secure properties, and properties named like secrets) never
// appear in plans, outcomes, events or errors; they show as "(sensitive)".
package gru

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/cloud"
	"github.com/gru-iac/gru/internal/emulator"
	"github.com/gru-iac/gru/internal/engine"
	"github.com/gru-iac/gru/internal/executor"
	"github.com/gru-iac/gru/internal/plan"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/target"
)

// Options say where to work and how.
type Options struct {
	// Local uses gru's local cloud (an emulator in this process; its data in LocalDB, default
	// $GRU_LOCAL_DB or gru's state folder); Endpoint an emulator served elsewhere, with Token;
	// neither, Azure with Microsoft's credential chain and Subscription.
	Local        bool
	LocalDB      string
	Endpoint     string
	Token        string
	Subscription string
	// CAFile is a PEM certificate to trust for an HTTPS Endpoint, besides the system's, such as
	// the one `gru emulator serve --tls` keeps beside its database (default $GRU_EMULATOR_CA).
	CAFile string
	// TypesDir is a bicep-types-az generated/ folder for API versions gru does not embed.
	TypesDir string
	// Parallelism bounds the operations in flight (default 20).
	Parallelism int
	// Events, when set, is told of what apply and destroy do, and of the resources a plan
	// waits for, as it happens. Calls come one at a time.
	Events func(Event)
	// Debug receives a log of every request and response, secrets redacted.
	Debug io.Writer
	// Console receives what a project's code writes with console.log (default os.Stderr).
	Console io.Writer
	// Offline connects to no cloud: the session loads projects, and draws their graph and
	// tree, without a cloud or credentials; what needs one fails with ErrOffline. IDs are made
	// in Subscription, else $AZURE_SUBSCRIPTION_ID, else the local cloud's subscription.
	Offline bool
}

// ErrOffline is the error of asking an offline session (Options.Offline) for what needs a cloud.
var ErrOffline = errors.New("this needs a cloud (--local, --endpoint or Azure): the session is offline")

// Session is a connection to a cloud (or, offline, to none).
type Session struct {
	conn    *cloud.Connection // nil offline
	offline string            // the subscription of an offline session's IDs
	catalog *catalog.Catalog
	engine  *engine.Engine
	console io.Writer
}

// Open connects to the cloud the options name.
func Open(ctx context.Context, o Options) (*Session, error) {
	cat, err := catalog.Open(catalog.Options{TypesDir: o.TypesDir})
	if err != nil {
		return nil, err
	}
	console := o.Console
	if console == nil {
		console = os.Stderr
	}
	if o.Offline {
		sub := cmp.Or(o.Subscription, os.Getenv("AZURE_SUBSCRIPTION_ID"), emulator.LocalSubscriptionID)
		return &Session{catalog: cat, offline: sub, console: console}, nil
	}
	conn, err := cloud.Connect(ctx, cloud.Options{Local: o.Local, LocalDB: o.LocalDB, Endpoint: o.Endpoint, Token: o.Token, CAFile: o.CAFile, Subscription: o.Subscription, Debug: o.Debug, Catalog: cat})
	if err != nil {
		return nil, err
	}
	s := &Session{conn: conn, catalog: cat, engine: &engine.Engine{Cloud: conn.Client, Parallelism: o.Parallelism}, console: console}
	if o.Events != nil {
		s.engine.Events = func(e executor.Event) { o.Events(eventOf(e)) }
		s.engine.OnWait = func(key, state string) { o.Events(Event{Kind: EventWaiting, Resource: key, State: state}) }
	}
	return s, nil
}

// Close ends the session (and stops the local cloud's emulator).
func (s *Session) Close() {
	if s.conn != nil {
		s.conn.Close()
	}
}

// connected returns ErrOffline for an offline session.
func (s *Session) connected() error {
	if s.conn == nil {
		return ErrOffline
	}
	return nil
}

// Tenant is the tenant of the session's subscription, without a request: the local cloud's
// for --local and --endpoint (gru's emulator), else $AZURE_TENANT_ID, as GruCloud reads it.
func (s *Session) Tenant() string {
	if s.conn == nil || s.conn.Kind == "azure" {
		return os.Getenv("AZURE_TENANT_ID")
	}
	return emulator.LocalTenantID
}

// Subscription is the session's subscription.
func (s *Session) Subscription() string {
	if s.conn == nil {
		return s.offline
	}
	return s.conn.Client.Subscription()
}

// Where says where the session's requests go: Kind is "local", "endpoint", "azure" or
// "offline"; Database is the local cloud's file.
func (s *Session) Where() (kind, endpoint, database string) {
	if s.conn == nil {
		return "offline", "", ""
	}
	return s.conn.Kind, s.conn.Endpoint, s.conn.DB
}

// ID returns the ARM ID of a resource of a project, as getId does in JavaScript, for
// properties that hold another resource's ID.
func (s *Session) ID(typ, group, name string) (string, error) {
	return target.IDOf(s.catalog, s.Subscription(), project.Ref{Type: typ, Group: group, Name: name})
}

// Ref names another resource of the project: by GruCloud's name ("rg", "rg::name",
// "rg::parent::child"), with its Type and Group when the name alone is ambiguous.
type Ref struct {
	Name, Type, Group string
}

// Named is a reference by GruCloud's name.
func Named(name string) Ref { return Ref{Name: name} }

// Resource is one resource, as in a GruCloud project: its type and group (Storage,
// StorageAccount), its name, its body, and its dependencies by GruCloud's keys.
type Resource struct {
	Type, Group  string
	Name         string
	Properties   map[string]any
	Dependencies map[string][]Ref
	ReadOnly     bool
	// Source says where the resource is declared, for messages: file:line:column (1-based) of
	// the object literal that made it, for a loaded project. Set one (file, file:line or
	// file:line:column) for resources declared in Go, and problems name it.
	Source string
}

// Project is a set of resources with the project's configuration.
type Project struct {
	// Name and Stage go into the ownership tags (gc-project-name, gc-stage; stage default "dev").
	Name, Stage string
	// Location is the default location of the resources that have one.
	Location string
	// Dir is the project's folder, for a loaded project.
	Dir       string
	Resources []Resource

	// loaded is what LoadProject read, reused while Resources are as it made them.
	loaded *project.Project
}

// LoadProject runs a GruCloud project folder (resources.js and config.js, or iac.js) and
// returns its resources.
func (s *Session) LoadProject(ctx context.Context, dir string) (*Project, error) {
	proj, err := project.Load(ctx, dir, s.hooks())
	if err != nil {
		return nil, projectError(err)
	}
	p := &Project{Name: proj.Name, Stage: proj.Stage, Location: proj.Location, Dir: proj.Dir, Resources: make([]Resource, 0, len(proj.Resources))}
	for _, spec := range proj.Resources {
		r := Resource{Type: spec.Type, Group: spec.Group, Name: spec.Name, Properties: spec.Properties, ReadOnly: spec.ReadOnly, Source: spec.Source.String(),
			Dependencies: make(map[string][]Ref, len(spec.Dependencies))}
		for _, d := range spec.Dependencies {
			refs := make([]Ref, len(d.Refs))
			for i, ref := range d.Refs {
				refs[i] = Ref(ref)
			}
			r.Dependencies[d.Key] = refs
		}
		p.Resources = append(p.Resources, r)
	}
	p.loaded = proj
	return p, nil
}

// LoadProjectConfig runs a project folder's configuration alone (config.js, package.json, the
// stage's .env), not resources.js: a project of no resources, with the name and stage of its
// ownership tags. Destroying it (PlanDestroy) deletes what those tags mark: the way to clean
// up while resources.js fails to run. Resources declared readOnly are not known then.
func (s *Session) LoadProjectConfig(ctx context.Context, dir string) (*Project, error) {
	proj, err := project.LoadConfig(ctx, dir, s.hooks())
	if err != nil {
		return nil, projectError(err)
	}
	return &Project{Name: proj.Name, Stage: proj.Stage, Location: proj.Location, Dir: proj.Dir, loaded: proj}, nil
}

// hooks are what a project's code asks of the session: getId, the provider's values, console.
func (s *Session) hooks() project.Hooks {
	sub := s.Subscription()
	return project.Hooks{
		GetID: func(ref project.Ref, path string) (string, error) {
			// getId({ ..., path: "live.properties.publicKey" }): a value of its live body.
			if p := strings.TrimPrefix(path, "live."); p != "" && p != "id" && p != "live" {
				return target.ValueOf(s.catalog, ref, p)
			}
			return target.IDOf(s.catalog, sub, ref)
		},
		Provider: map[string]any{"subscriptionId": sub, "tenantId": s.Tenant()},
		Console:  s.console,
	}
}

// unchanged reports whether a loaded project's resources are still those LoadProject made
// (the same values, the same maps), so that its specifications can be used as they are.
func (p *Project) unchanged() bool {
	if p.loaded == nil || len(p.Resources) != len(p.loaded.Resources) || p.Name != p.loaded.Name || p.Stage != p.loaded.Stage || p.Location != p.loaded.Location || p.Dir != p.loaded.Dir {
		return false
	}
	for i := range p.Resources {
		a, spec := &p.Resources[i], p.loaded.Resources[i]
		if a.Type != spec.Type || a.Group != spec.Group || a.Name != spec.Name || a.ReadOnly != spec.ReadOnly || parseLocation(a.Source) != spec.Source ||
			reflect.ValueOf(a.Properties).UnsafePointer() != reflect.ValueOf(spec.Properties).UnsafePointer() {
			return false
		}
		if n, ok := a.Properties["name"].(string); ok && n != "" && n != spec.Name {
			return false // properties.name was changed in place
		}
		keys := 0 // with resources
		for k, refs := range a.Dependencies {
			if len(refs) == 0 {
				continue
			}
			keys++
			loaded := spec.Dependencies.Of(k)
			if len(refs) != len(loaded) {
				return false
			}
			for j, ref := range refs {
				if project.Ref(ref) != loaded[j] {
					return false
				}
			}
		}
		if keys != len(spec.Dependencies) {
			return false
		}
	}
	return true
}

// Problem is a problem found in a project: what (Code), where the resource is declared
// (File, Line and Column, 1-based; Source is them as file:line:column), which resource and
// property, and what is wrong; Warning when ARM would only ignore it.
//
// The codes:
//
//	syntax                  a file is not valid JavaScript (or JSON, or dotenv)
//	exception               the project's code threw (or a promise it returned was rejected):
//	                        located where it was thrown
//	format                  the code ran, but what it gave is not a GruCloud project
//	                        (createResources missing, a resource without type or group)
//	no-project              the folder has no resources.js nor iac.js
//	unknown-type            a resource's type is not known (Message suggests the nearest)
//	unsupported-type        gru cannot create the type (Azure makes it; readOnly: true refers to one)
//	missing-name            the resource has no name
//	duplicate               two resources have the same type and full name
//	bad-dependency          a dependency names no declared resource of its type, several, or
//	                        the resource itself (Message suggests the nearest names); getId
//	                        names an undeclared resource
//	missing-dependency      the resource does not name a parent it needs (its resource group)
//	unknown-dependency-key  a dependency key its type does not have (a warning; an error
//	                        with Strict)
//	cycle                   the dependencies loop (Message names each resource, located)
//	missing-location        no Azure location: neither the resource nor config.js sets one
//	invalid-property        the body breaks its schema, or a property gru reads is wrong
//	unknown-property        a property the schema does not have (a warning; an error with Strict)
//	unvalidated             the resource's apiVersion is one gru has no type data for: its body
//	                        is sent unvalidated (a warning; an error with Strict)
type Problem struct {
	Code     string `json:"code,omitempty"`
	Source   string `json:"source,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Resource string `json:"resource,omitempty"`
	Path     string `json:"path,omitempty"`
	Message  string `json:"message"`
	Warning  bool   `json:"warning,omitempty"`
}

// The codes of problems (see Problem).
const (
	CodeSyntax               = project.CodeSyntax
	CodeException            = project.CodeException
	CodeFormat               = project.CodeFormat
	CodeNoProject            = project.CodeNoProject
	CodeUnknownType          = target.CodeUnknownType
	CodeUnsupportedType      = target.CodeUnsupportedType
	CodeMissingName          = target.CodeMissingName
	CodeDuplicate            = target.CodeDuplicate
	CodeBadDependency        = target.CodeBadDependency
	CodeMissingDependency    = target.CodeMissingDependency
	CodeUnknownDependencyKey = target.CodeUnknownDependencyKey
	CodeCycle                = target.CodeCycle
	CodeMissingLocation      = target.CodeMissingLocation
	CodeInvalidProperty      = target.CodeInvalidProperty
	CodeUnknownProperty      = target.CodeUnknownProperty
	CodeUnvalidated          = target.CodeUnvalidated
)

// String writes the problem as file:line:column: resource: path: message.
func (p Problem) String() string {
	loc := project.Location{File: p.File, Line: p.Line, Column: p.Column}.String()
	if loc == "" {
		loc = p.Source
	}
	var parts []string
	for _, s := range []string{loc, p.Resource, p.Path} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(append(parts, p.Message), ": ")
}

func problemOf(p target.Problem) Problem {
	return Problem{Code: p.Code, Source: p.Location().String(), File: p.File, Line: p.Line, Column: p.Column,
		Resource: p.Resource, Path: p.Path, Message: p.Message, Warning: p.Warning}
}

func problemsOf(ps []target.Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = problemOf(p)
	}
	return out
}

// ProjectError is the error of a project at fault: its code does not run (a syntax error, an
// exception), or what it declares is wrong (validation, dependencies, a cycle). LoadProject,
// LoadProjectConfig, Plan, PlanDestroy, ApplySaved, Declared and List return it:
//
//	var pe *gru.ProjectError
//	if errors.As(err, &pe) { for _, p := range pe.Problems { ... p.File, p.Line, p.Column ... } }
type ProjectError struct {
	Problems []Problem
}

// Error lists the problems, one a line after a count when there are several.
func (e *ProjectError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problems:\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

// projectError turns the errors of a project at fault into a *ProjectError; others are
// returned as they are.
func projectError(err error) error {
	var problems target.Problems
	var pe *project.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &problems):
		return &ProjectError{Problems: problemsOf(problems)}
	case errors.As(err, &pe):
		return &ProjectError{Problems: []Problem{{Code: pe.Code, Source: pe.Location.String(), File: pe.File, Line: pe.Line, Column: pe.Column,
			Resource: pe.Resource, Path: pe.Path, Message: pe.Msg}}}
	}
	return err
}

// target validates a project and links its resources.
func (s *Session) target(ctx context.Context, p *Project, strict bool) (*target.Target, error) {
	if p == nil {
		return nil, errors.New("no project")
	}
	if p.unchanged() {
		t, err := target.Build(ctx, s.catalog, p.loaded, s.Subscription(), target.Options{Strict: strict})
		return t, projectError(err)
	}
	proj := &project.Project{Name: p.Name, Stage: p.Stage, Location: p.Location, Dir: p.Dir, Config: map[string]any{}}
	if proj.Stage == "" {
		proj.Stage = "dev"
	}
	if proj.Name == "" {
		return nil, fmt.Errorf("the project needs a name: it goes into the ownership tags")
	}
	for i, r := range p.Resources {
		props, err := plainJSON(r.Properties)
		if err != nil {
			return nil, fmt.Errorf("Resources[%d] (%s::%s %s): properties: %w", i, r.Group, r.Type, r.Name, err)
		}
		name := r.Name
		if n, ok := props["name"].(string); ok && n != "" {
			name = n
		}
		spec := &project.Spec{Type: r.Type, Group: r.Group, Name: name, ReadOnly: r.ReadOnly, Properties: props, Source: parseLocation(r.Source)}
		for k, refs := range r.Dependencies {
			converted := make([]project.Ref, len(refs))
			for i, ref := range refs {
				converted[i] = project.Ref(ref)
			}
			spec.Dependencies.Add(k, len(refs) != 1, converted...)
		}
		proj.Resources = append(proj.Resources, spec)
	}
	t, err := target.Build(ctx, s.catalog, proj, s.Subscription(), target.Options{Strict: strict})
	return t, projectError(err)
}

// parseLocation reads a Resource's Source: file:line:column, file:line or a file alone.
func parseLocation(source string) project.Location {
	loc := project.Location{File: source}
	rest, last, ok := cutLastNumber(source)
	if !ok {
		return loc
	}
	if file, line, ok := cutLastNumber(rest); ok {
		return project.Location{File: file, Line: line, Column: last}
	}
	return project.Location{File: rest, Line: last}
}

// cutLastNumber splits "x:12" into x and 12.
func cutLastNumber(s string) (string, int, bool) {
	i := strings.LastIndex(s, ":")
	if i <= 0 {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n <= 0 {
		return s, 0, false
	}
	return s[:i], n, true
}

// plainJSON turns Go values into the JSON data the engine works on (numbers exact). Data that
// is plain already (as a loaded project's) is used as it is.
func plainJSON(m map[string]any) (map[string]any, error) {
	if m == nil {
		return map[string]any{}, nil
	}
	if isPlain(m) {
		return m, nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out map[string]any
	return out, dec.Decode(&out)
}

// isPlain reports JSON data as the engine reads it: objects, arrays, strings, booleans, null
// and json.Number.
func isPlain(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if !isPlain(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !isPlain(e) {
				return false
			}
		}
		return true
	case string, bool, nil, json.Number:
		return true
	}
	return false
}

// Action is what a plan does to a resource.
type Action string

// The actions of a plan.
const (
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace" // deleted, then created
	Delete  Action = "delete"
	NoOp    Action = "no change"
)

// PlanOptions adjust a plan.
type PlanOptions struct {
	// Prune also deletes what the project manages (by its tags) but no longer declares.
	Prune bool
	// AllowReplace lets the plan replace a resource group, or a resource with others inside
	// it (deleted with it); without it such a plan is refused. What depends on a replaced
	// resource is replaced too, and shown.
	AllowReplace bool
	// ReplaceSecrets sends the secrets of these resources again ("*": all), by name.
	ReplaceSecrets []string
	// Drift lists, per resource, the writable properties live has and the project does not.
	Drift bool
	// Strict makes validation warnings (unknown properties) errors.
	Strict bool
}

// Diff is one value a plan changes; secrets show as "(sensitive)", IDs known only after apply
// as "(ID of ..., known after apply)".
type Diff struct {
	Path string
	// Before is live (nil: absent); After what the project says (nil: removed).
	Before, After any
	Sensitive     bool
}

// Unknown is a value known only once apply has made another resource: the ID Azure gives a
// resource it names (a private endpoint connection), or with a Path, a value of a resource's
// live body (getId with a path). IDOf is that resource's key.
type Unknown struct {
	IDOf string
	Path string
}

func (u Unknown) String() string { return target.Unknown(u).String() }

// MarshalJSON writes an unknown as {"$unknown": "id", "of": key} (or "value" with its path).
func (u Unknown) MarshalJSON() ([]byte, error) { return target.Unknown(u).MarshalJSON() }

// publicValue turns the engine's unknowns in a diff's value into Unknown.
func publicValue(v any) any {
	switch x := v.(type) {
	case target.Unknown:
		return Unknown(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = publicValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = publicValue(e)
		}
		return out
	}
	return v
}

func diffOf(d plan.Diff) Diff {
	return Diff{Path: d.Path, Before: publicValue(d.Before), After: publicValue(d.After), Sensitive: d.Sensitive}
}

// Change is the plan for one resource.
type Change struct {
	// Resource is the resource's key (Group::Type rg::name), or its ARM type and ID when the
	// project does not declare it.
	Resource, Type, ID string
	Action             Action
	// Reasons say why, in words.
	Reasons []string
	Diffs   []Diff
	Drift   []Diff
	// State is the live provisioning state ("" when not live).
	State string
	// DeletedWith names the resource whose deletion deletes this one.
	DeletedWith string
}

// Plan says what apply will do.
type Plan struct {
	Changes []Change
	// Warnings are what validation found that ARM ignores.
	Warnings []Problem
	// Refusals say why Apply refuses the plan (a replacement that needs AllowReplace).
	Refusals []string
	// Undeclared names the live resources the project manages but no longer declares, which
	// the plan leaves alone (PlanOptions.Prune deletes them).
	Undeclared []string
	// Requests is how many ARM requests planning made.
	Requests int
	p        *plan.Plan
}

// Pending reports whether the plan changes anything.
func (p *Plan) Pending() bool { return p.p.Pending() }

// Counts tallies the plan's actions.
func (p *Plan) Counts() map[Action]int {
	out := map[Action]int{}
	for a, n := range p.p.Counts() {
		out[Action(a)] = n
	}
	return out
}

// MarshalJSON writes the plan in the saved-plan format (see Save).
func (p Plan) MarshalJSON() ([]byte, error) { return json.Marshal(p.p) }

// Save writes the plan for ApplySaved: JSON, with no secret (they are read from the project
// again when it is applied).
func (p *Plan) Save(w io.Writer) error { return p.p.Save(w) }

func planOf(p *plan.Plan) *Plan {
	out := &Plan{Warnings: problemsOf(p.Warnings), Refusals: p.Refusals, Undeclared: p.Undeclared, Requests: p.Requests, p: p}
	for _, c := range p.Changes {
		gc := Change{Resource: c.Key, Type: c.Type, ID: c.ID, Action: Action(c.Action), State: c.State, DeletedWith: c.DeletedWith}
		for _, r := range c.Reasons {
			gc.Reasons = append(gc.Reasons, r.String())
		}
		for _, d := range c.Diffs {
			gc.Diffs = append(gc.Diffs, diffOf(d))
		}
		for _, d := range c.Drift {
			gc.Drift = append(gc.Drift, diffOf(d))
		}
		out.Changes = append(out.Changes, gc)
	}
	return out
}

// Plan compares a project with what is live.
func (s *Session) Plan(ctx context.Context, p *Project, o PlanOptions) (*Plan, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	t, err := s.target(ctx, p, o.Strict)
	if err != nil {
		return nil, err
	}
	pl, err := s.engine.Plan(ctx, t, plan.Options{Prune: o.Prune, AllowReplace: o.AllowReplace, ReplaceSecrets: o.ReplaceSecrets, Drift: o.Drift})
	if err != nil {
		return nil, err
	}
	return planOf(pl), nil
}

// State is how a change ended.
type State string

// The ends of a change.
const (
	Done     State = "done"
	Failed   State = "failed"
	Skipped  State = "skipped" // something it needed failed
	Canceled State = "canceled"
)

// Outcome is how one change of a plan fared.
type Outcome struct {
	Resource string        `json:"resource"`
	Action   Action        `json:"action"`
	State    State         `json:"state"`
	Error    string        `json:"error,omitempty"`
	Took     time.Duration `json:"tookNanoseconds"`
}

func outcomesOf(out []executor.Outcome) []Outcome {
	res := make([]Outcome, len(out))
	for i, o := range out {
		res[i] = Outcome{Resource: o.Key, Action: Action(o.Action), State: State(o.State), Error: o.Error, Took: o.Took}
	}
	return res
}

// ErrRefused is the error of applying a refused plan (see Plan.Refusals).
var ErrRefused = errors.New("the plan is refused")

// ErrStale is the error of applying a saved plan that live or the project no longer matches.
var ErrStale = errors.New("the saved plan is out of date")

func wrapEngine(err error) error {
	var refused *engine.RefusedError
	var stale *engine.StaleError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("%w: %s", ErrRefused, strings.Join(refused.Reasons, "; "))
	case errors.As(err, &stale):
		return fmt.Errorf("%w, nothing was changed: %s; make a new plan", ErrStale, strings.Join(stale.Changes, "; "))
	}
	return err
}

// Apply carries a plan out: each resource as soon as what it needs is done, at most
// Parallelism at a time; a failure skips what depends on it while independent work goes on.
// When ctx ends, nothing new starts and what is in flight finishes. What failed, was skipped
// or canceled is in the outcomes, with a nil error: the error is for a run that could not
// start (a refused plan, a plan of another subscription).
func (s *Session) Apply(ctx context.Context, p *Plan) ([]Outcome, error) {
	if p == nil || p.p == nil {
		return nil, errors.New("no plan: make one with Plan or PlanDestroy")
	}
	if err := s.connected(); err != nil {
		return nil, err
	}
	if !strings.EqualFold(p.p.Subscription, s.Subscription()) {
		return nil, fmt.Errorf("the plan was made for subscription %s; this session works in %s", p.p.Subscription, s.Subscription())
	}
	out, err := s.engine.Apply(ctx, p.p)
	if err != nil {
		return nil, wrapEngine(err)
	}
	return outcomesOf(out), nil
}

// ApplySaved applies a plan saved with Plan.Save to its project: only while planning again
// gives the same plan (same changes, bodies and live versions); otherwise it changes nothing
// and the error (ErrStale) says what changed.
func (s *Session) ApplySaved(ctx context.Context, saved io.Reader, p *Project) (*Plan, []Outcome, error) {
	if err := s.connected(); err != nil {
		return nil, nil, err
	}
	sp, err := plan.Load(saved)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.target(ctx, p, false)
	if err != nil {
		return nil, nil, err
	}
	fresh, out, err := s.engine.ApplySaved(ctx, sp, t)
	var pl *Plan
	if fresh != nil {
		pl = planOf(fresh)
	}
	if err != nil {
		return pl, nil, wrapEngine(err)
	}
	return pl, outcomesOf(out), nil
}

// SavedPlanDir reads the project folder a saved plan was made in.
func SavedPlanDir(saved io.Reader) (string, error) {
	sp, err := plan.Load(saved)
	if err != nil {
		return "", err
	}
	return sp.Dir, nil
}

// DestroyOptions choose what a destroy deletes: without filters, everything the project
// manages, declared or not.
type DestroyOptions struct {
	// Types, Name and Group keep the declared resources of these types (Group::Type or ARM
	// type), of this name (or full name rg::name), of this type group (Network, Storage, ...).
	// A filter that keeps no declared resource is a *FilterError, with the nearest values
	// that would keep some; declared resources that are not live are simply not in the plan.
	Types []string
	Name  string
	Group string
	// All deletes the project's live resources whether it manages them or not.
	All bool
}

// PlanDestroy plans the deletion of what a project manages; Apply carries it out.
func (s *Session) PlanDestroy(ctx context.Context, p *Project, o DestroyOptions) (*Plan, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	t, err := s.target(ctx, p, false)
	if err != nil {
		return nil, err
	}
	keep, err := s.destroyFilter(t, o)
	if err != nil {
		return nil, err
	}
	pl, err := s.engine.Destroy(ctx, t, plan.DestroyOptions{All: o.All, Keep: keep})
	if err != nil {
		return nil, err
	}
	return planOf(pl), nil
}

// Destroy deletes what the project manages and reports how each deletion fared.
func (s *Session) Destroy(ctx context.Context, p *Project) ([]Outcome, error) {
	pl, err := s.PlanDestroy(ctx, p, DestroyOptions{})
	if err != nil {
		return nil, err
	}
	return s.Apply(ctx, pl)
}

// EventKind says what happened.
type EventKind string

// The kinds of events.
const (
	EventStarted  EventKind = "started"
	EventDone     EventKind = "done"
	EventFailed   EventKind = "failed"
	EventRetrying EventKind = "retrying" // a deletion refused while in use, tried again later
	EventStopping EventKind = "stopping" // the endpoint does not answer: nothing new starts
	EventWaiting  EventKind = "waiting"  // planning waits for a resource still provisioning
)

// Event is one thing that happened during an apply or destroy (or a plan's wait).
type Event struct {
	Kind EventKind
	// Step is "put" (create, update, the second half of a replace) or "delete".
	Step     string
	Resource string
	Action   Action
	// State is the provisioning state waited for (EventWaiting).
	State string
	// Took is how long the step ran; Elapsed the time since the apply started.
	Took, Elapsed time.Duration
	Err           error
	// Settled counts the changes that have ended, of Total.
	Settled, Total int
}

func eventOf(e executor.Event) Event {
	return Event{Kind: EventKind(e.Kind), Step: e.Step, Resource: e.Key, Action: Action(e.Action), Took: e.Took, Elapsed: e.Elapsed, Err: e.Err, Settled: e.Settled, Total: e.Total}
}

// IsUnreachable reports an error of an endpoint that does not answer at all.
func IsUnreachable(err error) bool { return armclient.IsUnreachable(err) }
