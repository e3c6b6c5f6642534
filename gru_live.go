package gru

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/codegen"
	"github.com/gru-iac/gru/internal/inventory"
	"github.com/gru-iac/gru/internal/ownership"
	"github.com/gru-iac/gru/internal/plan"
	"github.com/gru-iac/gru/internal/secret"
	"github.com/gru-iac/gru/internal/target"
)

// Declared is a resource a project declares, linked, and what is live of it.
type Declared struct {
	// Key is Group::Type rg::parent::name; FullName GruCloud's rg::parent::name.
	Key, Type, ARMType, Name, FullName string
	// ResourceGroup is the name of the resource group it is in ("" for none).
	ResourceGroup string
	// ID is its ARM ID: live's when it is live, else the planned one ("" when Azure names it).
	ID string
	// DependsOn lists the keys of its dependencies, by dependency key.
	DependsOn []string
	// Live is its live body, secrets masked; nil when it is not live (or not read).
	Live map[string]any
	// Managed says the project manages it (ownership tags, or its parent's for types without).
	Managed bool
}

// Declared links a project's resources and, with live, reads what of them is live (one list
// request per collection).
func (s *Session) Declared(ctx context.Context, p *Project, live bool) ([]Declared, error) {
	t, err := s.target(ctx, p, false)
	if err != nil {
		return nil, err
	}
	var bodies map[*target.Resource]map[string]any
	managed := map[*target.Resource]bool{}
	if live {
		if err := s.connected(); err != nil {
			return nil, err
		}
		if bodies, _, err = plan.LiveOf(ctx, s.conn.Client, t); err != nil {
			return nil, err
		}
		managed = plan.Managed(t, bodies)
	}
	var out []Declared
	for _, r := range t.Resources {
		d := Declared{Key: r.Key, Type: r.Type.ShortName, ARMType: r.Type.ARMType, Name: r.Spec.Name, FullName: r.FullName, Managed: managed[r]}
		if r.ID != nil {
			d.ID = r.IDString()
			d.ResourceGroup = r.ID.ResourceGroupName()
		}
		if target.IsResourceGroup(r.Type) {
			d.ResourceGroup = r.Spec.Name
		}
		for _, deps := range r.Deps { // sorted by key
			for _, dep := range deps.On {
				d.DependsOn = append(d.DependsOn, dep.Key)
				if d.ResourceGroup == "" && target.IsResourceGroup(dep.Type) {
					d.ResourceGroup = dep.Spec.Name
				}
			}
		}
		if l := bodies[r]; l != nil {
			d.Live = secret.Redact(l, r.Schema.Body).(map[string]any)
			d.ID = armclient.Field(l, "id")
		}
		out = append(out, d)
	}
	return out, nil
}

// ListOptions choose what List shows.
type ListOptions struct {
	// Our keeps what the project manages (without a project: what GruCloud manages).
	Our bool
	// Types keeps these types (Group::Type or ARM type); Group the types of a group
	// (Network, Storage, ...). A type or group gru does not know is a *FilterError with the
	// nearest names; a known one with nothing live lists nothing.
	Types []string
	Group string
}

// StateExists is the state List gives a live resource whose type has no provisioning state.
const StateExists = "Exists"

// Listed is one live resource.
type Listed struct {
	Type          string `json:"type"`
	Name          string `json:"name"`
	ID            string `json:"id"`
	ResourceGroup string `json:"resourceGroup,omitempty"`
	Managed       bool   `json:"managed"`
	// State is the provisioning state, or StateExists for types ARM gives none (a blob
	// service, a container); Failed says it failed or was canceled, and apply
	// repairs it.
	State  string `json:"state,omitempty"`
	Failed bool   `json:"failed,omitempty"`
	// Connection is a private endpoint connection's status.
	Connection string `json:"connection,omitempty"`
}

