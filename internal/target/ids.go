package target

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/project"
)

// Unknown is a value that is known only once apply has made another resource: the ID Azure
// gives a resource it names (a private endpoint connection). IDOf is that resource's key.
//
// With a Path, it is a value of that resource's live body instead (getId({ ..., path:
// "live.properties.publicKey" }) in GruCloud's projects): known once the resource exists.
type Unknown struct {
	IDOf string
	Path string
}

func (u Unknown) String() string {
	if u.Path != "" {
		return "(" + u.Path + " of " + u.IDOf + ", known after apply)"
	}
	return "(ID of " + u.IDOf + ", known after apply)"
}

// MarshalJSON writes an unknown as {"$unknown": "id", "of": key} (or "value" with its "path"),
// so that a saved plan keeps it typed.
func (u Unknown) MarshalJSON() ([]byte, error) {
	if u.Path != "" {
		return json.Marshal(map[string]string{"$unknown": "value", "of": u.IDOf, "path": u.Path})
	}
	return json.Marshal(map[string]string{"$unknown": "id", "of": u.IDOf})
}

// parseUnknown reads the text of an Unknown (as getId returns it to project code).
func parseUnknown(s string) (Unknown, bool) {
	rest, ok := strings.CutSuffix(s, ", known after apply)")
	if !ok || !strings.HasPrefix(rest, "(") {
		return Unknown{}, false
	}
	what, key, ok := strings.Cut(rest[1:], " of ")
	if !ok || key == "" {
		return Unknown{}, false
	}
	if what == "ID" {
		return Unknown{IDOf: key}, true
	}
	return Unknown{IDOf: key, Path: what}, true
}

// ValueOf is the text getId returns for a value of a resource's live body (path such as
// properties.publicKey), which Build types as an Unknown.
func ValueOf(cat *catalog.Catalog, ref project.Ref, path string) (string, error) {
	ti, err := cat.Lookup(ref.Group + "::" + ref.Type)
	if err != nil {
		return "", fmt.Errorf("getId: %w", err)
	}
	return Unknown{IDOf: ti.ShortName + " " + ref.Name, Path: path}.String(), nil
}

// Lookup says what Unknowns stand for, once known: a resource's ID, a value of its live body.
type Lookup interface {
	// ID is the ID of the resource of a key, "" while not known.
	ID(key string) string
	// Value is the value at a path of the live body of the resource of a key.
	Value(key, path string) (any, bool)
}

