// Package gru is gru's Go API: declare Azure resources in Go, as a GruCloud project does in
// JavaScript, and plan, apply or destroy them against Azure, gru's local cloud or an emulator.
//
//	s, err := gru.Open(ctx, gru.Options{Local: true})
//	defer s.Close()
//	p := gru.Project{Name: "demo", Location: "westeurope", Resources: []gru.Resource{
//		{Type: "ResourceGroup", Group: "Resources", Name: "rg-demo"},
//		{Type: "VirtualNetwork", Group: "Network", Name: "vnet",
//			Properties:   map[string]any{"properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}}}},
//			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rg-demo")}}},
//	}}
//	outcomes, err := s.Apply(ctx, p)
package gru

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/cloud"
	"github.com/gru-iac/gru/internal/engine"
	"github.com/gru-iac/gru/internal/project"
)

// Ref names another resource of the project: by GruCloud's name ("rg", "rg::name",
// "rg::parent::child"), with its Type and Group when the name alone is ambiguous.
type Ref = project.Ref

// Named is a reference by GruCloud's name.
func Named(name string) Ref { return Ref{Name: name} }

// Resource is one resource, as in a GruCloud project: its type and group
// (Storage, StorageAccount), its name, its body, and its dependencies by GruCloud's keys.
type Resource struct {
	Type, Group  string
	Name         string
	Properties   map[string]any
	Dependencies map[string][]Ref
	ReadOnly     bool
}

// Project is a set of resources with the project's configuration.
type Project struct {
	// Name and Stage go into the ownership tags (gc-project-name, gc-stage; stage default "dev").
	Name, Stage string
	// Location is the default location of the resources that have one.
	Location  string
	Resources []Resource
}

// Options say where to work and how.
type Options struct {
	// Local uses gru's local cloud (LocalDB, default $GRU_LOCAL_DB or gru's state folder);
	// Endpoint an emulator served elsewhere; neither, Azure with Microsoft's credential chain.
	Local        bool
	LocalDB      string
	Endpoint     string
	Subscription string
	// Parallelism bounds the operations in flight (default 20).
	Parallelism int
	// Progress receives a line as each resource starts and ends; Debug every request.
	Progress, Debug io.Writer
}

// Plan, Change and Outcome are what planning and applying report.
type (
	Plan    = engine.Plan
	Change  = engine.Change
	Outcome = engine.Outcome
)

// Session is a connection to a cloud.
type Session struct {
	conn    *cloud.Connection
	catalog *catalog.Catalog
	engine  *engine.Engine
}

// Open connects to the cloud the options name.
func Open(ctx context.Context, o Options) (*Session, error) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		return nil, err
	}
	conn, err := cloud.Connect(ctx, cloud.Options{Local: o.Local, LocalDB: o.LocalDB, Endpoint: o.Endpoint, Subscription: o.Subscription, Debug: o.Debug, Catalog: cat})
	if err != nil {
		return nil, err
	}
	return &Session{conn: conn, catalog: cat, engine: &engine.Engine{Cloud: conn.Client, Parallelism: o.Parallelism, Progress: o.Progress}}, nil
}

// Close ends the session.
func (s *Session) Close() { s.conn.Close() }

// Subscription is the session's subscription.
func (s *Session) Subscription() string { return s.conn.Client.Subscription() }

// ID returns the ARM ID of a resource of a project, as getId does in JavaScript, for
// properties that hold another resource's ID.
func (s *Session) ID(typ, group, name string) (string, error) {
	return engine.IDOf(s.catalog, s.Subscription(), Ref{Type: typ, Group: group, Name: name})
}

// target validates a project and links its resources.
func (s *Session) target(ctx context.Context, p Project) (*engine.Target, error) {
	proj := &project.Project{Name: p.Name, Stage: p.Stage, Location: p.Location, Config: map[string]any{}}
	if proj.Stage == "" {
		proj.Stage = "dev"
	}
	if proj.Name == "" {
		return nil, fmt.Errorf("the project needs a name: it goes into the ownership tags")
	}
	for i, r := range p.Resources {
		props, err := plainJSON(r.Properties)
		if err != nil {
			return nil, fmt.Errorf("resource %d (%s::%s %s): properties: %w", i, r.Group, r.Type, r.Name, err)
		}
		name := r.Name
		if n, ok := props["name"].(string); ok && n != "" {
			name = n
		}
		spec := &project.Spec{Type: r.Type, Group: r.Group, Name: name, ReadOnly: r.ReadOnly, Properties: props,
			Dependencies: map[string][]Ref{}, ListKeys: map[string]bool{}, Source: fmt.Sprintf("resource %d", i)}
		for k, refs := range r.Dependencies {
			spec.Dependencies[k] = refs
			spec.ListKeys[k] = len(refs) != 1
		}
		proj.Resources = append(proj.Resources, spec)
	}
	return engine.Build(ctx, s.catalog, proj, s.Subscription())
}

// plainJSON turns Go values into the JSON data the engine works on (numbers exact).
func plainJSON(m map[string]any) (map[string]any, error) {
	if m == nil {
		return map[string]any{}, nil
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

// Plan compares a project with what is live.
func (s *Session) Plan(ctx context.Context, p Project) (*Plan, error) {
	t, err := s.target(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.engine.Plan(ctx, t)
}

// Apply makes live match the project and reports how each resource fared.
func (s *Session) Apply(ctx context.Context, p Project) ([]Outcome, error) {
	plan, err := s.Plan(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.engine.Apply(ctx, plan)
}

// Destroy deletes what the project manages.
func (s *Session) Destroy(ctx context.Context, p Project) ([]Outcome, error) {
	t, err := s.target(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.engine.Destroy(ctx, t, nil, false)
}