// List lists the live resources of the subscription: resource groups, top-level resources,
// and, for a project (p may be nil), the child resources it declares, with full bodies.
func (s *Session) List(ctx context.Context, p *Project, o ListOptions) ([]Listed, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	types, group, err := s.filtersOf(o.Types, o.Group)
	if err != nil {
		return nil, err
	}
	c := s.conn.Client
	items, _, err := inventory.Subscription(ctx, c, s.catalog, inventory.Query{})
	if err != nil {
		return nil, err
	}
	owner := ownership.Owner{}
	byID := map[string]map[string]any{}
	for _, it := range items {
		byID[strings.ToLower(armclient.Field(it, "id"))] = it
	}
	if p != nil {
		t, err := s.target(ctx, p, false)
		if err != nil {
			return nil, err
		}
		owner = t.Owner
		bodies, _, err := plan.LiveOf(ctx, c, t)
		if err != nil {
			return nil, err
		}
		for _, l := range bodies {
			byID[strings.ToLower(armclient.Field(l, "id"))] = l // the full body, children too
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	managed := map[string]bool{}
	var out []Listed
	for _, id := range ids { // parents sort before their children
		l := byID[id]
		armType := armclient.Field(l, "type")
		short, hasTags := armType, true
		if t, ok := s.catalog.Find(armType); ok {
			short = t.ShortName
			if schema, err := s.catalog.Schema(ctx, t, ""); err == nil {
				hasTags = schema.Has("tags")
			}
		}
		// Untagged children go with their nearest listed ancestor (a blob with its container,
		// a container with its account: blobServices/default between them is Azure's).
		parentManaged := false
		if parsed, err := armid.Parse(armclient.Field(l, "id")); err == nil {
			for p := parsed.Parent; p != nil; p = p.Parent {
				if m, ok := managed[strings.ToLower(p.String())]; ok {
					parentManaged = m
					break
				}
			}
		}
		managed[id] = owner.Manages(l, hasTags, parentManaged)
		row := Listed{Type: short, Name: armclient.Field(l, "name"), ID: armclient.Field(l, "id"), Managed: managed[id], Failed: plan.Failed(l)}
		if parsed, err := armid.Parse(row.ID); err == nil {
			row.ResourceGroup = parsed.ResourceGroupName()
		}
		if props, ok := l["properties"].(map[string]any); ok {
			row.State, _ = props["provisioningState"].(string)
			if st, ok := props["privateLinkServiceConnectionState"].(map[string]any); ok {
				row.Connection, _ = st["status"].(string)
			}
		}
		if row.State == "" {
			row.State = StateExists // ARM gives this type no provisioning state (a blob service, a container)
		}
		if o.Our && !row.Managed || group != "" && !strings.EqualFold(strings.SplitN(row.Type, "::", 2)[0], group) {
			continue
		}
		if len(types) > 0 && !slices.ContainsFunc(types, func(t *catalog.TypeInfo) bool { return strings.EqualFold(t.ARMType, armType) }) {
			continue
		}
		out = append(out, row)
	}
	return out, nil
}

// GencodeOptions choose what Gencode writes the project of.
type GencodeOptions struct {
	// ResourceGroups and Types keep these resource groups and types; Our keeps what GruCloud
	// manages (and what is inside it); Project what that GruCloud project manages (and what
	// is inside it).
	ResourceGroups, Types []string
	Our                   bool
	Project               string
	// ProjectName is the project's name when the resources carry none (gc-project-name).
	ProjectName string
}

// Generated is a project written for live resources.
type Generated struct {
	// Files are resources.js and config.js, by name.
	Files map[string]string
	// Env are the environment variables the project reads its secrets from.
	Env []EnvVar
	// Resources are the live resources written, secrets masked; Requests the ARM requests made.
	Resources []map[string]any
	Requests  int
	// Projects are the GruCloud projects whose resources were written (gc-project-name).
	Projects []string
}

// EnvVar is a variable a generated project reads a secret from.
type EnvVar struct {
	Name     string `json:"name"`
	Resource string `json:"resource"`
	Path     string `json:"path"`
}

// Gencode reads live resources and writes the GruCloud project that describes them: resource
// groups, top-level resources, and the child resources of the types GruCloud's table
// describes. No secret value is written: each becomes process.env.NAME (see Generated.Env).
func (s *Session) Gencode(ctx context.Context, o GencodeOptions) (*Generated, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	// Filters that name nothing are errors with the nearest names, as List's and
	// PlanDestroy's are, not an empty project.
	if _, err := s.typesOf(o.Types); err != nil {
		return nil, err
	}
	if len(o.ResourceGroups) > 0 {
		groups, err := s.conn.Client.ListResourceGroups(ctx)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, g := range groups {
			names = append(names, armclient.Field(g, "name"))
		}
		for _, want := range o.ResourceGroups {
			if !containsFold(names, want) {
				return nil, noMatchAmong("resource-group", want, fmt.Sprintf("no live resource group is named %s", want), "the live ones are", names)
			}
		}
	}
	q := inventory.Query{ResourceGroups: o.ResourceGroups, Types: o.Types, Children: true}
	if o.Our || o.Project != "" {
		q.Owner = &ownership.Owner{Project: o.Project}
	}
	live, requests, err := inventory.Subscription(ctx, s.conn.Client, s.catalog, q)
	if err != nil {
		return nil, err
	}
	opts := codegen.Options{ProjectName: o.ProjectName, Location: mostCommon(live, func(r map[string]any) string { return armclient.Field(r, "location") }),
		Content: s.conn.Client.Content, TenantID: s.Tenant(), SubscriptionID: s.Subscription()}
	if name := mostCommon(live, tagOf(ownership.TagProject)); name != "" {
		opts.ProjectName = name
	}
	opts.Stage = mostCommon(live, tagOf(ownership.TagStage))
	gen, err := codegen.Generate(ctx, s.catalog, live, opts)
	if err != nil {
		return nil, err
	}
	out := &Generated{Files: gen.Files, Requests: requests}
	projects := map[string]bool{}
	for _, l := range live {
		if name := tagOf(ownership.TagProject)(l); name != "" {
			projects[name] = true
		}
	}
	out.Projects = slices.Sorted(maps.Keys(projects))
	for _, v := range gen.Env {
		out.Env = append(out.Env, EnvVar(v))
	}
	for _, l := range live {
		if target.MadeByAzure(l) {
			continue // not written: Azure makes it with another resource
		}
		masked := secret.Redact(l, nil).(map[string]any)
		if t, ok := s.catalog.Find(armclient.Field(l, "type")); ok {
			if sc, err := s.catalog.Schema(ctx, t, ""); err == nil {
				masked = secret.Redact(l, sc.Body).(map[string]any)
			}
		}
		out.Resources = append(out.Resources, masked)
	}
	return out, nil
}

func tagOf(name string) func(map[string]any) string {
	return func(r map[string]any) string {
		tags, _ := r["tags"].(map[string]any)
		v, _ := tags[name].(string)
		return v
	}
}

// mostCommon is the most common non-empty value of f over live resources (ties: the least).
func mostCommon(live []map[string]any, f func(map[string]any) string) string {
	counts := map[string]int{}
	best := ""
	for _, r := range live {
		v := f(r)
		if v == "" {
			continue
		}
		counts[v]++
		if counts[v] > counts[best] || counts[v] == counts[best] && v < best {
			best = v
		}
	}
	return best
}