// PathValue is the value at a dotted path (properties.publicKey, items by index) of a body.
func PathValue(body map[string]any, path string) (any, bool) {
	var v any = body
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[k]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

// FullName is GruCloud's name of the resource an ID names: the resource group, the parents
// and the name (rg::vnet::subnet), the group's own name for a group.
func FullName(id *armid.ID) string {
	if id.IsResourceGroup() {
		return id.Name
	}
	var parts []string
	for cur := id; cur != nil && !cur.IsResourceGroup() && !cur.IsSubscription(); cur = cur.Parent {
		parts = append([]string{cur.Name}, parts...)
		if cur.TopLevel() {
			break
		}
	}
	if rg := id.ResourceGroupName(); rg != "" {
		parts = append([]string{rg}, parts...)
	}
	return strings.Join(parts, "::")
}

// CollectionOf is the path that lists a resource's siblings, "" when its parent is not known
// yet (a parent that Azure names).
func CollectionOf(r *Resource) string {
	if r.Parent == nil {
		return ""
	}
	segs := strings.Split(r.Type.ARMType, "/")
	last := segs[len(segs)-1]
	if IsResourceGroup(r.Type) {
		return r.Parent.String() + "/resourcegroups"
	}
	if len(segs) == 2 { // a top-level type: its block starts under the parent
		return r.Parent.String() + "/providers/" + r.Type.Namespace() + "/" + last
	}
	return r.Parent.String() + "/" + last
}

// identify computes IDs from the parent chain, in dependency order so that parents are known.
func (b *builder) identify() {
	done := map[*Resource]bool{}
	var visit func(r *Resource, seen map[*Resource]bool)
	visit = func(r *Resource, seen map[*Resource]bool) {
		if done[r] || seen[r] {
			return
		}
		seen[r] = true
		for _, d := range b.parentDeps(r) {
			for _, p := range r.Deps.Of(d.Key) {
				visit(p, seen)
			}
		}
		done[r] = true
		if IsResourceGroup(r.Type) {
			r.ID = armid.ResourceGroup(b.t.Subscription, r.Spec.Name)
			r.Parent = r.ID.Parent
			return
		}
		// The innermost parent that has an ID is where this resource's block continues.
		var parent *Resource
		var group *Resource
		for _, d := range b.parentDeps(r) {
			for _, p := range r.Deps.Of(d.Key) {
				if IsResourceGroup(p.Type) {
					group = p
				} else {
					parent = p
				}
			}
		}
		switch {
		case parent != nil && parent.ID != nil:
			r.Parent, r.ID = b.idBelow(r, parent.ID, strings.Count(parent.Type.ARMType, "/"))
		case parent != nil:
			r.Parent = nil // the parent's own ID is not known before apply
		case group != nil:
			r.Parent, r.ID = b.idBelow(r, group.ID, 0)
		default:
			r.Parent, r.ID = b.idBelow(r, armid.Subscription(b.t.Subscription), 0)
		}
		if from := identityDependency(r.Type.ARMType); from != "" && len(r.Deps.Of(from)) > 0 {
			r.IdentityFrom = from
			r.ID = nil // Azure names it
		}
	}
	for _, r := range b.t.Resources {
		visit(r, map[*Resource]bool{})
	}
	for _, r := range b.t.Resources {
		if r.ID != nil {
			r.idText = r.ID.String()
		}
	}
}

// idBelow builds r's ID below an ancestor's ID, whose type has depth type segments (0 for a
// resource group or subscription): the names in between are those GruCloud's PUT path fixes
// (a blob container's blobServices/default below its account), the last one r's own, unless
// fixed too (a web app's config/web). It returns the ID r's collection lives under, and r's.
func (b *builder) idBelow(r *Resource, ancestor *armid.ID, depth int) (parent, id *armid.ID) {
	types := strings.Split(r.Type.ARMType, "/")[1:]
	id = ancestor
	for i := depth; i < len(types); i++ {
		name := r.Spec.Name
		if i < len(r.fixed) && r.fixed[i] != "" {
			name = r.fixed[i]
		}
		if i == len(types)-1 && strings.EqualFold(r.Type.ARMType, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs") {
			name = armid.EscapeName(name) // a blob's name may hold / (virtual folders)
		}
		parent = id
		if i == 0 {
			id = id.Provider(r.Type.Namespace(), types[0], name)
		} else {
			id = id.Child(types[i], name)
		}
	}
	return parent, id
}

// IDOf computes the ARM ID a project's getId({ type, group, name }) stands for, before the
// target is built: GruCloud names are rg::name for a resource-group-scoped resource and
// rg::parent::child for a child, the resource group's own name alone, and a name alone for
// a subscription-scoped resource. Resources that Azure names get a placeholder that Build
// turns into an Unknown.
func IDOf(cat *catalog.Catalog, subscription string, ref project.Ref) (string, error) {
	ti, err := cat.Lookup(ref.Group + "::" + ref.Type)
	if err != nil {
		return "", fmt.Errorf("getId: %w", err)
	}
	parts := strings.Split(ref.Name, "::")
	if IsResourceGroup(ti) {
		return armid.ResourceGroup(subscription, parts[len(parts)-1]).String(), nil
	}
	if identityDependency(ti.ARMType) != "" {
		return Unknown{IDOf: ti.ShortName + " " + ref.Name}.String(), nil
	}
	segs := strings.Split(ti.ARMType, "/")
	types := segs[1:]
	fixed, err := cat.FixedNames(ref.Group + "::" + ref.Type)
	if err != nil {
		return "", fmt.Errorf("getId: %w", err)
	}
	// GruCloud leaves out of the name what its PUT path fixes (rg::account::container).
	var free []string
	for i, t := range types {
		if i >= len(fixed) || fixed[i] == "" {
			free = append(free, t)
		}
	}
	if len(free) < len(types) && (len(parts) == len(free)+1 || len(parts) == len(free)) {
		full := make([]string, 0, len(types)+1)
		if len(parts) == len(free)+1 {
			full, parts = append(full, parts[0]), parts[1:]
		}
		for i := range types {
			if i < len(fixed) && fixed[i] != "" {
				full = append(full, fixed[i])
			} else {
				full, parts = append(full, parts[0]), parts[1:]
			}
		}
		parts = full
	}
	var id *armid.ID
	names := parts
	if len(parts) == len(types)+1 {
		id = armid.ResourceGroup(subscription, parts[0])
		names = parts[1:]
	} else if len(parts) == len(types) {
		id = armid.Subscription(subscription)
	} else {
		expected := fmt.Sprintf("%d parts joined by :: (resource group, then %s)", len(types)+1, strings.Join(types, ", "))
		if len(free) < len(types) {
			expected = fmt.Sprintf("%d parts joined by :: (resource group, then %s)", len(free)+1, strings.Join(free, ", "))
		}
		return "", fmt.Errorf("getId: %s name %q: expected %s", ti.ShortName, ref.Name, expected)
	}
	id = id.Provider(segs[0], types[0], names[0])
	for i := 1; i < len(types); i++ {
		id = id.Child(types[i], names[i])
	}
	return id.String(), nil
}
